import { documentFacts, storedFacts, type DocumentFacts } from '../db/catalog.ts';
import type { Queryable } from '../db/types.ts';
import type { Citation, FactCitation } from '../domain/answer.ts';
import { citedDocument, type CitedDocument } from '../domain/document.ts';
import type { Embedder } from '../domain/embedder.ts';
import type { Passage } from '../domain/passage.ts';
import type { TimeScope } from '../domain/query.ts';
import { analyzeQuery, lexemesOf } from '../search/query.ts';
import { loadPassages, type SearchFilters } from '../search/retrieve.ts';
import { inYears, versionAwareSearch, withFacts } from '../search/versions.ts';
import { extractiveAnswer, quoteUnits, toCitation } from './extractive.ts';

/**
 * Which stored documents a question's phrase means ("the 2018 arms transfer policy", "the
 * revised policy", "2023"), for status questions and comparisons: found by what the phrase says
 * (its words against titles and text, its years against the documents' dates, "original" /
 * "revised" / "current" against the catalog's status and supersession), never by a list of names.
 */
export interface AnswerContext {
  db: Queryable;
  embedder: Embedder;
  k: number;
  filters?: SearchFilters;
}

export interface ScoredDocument {
  facts: DocumentFacts;
  score: number;
}

/** Documents the catalog says something about: status, supersession or implementation. */
export function hasVersionFacts(f: DocumentFacts): boolean {
  return f.status !== null || f.supersedes.length > 0 || f.supersededBy.length > 0;
}

/** The candidates: documents of the best passages for the text, and every document with version facts. */
export async function candidateDocuments(ctx: AnswerContext, text: string): Promise<{ facts: Map<string, DocumentFacts>; rank: Map<string, number> }> {
  const analysis = await analyzeQuery(ctx.db, text);
  const passages = analysis.terms.length > 0 ? await versionAwareSearch(ctx.db, ctx.embedder, analysis, { k: 15, filters: ctx.filters }) : [];
  const rank = new Map<string, number>();
  passages.forEach((p, i) => {
    if (!rank.has(p.documentId)) rank.set(p.documentId, i);
  });
  const versioned = await ctx.db.query<{ id: string }>(
    `SELECT id FROM document_view WHERE status IS NOT NULL OR cardinality(supersedes) > 0 OR cardinality(superseded_by) > 0`,
  );
  const ids = [...new Set([...rank.keys(), ...versioned.map((r) => r.id)])];
  const facts = await documentFacts(ctx.db, ids);
  if (ctx.filters?.documentIds?.length) for (const id of [...facts.keys()]) if (!ctx.filters.documentIds.includes(id)) facts.delete(id);
  return { facts, rank };
}

/**
 * How well a document fits a phrase and its time scope. Years decide most (a document dated
 * outside the years asked is unlikely), then "original"/"revised"/"current", then the words.
 */
export async function scoreDocuments(
  db: Queryable,
  phrase: string,
  time: TimeScope,
  candidates: { facts: Map<string, DocumentFacts>; rank: Map<string, number> },
): Promise<ScoredDocument[]> {
  const docs = [...candidates.facts.values()];
  if (docs.length === 0) return [];
  const [phraseLexemes, ...titleLexemes] = await lexemesOf(db, [phrase, ...docs.map((d) => `${d.title} ${d.textTitle} ${fileWords(d.source)}`)]);
  const words = [...phraseLexemes!].filter((l) => !/^\d+$/.test(l));
  return docs
    .map((f, i) => {
      let score = 0;
      const year = /^(\d{4})/.exec(f.publishedOn ?? '')?.[1];
      if (time.years.length > 0) score += year ? (inYears(Number(year), time.years) ? 3 : -3) : -1;
      if (time.version === 'earlier') score += f.status === 'superseded' || f.supersededBy.length > 0 ? 2 : f.supersedes.length > 0 ? -2 : 0;
      if (time.version === 'later') score += f.supersedes.length > 0 && f.status !== 'superseded' ? 2 : f.status === 'superseded' ? -2 : 0;
      if (time.current) score += f.status === 'current' ? 2 : f.status === 'superseded' ? -1 : 0;
      const title = titleLexemes[i]!;
      const overlap = words.filter((w) => title.has(w)).length;
      score += words.length ? (1.5 * overlap) / words.length : 0;
      const r = candidates.rank.get(f.id);
      score += r === undefined ? 0 : 1 / (1 + r);
      if (hasVersionFacts(f)) score += 0.5;
      // An implementation plan or fact sheet is about the policy it implements: the policy itself fits a phrase naming "the policy" better.
      if (f.implements.some((id) => candidates.facts.has(id))) score -= 0.75;
      return { facts: f, score };
    })
    .sort((a, b) => b.score - a.score || (a.facts.id < b.facts.id ? -1 : 1));
}

function fileWords(source: string): string {
  return (source.split('/').pop() ?? '').replace(/\.[a-z0-9]+$/i, '').replace(/[-_.]+/g, ' ');
}

export function citedOf(f: DocumentFacts): CitedDocument {
  return citedDocument({ id: f.id, title: f.title, date: f.publishedOn, source: f.source, status: f.status, dateSource: f.dateSource });
}

/** The stored catalog facts behind an answer (and a status that follows from a relation, marked so). */
export async function factCitations(db: Queryable, docs: DocumentFacts[], fields: string[]): Promise<FactCitation[]> {
  const out: FactCitation[] = [];
  for (const d of docs) {
    const stored = await storedFacts(db, d.id);
    for (const field of fields) {
      const f = stored.find((s) => s.field === field);
      if (f) out.push({ documentId: d.id, field, value: f.value, setBy: f.setBy, setAt: f.setAt.toISOString() });
      else if (field === 'status' && d.statusSource === 'relation') {
        out.push({ documentId: d.id, field: 'status', value: 'superseded', setBy: 'relation', setAt: null });
      }
    }
  }
  return out;
}

/**
 * One verbatim quote from a document: its best sentence for the question when it has one, else
 * the opening sentence of its first passage (what the document is). Null for an empty document.
 */
export async function quoteFrom(ctx: AnswerContext, f: DocumentFacts, question: string, n: number, prefer?: RegExp): Promise<Citation | null> {
  const rows = await ctx.db.query<{ id: string }>('SELECT id FROM chunks WHERE document_id = $1 ORDER BY ordinal LIMIT 3', [f.id]);
  const loaded = await loadPassages(ctx.db, rows.map((r) => r.id));
  const passages: Passage[] = withFacts(
    rows.map((r) => loaded.get(r.id)).filter((p): p is NonNullable<typeof p> => !!p).map((p) => ({ ...p, score: 0, ftsRank: null, vectorRank: null, vectorDistance: null }) as Passage),
    new Map([[f.id, f]]),
  );
  if (prefer) {
    for (const p of passages) {
      for (const u of quoteUnits(p.text)) {
        const text = p.text.slice(u.start, u.end);
        if (prefer.test(text)) return toCitation(n, p, text);
      }
    }
  }
  const analysis = await analyzeQuery(ctx.db, question);
  if (analysis.terms.length > 0) {
    const found = await versionAwareSearch(ctx.db, ctx.embedder, analysis, { k: 3, filters: { documentIds: [f.id] } });
    const answer = await extractiveAnswer(ctx.db, analysis, found);
    const best = answer.citations.find((c) => c.quote.length >= 40);
    if (!answer.abstained && best) return { ...best, n, document: citedOf(f) };
  }
  for (const p of passages) {
    const unit = quoteUnits(p.text).find((u) => u.end - u.start >= 40) ?? quoteUnits(p.text)[0];
    if (unit) return toCitation(n, p, p.text.slice(unit.start, unit.end));
  }
  return null;
}
