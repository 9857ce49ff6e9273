// Select by identity, never by index: a refresh that reorders rows must not move the cursor onto
// another backend, since the next key may terminate it.
import type {Session} from '../readings/types.js';

export type Selection = {pid: number | null; index: number};

/** Keep the selected pid; when its session is gone (or filtered out), move to the neighbour at its place. */
export function reconcileSelection(selection: Selection, visible: readonly Session[]): Selection {
	if (visible.length === 0) {
		return {pid: selection.pid, index: 0};
	}

	const index = visible.findIndex(session => session.pid === selection.pid);
	if (index >= 0) {
		return {pid: selection.pid, index};
	}

	const neighbour = Math.min(Math.max(selection.index, 0), visible.length - 1);
	return {pid: visible[neighbour]!.pid, index: neighbour};
}

export function moveSelection(selection: Selection, visible: readonly Session[], delta: number): Selection {
	if (visible.length === 0) {
		return selection;
	}

	const current = reconcileSelection(selection, visible);
	const index = Math.min(Math.max(current.index + delta, 0), visible.length - 1);
	return {pid: visible[index]!.pid, index};
}
