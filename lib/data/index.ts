/**
 * Data: synthetic constructions of the papers (`synthetic.ts`) and real-data loaders (`loaders.ts`).
 * X is `d x n` with one sample per column.
 */
export * from "./synthetic";
export * from "./loaders";
export * from "./text";
export * from "./moments";
export * from "./subsets";
