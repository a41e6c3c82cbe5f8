import { z } from 'zod';
import { LlmFailure, logLlmFailure, type LlmContext } from '../answer/llm.ts';
import { fenceElement, type Prompts } from '../answer/prompts.ts';
import type { Config } from '../config.ts';
import { newReferenceId } from '../errors.ts';
import type { Logger } from '../log.ts';
import { batchByTokens, clipToTokens, estimateTokens, mapLimited } from './batch.ts';
import { groundPoint, groundPoints, SourceIndex, toRawPoint, type GroundDrop, type RawPoint, type SourceDoc } from './ground.ts';
import { groupByKeywords, keywordLabel, mentionsKeywords, sentencesOf, stems, sumBasic, SurfaceForms, tokenize, wordProbabilities, type SentenceUnit } from './lexical.ts';
import { callModel, logDrops, THREAD_JSON_SCHEMA, threadOutputSchema, type ThreadOutput } from './llm.ts';
import { emptySummary, type Position, type ProgressFn, type SourceRef, type Summary, type SummaryPoint, type Theme, type ThreadStats } from './types.ts';

/**
 * Thread summaries. Input: a thread's messages in order (from Slack's conversations.replies or a
 * JSON export of it). LLM mode maps token-bounded batches of messages to partial summaries and
 * reduces them to one; extractive mode selects sentences. Both return the shared Summary, every
 * point linked to the messages it draws on.
 */

export const threadFileSchema = z.object({ name: z.string(), title: z.string().optional(), permalink: z.string().optional() });

export const threadMessageSchema = z.object({
  ts: z.string(),
  userId: z.string().nullable(),
  userName: z.string(),
  organization: z.string().optional(),
  text: z.string(),
  permalink: z.string().optional(),
  isBot: z.boolean(),
  edited: z.boolean(),
  deleted: z.boolean(),
  files: z.array(threadFileSchema),
});
export type ThreadMessage = z.infer<typeof threadMessageSchema>;

export interface ThreadInput {
  /** What the thread is, for the summary's title and the model: "#export-policy thread". */
  title?: string;
  channel?: string;
  threadTs?: string;
  permalink?: string;
  /** Oldest first. */
  messages: ThreadMessage[];
}

/** What summaries need from the services: the model configuration, the log, the prompts. */
export interface SummarizerContext {
  config: Config;
  logger: Logger;
  prompts: Prompts;
}

export interface ThreadSummaryOptions {
  /** Skip the model even when one is configured. */
  extractiveOnly?: boolean;
  onProgress?: ProgressFn;
  shareable?: boolean;
}

export const THREAD_LLM_UNAVAILABLE_NOTE = 'The language model was unavailable, so this summary quotes the messages directly.';
export const THREAD_UNVERIFIED_NOTE = "The model's summary was withheld because none of its points could be traced to the messages, so this summary quotes them directly.";

/** Map calls in flight at once: fast on a hosted API, gentle on a local server. */
const MAP_CONCURRENCY = 3;

interface Prepared {
  input: ThreadInput;
  kept: ThreadMessage[];
  docs: SourceDoc[];
  index: SourceIndex;
  stats: ThreadStats;
}

function labelOf(m: Pick<ThreadMessage, 'userName' | 'organization'>): string {
  return m.organization ? `${m.userName} (${m.organization})` : m.userName;
}

/** People's messages with text; bots (this app's earlier summaries among them) and deleted messages are counted, not read. */
function prepare(input: ThreadInput): Prepared {
  const kept = input.messages.filter((m) => !m.isBot && !m.deleted && m.text.trim().length > 0);
  const docs: SourceDoc[] = kept.map((m, i) => ({
    key: `M${i + 1}`,
    text: m.text,
    ref: { kind: 'message', id: m.ts, ...(m.permalink ? { link: m.permalink } : {}), label: labelOf(m) },
    citable: true,
    author: m.userName,
  }));
  const participants = new Set(kept.map((m) => m.userId ?? m.userName));
  return {
    input,
    kept,
    docs,
    index: new SourceIndex(docs),
    stats: {
      messages: input.messages.length,
      summarized: kept.length,
      participants: participants.size,
      botMessages: input.messages.filter((m) => m.isBot).length,
      deletedMessages: input.messages.filter((m) => m.deleted).length,
      editedMessages: kept.filter((m) => m.edited).length,
      files: input.messages.reduce((n, m) => n + m.files.length, 0),
    },
  };
}

function baseSummary(p: Prepared, mode: Summary['mode'], shareable: boolean): Summary {
  const s = emptySummary('thread', mode, p.input.title ?? 'Thread summary');
  s.shareable = shareable;
  s.stats.thread = p.stats;
  s.scope = {
    ...(p.input.permalink ? { permalink: p.input.permalink } : {}),
    ...(p.input.channel ? { channel: p.input.channel } : {}),
    ...(p.input.threadTs ? { threadTs: p.input.threadTs } : {}),
  };
  return s;
}

export async function summarizeThread(ctx: SummarizerContext, input: ThreadInput, options: ThreadSummaryOptions = {}): Promise<Summary> {
  const p = prepare(input);
  const shareable = options.shareable ?? false;
  const progress = options.onProgress ?? (() => undefined);
  if (p.kept.length === 0) {
    const s = baseSummary(p, 'extractive', shareable);
    s.notes.push('The thread has no messages from people to summarize.');
    progress({ phase: 'done', done: 0, total: 0, message: 'Nothing to summarize' });
    return s;
  }
  if (!ctx.config.openai.enabled || options.extractiveOnly) {
    const s = extractiveThread(p, shareable);
    progress({ phase: 'done', done: p.kept.length, total: p.kept.length, message: 'Done' });
    return s;
  }
  const llm: LlmContext = { ...ctx, ref: newReferenceId() };
  try {
    const s = await llmThread(llm, p, shareable, progress);
    if (s) {
      progress({ phase: 'done', done: 1, total: 1, message: 'Done' });
      return s;
    }
    const fallback = extractiveThread(p, shareable);
    fallback.notes.unshift(`${THREAD_UNVERIFIED_NOTE} (reference ${llm.ref})`);
    return fallback;
  } catch (err) {
    if (err instanceof OverBudget) {
      const fallback = extractiveThread(p, shareable);
      fallback.notes.unshift(err.message);
      return fallback;
    }
    logLlmFailure(llm, 'summarize-thread', err);
    const fallback = extractiveThread(p, shareable);
    fallback.notes.unshift(`${THREAD_LLM_UNAVAILABLE_NOTE} (reference ${llm.ref})`);
    progress({ phase: 'done', done: 1, total: 1, message: 'Done' });
    return fallback;
  }
}

export class OverBudget extends Error {}

// ---------------------------------------------------------------------------------------
// LLM mode

interface PartialSummary {
  overview: SummaryPoint[];
  positions: Position[];
  agreements: SummaryPoint[];
  disagreements: SummaryPoint[];
  openQuestions: SummaryPoint[];
  actionItems: SummaryPoint[];
  /** Message keys covered, first and last ("M1", "M40"). */
  first: number;
  last: number;
}

function isoTime(ts: string): string {
  const seconds = Number(ts.split('.')[0]);
  return Number.isFinite(seconds) && seconds > 0 ? new Date(seconds * 1000).toISOString().slice(0, 16).replace('T', ' ') + 'Z' : 'unknown';
}

function fenceMessage(doc: SourceDoc, m: ThreadMessage, text: string): string {
  return fenceElement(
    'message',
    {
      id: doc.key,
      author: m.userName,
      organization: m.organization ?? 'unknown',
      time: isoTime(m.ts),
      edited: m.edited ? 'yes' : 'no',
      files: m.files.length ? m.files.map((f) => f.title ?? f.name).join(', ') : 'none',
    },
    text,
  );
}

function threadLine(p: Prepared, part?: string): string {
  const where = p.input.title ?? 'A Slack thread';
  return `${where}: ${p.kept.length} messages from ${p.stats.participants} participants${part ? `; ${part}` : ''}.`;
}

function partialCounts(x: Omit<PartialSummary, 'first' | 'last'>): number {
  return (
    x.overview.length + x.positions.reduce((n, q) => n + q.points.length, 0) + x.agreements.length + x.disagreements.length + x.openQuestions.length + x.actionItems.length
  );
}

/**
 * Grounds one model reply: every point against the messages in `scope`; a position only keeps
 * points drawn from that participant's own messages; an owner is kept only when the cited
 * messages name them or were written by them.
 */
function groundThreadOutput(out: ThreadOutput, p: Prepared, scope: (doc: SourceDoc) => boolean, drops: GroundDrop[]): Omit<PartialSummary, 'first' | 'last'> {
  const opts = { inScope: scope, maxQuotes: 2 };
  const positions: Position[] = [];
  for (const pos of out.positions) {
    const name = pos.participant.trim().toLowerCase();
    const author = p.kept.find((m) => m.userName.toLowerCase() === name);
    if (!author) {
      drops.push({ reason: 'unknown_source', source: pos.participant });
      continue;
    }
    const points = groundPoints(pos.points, p.index, drops, { ...opts, inScope: (d) => scope(d) && d.author === author.userName }, 3);
    if (points.length === 0) continue;
    const existing = positions.find((x) => x.participant === author.userName);
    if (existing) existing.points.push(...points.slice(0, 3 - existing.points.length));
    else positions.push({ participant: author.userName, ...(author.organization ? { organization: author.organization } : {}), points });
  }
  const actionItems: SummaryPoint[] = [];
  for (const raw of out.actionItems) {
    const point = groundPoint(raw, p.index, drops, opts);
    if (!point) continue;
    if (point.owner && !ownerSupported(point.owner, point.sources, p)) delete point.owner;
    actionItems.push(point);
    if (actionItems.length >= 10) break;
  }
  return {
    overview: groundPoints(out.overview, p.index, drops, opts, 6),
    positions,
    agreements: groundPoints(out.agreements, p.index, drops, opts),
    disagreements: groundPoints(out.disagreements, p.index, drops, opts),
    openQuestions: groundPoints(out.openQuestions, p.index, drops, opts),
    actionItems,
  };
}

/** An owner is believed when a cited message names them or was written by them. */
function ownerSupported(owner: string, sources: SourceRef[], p: Prepared): boolean {
  const o = owner.toLowerCase().replace(/^@/, '');
  const first = o.split(/\s+/)[0] ?? o;
  return sources.some((s) => {
    const doc = p.index.resolve(s.id);
    if (!doc) return false;
    const author = (doc.author ?? '').toLowerCase();
    return author === o || author.split(/\s+/)[0] === first || doc.text.toLowerCase().includes(o) || (first.length > 2 && doc.text.toLowerCase().includes(first));
  });
}

function toModelJson(x: Omit<PartialSummary, 'first' | 'last'>, keyOf: (ref: SourceRef) => string): string {
  const raw = (ps: SummaryPoint[]) => ps.map((q) => toRawPoint(q, keyOf));
  return JSON.stringify({
    overview: raw(x.overview),
    positions: x.positions.map((q) => ({ participant: q.participant, organization: q.organization ?? '', points: raw(q.points) })),
    agreements: raw(x.agreements),
    disagreements: raw(x.disagreements),
    openQuestions: raw(x.openQuestions),
    actionItems: x.actionItems.map((q) => ({ ...toRawPoint(q, keyOf), owner: q.owner ?? '' })),
  });
}

/** Without a model: the partials' lists side by side, cut to size (used when a merge reply is unusable). */
function concatPartials(parts: PartialSummary[]): PartialSummary {
  const take = (f: (x: PartialSummary) => SummaryPoint[], n: number) => parts.flatMap(f).slice(0, n);
  const positions: Position[] = [];
  for (const q of parts.flatMap((x) => x.positions)) {
    const existing = positions.find((x) => x.participant === q.participant);
    if (existing) existing.points.push(...q.points.slice(0, Math.max(0, 3 - existing.points.length)));
    else positions.push({ ...q, points: q.points.slice(0, 3) });
  }
  return {
    overview: take((x) => x.overview, 6),
    positions,
    agreements: take((x) => x.agreements, 8),
    disagreements: take((x) => x.disagreements, 8),
    openQuestions: take((x) => x.openQuestions, 8),
    actionItems: take((x) => x.actionItems, 10),
    first: parts[0]!.first,
    last: parts[parts.length - 1]!.last,
  };
}

async function llmThread(llm: LlmContext, p: Prepared, shareable: boolean, progress: ProgressFn): Promise<Summary | null> {
  const budget = llm.config.summary.batchTokens;
  const system = llm.prompts.summarizeThreadSystem.render({});
  const longestLine = threadLine(p, `part ${p.kept.length} of ${p.kept.length}, messages M${p.kept.length} to M${p.kept.length}`);
  const overhead = estimateTokens(system) + estimateTokens(llm.prompts.summarizeThread.render({ thread: longestLine, messages: '' })) + 20;
  const dataBudget = Math.max(200, budget - overhead);
  let clipped = 0;
  const fenced = p.kept.map((m, i) => {
    const doc = p.docs[i]!;
    // A message longer than a whole batch is sent shortened; its quotes still verify against the full text.
    const clip = clipToTokens(m.text, Math.max(50, dataBudget - estimateTokens(fenceMessage(doc, m, '')) - 10));
    if (clip.clipped) clipped++;
    return { index: i, text: fenceMessage(doc, m, clip.text) };
  });
  const batches = batchByTokens(fenced, (f) => estimateTokens(f.text) + 1, dataBudget);
  const planned = batches.length + (batches.length > 1 ? Math.ceil(batches.length / 3) : 0);
  if (planned > llm.config.summary.maxModelCalls) {
    throw new OverBudget(
      `This thread would take about ${planned} model calls, more than the configured limit of ${llm.config.summary.maxModelCalls} (SUMMARY_MAX_MODEL_CALLS), so this summary quotes the messages directly.`,
    );
  }
  const drops: GroundDrop[] = [];
  let done = 0;
  progress({ phase: 'map', done: 0, total: batches.length, message: `Summarizing ${p.kept.length} messages` });
  const partials = await mapLimited(batches, MAP_CONCURRENCY, async (batch, b) => {
    const first = batch[0]!.index;
    const last = batch[batch.length - 1]!.index;
    const keys = new Set(batch.map((f) => p.docs[f.index]!.key));
    const out = await callModel(llm, {
      purpose: 'summarize-thread',
      messages: [
        { role: 'system', content: system },
        {
          role: 'user',
          content: llm.prompts.summarizeThread.render({
            thread: threadLine(p, batches.length > 1 ? `part ${b + 1} of ${batches.length}, messages M${first + 1} to M${last + 1}` : undefined),
            messages: batch.map((f) => f.text).join('\n'),
          }),
        },
      ],
      jsonSchema: THREAD_JSON_SCHEMA,
      schema: threadOutputSchema,
    });
    const grounded = groundThreadOutput(out, p, (d) => keys.has(d.key), drops);
    progress({ phase: 'map', done: ++done, total: batches.length, message: `Summarized part ${done} of ${batches.length}` });
    return { ...grounded, first, last } satisfies PartialSummary;
  });
  logDrops(llm, 'summarize-thread', drops);

  const keyOf = (ref: SourceRef) => p.docs.find((d) => d.ref.id === ref.id)?.key ?? ref.id;
  const keyByTs = new Map(p.docs.map((d) => [d.ref.id, d.key]));
  const fastKeyOf = (ref: SourceRef) => keyByTs.get(ref.id) ?? keyOf(ref);
  let level = partials.filter((x) => partialCounts(x) > 0);
  if (level.length === 0) return null;
  const reduceSystem = system;
  const reduceOverhead = estimateTokens(system) + estimateTokens(llm.prompts.summarizeThreadReduce.render({ thread: threadLine(p), partials: '' })) + 50;
  const reduceBudget = Math.max(400, budget - reduceOverhead);
  let round = 0;
  let calls = batches.length;
  while (level.length > 1) {
    round++;
    const items = level.map((x, i) => ({
      part: x,
      text: fenceElement('partial', { id: `B${i + 1}`, messages: `M${x.first + 1}-M${x.last + 1}` }, toModelJson(x, fastKeyOf)),
    }));
    const groups = batchByTokens(items, (it) => estimateTokens(it.text) + 1, reduceBudget);
    // A round that cannot shrink the list (each partial alone fills a call), a deep tree, or the
    // call budget (SUMMARY_MAX_MODEL_CALLS) running out ends in a plain merge.
    if (groups.length === level.length || round > 4 || calls + groups.filter((g) => g.length > 1).length > llm.config.summary.maxModelCalls) {
      level = [concatPartials(level)];
      break;
    }
    const reduceDrops: GroundDrop[] = [];
    let reduced = 0;
    progress({ phase: 'reduce', done: 0, total: groups.length, message: 'Merging the partial summaries' });
    level = await mapLimited(groups, MAP_CONCURRENCY, async (group) => {
      const parts = group.map((g) => g.part);
      if (parts.length === 1) return parts[0]!;
      calls++;
      const first = parts[0]!.first;
      const last = parts[parts.length - 1]!.last;
      const out = await callModel(llm, {
        purpose: 'summarize-thread-reduce',
        messages: [
          { role: 'system', content: reduceSystem },
          { role: 'user', content: llm.prompts.summarizeThreadReduce.render({ thread: threadLine(p, `messages M${first + 1} to M${last + 1}`), partials: group.map((g) => g.text).join('\n') }) },
        ],
        jsonSchema: THREAD_JSON_SCHEMA,
        schema: threadOutputSchema,
      });
      const inRange = (d: SourceDoc) => {
        const n = Number(d.key.slice(1)) - 1;
        return n >= first && n <= last;
      };
      const grounded = groundThreadOutput(out, p, inRange, reduceDrops);
      progress({ phase: 'reduce', done: ++reduced, total: groups.length, message: 'Merging the partial summaries' });
      // A merge that lost everything is no merge: keep what the partials had.
      return partialCounts(grounded) > 0 ? { ...grounded, first, last } : concatPartials(parts);
    });
    logDrops(llm, 'summarize-thread-reduce', reduceDrops);
  }
  const final = level[0]!;
  const s = baseSummary(p, 'llm', shareable);
  s.overview = final.overview;
  s.positions = final.positions;
  s.agreements = final.agreements;
  s.disagreements = final.disagreements;
  s.openQuestions = final.openQuestions;
  s.actionItems = final.actionItems;
  s.themes = extractiveThemes(p);
  if (clipped > 0) s.notes.push(`${clipped} very long message${clipped === 1 ? ' was' : 's were'} shortened before being sent to the model.`);
  return s;
}

// ---------------------------------------------------------------------------------------
// Extractive mode

/** "We support ...", "our concern is ...": sentences that state where someone stands. */
const STANCE = /\b(?:we|i)\s+(?:strongly\s+|would\s+|do\s+not\s+|don'?t\s+|cannot\s+|can'?t\s+)?(?:support|oppose|recommend|urge|propose|prefer|object|favou?r|endorse|agree|disagree|believe|request|suggest|want|need)\b|\bour\s+(?:position|view|concern|recommendation|members|priority)\b|\b(?:concern(?:ed)?|important|critical|essential|must|should)\b/i;
const AGREE = /\b(?:i|we)\s+(?:fully\s+|also\s+|completely\s+|strongly\s+|would\s+)?(?:agree|concur|support\s+(?:this|that|the|your|their))\b|\+1\b|\bsame here\b|\bgood point\b|\bmakes sense\b|\bseconded\b|^agreed\b|\bin agreement\b|\bwe(?:'re| are) aligned\b/i;
const DISAGREE =
  /\b(?:i|we)\s+(?:strongly\s+|respectfully\s+)?(?:disagree|object|oppose)\b|\b(?:don'?t|do not|can'?t|cannot|would not|wouldn'?t)\s+(?:agree|support|accept)\b|\bnot convinced\b|\bpush(?:ing)? back\b|\bconcerned (?:that|about)\b|\bi(?:'m| am) not sure\b|\bon the contrary\b|\bwe see it differently\b|\bI see it differently\b/i;
const ACTION =
  /\b(?:i'?ll|i will|we'?ll|we will|i can|let me)\s+(?:\w+\s+){0,2}?(?:send|share|draft|circulate|follow|update|review|prepare|schedule|set up|write|check|confirm|loop|reach out|look into|put together|get back|compile|coordinate)\b|\baction(?: item)?s?:|\bnext steps?\b|\bto-?do\b|\b(?:can|could|would) you\s+(?:please\s+)?(?:send|share|draft|circulate|follow|update|review|prepare|schedule|set up|write|check|confirm|look|put together|get|compile|coordinate)\b|\bplease\s+(?:send|share|draft|circulate|update|review|confirm|prepare)\b|\bby (?:monday|tuesday|wednesday|thursday|friday|eod|cob|end of (?:day|week|month)|next week)\b/i;

const SMALL_TALK = /^(?:thanks|thank you|hi|hello|hey|noted|ok|okay|sounds good|joining late)\b/i;

/** Who an action item names: "@Priya can you ...", "Action: Priya to ...", or the speaker for "I'll ...". */
export function actionOwner(sentence: string, author: string): string | undefined {
  const mention = /@([A-Z][\w.'-]*(?:\s+[A-Z][\w.'-]*)?)[,:]?\s+(?:can|could|would|will|please|to)\b/.exec(sentence);
  if (mention) return mention[1];
  const labelled = /\b(?:[Aa]ction(?: [Ii]tem)?|[Oo]wner|[Aa]ssigned to)\s*:\s*@?([A-Z][\w.'-]*(?:\s+[A-Z][\w.'-]*)?)/.exec(sentence);
  if (labelled) return labelled[1];
  const named = /^@?([A-Z][\w.'-]+(?:\s+[A-Z][\w.'-]+)?)\s+(?:to|will)\s+(?:send|share|draft|circulate|follow|update|review|prepare|schedule|set|write|check|confirm|compile|coordinate)\b/.exec(sentence);
  if (named && !/^(?:We|I|You|They|It|This|That|Please)$/.test(named[1]!)) return named[1];
  if (/\b(?:i'?ll|i will|i can|let me)\b/i.test(sentence)) return author;
  return undefined;
}

type ThreadSentence = SentenceUnit & { author: string };

/** Words of participants' names: they say who spoke, not what about. */
function nameWords(p: Prepared): Set<string> {
  const out = new Set<string>();
  for (const m of p.kept) for (const w of m.userName.toLowerCase().split(/[^a-z0-9]+/)) if (w.length > 1) out.add(w);
  return out;
}

function threadSentences(p: Prepared, names: ReadonlySet<string>): ThreadSentence[] {
  return p.kept.flatMap((m, i) => sentencesOf(m.text, i, names).map((s) => ({ ...s, author: m.userName })));
}

function pointOf(p: Prepared, s: { text: string; source: number }, extra: { owner?: string } = {}): SummaryPoint | null {
  const doc = p.docs[s.source]!;
  const raw: RawPoint = { text: s.text, sources: [doc.key], quotes: [{ source: doc.key, quote: s.text }], ...extra };
  return groundPoint(raw, p.index, []);
}

const inOrder = <T extends { source: number; position: number }>(xs: T[]) => [...xs].sort((a, b) => a.source - b.source || a.position - b.position);
const isQuestion = (s: { text: string }) => /\?["')\]]*$/.test(s.text);

function extractiveThread(p: Prepared, shareable: boolean): Summary {
  const s = baseSummary(p, 'extractive', shareable);
  const names = nameWords(p);
  const sentences = threadSentences(p, names);
  const probabilities = wordProbabilities(sentences.map((x) => x.stems));
  const n = p.kept.length;
  const points = (xs: ThreadSentence[], owner?: (x: ThreadSentence) => string | undefined) =>
    xs.map((x) => pointOf(p, x, owner?.(x) ? { owner: owner(x)! } : {})).filter((x): x is SummaryPoint => x !== null);

  const overviewCount = n < 10 ? 2 : n < 60 ? 3 : 5;
  s.overview = points(inOrder(sumBasic(sentences, overviewCount, { probabilities, distinct: true, boost: (x) => (isQuestion(x) ? 0.4 : 1) })));

  // Positions: the most active participants first, each with what they most clearly argued.
  const byAuthor = new Map<string, ThreadSentence[]>();
  for (const x of sentences) byAuthor.set(x.author, [...(byAuthor.get(x.author) ?? []), x]);
  const activity = new Map<string, number>();
  for (const m of p.kept) activity.set(m.userName, (activity.get(m.userName) ?? 0) + 1);
  const authors = [...byAuthor.keys()].sort((a, b) => activity.get(b)! - activity.get(a)! || a.localeCompare(b)).slice(0, 10);
  for (const author of authors) {
    const chosen = sumBasic(byAuthor.get(author)!, 2, {
      probabilities,
      distinct: true,
      boost: (x) => (isQuestion(x) || SMALL_TALK.test(x.text) ? 0.3 : STANCE.test(x.text) ? 1.6 : 1),
    });
    const ps = points(inOrder(chosen));
    if (ps.length === 0) continue;
    const org = p.kept.find((m) => m.userName === author)?.organization;
    s.positions.push({ participant: author, ...(org ? { organization: org } : {}), points: ps });
  }

  const substantive = sentences.filter((x) => x.stems.length >= 3);
  s.agreements = points(inOrder(sumBasic(substantive.filter((x) => AGREE.test(x.text) && !isQuestion(x)), 4, { probabilities, distinct: true })));
  s.disagreements = points(inOrder(sumBasic(substantive.filter((x) => DISAGREE.test(x.text) && !isQuestion(x)), 4, { probabilities, distinct: true })));

  // Open questions: asked and not taken up by a later message from someone else (one that
  // shares three of the question's words, or half of them).
  const messageStems = p.kept.map((m) => new Set(stems(m.text, names)));
  const answered = (q: ThreadSentence) => {
    const unique = [...new Set(q.stems)];
    for (let i = q.source + 1; i < p.kept.length; i++) {
      if (p.kept[i]!.userName === q.author) continue;
      const shared = unique.filter((w) => messageStems[i]!.has(w)).length;
      if (shared >= 3 || (shared >= 2 && shared / unique.length >= 0.5)) return true;
    }
    return false;
  };
  // Requests ("can you draft ...?") are action items, not open questions.
  const questions = substantive.filter((x) => isQuestion(x) && !ACTION.test(x.text));
  const open = questions.filter((q) => !answered(q));
  s.openQuestions = points(inOrder(sumBasic(open, 5, { probabilities, distinct: true })));

  const actions = substantive.filter((x) => ACTION.test(x.text) && (!isQuestion(x) || /\b(?:can|could|would) you\b/i.test(x.text)));
  s.actionItems = points(inOrder(sumBasic(actions, 6, { probabilities, distinct: true })), (x) => actionOwner(x.text, x.author));
  s.themes = extractiveThemes(p);
  return s;
}

/** Topics of the thread: messages grouped by shared keywords, each with its most central sentences as quotes. */
function extractiveThemes(p: Prepared): Theme[] {
  const n = p.kept.length;
  if (n < 20) return [];
  const names = nameWords(p);
  const surfaces = new SurfaceForms();
  const tokens = p.kept.map((m) => {
    const t = tokenize(m.text, names);
    surfaces.add(t);
    return t.map((x) => x.stem);
  });
  const { groups } = groupByKeywords(tokens, { maxGroups: 5, minSize: Math.max(2, Math.ceil(n * 0.05)) });
  return groups.map((g) => {
    const label = keywordLabel(g.keywords, surfaces);
    const central = g.members.slice(0, 12);
    const candidates = central
      .flatMap((i) => sentencesOf(p.kept[i]!.text, i, names))
      .filter((x) => x.stems.length >= 4 && !isQuestion(x) && mentionsKeywords(x.stems, g.keywords));
    const best = candidates
      .map((x) => ({ x, score: g.score(x.stems) * (x.text.length > 300 ? 0.6 : 1) }))
      .sort((a, b) => b.score - a.score || a.x.source - b.x.source || a.x.position - b.x.position);
    const quotes = [];
    const used = new Set<number>();
    const said = new Set<string>();
    for (const { x } of best) {
      if (quotes.length >= 2) break;
      // The same words from two people are one quote.
      if (used.has(x.source) || said.has(x.text.toLowerCase())) continue;
      const point = pointOf(p, x);
      if (!point || point.quotes.length === 0) continue;
      used.add(x.source);
      said.add(x.text.toLowerCase());
      quotes.push(point.quotes[0]!);
    }
    const byOrganization: Record<string, number> = {};
    for (const i of g.members) {
      const org = p.kept[i]!.organization ?? 'unknown';
      byOrganization[org] = (byOrganization[org] ?? 0) + 1;
    }
    return {
      title: label,
      summary: `${g.members.length} messages about ${keywordLabel(g.keywords, surfaces, 5)}.`,
      count: g.members.length,
      total: g.members.length,
      byOrganizationType: {},
      byTopic: {},
      byOrganization,
      quotes,
      sources: central.slice(0, 8).map((i) => p.docs[i]!.ref),
      campaigns: [],
    } satisfies Theme;
  });
}
