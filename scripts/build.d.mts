// Types of what the tests use from scripts/build.mjs.
/** Throws, saying why, unless Ink's modules in `inkDir` are the ones the substitutes were written against. */
export declare function checkSubstitutes(inkDir?: string): Promise<void>;
export declare function inkBuildDir(): string;
export declare const SUBSTITUTED: Record<string, string>;
