import {createContext, useContext} from 'react';
import type {Level} from '../model/types.js';

// Colour only ever repeats what the glyphs and words already say (NO_COLOR, SSH, projectors).
export const ThemeContext = createContext({isColor: true});

export function useTheme() {
	return useContext(ThemeContext);
}

export function levelColor(level: Level | 'unknown', isColor: boolean): string | undefined {
	if (!isColor) {
		return undefined;
	}

	if (level === 'unknown') {
		return 'gray';
	}

	return level === 'critical' ? 'red' : (level === 'warning' ? 'yellow' : 'green');
}
