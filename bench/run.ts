// `npm run bench`: the refresh benchmark (bench.ts); `npm run bench -- --side-by-side`: lifeguard and
// pg_activity on the same sessions (side-by-side.ts); `npm run bench -- --startup`: start-up times
// (startup.ts); `npm run bench -- --several`: several servers and a fleet on one screen (servers.ts).
if (process.argv.includes('--side-by-side')) {
	await import('./side-by-side.js');
} else if (process.argv.includes('--several')) {
	await import('./servers.js');
} else if (process.argv.includes('--startup')) {
	await import('./startup.js');
} else {
	await import('./bench.js');
}
