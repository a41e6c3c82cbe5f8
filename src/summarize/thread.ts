import { z } from 'zod';
import { LlmFailure, logLlmFailure, type LlmContext } from '../answer/llm.ts';
import { fenceElement, type Prompts } from '../answer/prompts.ts';
import type { Config } from '../config.ts';
import { newReferenceId } from '../errors.ts';
import type { Logger } from '../log.ts';
import { readAttachments, type FileFetcher } from './attachments.ts';
import { batchByTokens, clipToTokens, estimateTokens, mapLimited } from './batch.ts';
import { groundPoint, groundPoints, toRawPoint, type GroundDrop, type SourceDoc } from './ground.ts';
import { callModel, logDrops, THREAD_JSON_SCHEMA, threadOutputSchema, type ThreadOutput } from './llm.ts';
import { dueIn } from './actions.ts';
import { logVerifyDrops, verifySections, type VerifyDrop } from './llm-verify.ts';
import { analysisSections } from './sections.ts';
import { extractiveThemes, extractiveThread } from './thread-extractive.ts';
import { baseSummary, prepare, type Prepared } from './thread-prepare.ts';
import type { Position, ProgressFn, SourceRef, Summary, SummaryPoint } from './types.ts';

/**
 * Thread summaries. Input: a thread's messages in order (from Slack's conversations.replies or a
 * JSON export of it). LLM mode maps token-bounded batches of messages to partial summaries and
 * reduces them to one; extractive mode selects sentences. Both return the shared Summary, every
 * point linked to the messages it draws on.
 */

export const threadFileSchema = z.object({
  name: z.string(),
  title: z.string().optional(),
  permalink: z.string().optional(),
  id: z.string().optional(),
  mimetype: z.string().optional(),
  /** url_private_download (or url_private): read with the bot token. */
  url: z.string().optional(),
  /** An export's copy of the file on disk (absolute, or relative to the export). */
  localPath: z.string().optional(),
});
export type ThreadFile = z.infer<typeof threadFileSchema>;

/** A reaction on a message: its Slack name ("+1", "white_check_mark") and who gave it. */
export const threadReactionSchema = z.object({ name: z.string(), users: z.array(z.string()) });

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
  /** Users the message mentions (<@U…>), in order, with their names. */
  mentions: z.array(z.object({ id: z.string(), name: z.string() })).optional(),
  reactions: z.array(threadReactionSchema).optional(),
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
  /** Reads attached files (Slack's files API with the bot token, an export's copies); without it files are named, not read. */
  files?: FileFetcher;
  onProgress?: ProgressFn;
  shareable?: boolean;
}

export const THREAD_LLM_UNAVAILABLE_NOTE = 'The language model was unavailable, so this summary quotes the messages directly.';
export const THREAD_UNVERIFIED_NOTE = "The model's summary was withheld because none of its points could be traced to the messages, so this summary quotes them directly.";

/** Map calls in flight at once: fast on a hosted API, gentle on a local server. */
const MAP_CONCURRENCY = 3;


export async function summarizeThread(ctx: SummarizerContext, input: ThreadInput, options: ThreadSummaryOptions = {}): Promise<Summary> {
  const p = prepare(input, options.files ? await readAttachments(input.messages, options.files) : []);
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
  decisions: SummaryPoint[];
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

/** The thread analysis of one message, as attributes the model reads beside its text. */
function analysisAttributes(p: Prepared, i: number): Record<string, string> {
  const a = p.analysis;
  const m = a.messages[i]!;
  const key = (j: number) => a.messages[j]!.key;
  const out: Record<string, string> = {};
  if (m.replyTo !== undefined) out.replies_to = key(m.replyTo);
  if (m.mentions.length) out.mentions = m.mentions.map((x) => x.name).join(', ');
  if (m.stance) out.stance = `${m.stance.stance === 'assent' ? 'agrees with' : 'pushes back on'} ${key(m.stance.target)}`;
  const r = [...m.reactions.assent.map((x) => `agreed by ${x.name}`), ...m.reactions.dissent.map((x) => `opposed by ${x.name}`)];
  if (r.length) out.reactions = r.join(', ');
  if (m.decision) out.decision = 'yes';
  else if (m.proposal) out.proposal = 'yes';
  const qs = a.questions.filter((q) => q.message === i);
  if (qs.length) out.questions = qs.map((q) => (q.open ? 'open' : `answered by ${q.answeredBy.map(key).join(' ')}`)).join('; ');
  return out;
}

function fenceMessage(p: Prepared, doc: SourceDoc, m: ThreadMessage, text: string, i: number): string {
  return fenceElement(
    'message',
    {
      id: doc.key,
      author: m.userName,
      organization: m.organization ?? 'unknown',
      time: isoTime(m.ts),
      edited: m.edited ? 'yes' : 'no',
      files: m.files.length ? m.files.map((f) => f.title ?? f.name).join(', ') : 'none',
      ...analysisAttributes(p, i),
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
    x.overview.length + x.positions.reduce((n, q) => n + q.points.length, 0) + x.agreements.length + x.disagreements.length + x.decisions.length + x.openQuestions.length + x.actionItems.length
  );
}

/**
 * Grounds one model reply: every point against the messages in `scope`; a position only keeps
 * points drawn from that participant's own messages; an owner is kept only when the cited
 * messages name them or were written by them.
 */
function groundThreadOutput(out: ThreadOutput, p: Prepared, scope: (doc: SourceDoc) => boolean, drops: GroundDrop[], verifyDrops: VerifyDrop[]): Omit<PartialSummary, 'first' | 'last'> {
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
    const due = raw.due?.trim();
    const at = p.analysis.messages.find((m) => m.ts === point.sources[0]?.id)?.date;
    const resolved = due ? dueIn(due, at) : undefined;
    actionItems.push(due ? { ...point, due: { ...resolved, text: due } } : point);
    if (actionItems.length >= 10) break;
  }
  const verified = verifySections(
    p,
    {
      agreements: groundPoints(out.agreements, p.index, drops, opts),
      disagreements: groundPoints(out.disagreements, p.index, drops, opts),
      decisions: groundPoints(out.decisions, p.index, drops, opts),
      openQuestions: groundPoints(out.openQuestions, p.index, drops, opts),
      actionItems,
    },
    verifyDrops,
  );
  return { overview: groundPoints(out.overview, p.index, drops, opts, 6), positions, ...verified };
}

/** An owner is believed when a cited message names them or was written by them. */
function toModelJson(x: Omit<PartialSummary, 'first' | 'last'>, keyOf: (ref: SourceRef) => string): string {
  const raw = (ps: SummaryPoint[]) => ps.map((q) => toRawPoint(q, keyOf));
  return JSON.stringify({
    overview: raw(x.overview),
    positions: x.positions.map((q) => ({ participant: q.participant, organization: q.organization ?? '', points: raw(q.points) })),
    agreements: raw(x.agreements),
    disagreements: raw(x.disagreements),
    decisions: raw(x.decisions),
    openQuestions: raw(x.openQuestions),
    actionItems: x.actionItems.map((q) => ({ ...toRawPoint(q, keyOf), owner: q.owner ?? '', due: q.due?.text ?? '' })),
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
    decisions: take((x) => x.decisions, 8),
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
    const clip = clipToTokens(m.text, Math.max(50, dataBudget - estimateTokens(fenceMessage(p, doc, m, '', i)) - 10));
    if (clip.clipped) clipped++;
    return { index: i, text: fenceMessage(p, doc, m, clip.text, i) };
  });
  const batches = batchByTokens(fenced, (f) => estimateTokens(f.text) + 1, dataBudget);
  const planned = batches.length + (batches.length > 1 ? Math.ceil(batches.length / 3) : 0);
  if (planned > llm.config.summary.maxModelCalls) {
    throw new OverBudget(
      `This thread would take about ${planned} model calls, more than the configured limit of ${llm.config.summary.maxModelCalls} (SUMMARY_MAX_MODEL_CALLS), so this summary quotes the messages directly.`,
    );
  }
  const drops: GroundDrop[] = [];
  const verifyDrops: VerifyDrop[] = [];
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
    const grounded = groundThreadOutput(out, p, (d) => keys.has(d.key), drops, verifyDrops);
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
      const grounded = groundThreadOutput(out, p, inRange, reduceDrops, verifyDrops);
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
  s.decisions = final.decisions;
  s.openQuestions = final.openQuestions;
  s.actionItems = final.actionItems;
  // Which questions were answered, and by whom, is the analysis's: the same in every mode.
  s.answeredQuestions = analysisSections(p).answeredQuestions;
  logVerifyDrops(llm, verifyDrops);
  s.themes = extractiveThemes(p);
  if (clipped > 0) s.notes.push(`${clipped} very long message${clipped === 1 ? ' was' : 's were'} shortened before being sent to the model.`);
  return s;
}
