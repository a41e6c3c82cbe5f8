import { documentFacts, type DocumentFacts } from '../db/catalog.ts';
import type { Queryable } from '../db/types.ts';
import { yearOf } from '../domain/document.ts';
import type { Embedder } from '../domain/embedder.ts';
import type { Passage } from '../domain/passage.ts';
import type { TimeScope } from '../domain/query.ts';
import type { QueryAnalysis } from './query.ts';
import { hybridSearch, type SearchFilters } from './retrieve.ts';

/**
 * Version-aware retrieval: passages carry their document's catalog facts (status, where the date
 * came from, supersession), withdrawn documents are left out, and the question's time scope
 * moves passages of the documents it asks about up: current intent prefers current documents,
 * a year prefers documents of that year, "original"/"revised" the earlier or later version. No
 * time scope, no change in order.
 */

/** How many ranks a preferred document's passage moves up (a dispreferred one down), per point of preference. */
export const VERSION_RANK_SHIFT = 4;
/** Candidates retrieved per wanted passage when a time scope may reorder them. */
const CANDIDATE_FACTOR = 3;

export function hasTimeScope(time: TimeScope | undefined): time is TimeScope {
  return !!time && (time.current || time.years.length > 0 || time.version !== null);
}

/** The years a document's (possibly partial) date falls in; null when it has none. */
function documentYear(f: Pick<DocumentFacts, 'publishedOn'>): number | null {
  return yearOf(f.publishedOn);
}

export function inYears(year: number, ranges: TimeScope['years']): boolean {
  return ranges.some((r) => (r.from === null || year >= r.from) && (r.to === null || year <= r.to));
}

/**
 * How much the time scope wants a document: positive preferred, negative dispreferred, 0 no
 * opinion (an undated document, a document with no status, for the parts that need them).
 */
export function versionPreference(f: DocumentFacts | undefined, time: TimeScope): number {
  if (!f) return 0;
  let score = 0;
  if (time.current) {
    if (f.status === 'current') score += 1;
    else if (f.status === 'superseded' || f.status === 'draft') score -= 1;
  }
  if (time.years.length > 0) {
    const y = documentYear(f);
    if (y !== null) score += inYears(y, time.years) ? 1 : -1;
  }
  if (time.version === 'earlier') {
    if (f.status === 'superseded' || f.supersededBy.length > 0) score += 1;
    else if (f.supersedes.length > 0) score -= 1;
  } else if (time.version === 'later') {
    if (f.supersedes.length > 0 && f.status !== 'superseded') score += 1;
    else if (f.status === 'superseded' || f.supersededBy.length > 0) score -= 1;
  }
  return score;
}

/** Passages with their documents' catalog facts: title and date as the catalog gives them, status, dateSource, supersession. */
export function withFacts(passages: Passage[], facts: Map<string, DocumentFacts>): Passage[] {
  return passages.map((p) => {
    const f = facts.get(p.documentId);
    if (!f) return { ...p, document: { ...p.document, status: null, dateSource: p.document.date ? 'text' : null, supersedes: [], supersededBy: [] } };
    return {
      ...p,
      document: {
        ...p.document,
        title: f.title,
        date: f.publishedOn,
        dateSource: f.dateSource,
        status: f.status,
        supersedes: f.supersedes,
        supersededBy: f.supersededBy,
      },
    };
  });
}

/** Reorders passages (best first) by the time scope's preference; stable, so equal preferences keep their order. */
export function preferVersions(passages: Passage[], facts: Map<string, DocumentFacts>, time: TimeScope | undefined): Passage[] {
  if (!hasTimeScope(time)) return passages;
  return passages
    .map((p, i) => ({ p, i, key: i - VERSION_RANK_SHIFT * versionPreference(facts.get(p.documentId), time) }))
    .sort((a, b) => a.key - b.key || a.i - b.i)
    .map((x) => x.p);
}

/** Ids of withdrawn documents: left out of every answer, kept with their history. */
export async function withdrawnDocumentIds(db: Queryable): Promise<string[]> {
  const rows = await db.query<{ id: string }>(`SELECT document_id AS id FROM document_facts WHERE field = 'status' AND value = '"withdrawn"'::jsonb`);
  return rows.map((r) => r.id);
}

export interface VersionSearchOptions {
  k: number;
  filters?: SearchFilters;
  time?: TimeScope;
}

/** hybridSearch, version-aware: see the module comment. */
export async function versionAwareSearch(
  db: Queryable,
  embedder: Embedder,
  analysis: QueryAnalysis,
  options: VersionSearchOptions,
): Promise<Passage[]> {
  const withdrawn = await withdrawnDocumentIds(db);
  const filters: SearchFilters | undefined = withdrawn.length
    ? { ...options.filters, excludeDocumentIds: [...(options.filters?.excludeDocumentIds ?? []), ...withdrawn] }
    : options.filters;
  const scoped = hasTimeScope(options.time);
  const found = await hybridSearch(db, embedder, analysis, { k: scoped ? options.k * CANDIDATE_FACTOR : options.k, filters });
  const facts = await documentFacts(db, [...new Set(found.map((p) => p.documentId))]);
  return withFacts(preferVersions(found, facts, options.time), facts).slice(0, options.k);
}
