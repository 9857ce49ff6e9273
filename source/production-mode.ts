// Imported first by cli.tsx, before React loads: React's development build costs a third more CPU
// per frame, and an operator's machine is no place for it.
process.env['NODE_ENV'] ??= 'production';
