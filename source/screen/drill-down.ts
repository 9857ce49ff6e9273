// The pools drill-down's commands: Enter lists the pools worst first (the cursor on the worst), Enter
// on a fleet pool lists its instances, Esc goes back one level; and the drill-down kept on its keys
// when a new picture comes. Pure; the cursors themselves are pool-cursors.ts.
import {rankInstances, type RankedInstance} from '../judge/instances.js';
import type {Picture, PoolView} from '../judge/picture.js';
import {type KeyedCursor, memberKeys, moveKey, poolByKey, poolKey, reconcileKey, updateGone} from './pool-cursors.js';
import {type DashboardState, type Handler, rowsMoved, same, withNotice} from './state.js';

const cursorOf = ({key, index}: KeyedCursor) => ({selected: key, index});

export function openPools(state: DashboardState, atMs: number): DashboardState {
	const keys = state.shown.pools.map(poolKey);
	if (keys.length === 0) {
		return withNotice(state, 'no pools to list: --pool URL or --prometheus URL adds them', atMs);
	}

	// The worst pool first: the cursor starts on it.
	return {...state, mode: {kind: 'pools', selected: keys[0]!, index: 0}};
}

export const drillCommand: Handler = (state, {command, atMs, pageRows = 10}) => {
	const {mode} = state;
	switch (command) {
		case 'up':
		case 'down':
		case 'page-up':
		case 'page-down': {
			// The instances list gives its first row to the pool's own line: a page is one row less.
			return same(moveCursor(state, rowsMoved(command, mode.kind === 'members' ? pageRows - 1 : pageRows)));
		}

		case 'instances': {
			return same(openInstances(state, atMs));
		}

		case 'back': {
			return same(back(state));
		}

		default: {
			return same(state);
		}
	}
};

function openInstances(state: DashboardState, atMs: number): DashboardState {
	const {mode} = state;
	if (mode.kind !== 'pools') {
		return state;
	}

	const cursor = reconcileKey({key: mode.selected, index: mode.index}, state.shown.pools.map(poolKey));
	const pool = cursor.key === null ? null : poolByKey(state.shown.pools, cursor.key);
	if (!pool) {
		return state;
	}

	const fleet = pool.metrics?.fleet;
	if (!fleet) {
		const why = pool.metrics ? 'one endpoint\'s pool, not a fleet read through --prometheus' : 'no numbers yet';
		return withNotice({...state, mode: {...mode, ...cursorOf(cursor)}}, `${pool.name}: ${why}, so no instances to list`, atMs);
	}

	// The cursor starts on the worst instance.
	const first = rankInstances(fleet.members, state.thresholds, state.shown.server)[0];
	return {...state, mode: {kind: 'members', pool: poolKey(pool), selected: first?.instance ?? null, index: 0, gone: []}};
}

/** Esc: instances → pools (on the pool they belong to) → sessions. */
function back(state: DashboardState): DashboardState {
	const {mode} = state;
	if (mode.kind === 'members') {
		const keys = state.shown.pools.map(poolKey);
		const index = Math.max(0, keys.indexOf(mode.pool));
		return {...state, mode: {kind: 'pools', selected: mode.pool, index}};
	}

	return {...state, mode: {kind: 'list'}};
}

function moveCursor(state: DashboardState, delta: number): DashboardState {
	const {mode} = state;
	if (mode.kind === 'pools') {
		return {...state, mode: {...mode, ...cursorOf(moveKey({key: mode.selected, index: mode.index}, state.shown.pools.map(poolKey), delta))}};
	}

	if (mode.kind === 'members') {
		const keys = memberKeys(rankedMembers(state), mode.gone);
		return {...state, mode: {...mode, ...cursorOf(moveKey({key: mode.selected, index: mode.index}, keys, delta))}};
	}

	return state;
}

/** The drill-down after the frame's picture changed from `before`: the cursor on its key, the instances that left. */
export function withDrillDown(state: DashboardState, before: Picture): DashboardState {
	const {mode} = state;
	if ((mode.kind !== 'pools' && mode.kind !== 'members') || state.shown === before) {
		return state;
	}

	if (mode.kind === 'pools') {
		return {...state, mode: {...mode, ...cursorOf(reconcileKey({key: mode.selected, index: mode.index}, state.shown.pools.map(poolKey)))}};
	}

	const members = (pools: readonly PoolView[]) => poolByKey(pools, mode.pool)?.metrics?.fleet?.members ?? null;
	const isCut = (poolByKey(state.shown.pools, mode.pool)?.metrics?.fleet?.omittedMembers ?? 0) > 0;
	const gone = updateGone(mode.gone, members(before.pools), members(state.shown.pools), before.atMs, isCut);
	const keys = memberKeys(rankedMembers(state), gone);
	return {...state, mode: {...mode, gone, ...cursorOf(reconcileKey({key: mode.selected, index: mode.index}, keys))}};
}

/** The shown pool's instances, ranked as the members view shows them; none when it is no fleet or gone. */
export function rankedMembers(state: DashboardState): RankedInstance[] {
	const {mode, shown} = state;
	if (mode.kind !== 'members') {
		return [];
	}

	const fleet = poolByKey(shown.pools, mode.pool)?.metrics?.fleet;
	return fleet ? rankInstances(fleet.members, state.thresholds, shown.server) : [];
}
