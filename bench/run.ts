// `npm run bench`: the refresh benchmark (bench.ts); `npm run bench -- --side-by-side`: lifeguard and
// pg_activity on the same sessions (side-by-side.ts); `npm run bench -- --startup`: start-up times
// (startup.ts).
if (process.argv.includes('--side-by-side')) {
	await import('./side-by-side.js');
} else if (process.argv.includes('--startup')) {
	await import('./startup.js');
} else {
	await import('./bench.js');
}
