// Imported first by cli.tsx, before React and Ink load, because both read the environment once.
// - React's development build costs a third more CPU per frame: no place for it on an operator's machine.
// - Ink draws only the last frame when CI is set. An operator at a terminal (CI=true leaks into shells
//   of build hosts and bastions) must still see the live screen, so a terminal wins over CI.
process.env['NODE_ENV'] ??= 'production';
if (process.stdout.isTTY && process.stdin.isTTY) {
	delete process.env['CI'];
	delete process.env['CONTINUOUS_INTEGRATION'];
}
