// Types of what the tests use from scripts/build.mjs.
/** Throws, saying why, unless Ink's modules in `inkDir` are the ones the substitutes were written against. */
export declare function checkSubstitutes(inkDir?: string): Promise<void>;
export declare function inkBuildDir(): string;
export declare const SUBSTITUTED: Record<string, string>;
/** package.json's version and description. */
export declare function packageFacts(root?: string): {version: string; description: string};
/** The commit `root` is checked out at (`+modified` with uncommitted changes), or null without a git work tree of its own. */
export declare function gitCommit(root?: string): string | null;
/** What `lifeguard --version` prints. */
export declare function versionLine(root?: string): string;
