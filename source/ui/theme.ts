import {createContext, useContext} from 'react';

// Colour only ever repeats what the glyphs and words already say (NO_COLOR, SSH, projectors).
export const ThemeContext = createContext({isColor: true});

export function useTheme() {
	return useContext(ThemeContext);
}
