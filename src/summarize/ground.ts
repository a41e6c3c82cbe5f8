import { restoreFenceTags } from '../answer/prompts.ts';
import { checkQuote } from '../answer/verify.ts';
import { redactPersonalData } from '../log.ts';
import type { Quote, SourceRef, SummaryPoint } from './types.ts';

/**
 * Grounding of what a model (or the extractive selector) says against the sources it was shown.
 * A reference to a source that was not sent (a made-up message id, a fabricated permalink or
 * tracking number) is dropped; a quote must occur verbatim in the source it names (the same
 * check as answer citations: src/answer/verify.ts); a point left with no source is dropped.
 * Pure: every rule is unit-tested.
 */

export interface SourceDoc {
  /** The id the model sees and cites: "M12" for a message, the tracking number for a comment. */
  key: string;
  /** The text as the model saw it (before fencing); quotes are checked against this. */
  text: string;
  ref: SourceRef;
  /** False when this source may not be quoted or cited here (no consent to publish, shareable summary). */
  citable: boolean;
  /** Threads: the author's display name, for positions and owners. */
  author?: string;
}

export class SourceIndex {
  private readonly byKey = new Map<string, SourceDoc>();
  private readonly byLink = new Map<string, SourceDoc>();
  private urls: Set<string> | null = null;

  constructor(readonly docs: readonly SourceDoc[]) {
    for (const d of docs) {
      this.byKey.set(d.key.toLowerCase(), d);
      this.byKey.set(d.ref.id.toLowerCase(), d);
      if (d.ref.link) this.byLink.set(d.ref.link, d);
    }
  }

  /** A web address that is a source's link or appears in a source's text (so a point may repeat it). */
  knowsUrl(url: string): boolean {
    const bare = url.replace(/[.,;:!?]+$/, '');
    if (this.byLink.has(bare)) return true;
    if (!this.urls) {
      this.urls = new Set();
      for (const d of this.docs) for (const m of d.text.matchAll(/https?:\/\/[^\s<>|()]+/g)) this.urls.add(m[0].replace(/[.,;:!?]+$/, ''));
    }
    return this.urls.has(bare);
  }

  /** A source by the id the model was shown (any case, brackets tolerated), its real id, or its exact link. */
  resolve(reference: string): SourceDoc | undefined {
    const r = reference.trim();
    if (/^https?:\/\//i.test(r)) return this.byLink.get(r);
    return this.byKey.get(r.replace(/^[[(<"']+|[\])>"']+$/g, '').toLowerCase());
  }

  get size(): number {
    return this.docs.length;
  }
}

export interface RawQuote {
  source: string;
  quote: string;
}

export interface RawPoint {
  text: string;
  sources: string[];
  quotes: RawQuote[];
  owner?: string;
}

export type GroundDropReason =
  | 'unknown_source'
  | 'out_of_scope'
  | 'not_citable'
  | 'quote_too_short'
  | 'quote_not_in_passage'
  | 'personal_data'
  | 'no_source'
  | 'empty_text';

export interface GroundDrop {
  reason: GroundDropReason;
  source?: string;
  quote?: string;
  text?: string;
}

export interface GroundOptions {
  /** Sources this point may draw on (a batch, one participant's messages); default all. */
  inScope?: (doc: SourceDoc) => boolean;
  maxQuotes?: number;
  /** Drop quotes carrying an e-mail address or phone number (comment dockets). */
  rejectPersonalData?: boolean;
}

/** A verified quote as it appears in its source, or the reason it is not one. */
export function groundQuote(raw: RawQuote, index: SourceIndex, options: GroundOptions = {}): { quote: Quote; doc: SourceDoc } | GroundDrop {
  const doc = index.resolve(raw.source);
  if (!doc) return { reason: 'unknown_source', source: raw.source, quote: raw.quote };
  if (options.inScope && !options.inScope(doc)) return { reason: 'out_of_scope', source: raw.source, quote: raw.quote };
  if (!doc.citable) return { reason: 'not_citable', source: raw.source, quote: raw.quote };
  let checked = checkQuote(raw.quote, doc.text);
  // A model copies the fenced text as it saw it, escapes included.
  if (!checked.ok) {
    const restored = restoreFenceTags(raw.quote);
    if (restored !== raw.quote) {
      const again = checkQuote(restored, doc.text);
      if (again.ok) checked = again;
    }
  }
  if (!checked.ok) return { reason: checked.reason, source: raw.source, quote: raw.quote };
  if (options.rejectPersonalData && redactPersonalData(checked.quote) !== checked.quote) return { reason: 'personal_data', source: raw.source };
  return { quote: { text: checked.quote, source: doc.ref }, doc };
}

const URL_RE = /<?https?:\/\/[^\s<>|()]+(?:\|[^>]*)?>?/g;

/** Point text without links the model made up (any address no source has) and without the model-facing ids ("[M12]"). */
export function cleanPointText(text: string, index: SourceIndex): string {
  return text
    .replace(URL_RE, (m) => {
      const url = m.replace(/^</, '').replace(/\|[^>]*>?$/, '').replace(/>$/, '');
      const trailing = /[.,;:!?]*$/.exec(url)![0];
      return index.knowsUrl(url.slice(0, url.length - trailing.length)) ? m : trailing;
    })
    .replace(/\s*[[(](?:M\d+)(?:\s*[,;]\s*M\d+)*[\])]/g, '')
    // What is left of "(see <made-up link>)".
    .replace(/\s*\(\s*(?:see|cf\.?|source:?|link:?)?\s*\)/gi, '')
    .replace(/\s+([.,;:!?])/g, '$1')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * One point, grounded: its sources resolved (unknown, out-of-scope and uncitable ones dropped),
 * its quotes verified, the sources of its verified quotes added. Null (with the reasons in
 * `drops`) when nothing is left to stand on.
 */
export function groundPoint(raw: RawPoint, index: SourceIndex, drops: GroundDrop[], options: GroundOptions = {}): SummaryPoint | null {
  const text = cleanPointText(raw.text, index);
  if (!text) {
    drops.push({ reason: 'empty_text', text: raw.text });
    return null;
  }
  const sources: SourceRef[] = [];
  const seen = new Set<string>();
  const addSource = (doc: SourceDoc) => {
    const key = `${doc.ref.kind}:${doc.ref.id}`;
    if (!seen.has(key)) {
      seen.add(key);
      sources.push(doc.ref);
    }
  };
  for (const s of raw.sources) {
    const doc = index.resolve(s);
    if (!doc) drops.push({ reason: 'unknown_source', source: s, text });
    else if (options.inScope && !options.inScope(doc)) drops.push({ reason: 'out_of_scope', source: s, text });
    else if (!doc.citable) drops.push({ reason: 'not_citable', source: s, text });
    else addSource(doc);
  }
  const quotes: Quote[] = [];
  const quoteKeys = new Set<string>();
  for (const q of raw.quotes) {
    if (quotes.length >= (options.maxQuotes ?? 3)) break;
    const g = groundQuote(q, index, options);
    if ('reason' in g) {
      drops.push(g);
      continue;
    }
    const key = `${g.quote.source.id}\u0000${g.quote.text}`;
    if (quoteKeys.has(key)) continue;
    quoteKeys.add(key);
    quotes.push(g.quote);
    addSource(g.doc);
  }
  if (sources.length === 0) {
    drops.push({ reason: 'no_source', text });
    return null;
  }
  const owner = raw.owner?.trim();
  return { text, sources, quotes, ...(owner ? { owner } : {}) };
}

export function groundPoints(raws: readonly RawPoint[], index: SourceIndex, drops: GroundDrop[], options: GroundOptions = {}, max = 8): SummaryPoint[] {
  const out: SummaryPoint[] = [];
  for (const r of raws) {
    if (out.length >= max) break;
    const p = groundPoint(r, index, drops, options);
    if (p) out.push(p);
  }
  return out;
}

/** A grounded point in the shape the model writes, for feeding partial summaries back (reduce). */
export function toRawPoint(point: SummaryPoint, keyOf: (ref: SourceRef) => string): RawPoint {
  return {
    text: point.text,
    sources: point.sources.map(keyOf),
    quotes: point.quotes.map((q) => ({ source: keyOf(q.source), quote: q.text })),
    ...(point.owner ? { owner: point.owner } : {}),
  };
}
