// Types of what the tests use from scripts/build-exe.mjs.
/** What the executable prints, and exits 1 with, for `lifeguard demo`. */
export declare const DEMO_REFUSAL: string;
/** Each runtime setting of cli.tsx's #! line, and the V8 flag the executable sets instead (null: not carried, and why). */
export declare const EXE_SETTINGS: Record<string, {flag: string | null; how: string}>;
/** The settings on cli.tsx's #! line. */
export declare function shebangSettings(root?: string): string[];
/** The V8 flags the executable sets; throws on a #! setting EXE_SETTINGS does not know. */
export declare function exeV8Flags(root?: string): string[];
