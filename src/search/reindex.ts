import { toVector } from '../db/documents.ts';
import { dropVectorIndexes, ensureVectorIndex, writeEmbedderRecord } from '../db/embedder-record.ts';
import type { Db } from '../db/types.ts';
import { embeddingInput, type Embedder } from '../domain/embedder.ts';

const BATCH = 128;

/**
 * Rebuilds every chunk vector with the given embedder, in batches ordered by id so memory stays
 * bounded, then records the embedder. Each batch commits on its own; until the last one the
 * store still names the old embedder, so an interrupted reindex is simply run again.
 */
export async function reindex(db: Db, embedder: Embedder, onProgress: (done: number, total: number) => void = () => undefined): Promise<number> {
  const [{ total }] = (await db.query<{ total: number }>('SELECT count(*)::int AS total FROM chunks')) as [{ total: number }];
  // An index on vector(N) rejects vectors of another dimension, and maintaining one while every
  // vector is rewritten costs several times a fresh build: drop them all, build once at the end.
  await dropVectorIndexes(db);
  let after = '';
  let done = 0;
  for (;;) {
    const rows = await db.query<{ id: string; context: string; body: string }>(
      'SELECT id, context, body FROM chunks WHERE id > $1 ORDER BY id LIMIT $2',
      [after, BATCH],
    );
    if (rows.length === 0) break;
    const vectors = await embedder.embed(rows.map((r) => embeddingInput(r.context, r.body)));
    await db.query(
      `UPDATE chunks c SET embedding = v.embedding::vector
         FROM unnest($1::text[], $2::text[]) AS v(id, embedding) WHERE c.id = v.id`,
      [rows.map((r) => r.id), vectors.map((v) => toVector(v))],
    );
    done += rows.length;
    after = rows[rows.length - 1]!.id;
    onProgress(done, total);
  }
  await writeEmbedderRecord(db, { name: embedder.name, dimensions: embedder.dimensions });
  await ensureVectorIndex(db, embedder.dimensions);
  // Documents remember which embedder built them, so the next ingest does not redo them.
  await db.query(
    `UPDATE documents SET pipeline_version = regexp_replace(pipeline_version, 'embedder=.*$', 'embedder=' || $1)`,
    [embedder.name],
  );
  return done;
}
