import {useStdout} from 'ink';
import {useEffect, useState} from 'react';

export type Viewport = {columns: number; rows: number};

/** Ink re-lays out on resize but does not re-render: follow the terminal's size ourselves. */
export function useViewport(fallback: Viewport = {columns: 80, rows: 24}): Viewport {
	const {stdout} = useStdout();
	const read = () => ({columns: stdout.columns || fallback.columns, rows: stdout.rows || fallback.rows});
	const [viewport, setViewport] = useState<Viewport>(read);
	useEffect(() => {
		const onResize = () => {
			setViewport({columns: stdout.columns || fallback.columns, rows: stdout.rows || fallback.rows});
		};

		stdout.on('resize', onResize);
		return () => {
			stdout.off('resize', onResize);
		};
	}, [stdout, fallback.columns, fallback.rows]);
	return viewport;
}
