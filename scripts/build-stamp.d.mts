// Types for scripts/build-stamp.mjs (plain JavaScript: bin/policy-desk.js imports it before tsx is loaded).
export const ROOT: string;
export const DIST: string;
export const SLACK_MS: number;
export function newestSourceMtime(root?: string): number;
export function freshBuild(root?: string): { entry: string | null; reason: string | null };
