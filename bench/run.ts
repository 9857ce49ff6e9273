// `npm run bench`: the refresh benchmark (bench.ts); `npm run bench -- --side-by-side`: lifeguard and
// pg_activity on the same sessions (side-by-side.ts); `npm run bench -- --startup`: start-up times
// (startup.ts); `npm run bench -- --several`: several servers and a fleet on one screen (servers.ts);
// `npm run bench -- --poll-floor`: the CPU a paused screen cannot go below while it polls (poll-floor.ts);
// `npm run bench -- --hostile`: the peak memory a hostile Prometheus or PgBouncer console costs (hostile-endpoints.ts);
// `npm run bench -- --frame-cost`: the CPU and bytes of a frame in which one line changed (frame-cost.ts);
// `npm run bench -- --scale --base DIR`: this build and another at 5000 backends, interleaved (scale.ts).
if (process.argv.includes('--side-by-side')) {
	await import('./side-by-side.js');
} else if (process.argv.includes('--several')) {
	await import('./servers.js');
} else if (process.argv.includes('--poll-floor')) {
	await import('./poll-floor.js');
} else if (process.argv.includes('--hostile')) {
	await import('./hostile-endpoints.js');
} else if (process.argv.includes('--frame-cost')) {
	await import('./frame-cost.js');
} else if (process.argv.includes('--scale')) {
	await import('./scale.js');
} else if (process.argv.includes('--startup')) {
	await import('./startup.js');
} else {
	await import('./bench.js');
}
