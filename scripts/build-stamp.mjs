/**
 * Whether dist/ may run: shared by the build (scripts/build.mjs writes dist/stamp.json) and by
 * bin/policy-desk.js (reads it on every start, so this stays small and synchronous, a few ms).
 *
 * The stamp holds the time the build started, before it read any source. The build is stale when
 * some file or directory under the trees below changed after that: its change time (ctime: set
 * by every write, rename and restore, and no tool can set it back) is later. An edit, a new file,
 * a deleted or renamed one (its directory changes) all count. File times come from the kernel's
 * coarse clock (up to a tick behind), so a change within SLACK_MS before the start counts as
 * after it too: at worst a build is taken for stale and tsx runs, never the other way round.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const DIST = path.join(ROOT, 'dist');

/** What the build reads (the code, and the build script itself) and what it sits beside. */
const WATCHED_TREES = ['src', 'ingest', 'prompts', 'scripts'];
export const SLACK_MS = 20;

/** The newest ctime (ms) of the watched trees under `root` (the project; another root in tests). */
export function newestSourceMtime(root = ROOT) {
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
  for (const tree of WATCHED_TREES) visit(path.join(root, tree));
  return newest;
}

/**
 * The built entry module's path when dist/ holds a build at least as new as every watched file,
 * else null and why not (no build yet, or which kind of change came after it).
 */
export function freshBuild(root = ROOT) {
  const dist = path.join(root, 'dist');
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(path.join(dist, 'stamp.json'), 'utf8'));
  } catch {
    return { entry: null, reason: 'no build in dist/ (npm run build)' };
  }
  if (typeof stamp?.entry !== 'string' || typeof stamp.sourcesAsOfMs !== 'number') return { entry: null, reason: 'dist/stamp.json is not a build stamp' };
  if (newestSourceMtime(root) >= stamp.sourcesAsOfMs - SLACK_MS) return { entry: null, reason: 'the sources changed after the build in dist/ (npm run build)' };
  const entry = path.join(dist, stamp.entry);
  if (!statSync(entry, { throwIfNoEntry: false })) return { entry: null, reason: `${stamp.entry} is missing` };
  return { entry, reason: null };
}
