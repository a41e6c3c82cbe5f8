/**
 * Import throughput with campaign grouping, and how it grows with the docket.
 *   npx tsx bench/import-throughput.ts [--sizes 1000,1641,10000] [--seed 17]
 *   DATABASE_URL=postgres://... npx tsx bench/import-throughput.ts --sizes 1000,10000,100000
 *   ... --wrong   also prints each campaign that mixes letters of different truth groups (false merges)
 *
 * Each size is a generated docket of real-length form letters and distinct comments
 * (bench/form-letters.ts: median about 600 characters, some above 20,000), written as a
 * regulations.gov bulk-download CSV and imported through `importComments` (the CLI's path:
 * CSV parsing, batched writes, LSH bands, grouping after each batch) into a fresh store: PGlite
 * on disk in a temporary directory, or a fresh schema on the Postgres server of DATABASE_URL.
 * Prints comments/s per size, the grouping's precision and recall against the generator's
 * truth (pairs of comments in one campaign), and a least-squares fit of log(time) against
 * log(size): a slope near 1 is linear growth, 2 would be the old all-pairs comparison.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { stringify } from 'csv-stringify/sync';
import pino from 'pino';
import { CLI_ACTOR } from '../src/comments/access.ts';
import { NEAR_DUPLICATE_METHOD } from '../src/comments/dedupe.ts';
import { importComments } from '../src/comments/mail-import.ts';
import { loadConfig } from '../src/config.ts';
import { openDb } from '../src/db/index.ts';
import type { Db, Queryable } from '../src/db/types.ts';
import { formLetterDocket, lengthStats, type GeneratedComment } from './form-letters.ts';
import { machine } from './lib.ts';

const arg = (name: string) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const sizes = (arg('--sizes') ?? '1000,1641,10000').split(',').map(Number);
const seed = Number(arg('--seed') ?? 17);
const showWrong = process.argv.includes('--wrong');
/** --profile: seconds spent per SQL statement (first 70 characters), printed after each size. */
const profile = process.argv.includes('--profile');
const spent = new Map<string, { n: number; ms: number }>();
function timed<Q extends Queryable>(q: Q): Q {
  const query = async (sql: string, params?: unknown[]) => {
    const t = performance.now();
    try {
      return await q.query(sql, params);
    } finally {
      const k = sql.replace(/\s+/g, ' ').trim().slice(0, 70);
      const e = spent.get(k) ?? { n: 0, ms: 0 };
      e.n++;
      e.ms += performance.now() - t;
      spent.set(k, e);
    }
  };
  return new Proxy(q, {
    get(target, prop, recv) {
      if (prop === 'query') return query;
      if (prop === 'transaction') return (fn: (tx: Queryable) => Promise<unknown>) => (target as unknown as Db).transaction((tx) => fn(timed(tx)));
      const v = Reflect.get(target, prop, recv);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}
const base = loadConfig(process.env);
const kind = base.databaseUrl ? 'Postgres' : 'PGlite';

const pairs = (n: number) => (n * (n - 1)) / 2;

/** Pairwise precision and recall of the grouping, in O(n) from the contingency counts. */
function score(docket: readonly GeneratedComment[], campaigns: ReadonlyArray<string | null>): { precision: number; recall: number } {
  const byCampaign = new Map<string, number>();
  const byTruth = new Map<number, number>();
  const both = new Map<string, number>();
  docket.forEach((c, i) => {
    byTruth.set(c.group, (byTruth.get(c.group) ?? 0) + 1);
    const cid = campaigns[i];
    if (!cid) return;
    byCampaign.set(cid, (byCampaign.get(cid) ?? 0) + 1);
    const k = `${cid}|${c.group}`;
    both.set(k, (both.get(k) ?? 0) + 1);
  });
  let tp = 0;
  for (const n of both.values()) tp += pairs(n);
  let predicted = 0;
  for (const n of byCampaign.values()) predicted += pairs(n);
  let truth = 0;
  for (const n of byTruth.values()) truth += pairs(n);
  return { precision: predicted ? tp / predicted : 1, recall: truth ? tp / truth : 1 };
}

/** Campaigns holding letters of more than one truth group: the groups, how each minority member joined, and its opening. */
function printWrong(docket: readonly GeneratedComment[], rows: ReadonlyArray<{ campaignId: string | null; kind: string | null; sim: number | null; note: string | null }>): void {
  const members = new Map<string, number[]>();
  rows.forEach((r, i) => {
    if (r.campaignId) members.set(r.campaignId, [...(members.get(r.campaignId) ?? []), i]);
  });
  for (const [cid, ix] of members) {
    const groups = new Map<number, number[]>();
    for (const i of ix) groups.set(docket[i]!.group, [...(groups.get(docket[i]!.group) ?? []), i]);
    if (groups.size < 2) continue;
    const sorted = [...groups.entries()].sort((a, b) => b[1].length - a[1].length);
    process.stderr.write(`\n${cid}: ${sorted.map(([g, m]) => `group ${g} x${m.length}`).join(', ')}\n`);
    for (const [g, m] of sorted.slice(0, 4)) {
      const i = m[0]!;
      const r = rows[i]!;
      process.stderr.write(`  [${g}] #${i + 1} ${r.kind ?? '-'} ${r.sim?.toFixed(2) ?? ''} ${r.note ?? ''} | ${docket[i]!.text.replace(/\s+/g, ' ').slice(0, 300)}\n`);
    }
  }
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
console.log(`Import throughput with campaign grouping, ${kind} (${machine()}; load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} at start)`);
console.log(`near duplicates: ${NEAR_DUPLICATE_METHOD}; threshold ${base.comments.nearDuplicateThreshold}\n`);
console.log('comments  median chars  >20k  seconds  comments/s  campaigns  precision  recall');
const results: Array<{ n: number; s: number }> = [];
const dir = await mkdtemp(path.join(os.tmpdir(), 'import-throughput-'));
try {
  for (const n of sizes) {
    const docket = formLetterDocket(n, { seed });
    const file = path.join(dir, `docket-${n}.csv`);
    await writeFile(
      file,
      stringify(
        docket.map((c, i) => ({ 'Document ID': `BENCH-${n}-${String(i + 1).padStart(6, '0')}`, 'Docket ID': `BENCH-${n}`, Comment: c.text, Category: 'Individual' })),
        { header: true },
      ),
    );
    const schema = `bench_${randomBytes(4).toString('hex')}`;
    const pgliteDir = path.join(dir, `pglite-${n}`);
    const config = { ...base, pgliteDir };
    const db = await openDb(config, base.databaseUrl ? { schema } : {});
    try {
      const deps = { db: profile ? timed(db) : db, config, logger: pino({ level: 'silent' }) };
      const started = performance.now();
      // A line every 10% on stderr: a run stopped early still shows its rate.
      let items = 0;
      const summary = await importComments(deps, CLI_ACTOR, [file], {
        onEvent: (e) => {
          if (e.type !== 'item' || ++items % Math.max(1000, Math.round(n / 10)) !== 0) return;
          const s = (performance.now() - started) / 1000;
          process.stderr.write(`  ${items}/${n} stored and grouped after ${s.toFixed(0)} s (${(items / s).toFixed(1)} comments/s)\n`);
        },
      });
      const seconds = (performance.now() - started) / 1000;
      if (profile) {
        for (const [k, e] of [...spent.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, 25)) {
          process.stderr.write(`${(e.ms / 1000).toFixed(1).padStart(7)} s ${String(e.n).padStart(6)}x  ${k}\n`);
        }
        spent.clear();
      }
      if (summary.imported !== n) throw new Error(`imported ${summary.imported} of ${n} (${summary.failed} failed)`);
      const rows = await db.query<{ campaignId: string | null; kind: string | null; sim: number | null; note: string | null }>(
        `SELECT c.campaign_id AS "campaignId", c.duplicate_kind AS kind, c.duplicate_similarity AS sim,
                (SELECT a.note FROM comment_audit a WHERE a.comment_id = c.id AND a.action = 'campaign' ORDER BY a.id DESC LIMIT 1) AS note
           FROM comments c ORDER BY c.source_document_id`,
      );
      if (showWrong) printWrong(docket, rows);
      const [campaigns] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM campaigns');
      const q = score(docket, rows.map((r) => r.campaignId));
      const st = lengthStats(docket);
      results.push({ n, s: seconds });
      console.log(
        `${String(n).padStart(8)}  ${String(st.median).padStart(12)}  ${String(st.over20k).padStart(4)}  ${seconds.toFixed(1).padStart(7)}  ${(n / seconds).toFixed(0).padStart(10)}  ${String(campaigns!.n).padStart(9)}  ${pct(q.precision).padStart(9)}  ${pct(q.recall).padStart(6)}`,
      );
    } finally {
      if (base.databaseUrl) await db.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await db.close();
      await rm(pgliteDir, { recursive: true, force: true });
    }
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
if (results.length >= 2) {
  const xs = results.map((r) => Math.log(r.n));
  const ys = results.map((r) => Math.log(r.s));
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  const slope = xs.reduce((a, x, i) => a + (x - mx) * (ys[i]! - my), 0) / xs.reduce((a, x) => a + (x - mx) ** 2, 0);
  console.log(`\nlog-log fit: time ~ size^${slope.toFixed(2)} (1 = linear, 2 = quadratic)`);
}
console.log(`load average at end: ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
