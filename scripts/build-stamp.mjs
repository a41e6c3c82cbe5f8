/**
 * Whether dist/ may run: shared by the build (scripts/build.mjs writes dist/stamp.json) and by
 * bin/policy-desk.js (reads it on every start, so this stays small and synchronous, a few ms).
 *
 * The stamp holds the newest change time (ctime: set by every write, rename and restore, and
 * no tool can set it back) of every file and directory under the trees below, measured before
 * the build read them. A later edit, a new file, a deleted or renamed one (its directory
 * changes) makes some ctime newer, and the build is stale.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const DIST = path.join(ROOT, 'dist');

/** What the build reads (the code, and the build script itself) and what it sits beside. */
const WATCHED_TREES = ['src', 'ingest', 'prompts', 'scripts'];

export function newestSourceMtime() {
  let newest = 0;
  const visit = (dir) => {
    let entries;
    try {
      newest = Math.max(newest, statSync(dir).ctimeMs);
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) visit(p);
      else newest = Math.max(newest, statSync(p, { throwIfNoEntry: false })?.ctimeMs ?? 0);
    }
  };
  for (const tree of WATCHED_TREES) visit(path.join(ROOT, tree));
  return newest;
}

/**
 * The built entry module's path when dist/ holds a build at least as new as every watched file,
 * else null and why not (no build yet, or which kind of change came after it).
 */
export function freshBuild() {
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(path.join(DIST, 'stamp.json'), 'utf8'));
  } catch {
    return { entry: null, reason: 'no build in dist/ (npm run build)' };
  }
  if (typeof stamp?.entry !== 'string' || typeof stamp.newestSourceMtimeMs !== 'number') return { entry: null, reason: 'dist/stamp.json is not a build stamp' };
  if (newestSourceMtime() > stamp.newestSourceMtimeMs) return { entry: null, reason: 'the sources changed after the build in dist/ (npm run build)' };
  const entry = path.join(DIST, stamp.entry);
  if (!statSync(entry, { throwIfNoEntry: false })) return { entry: null, reason: `${stamp.entry} is missing` };
  return { entry, reason: null };
}
