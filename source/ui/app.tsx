// Wiring only: the screen decides, the components draw, the hook runs time, I/O and effects; keys
// become commands at the edge (key-edge.ts).
import {useApp, useInput} from 'ink';
import type {Desk} from '../screen/desk.js';
import {deskListRows} from './components/dashboard.js';
import {Lines} from './lines.js';
import {type DashboardDeps, useDashboard} from './use-dashboard.js';
import {useViewport} from './use-viewport.js';

export type {PoolControl} from './use-dashboard.js';

export type AppProps = Omit<DashboardDeps, 'exit'> & {
	initial: Desk;
	/** Masked targets, one per server. */
	targets: readonly string[];
};

export function App(props: AppProps) {
	const {exit} = useApp();
	const {columns, rows} = useViewport();
	const {lines, store, press} = useDashboard(props.initial, {...props, exit}, {columns, rows, targets: props.targets});
	useInput((input, key) => {
		press(input, key, deskListRows(store.current, columns, rows));
	});
	return <Lines lines={lines} width={columns}/>;
}
