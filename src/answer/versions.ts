import { documentFacts, type DocumentFacts } from '../db/catalog.ts';
import type { Queryable } from '../db/types.ts';
import type { Answer, Citation, VersionNote } from '../domain/answer.ts';
import { citedDocument, datePhrase, type CitedDocument } from '../domain/document.ts';
import type { Embedder } from '../domain/embedder.ts';
import { analyzeQuery, coverage, lexemesOf } from '../search/query.ts';
import { understandQuestion } from '../search/understand.ts';
import type { SearchFilters } from '../search/retrieve.ts';
import { versionAwareSearch } from '../search/versions.ts';
import { extractiveAnswer, relevantPassages } from './extractive.ts';

/** Share of the question's weight a passage of the current document must cover to be quoted beside a superseded one. */
export const CURRENT_MIN_COVERAGE = 0.5;

/**
 * What the version step needs from the store: catalog facts, and an extractive answer to the
 * same question from given documents only (the current version's say on the point).
 */
export interface VersionSupport {
  facts(ids: readonly string[]): Promise<Map<string, DocumentFacts>>;
  answerFrom(documentIds: string[], question: string): Promise<Answer>;
}

/** The question without the words of its time scope. */
export function withoutCues(question: string, cues: readonly string[]): string {
  let out = question;
  for (const cue of cues) out = out.replace(new RegExp(`\\b${cue.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`, 'i'), ' ');
  return out.replace(/\s+/g, ' ').trim();
}

export function versionSupport(db: Queryable, embedder: Embedder, options: { k: number; filters?: SearchFilters }): VersionSupport {
  return {
    facts: (ids) => documentFacts(db, ids),
    answerFrom: async (documentIds, question) => {
      // The words that chose the version ("original", "2018", "current") say nothing about the point itself.
      const understood = await understandQuestion(db, question);
      const point = withoutCues(question, understood.time.cues);
      const analysis = await analyzeQuery(db, point.trim() ? point : question);
      const passages = await versionAwareSearch(db, embedder, analysis, { k: options.k, filters: { ...options.filters, documentIds } });
      // The current document must cover the point itself, not just share a word or two with the question.
      const covering = (await relevantPassages(db, analysis, passages)).filter((r) => r.coverage >= CURRENT_MIN_COVERAGE).map((r) => r.passage);
      const answer = await extractiveAnswer(db, analysis, covering);
      if (answer.abstained) return answer;
      const quoteLexemes = await lexemesOf(db, answer.citations.map((c) => c.quote));
      const citations = answer.citations.filter((_, i) => coverage(analysis, quoteLexemes[i]!) >= CURRENT_MIN_COVERAGE);
      return citations.length ? { ...answer, citations } : { ...answer, abstained: true, citations: [] };
    },
  };
}

/** A document as answers name it: its title in quotes and its date with where the date came from. */
export function documentLabel(d: Pick<CitedDocument, 'title' | 'date' | 'dateSource'>): string {
  const when = datePhrase(d);
  return `"${d.title}"${when ? ` (${when})` : ''}`;
}

function asCited(f: DocumentFacts, source: string = f.source): CitedDocument {
  return citedDocument({ id: f.id, title: f.title, date: f.publishedOn, source, status: f.status, dateSource: f.dateSource });
}

/** Follows supersededBy to the documents at the end of the chain (those nothing supersedes), at most a few steps. */
async function currentSuccessors(support: VersionSupport, start: DocumentFacts, known: Map<string, DocumentFacts>): Promise<DocumentFacts[]> {
  const out = new Map<string, DocumentFacts>();
  let frontier = start.supersededBy;
  const seen = new Set([start.id]);
  for (let depth = 0; depth < 5 && frontier.length > 0; depth++) {
    const missing = frontier.filter((id) => !known.has(id));
    if (missing.length) for (const [id, f] of await support.facts(missing)) known.set(id, f);
    const next: string[] = [];
    for (const id of frontier) {
      if (seen.has(id)) continue;
      seen.add(id);
      const f = known.get(id);
      if (!f || f.status === 'withdrawn') continue;
      if (f.supersededBy.length > 0 && f.status !== 'current') next.push(...f.supersededBy);
      else out.set(id, f);
    }
    frontier = next;
  }
  return [...out.values()];
}

function renumber(c: Citation, n: number): Citation {
  return { ...c, n };
}

/**
 * Adds, by code and in both modes, what an answer must say about versions: every citation's
 * document carries its status, date and dateSource; an answer citing a superseded document
 * says so and names what supersedes it; where the current document covers the same point, its
 * quote is cited too. A draft is flagged as a draft.
 */
export async function addVersionNotes(answer: Answer, support: VersionSupport, question: string = answer.question): Promise<Answer> {
  if (answer.abstained || answer.citations.length === 0) return answer;
  const ids = [...new Set(answer.citations.map((c) => c.document.id))];
  const facts = await support.facts(ids);
  let citations = answer.citations.map((c) => {
    const f = facts.get(c.document.id);
    return f ? { ...c, document: asCited(f, c.document.source) } : { ...c, document: citedDocument(c.document) };
  });
  const notes: VersionNote[] = [];
  const texts: string[] = [];
  const citedIds = new Set(ids);
  for (const id of ids) {
    const f = facts.get(id);
    if (!f) continue;
    const cited = citations.filter((c) => c.document.id === id).map((c) => c.n);
    const refs = cited.map((n) => `[${n}]`).join('');
    const source = citations.find((c) => c.document.id === id)!.document.source;
    if (f.status === 'draft') {
      const text = `${refs} ${cited.length > 1 ? 'are' : 'is'} from a draft, ${documentLabel(asCited(f, source))}.`;
      notes.push({ document: asCited(f, source), cited, supersededBy: [], added: [], text });
      texts.push(text);
      continue;
    }
    if (f.status !== 'superseded') continue;
    const successors = await currentSuccessors(support, f, facts);
    const successorDocs = successors.map((s) => asCited(s));
    const added: number[] = [];
    let addedText = '';
    const uncited = successors.filter((s) => !citedIds.has(s.id));
    if (uncited.length > 0) {
      const fromCurrent = await support.answerFrom(
        uncited.map((s) => s.id),
        question,
      );
      if (!fromCurrent.abstained && fromCurrent.citations.length > 0) {
        const quoted: string[] = [];
        for (const c of fromCurrent.citations.slice(0, 2)) {
          const sf = successors.find((s) => s.id === c.document.id);
          const n = citations.length + 1;
          citations = [...citations, { ...renumber(c, n), document: sf ? asCited(sf, c.document.source) : citedDocument(c.document) }];
          added.push(n);
          citedIds.add(c.document.id);
          quoted.push(`"${c.quote.replace(/\s*\n\s*/g, '; ')}" [${n}]`);
        }
        addedText = ` On this point the current document says: ${quoted.join(' ')}`;
      } else {
        addedText = ` ${successors.length > 1 ? 'The current documents say' : 'The current document says'} nothing on this point that could be quoted.`;
      }
    } else if (successors.length > 0) {
      const n = citations.filter((c) => successors.some((s) => s.id === c.document.id)).map((c) => `[${c.n}]`).join('');
      addedText = ` The current document is cited too (${n}).`;
    }
    const by = successors.length > 0 ? `, superseded by ${successors.map((s) => documentLabel(asCited(s))).join(' and ')}` : ' (marked superseded in the catalog)';
    const text = `${refs} ${cited.length > 1 ? 'are' : 'is'} from ${documentLabel(asCited(f, source))}${by}.${addedText}`;
    notes.push({ document: asCited(f, source), cited, supersededBy: successorDocs, added, text });
    texts.push(text);
  }
  if (notes.length === 0) return { ...answer, citations };
  return { ...answer, citations, answer: `${answer.answer}\n\nNote: ${texts.join(' ')}`, versions: notes };
}
