import { AppError } from '../errors.ts';
import type { Embedder } from '../search/embedder.ts';
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

/**
 * The cosine index is per dimension (the column is untyped); Postgres only: PGlite scans exactly.
 * The predicate names the dimension because an index build also reads recently dead row versions
 * (still visible to other sessions' snapshots): after a reindex those hold the old embedder's
 * vectors, and casting them to vector(N) would fail the build. The predicate skips them first.
 */
export async function ensureVectorIndex(db: Db, dimensions: number): Promise<void> {
  if (db.kind !== 'postgres') return;
  await db.exec(
    `CREATE INDEX IF NOT EXISTS chunks_embedding_hnsw_${dimensions} ON chunks ` +
      `USING hnsw ((embedding::vector(${dimensions})) vector_cosine_ops) WHERE embedding IS NOT NULL AND vector_dims(embedding) = ${dimensions}`,
  );
}

/**
 * Binds the store to one embedder. An empty store takes whatever is configured; a store with
 * vectors refuses a different embedder, because vectors from two models are not comparable.
 */
export async function ensureEmbedder(db: Db, embedder: Embedder): Promise<void> {
  const record = await readEmbedderRecord(db);
  const wanted = { name: embedder.name, dimensions: embedder.dimensions };
  if (record && record.name === wanted.name && record.dimensions === wanted.dimensions) {
    await ensureVectorIndex(db, wanted.dimensions);
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
  await ensureVectorIndex(db, wanted.dimensions);
}
