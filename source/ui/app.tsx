// Wiring only: the model decides, the components draw, the hook runs time, I/O and effects.
import {useApp, useInput} from 'ink';
import type {DashboardState} from '../model/dashboard.js';
import {Dashboard, listRowsFor} from './components/dashboard.js';
import {type DashboardDeps, useDashboard} from './use-dashboard.js';
import {useViewport} from './use-viewport.js';

export type {PoolControl} from './use-dashboard.js';

export type AppProps = Omit<DashboardDeps, 'exit'> & {
	initial: DashboardState;
	/** Masked target. */
	target: string;
};

export function App(props: AppProps) {
	const {exit} = useApp();
	const {columns, rows} = useViewport();
	const {state, store, press} = useDashboard(props.initial, {...props, exit});
	useInput((input, key) => {
		press(input, key, listRowsFor(store.current, rows));
	});
	return <Dashboard state={state} target={props.target} columns={columns} rows={rows}/>;
}
