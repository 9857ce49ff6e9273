// A frame as data: lines of styled spans, built by pure functions and drawn by one component. The
// hook compares the lines of the next frame with the last drawn and commits only when they differ:
// Ink lays out and diffs the whole screen on every commit, so a frame that would look the same
// costs nothing only if it is never committed.
import {Box, Text} from 'ink';
import type {Level} from '../judge/types.js';
import {useTheme} from './theme.js';

/** What a span's colour says; the words and glyphs already say it without colour. */
export type Tone = Level | 'unknown' | 'error' | 'notice';

export type Span = {text: string; tone?: Tone; isBold?: boolean; isInverse?: boolean; isDim?: boolean};

export type Line = {
	spans: Span[];
	/** How a line longer than the width is cut; `wrap` with `height` 2 lets a line take two rows. */
	wrap?: 'truncate-end' | 'truncate-start' | 'wrap';
	height?: number;
	isInverse?: boolean;
	isDim?: boolean;
	tone?: Tone;
	isBold?: boolean;
};

export const span = (text: string, style: Omit<Span, 'text'> = {}): Span => ({text, ...style});
export const plainLine = (text: string, style: Omit<Line, 'spans'> = {}): Line => ({spans: [{text}], ...style});

/** Two frames look the same when their lines are equal, span for span. */
export function sameLines(a: readonly Line[], b: readonly Line[]): boolean {
	return a.length === b.length && JSON.stringify(a) === JSON.stringify(b);
}

const TONE_COLORS: Record<Tone, string> = {ok: 'green', warning: 'yellow', critical: 'red', unknown: 'gray', error: 'red', notice: 'yellow'};

export function toneColor(tone: Tone | undefined, isColor: boolean): string | undefined {
	return isColor && tone ? TONE_COLORS[tone] : undefined;
}

export function Lines({lines, width, height}: {lines: readonly Line[]; width: number; height?: number}) {
	const {isColor} = useTheme();
	return (
		<Box flexDirection="column" width={width} height={height}>
			{lines.map((line, index) => {
				const text = (
					<Text wrap={line.wrap ?? 'truncate-end'} inverse={line.isInverse} dimColor={line.isDim} bold={line.isBold} color={toneColor(line.tone, isColor)}>
						{line.spans.map((part, spanIndex) => (
							<Text key={spanIndex} bold={part.isBold} inverse={part.isInverse} dimColor={part.isDim} color={toneColor(part.tone, isColor)}>{part.text}</Text>
						))}
					</Text>
				);
				// Lines and spans are positional: their index is their identity.
				return line.height && line.height > 1 ? <Box key={index} height={line.height} overflow="hidden">{text}</Box> : <Box key={index}>{text}</Box>;
			})}
		</Box>
	);
}
