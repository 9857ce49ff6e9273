// Types of what the tests use from scripts/sizes.mjs.
export type Sizes = {bundle: number; tarball: number; tarballName: string; slim: number; full: number; exe: number};
export declare function treeBytes(entry: string): number;
export declare function sizesTable(sizes: Sizes): string;
export declare function readmeSizesTable(readme: string): string | null;
export declare function compareTables(readmeTable: string, measuredTable: string): string[];
