// Imported before Ink by tests that render Ink in their own process and read what it writes frame by
// frame: Ink reads CI once, at import, and in CI it writes only the last frame (is-in-ci). The live
// screen runs interactively whatever its environment says; so do these tests.
import process from 'node:process';

delete process.env['CI'];
delete process.env['CONTINUOUS_INTEGRATION'];
