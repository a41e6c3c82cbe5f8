import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { cruise, type ICruiseResult } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The import-direction rule (.dependency-cruiser.cjs): layers only point down, and only
 * src/slack/ imports @slack/bolt. Run by dependency-cruiser over the real tree, and over a small
 * tree written here with known violations, so a rule that stopped matching would show.
 */

const ROOT = path.join(import.meta.dirname, '..', '..');
const RULES = path.join(ROOT, '.dependency-cruiser.cjs');

async function cruiseTree(baseDir: string, roots: string[]): Promise<ICruiseResult> {
  const options = await extractDepcruiseOptions(RULES);
  const { output } = await cruise(roots, { ...options, baseDir, validate: true, outputType: 'json' });
  return typeof output === 'string' ? (JSON.parse(output) as ICruiseResult) : output;
}

/** `rule: from → to`, a package named from its node_modules folder on (the temp tree links to the real one). */
const describeViolations = (r: ICruiseResult) => r.summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to.replace(/^.*?node_modules\//, 'node_modules/')}`);

describe('import-direction rule', () => {
  it('finds no upward import and no Bolt outside src/slack in src/, ingest/ and bin/', async () => {
    const result = await cruiseTree(ROOT, ['src', 'ingest', 'bin']);
    expect(describeViolations(result)).toEqual([]);
    // It did look: every front end and every layer is in the graph.
    const cruised = result.modules.map((m) => m.source);
    for (const m of ['bin/policy-desk.js', 'src/cli/index.ts', 'src/app/services.ts', 'src/slack/app.ts', 'src/db/index.ts', 'ingest/pipeline.ts', 'src/domain/answer.ts']) {
      expect(cruised).toContain(m);
    }
    expect(result.modules.find((m) => m.source === 'src/slack/app.ts')?.dependencies.some((d) => d.module === '@slack/bolt')).toBe(true);
  });

  describe('on a tree with known violations', () => {
    let dir: string;
    const files: Record<string, string> = {
      // Upward: storage imports a type from the domain.
      'src/db/store.ts': "import type { Answer } from '../answer/compose.ts';\nexport const saved: Answer[] = [];\n",
      'src/answer/compose.ts': 'export interface Answer { text: string }\n',
      // Downward: allowed.
      'src/answer/use-store.ts': "import { saved } from '../db/store.ts';\nexport const n = saved.length;\n",
      'src/app/services.ts': "import { n } from '../answer/use-store.ts';\nexport const count = n;\n",
      // Bolt outside src/slack/, and inside it (allowed).
      'src/comments/notify.ts': "import { App } from '@slack/bolt';\nexport const app = App;\n",
      'src/slack/app.ts': "import { App } from '@slack/bolt';\nimport { count } from '../app/services.ts';\nexport const app = [App, count];\n",
      // A folder no layer names.
      'src/reports/weekly.ts': "import { saved } from '../db/store.ts';\nexport const weekly = saved;\n",
    };

    beforeAll(async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'pd-layers-'));
      for (const [file, text] of Object.entries(files)) {
        await mkdir(path.join(dir, path.dirname(file)), { recursive: true });
        await writeFile(path.join(dir, file), text);
      }
      // The packages, so @slack/bolt resolves as in the real tree.
      await symlink(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
    });
    afterAll(async () => {
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it('reports each of them, and nothing that points down', async () => {
      const result = await cruiseTree(dir, ['src']);
      expect(describeViolations(result).sort()).toEqual([
        'bolt-only-in-slack: src/comments/notify.ts → node_modules/@slack/bolt/dist/index.js',
        'in-a-layer: src/reports/weekly.ts → src/db/store.ts',
        'no-upward-from-jobs-and-storage: src/db/store.ts → src/answer/compose.ts',
      ]);
    });
  });
});
