// What `lifeguard --version` and the head of `--help` say. The build (scripts/build.mjs) fixes them in
// the bundle as LIFEGUARD_BUILD: the version line names the commit the bundle was built from, and a
// single executable has no package.json beside it to read them from.
declare const LIFEGUARD_BUILD: {versionLine: string; description: string} | undefined;

const build = typeof LIFEGUARD_BUILD === 'undefined' ? undefined : LIFEGUARD_BUILD;

/** `version` is what --version prints, `description` the head of --help (cli.tsx). */
export const packageInfo = {
	name: 'lifeguard',
	// Run from source (tsx), nothing was built: say so rather than invent a version.
	version: build?.versionLine ?? 'lifeguard (not built: run npm run build)',
	description: build?.description,
};
