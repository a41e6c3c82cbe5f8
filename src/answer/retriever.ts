import type { Queryable } from '../db/types.ts';
import type { Embedder } from '../domain/embedder.ts';
import type { UnderstoodQuery } from '../domain/query.ts';
import { analyzeQuery } from '../search/query.ts';
import type { SearchFilters } from '../search/retrieve.ts';
import { understandQuestion } from '../search/understand.ts';
import { versionAwareSearch } from '../search/versions.ts';
import { comparisonAnswer } from './compare.ts';
import type { Retrieval, Retriever } from './compose.ts';
import { extractiveAnswer } from './extractive.ts';
import { statusAnswer } from './status.ts';
import { versionSupport } from './versions.ts';

export interface RetrieverOptions {
  db: Queryable;
  embedder: Embedder;
  k: number;
  filters?: SearchFilters;
  /** Called with each understood question (ask() records it as the answer's `query`). */
  onUnderstood?: (q: UnderstoodQuery) => void;
}

/**
 * The retrieval behind ask(), for both modes: the question understood once (kind, time scope,
 * corrected words), passages found version-aware (withdrawn documents left out, the time scope's
 * documents preferred), the version step for the answer, and for status and comparison
 * questions the answer built from the catalog and the documents side by side.
 */
export function questionRetriever(options: RetrieverOptions): Retriever {
  const { db, embedder, k, filters } = options;
  const ctx = { db, embedder, k, filters };
  return async (query: string): Promise<Retrieval> => {
    const understood = await understandQuestion(db, query);
    options.onUnderstood?.(understood);
    const analysis = await analyzeQuery(db, understood);
    // A look-up about a name no document holds gets no passages in either mode (understandQuestion's unknownNames).
    const passages =
      understood.kind === 'lookup' && understood.unknownNames?.length ? [] : await versionAwareSearch(db, embedder, analysis, { k, filters, time: understood.time });
    const special =
      understood.kind === 'status' ? () => statusAnswer(ctx, understood) : understood.kind === 'comparison' ? () => comparisonAnswer(ctx, understood) : undefined;
    return {
      passages,
      extractive: () => extractiveAnswer(db, analysis, passages),
      versions: versionSupport(db, embedder, { k, filters }),
      query: understood,
      ...(special ? { special } : {}),
    };
  };
}
