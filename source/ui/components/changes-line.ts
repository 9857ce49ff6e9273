// The `Changes` line: what changed in the last minutes (a reload, a restart, a pool's max) and how
// long before the first finding, newest first. A row only when there is something to say.
import type {Picture} from '../../judge/picture.js';
import {recentChangesText} from '../../judge/recent-changes.js';
import {fit} from '../format.js';
import {type Line, span} from '../lines.js';

const LABEL = 'Changes: ';

export function changesView(picture: Picture, width: number): Line[] {
	const changes = picture.changes ?? [];
	if (changes.length === 0) {
		return [];
	}

	return [{spans: [span(LABEL, {isBold: true}), span(fit(recentChangesText(changes, picture.atMs), Math.max(0, width - LABEL.length)))]}];
}

/** Rows the line takes: the layout gives it one only when it shows. */
export const changesRows = (picture: Picture) => ((picture.changes?.length ?? 0) > 0 ? 1 : 0);
