import { documentFacts, type DocumentFacts } from '../db/catalog.ts';
import type { Answer, Citation } from '../domain/answer.ts';
import { readTimeScope } from '../search/intent.ts';
import { formatPartialDate } from '../domain/document.ts';
import type { UnderstoodQuery } from '../domain/query.ts';
import { candidateDocuments, citedOf, factCitations, quoteFrom, scoreDocuments, type AnswerContext } from './documents.ts';
import { documentLabel } from './versions.ts';

/**
 * Status questions ("is X still in effect", "which policy is current", "when was X issued",
 * "what replaced X") are answered from the catalog's facts, citing them (`facts`, with who set
 * each and when) and quoting the documents they are about. Null when the question names no
 * document the store has: it is then answered as a look-up.
 */
const DATE_LINE = /\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.? \d{1,2},? \d{4}\b|\b\d{4}-\d{2}-\d{2}\b/i;

function label(f: DocumentFacts): string {
  return documentLabel(citedOf(f));
}

/** The documents at the end of a document's supersededBy chain. */
async function successorsOf(ctx: AnswerContext, f: DocumentFacts): Promise<DocumentFacts[]> {
  const out: DocumentFacts[] = [];
  const seen = new Set([f.id]);
  let frontier = f.supersededBy;
  for (let depth = 0; depth < 5 && frontier.length; depth++) {
    const facts = await documentFacts(ctx.db, frontier);
    const next: string[] = [];
    for (const id of frontier) {
      const s = facts.get(id);
      if (!s || seen.has(id)) continue;
      seen.add(id);
      if (s.supersededBy.length > 0 && s.status !== 'current') next.push(...s.supersededBy);
      else out.push(s);
    }
    frontier = next;
  }
  return out;
}

export async function statusAnswer(ctx: AnswerContext, understood: UnderstoodQuery): Promise<Answer | null> {
  const asks = understood.status?.asks ?? 'in-force';
  const question = understood.text;
  const subjectText = understood.status?.subject ?? understood.searchText;
  const candidates = await candidateDocuments(ctx, subjectText);
  if (candidates.facts.size === 0) return null;

  const citations: Citation[] = [];
  const cite = async (f: DocumentFacts, prefer?: RegExp): Promise<string> => {
    const existing = citations.find((c) => c.document.id === f.id);
    if (existing) return `[${existing.n}]`;
    const c = await quoteFrom(ctx, f, subjectText, citations.length + 1, prefer);
    if (!c) return '';
    citations.push(c);
    return `[${c.n}]`;
  };
  const done = async (text: string, docs: DocumentFacts[], fields: string[]): Promise<Answer> => ({
    question,
    answer: text,
    mode: 'extractive',
    abstained: false,
    citations,
    facts: await factCitations(ctx.db, docs, fields),
  });

  if (asks === 'which-current') {
    const all = [...(await documentFacts(ctx.db)).values()];
    const current = all.filter((f) => f.status === 'current');
    if (current.length === 0) {
      return done('The catalog marks no document as current, so which one is in force is not recorded.', [], []);
    }
    // A subject ("which arms transfer policy is current") narrows the list to the documents it fits.
    const scored = await scoreDocuments(ctx.db, subjectText, { ...understood.time, current: false }, { facts: new Map(current.map((f) => [f.id, f])), rank: candidates.rank });
    const best = scored[0]!.score;
    const chosen = scored.filter((s) => s.score >= best - 1).map((s) => s.facts).slice(0, 3);
    const parts: string[] = [];
    for (const f of chosen) {
      const replaced = f.supersedes.length ? await documentFacts(ctx.db, f.supersedes) : new Map<string, DocumentFacts>();
      const sup = [...replaced.values()];
      const refs = await cite(f);
      parts.push(`${label(f)} is current ${refs}${sup.length ? `; it supersedes ${sup.map(label).join(' and ')}` : ''}.`);
    }
    return done(`${chosen.length > 1 ? 'Current according to the catalog:' : 'According to the catalog,'} ${parts.join(' ')}`, chosen, ['status', 'supersedes']);
  }

  // "Is X still in effect?" asks whether X is current; it does not ask for the current document.
  // The subject's own words say which document it is ("the 2018 policy", "the revised policy").
  const subjectTime = understood.status?.subject ? readTimeScope(understood.status.subject) : { ...understood.time, current: false };
  const scored = await scoreDocuments(ctx.db, subjectText, { ...subjectTime, current: false }, candidates);
  const subject = scored[0]?.facts;
  if (!subject) return null;

  if (asks === 'issued') {
    const refs = await cite(subject, subject.dateSource === 'text' ? DATE_LINE : undefined);
    if (subject.dateSource === 'catalog') {
      const textNote = subject.textDate ? ` (its text is dated ${subject.textDate})` : '; its text states no date';
      return done(`${label(subject)}: the catalog gives its issue date as ${formatPartialDate(subject.publishedOn!)}${textNote} ${refs}.`, [subject], ['issued']);
    }
    if (subject.dateSource === 'text') return done(`${label(subject)}: the document itself is dated ${formatPartialDate(subject.publishedOn!)} ${refs}.`, [subject], []);
    return done(`No issue date is recorded for "${subject.title}": its text states none and the catalog supplies none ${refs}.`, [subject], []);
  }

  const successors = subject.status === 'superseded' || subject.supersededBy.length ? await successorsOf(ctx, subject) : [];
  // "Is X still in effect?" and "what replaced X?" ask what is in force now: the document that
  // answers that (the successor) is cited first, then the one asked about.
  const successorText = async () => {
    const parts: string[] = [];
    for (const s of successors) parts.push(`${label(s)} ${await cite(s)}${s.status === 'current' ? ', which is current,' : ''}`);
    return parts.join(' and ');
  };
  const successorsFirst = successors.length ? await successorText() : '';
  const subjectRefs = await cite(subject);
  const fields = ['status', 'supersedes', 'issued'];
  if (asks === 'replaced') {
    if (successors.length) return done(`${successorsFirst} superseded ${label(subject)} ${subjectRefs}.`, [subject, ...successors], fields);
    if (subject.status === 'withdrawn') return done(`${label(subject)} ${subjectRefs} was withdrawn; the catalog names nothing that replaced it.`, [subject], fields);
    return done(
      `Nothing in the catalog records that ${label(subject)} ${subjectRefs} was replaced${subject.status === 'current' ? '; it is marked current' : ''}.`,
      [subject],
      fields,
    );
  }
  // in-force
  switch (subject.status) {
    case 'superseded':
      return done(
        successors.length
          ? `No. ${successorsFirst} supersedes ${label(subject)} ${subjectRefs}.`
          : `No. ${label(subject)} ${subjectRefs} is superseded (so the catalog says).`,
        [subject, ...successors],
        fields,
      );
    case 'current':
      return done(`Yes. ${label(subject)} ${subjectRefs} is current, according to the catalog.`, [subject], fields);
    case 'withdrawn':
      return done(`No. ${label(subject)} ${subjectRefs} has been withdrawn, according to the catalog.`, [subject], fields);
    case 'draft':
      return done(`No. ${label(subject)} ${subjectRefs} is a draft, according to the catalog, so it is not in force.`, [subject], fields);
    default:
      return done(
        `The catalog records no status for ${label(subject)} ${subjectRefs}, and no document in the store supersedes it; whether it is still in effect is not recorded.`,
        [subject],
        fields,
      );
  }
}
