import { AppError } from '../errors.ts';
import type { Embedder } from '../domain/embedder.ts';
import type { Db, Queryable } from './types.ts';

export interface EmbedderRecord {
  name: string;
  dimensions: number;
}

export async function readEmbedderRecord(db: Queryable): Promise<EmbedderRecord | null> {
  const rows = await db.query<{ value: EmbedderRecord }>("SELECT value FROM store_meta WHERE key = 'embedder'");
  return rows[0]?.value ?? null;
}

export async function writeEmbedderRecord(db: Queryable, e: EmbedderRecord): Promise<void> {
  await db.query(
    `INSERT INTO store_meta (key, value) VALUES ('embedder', $1::jsonb)
     ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
    [JSON.stringify({ name: e.name, dimensions: e.dimensions })],
  );
}

export const vectorIndexName = (dimensions: number) => `chunks_embedding_hnsw_${dimensions}`;
/** Any constant works; it only has to be the same for every instance of the app. */
const VECTOR_INDEX_LOCK = 727_002;
/** Upper bound on the memory one index build may take (maintenance_work_mem), whatever the corpus size. */
const INDEX_BUILD_MEMORY_CAP_MB = 1024;

export interface VectorIndexStatus {
  name: string;
  present: boolean;
  /** False after a failed concurrent build: the planner ignores an invalid index. */
  valid: boolean;
}

/** The HNSW index of this dimension in the store's own schema (Postgres); null on PGlite, which scans exactly. */
export async function vectorIndexStatus(db: Queryable & { kind: Db['kind'] }, dimensions: number): Promise<VectorIndexStatus | null> {
  if (db.kind !== 'postgres') return null;
  const name = vectorIndexName(dimensions);
  const rows = await db.query<{ valid: boolean }>(
    `SELECT i.indisvalid AS valid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
      WHERE c.relname = $1 AND c.relnamespace = current_schema()::regnamespace`,
    [name],
  );
  return { name, present: rows.length > 0, valid: rows[0]?.valid ?? false };
}

/**
 * Makes sure the cosine index of this dimension exists and is valid (Postgres only: PGlite scans
 * exactly). The column is untyped, so the index is on the expression `embedding::vector(N)`.
 * Called at start-up, after `reindex`, and at the end of a bulk ingest, so a bulk load that was
 * killed before it rebuilt the index leaves a store that gets it back on the next start.
 * One instance builds at a time (advisory lock); the build gets maintenance_work_mem sized to
 * the graph so it runs in memory, which is several times faster than inserting row by row.
 * The predicate names the dimension because an index build also reads recently dead row versions
 * (still visible to other sessions' snapshots): after a reindex those hold the old embedder's
 * vectors, and casting them to vector(N) would fail the build. The predicate skips them first.
 * Returns whether it had to build.
 */
export async function ensureVectorIndex(db: Db, dimensions: number): Promise<boolean> {
  if (db.kind !== 'postgres') return false;
  const status = await vectorIndexStatus(db, dimensions);
  if (status?.valid) return false;
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [VECTOR_INDEX_LOCK]);
    const again = await vectorIndexStatus({ ...tx, kind: db.kind }, dimensions);
    if (again?.valid) return false;
    if (again?.present) await tx.exec(`DROP INDEX ${vectorIndexName(dimensions)}`);
    const [{ n }] = (await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM chunks WHERE embedding IS NOT NULL')) as [{ n: number }];
    // pgvector keeps the whole graph in maintenance_work_mem while building: the vector plus
    // neighbour lists, about dims * 4 + 1 kB per row with the default m = 16.
    const wantMb = Math.ceil((n * (dimensions * 4 + 1024) * 1.25) / 2 ** 20);
    const [{ mb }] = (await tx.query<{ mb: number }>(
      "SELECT (pg_size_bytes(current_setting('maintenance_work_mem')) / 1048576)::int AS mb",
    )) as [{ mb: number }];
    if (wantMb > mb) await tx.exec(`SET LOCAL maintenance_work_mem = '${Math.min(wantMb, INDEX_BUILD_MEMORY_CAP_MB)}MB'`);
    await tx.exec(
      `CREATE INDEX IF NOT EXISTS ${vectorIndexName(dimensions)} ON chunks ` +
        `USING hnsw ((embedding::vector(${dimensions})) vector_cosine_ops) WHERE embedding IS NOT NULL AND vector_dims(embedding) = ${dimensions}`,
    );
    return true;
  });
}

/** Drops every HNSW index on chunks in the store's schema, or those of other dimensions with `except`. */
export async function dropVectorIndexes(db: Db, except?: number): Promise<string[]> {
  if (db.kind !== 'postgres') return [];
  const rows = await db.query<{ name: string }>(
    `SELECT indexname AS name FROM pg_indexes WHERE tablename = 'chunks' AND schemaname = current_schema()
        AND indexname LIKE 'chunks_embedding_hnsw_%' AND indexname <> $1`,
    [except === undefined ? '' : vectorIndexName(except)],
  );
  for (const r of rows) await db.exec(`DROP INDEX IF EXISTS "${r.name.replace(/"/g, '')}"`);
  return rows.map((r) => r.name);
}

/**
 * Binds the store to one embedder. An empty store takes whatever is configured; a store with
 * vectors refuses a different embedder, because vectors from two models are not comparable.
 */
export async function ensureEmbedder(db: Db, embedder: Embedder, options: { vectorIndex?: boolean } = {}): Promise<void> {
  const record = await readEmbedderRecord(db);
  const wanted = { name: embedder.name, dimensions: embedder.dimensions };
  // An ingest decides about the index itself (it may defer it to the end of a bulk load).
  const index = options.vectorIndex ?? true;
  if (record && record.name === wanted.name && record.dimensions === wanted.dimensions) {
    if (index) await ensureVectorIndex(db, wanted.dimensions);
    return;
  }
  const [{ n }] = (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM chunks')) as [{ n: number }];
  if (record && n > 0) {
    throw new AppError(
      'db.embedder_mismatch',
      `This store's vectors were built by the "${record.name}" embedder (${record.dimensions} dimensions), ` +
        `but the configured embedder is "${wanted.name}" (${wanted.dimensions} dimensions). ` +
        `Run \`policy-desk reindex\` to rebuild the vectors with the configured embedder, ` +
        `or set EMBEDDER back to match the store.`,
    );
  }
  await writeEmbedderRecord(db, wanted);
  if (index) await ensureVectorIndex(db, wanted.dimensions);
}
