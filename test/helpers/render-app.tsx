// The real App in ink-testing-library, with whatever sources a test gives it, and helpers that wait
// for the effect of a key instead of sleeping.
import {render} from 'ink-testing-library';
import {openIncidentLog} from '../../source/actions/incident-log.js';
import {type DashboardState, initialState, type InitialOptions} from '../../source/screen/board.js';
import {type Desk, deskOf} from '../../source/screen/desk.js';
import type {LogEvent} from '../../source/judge/log-events.js';
import {App, type AppProps} from '../../source/ui/app.js';
import type {ServerFeed} from '../../source/ui/use-dashboard.js';
import {ThemeContext} from '../../source/ui/theme.js';
import {pollUntil} from './postgres.js';
import {defaultThresholds} from './snapshots.js';

export type RenderOptions = {
	columns: number;
	rows: number;
	logFile?: string;
	/** Instead of a file: the log as the app sees it (an error string when a write failed). */
	log?: (event: LogEvent) => string | null;
	secrets?: string[];
	initial?: InitialOptions;
	/** The frame to wait for before the test starts. */
	ready?: RegExp;
	/** The state to start from instead of an empty one (the first reading already folded in). */
	initialState?: DashboardState;
	/** Several servers: the desk to start from (instead of initial / initialState). */
	desk?: Desk;
	/** One server: its poll and signal (several: `servers`). */
	poll?: ServerFeed['poll'];
	signal?: ServerFeed['signal'];
	target?: string;
} & Pick<AppProps, 'pools'> & Partial<Pick<AppProps, 'ring' | 'intervalMs' | 'poolControl' | 'initialEffects' | 'servers' | 'targets'>>;

export type RenderedApp = ReturnType<typeof render> & {
	frame(): string;
	waitFor(pattern: RegExp, what?: string): Promise<string>;
	waitWithout(pattern: RegExp, what?: string): Promise<string>;
	press(keys: string, then: RegExp): Promise<string>;
	resize(columns: number, rows: number): void;
	close(): void;
};

export async function renderApp(options: RenderOptions): Promise<RenderedApp> {
	const log = options.logFile ? openIncidentLog(options.logFile, {secrets: options.secrets}) : undefined;
	const instance = render(
		<ThemeContext.Provider value={{isColor: false}}>
			<App
				initial={options.desk ?? deskOf([options.initialState ?? initialState(defaultThresholds, {idleAfterSeconds: 0, ...options.initial})])}
				initialEffects={options.initialEffects}
				targets={options.targets ?? [options.target ?? 'postgres://test:***@127.0.0.1/test']}
				servers={options.servers ?? [{poll: options.poll!, signal: options.signal!}]}
				pools={options.pools}
				intervalMs={options.intervalMs ?? 200}
				poolTimeoutMs={1000}
				now={() => Date.now()}
				ring={options.ring}
				poolControl={options.poolControl}
				log={log ? event => {
					const result = log.write(event);
					return result.ok ? null : result.error;
				} : options.log}
			/>
		</ThemeContext.Provider>,
	);
	const resize = (columns: number, rows: number) => {
		Object.defineProperty(instance.stdout, 'columns', {value: columns, configurable: true});
		Object.defineProperty(instance.stdout, 'rows', {value: rows, configurable: true});
		instance.stdout.emit('resize');
	};

	resize(options.columns, options.rows);
	const frame = () => instance.lastFrame() ?? '';
	const waitFor = async (pattern: RegExp, what = String(pattern)) => pollUntil(() => pattern.test(frame()) && frame(), {what, timeoutMs: 8000});
	const waitWithout = async (pattern: RegExp, what = `no ${String(pattern)}`) => pollUntil(() => !pattern.test(frame()) && frame(), {what, timeoutMs: 8000});
	/** Write the keys, then wait for a frame that shows their effect (a pattern not on screen before). */
	const press = async (keys: string, then: RegExp) => {
		if (then.test(frame())) {
			throw new Error(`${String(then)} is already on screen: it cannot show the effect of ${JSON.stringify(keys)}`);
		}

		instance.stdin.write(keys);
		return waitFor(then, `${JSON.stringify(keys)} -> ${String(then)}`);
	};

	await waitFor(options.ready ?? /Server {2}\[/);
	return {...instance, frame, waitFor, waitWithout, press, resize, close: () => {
		instance.unmount();
		log?.close();
	}};
}
