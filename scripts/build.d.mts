// Types for scripts/build.mjs.
export function bundleCli(outdir: string): Promise<{ entry: string; files: number }>;
