// CPU per parse of one very large pool endpoint body (issue 10: 15,000 pools, ~850 KB), from the body
// to the reading the model receives: `interpret` (parse + recognise + validate) and the 200-pool cap.
// Bodies are generated in memory; nothing touches the disk or the network.
//
//   npm run build && node dist/bench/big-exposition.js            (BIG_POOLS=15000 BIG_RUNS=15)
import process from 'node:process';
import {interpret} from '../source/collectors/pools/http-collector.js';
import {capPools} from '../source/collectors/pools/validate-pools.js';

const POOLS = Math.min(Number(process.env['BIG_POOLS'] ?? 15_000), 100_000);
const RUNS = Math.min(Math.max(Number(process.env['BIG_RUNS'] ?? 15), 1), 200);

const pad = (index: number) => String(index).padStart(5, '0');

type Body = {name: string; contentType: string; body: string};

function hikariOneFamily(): Body {
	// The shape: one line per pool, ~57 bytes a line → 850 KB for 15,000 pools.
	let body = '# TYPE hikaricp_connections_pending gauge\n';
	for (let index = 0; index < POOLS; index++) {
		body += `hikaricp_connections_pending{pool="HikariPool-${pad(index)}",} ${index % 7}.0\n`;
	}

	return {name: 'hikaricp, 1 family', contentType: 'text/plain; version=0.0.4', body};
}

function hikariFourFamilies(): Body {
	const families = ['hikaricp_connections_max', 'hikaricp_connections_active', 'hikaricp_connections_idle', 'hikaricp_connections_pending'];
	let body = '';
	for (const family of families) {
		body += `# HELP ${family} x\n# TYPE ${family} gauge\n`;
		for (let index = 0; index < POOLS; index++) {
			const value = family.endsWith('max') ? 10 : index % 11;
			body += `${family}{application="api",pool="HikariPool-${pad(index)}",} ${value}.0\n`;
		}
	}

	return {name: 'hikaricp, 4 families', contentType: 'text/plain; version=0.0.4', body};
}

function pgbouncerExporter(): Body {
	// prometheus-community/pgbouncer_exporter: max is joined from another family per pool.
	let body = '';
	for (let index = 0; index < POOLS; index++) {
		body += `pgbouncer_databases_pool_size{database="db${pad(index)}",name="db${pad(index)}"} 20\n`;
	}

	for (let index = 0; index < POOLS; index++) {
		body += `pgbouncer_pools_client_waiting_connections{database="db${pad(index)}",user="app"} ${index % 5}\n`;
	}

	return {name: 'pgbouncer_exporter (join)', contentType: 'text/plain; version=0.0.4', body};
}

function debianExporter(): Body {
	let body = '';
	for (let index = 0; index < POOLS; index++) {
		body += `pgbouncer_pool_size{database="db${pad(index)}"} 20\n`;
	}

	for (let index = 0; index < POOLS; index++) {
		body += `pgbouncer_waiting_clients{database="db${pad(index)}",user="app"} ${index % 5}\n`;
	}

	return {name: 'Debian exporter (join)', contentType: 'text/plain; version=0.0.4', body};
}

function json(): Body {
	const pools = Array.from({length: POOLS}, (_, index) => ({name: `pool-${pad(index)}`, max: 10, total: 10, idle: index % 3, waiting: index % 5}));
	return {name: 'JSON {pools:[…]}', contentType: 'application/json', body: JSON.stringify({pools})};
}

function cpuMs(run: () => void): number {
	const started = process.cpuUsage();
	run();
	const used = process.cpuUsage(started);
	return (used.user + used.system) / 1000;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

console.log(`${POOLS} pools, ${RUNS} runs each (after 2 warm-up runs); CPU ms per body → reading`);
console.log('| body | size | pools kept | omitted | CPU ms p50 | max |');
console.log('|---|---:|---:|---:|---:|---:|');
for (const {name, contentType, body} of [hikariOneFamily(), hikariFourFamilies(), pgbouncerExporter(), debianExporter(), json()]) {
	let kept = 0;
	let omitted = 0;
	const parse = () => {
		const reading = capPools(interpret(body, contentType, null));
		if (!reading.ok) {
			throw new Error(`${name}: ${reading.error}`);
		}

		kept = reading.pools.length;
		omitted = reading.omittedPools ?? 0;
	};

	parse();
	parse();
	const times = Array.from({length: RUNS}, () => cpuMs(parse));
	console.log(`| ${name} | ${(Buffer.byteLength(body) / 1024).toFixed(0)} KiB | ${kept} | ${omitted} | ${median(times).toFixed(1)} | ${Math.max(...times).toFixed(1)} |`);
}
