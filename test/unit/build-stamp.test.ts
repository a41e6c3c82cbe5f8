import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freshBuild, SLACK_MS } from '../../scripts/build-stamp.mjs';

/**
 * bin/policy-desk.js runs dist/ only when no source changed after the build started
 * (scripts/build-stamp.mjs): checked on a small project tree of the test's own, since the real
 * src/ is being edited while tests run.
 */
describe('the build stamp: a stale dist/ never runs', () => {
  let root: string;
  /** A "build": the stamp of a build started now, naming an entry module that exists. */
  const build = async () => {
    await mkdir(path.join(root, 'dist', 'build-x', 'cli'), { recursive: true });
    await writeFile(path.join(root, 'dist', 'build-x', 'cli', 'index.js'), 'export const main = () => {};\n');
    await writeFile(path.join(root, 'dist', 'stamp.json'), JSON.stringify({ entry: 'build-x/cli/index.js', sourcesAsOfMs: Date.now() }));
  };
  // File times come from a coarse clock; a change this long after the build is after it on any.
  const later = () => sleep(SLACK_MS * 3);

  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'pd-stamp-'));
    for (const f of ['src/cli/index.ts', 'src/db/migrate.ts', 'ingest/pipeline.ts', 'prompts/answer-system.md', 'scripts/build.mjs']) {
      await mkdir(path.join(root, path.dirname(f)), { recursive: true });
      await writeFile(path.join(root, f), `// ${f}\n`);
    }
    await later();
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('no build: the sources run', () => {
    expect(freshBuild(root)).toEqual({ entry: null, reason: expect.stringContaining('no build') });
  });

  it('a build after the last change runs', async () => {
    await build();
    expect(freshBuild(root)).toEqual({ entry: path.join(root, 'dist', 'build-x', 'cli', 'index.js'), reason: null });
  });

  it.each([
    ['an edited file', (r: string) => writeFile(path.join(r, 'src', 'db', 'migrate.ts'), '// edited\n')],
    ['a new file', (r: string) => writeFile(path.join(r, 'ingest', 'url.ts'), '// new\n')],
    ['a deleted file', (r: string) => rm(path.join(r, 'src', 'cli', 'index.ts'))],
    ['a renamed file', (r: string) => rename(path.join(r, 'src', 'db', 'migrate.ts'), path.join(r, 'src', 'db', 'migrations.ts'))],
    ['an edited prompt', (r: string) => writeFile(path.join(r, 'prompts', 'answer-system.md'), 'edited\n')],
    ['an edited build script', (r: string) => writeFile(path.join(r, 'scripts', 'build.mjs'), '// edited\n')],
  ])('%s after the build makes it stale', async (_what, change) => {
    await build();
    expect(freshBuild(root).entry).not.toBeNull();
    await later();
    await change(root);
    expect(freshBuild(root)).toEqual({ entry: null, reason: expect.stringContaining('changed after the build') });
  });

  it('a stamp naming a missing build, or no stamp at all, runs the sources', async () => {
    await build();
    await rm(path.join(root, 'dist', 'build-x'), { recursive: true });
    expect(freshBuild(root)).toEqual({ entry: null, reason: expect.stringContaining('missing') });
    await writeFile(path.join(root, 'dist', 'stamp.json'), '{"entry": 1}');
    expect(freshBuild(root).entry).toBeNull();
  });
});
