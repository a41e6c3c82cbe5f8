import { readdir } from 'node:fs/promises';
import { BUNDLED_CORPUS_DIR, expandPaths, sourceFor } from '../../ingest/pipeline.ts';
import { loadConfig, type Config } from '../config.ts';
import { dateConflicts } from '../db/catalog.ts';
import { readEmbedderRecord } from '../db/embedder-record.ts';
import { openDb, redactUrl } from '../db/index.ts';
import { jobCounts, type JobCounts } from '../jobs/queue.ts';
import { createEmbedder } from '../search/embedder.ts';

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

export interface DoctorReport {
  ok: boolean;
  checks: Check[];
}

/** Every check runs even when an earlier one fails, so one run shows everything to fix. */
export async function doctor(env?: Record<string, string | undefined>): Promise<DoctorReport> {
  const checks: Check[] = [];
  let config: Config;
  try {
    config = loadConfig(env);
    checks.push({ name: 'config', ok: true, detail: `embedder=${config.embedder}; answers=${config.openai.enabled ? `llm (${config.openai.chatModel})` : 'extractive'}` });
  } catch (err) {
    checks.push({ name: 'config', ok: false, detail: (err as Error).message });
    return { ok: false, checks };
  }
  const where = config.databaseUrl ? `postgres ${redactUrl(config.databaseUrl)}` : `pglite ${config.pgliteDir}`;
  let db;
  try {
    // A ready store is checked, not migrated (one read of schema_migrations); a store behind the
    // code is migrated as every start would.
    db = await openDb(config, { migrations: 'if-behind' });
    checks.push({ name: 'database', ok: true, detail: `${where} (schema current)` });
  } catch (err) {
    checks.push({ name: 'database', ok: false, detail: `${where}: ${(err as Error).message}` });
    return { ok: false, checks };
  }
  try {
    const ext = await db.query<{ extname: string; extversion: string }>(
      "SELECT extname, extversion FROM pg_extension WHERE extname IN ('vector', 'pg_trgm') ORDER BY extname",
    );
    const names = ext.map((e) => `${e.extname} ${e.extversion}`);
    checks.push({ name: 'extensions', ok: ext.length === 2, detail: names.join(', ') || 'vector and pg_trgm missing' });

    const record = await readEmbedderRecord(db);
    try {
      const embedder = await createEmbedder(config);
      const match = !record || (record.name === embedder.name && record.dimensions === embedder.dimensions);
      checks.push({
        name: 'embedder',
        ok: match,
        detail: match
          ? `${embedder.name} (${embedder.dimensions} dimensions)${record ? '' : '; store not yet bound'}`
          : `store built by ${record!.name} (${record!.dimensions}), configured ${embedder.name} (${embedder.dimensions}): run \`policy-desk reindex\``,
      });
    } catch (err) {
      checks.push({ name: 'embedder', ok: false, detail: (err as Error).message });
    }

    const [counts] = await db.query<{ docs: number; chunks: number; unembedded: number }>(
      `SELECT (SELECT count(*)::int FROM documents) AS docs, (SELECT count(*)::int FROM chunks) AS chunks,
              (SELECT count(*)::int FROM chunks WHERE embedding IS NULL) AS unembedded`,
    );
    const bundled = (await expandPaths([BUNDLED_CORPUS_DIR])).map(sourceFor);
    const present = await db.query<{ source: string }>('SELECT source FROM documents WHERE source = ANY($1::text[])', [bundled]);
    checks.push({
      name: 'corpus',
      ok: (counts?.unembedded ?? 0) === 0,
      detail:
        `${counts?.docs ?? 0} document(s), ${counts?.chunks ?? 0} chunk(s); bundled corpus ${present.length}/${bundled.length} ingested` +
        ((counts?.unembedded ?? 0) > 0 ? `; ${counts?.unembedded} chunk(s) without vectors: run \`policy-desk reindex\`` : '') +
        ((counts?.docs ?? 0) === 0 ? ' (the first `ask` ingests the bundled corpus)' : ''),
    });
    await readdir(BUNDLED_CORPUS_DIR);

    checks.push(jobsCheck(await jobCounts(db)));

    // A date the text states that the catalog's issued date contradicts: one of them is wrong.
    const conflicts = await dateConflicts(db);
    checks.push({
      name: 'catalog',
      ok: conflicts.length === 0,
      detail: conflicts.length
        ? conflicts.map((c) => `${c.id}: the text is dated ${c.textDate}, ${c.setBy} says issued ${c.issued}`).join('; ') + ' (fix with `policy-desk docs set <id> --issued ...` or `docs unset <id> issued`)'
        : 'no catalog date contradicts a date the text states',
    });
  } finally {
    await db.close();
  }
  return { ok: checks.every((c) => c.ok), checks };
}

/** A job given up in the last day means someone was not answered: that fails the check until it is retried or ages out. */
export function jobsCheck(j: JobCounts): Check {
  const parts = [`${j.queued} queued, ${j.running} running, ${j.dead} dead`];
  if (j.oldestDead) {
    const error = (j.oldestDead.lastError ?? 'no error recorded').replace(/\s+/g, ' ').slice(0, 200);
    parts.push(`oldest dead: #${j.oldestDead.id} ${j.oldestDead.kind} at ${j.oldestDead.updatedAt.toISOString()}: ${error}`);
    parts.push('see `policy-desk jobs list --state dead`, retry with `policy-desk jobs retry <id>`');
  }
  if (j.oldestDueSeconds !== null && j.oldestDueSeconds > 300) {
    parts.push(`the oldest due job has waited ${Math.round(j.oldestDueSeconds)} s: is a \`policy-desk start\` instance running?`);
  }
  return { name: 'jobs', ok: j.deadLastDay === 0, detail: parts.join('; ') };
}

export function formatDoctor(r: DoctorReport): string {
  return [...r.checks.map((c) => `${c.ok ? 'ok  ' : 'FAIL'} ${c.name.padEnd(10)} ${c.detail}`), r.ok ? 'All checks passed.' : 'Some checks failed.'].join('\n');
}
