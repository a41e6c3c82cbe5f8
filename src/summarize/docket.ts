import { logLlmFailure, type LlmContext } from '../answer/llm.ts';
import { fenceElement } from '../answer/prompts.ts';
import type { Actor } from '../comments/access.ts';
import { countDocket, readDocket, type DocketComment, type DocketFilter } from '../comments/docket-query.ts';
import { ORGANIZATION_TYPE_LABELS } from '../comments/schema.ts';
import type { CommentTopic } from '../config.ts';
import type { Db } from '../db/types.ts';
import { newReferenceId } from '../errors.ts';
import { redactPersonalData } from '../log.ts';
import { batchByTokens, clipToTokens, estimateTokens, mapLimited } from './batch.ts';
import { groundPoints, groundQuote, SourceIndex, type GroundDrop, type SourceDoc } from './ground.ts';
import { groupByKeywords, keywordLabel, lengthFactor, mentionsKeywords, sentencesOf, SurfaceForms, tokenize } from './lexical.ts';
import { callModel, DOCKET_MAP_JSON_SCHEMA, DOCKET_REDUCE_JSON_SCHEMA, docketMapOutputSchema, docketReduceOutputSchema, logDrops } from './llm.ts';
import { OverBudget, type SummarizerContext } from './thread.ts';
import { emptySummary, type CampaignCount, type DocketStats, type PositionCounts, type ProgressFn, type Quote, type SourceRef, type Summary, type SummaryPoint, type Theme } from './types.ts';

/**
 * Docket summaries: themes across the stakeholder comments in the store, with counts by
 * organization type and topic, representative verbatim quotes with tracking numbers, and every
 * mass-comment campaign counted once with its size. A shareable summary never quotes or cites a
 * comment whose submitter did not consent to publication; in LLM mode such comments are not even
 * sent to the model (they are counted in the totals).
 */

export const DOCKET_LLM_UNAVAILABLE_NOTE = 'The language model was unavailable, so this summary groups and quotes the comments directly.';
export const DOCKET_UNVERIFIED_NOTE = "The model's themes were withheld because none of them could be traced to the comments, so this summary groups and quotes them directly.";
export const OTHER_THEME_TITLE = 'Other comments';
export const NO_TOPIC_LABEL = 'No topic';

const MAP_CONCURRENCY = 3;
const MAX_THEMES = 12;
/** One comment's share of a model call: a long letter is summarized from its first pages. */
const MAX_COMMENT_TOKENS = 1500;
/** Sentences are looked for in the first part of a long comment, where its argument usually is. */
const QUOTE_SCAN_CHARS = 4000;

export interface DocketSummaryOptions extends DocketFilter {
  shareable?: boolean;
  extractiveOnly?: boolean;
  onProgress?: ProgressFn;
}

export interface DocketContext extends SummarizerContext {
  db: Db;
}

/** A distinct submission: a comment outside any campaign, or a whole campaign (counted once). */
interface Unit {
  members: DocketComment[];
  /** The comment quoted and cited for the unit; for a campaign, a consenting member when the summary is shareable. */
  rep: DocketComment;
  campaignId: string | null;
  citable: boolean;
}

interface Prepared {
  units: Unit[];
  docs: SourceDoc[];
  index: SourceIndex;
  stats: DocketStats;
  topics: readonly CommentTopic[];
  shareable: boolean;
  filter: DocketFilter;
  /** Tracking numbers that may never appear in this summary (no consent, shareable). */
  uncitable: Set<string>;
  /** A source's unit index. */
  unitOf: Map<SourceDoc, number>;
}

export function topicName(topics: readonly CommentTopic[], slug: string | null): string {
  if (slug === null) return NO_TOPIC_LABEL;
  return topics.find((t) => t.slug === slug)?.label ?? slug;
}

function commentLabel(c: DocketComment): string {
  const type = ORGANIZATION_TYPE_LABELS[c.organizationType] ?? c.organizationType;
  return c.organization && c.organizationType !== 'individual' ? `${type}: ${c.organization}` : type;
}

function prepare(comments: readonly DocketComment[], topics: readonly CommentTopic[], shareable: boolean, filter: DocketFilter): Prepared {
  const byCampaign = new Map<string, DocketComment[]>();
  const units: Unit[] = [];
  for (const c of comments) {
    if (c.campaignId) {
      const list = byCampaign.get(c.campaignId);
      if (list) list.push(c);
      else byCampaign.set(c.campaignId, [c]);
    }
  }
  const seenCampaign = new Set<string>();
  for (const c of comments) {
    if (!c.campaignId) {
      // One posted comment standing for identical copies (regulations.gov `Duplicate Comments`) is a campaign too.
      units.push({ members: [c], rep: c, campaignId: c.duplicateComments > 0 ? `copies-${c.trackingNumber}` : null, citable: !shareable || c.consentToPublish });
      continue;
    }
    if (seenCampaign.has(c.campaignId)) continue;
    seenCampaign.add(c.campaignId);
    const members = byCampaign.get(c.campaignId)!;
    const first = members.find((m) => m.campaignRepresentative) ?? members[0]!;
    // The campaign's words are the same in every copy: quote one whose author consented.
    const rep = shareable && !first.consentToPublish ? (members.find((m) => m.consentToPublish) ?? first) : first;
    const copies = members.length > 1 || members.some((m) => m.duplicateComments > 0);
    units.push({ members, rep, campaignId: copies ? c.campaignId : null, citable: !shareable || rep.consentToPublish });
  }
  const docs: SourceDoc[] = units.map((u) => ({
    key: u.rep.trackingNumber,
    text: u.rep.text,
    ref: { kind: 'comment', id: u.rep.trackingNumber, label: commentLabel(u.rep) },
    citable: u.citable,
  }));
  const byOrganizationType: Record<string, number> = {};
  const byTopic: Record<string, number> = {};
  const byOrganizationLabel: Record<string, number> = {};
  const positionsByOrganizationLabel: Record<string, Record<string, number>> = {};
  for (const u of units) {
    byOrganizationType[u.rep.organizationType] = (byOrganizationType[u.rep.organizationType] ?? 0) + 1;
    const t = topicName(topics, u.rep.topic);
    byTopic[t] = (byTopic[t] ?? 0) + 1;
    const label = u.rep.organizationLabel ?? NO_LABEL;
    byOrganizationLabel[label] = (byOrganizationLabel[label] ?? 0) + 1;
    const pos = (positionsByOrganizationLabel[label] ??= {});
    const p = u.rep.position ?? NOT_READ;
    pos[p] = (pos[p] ?? 0) + 1;
  }
  const campaigns = units.filter((u) => u.campaignId);
  const uncitable = new Set<string>();
  if (shareable) for (const c of comments) if (!c.consentToPublish) uncitable.add(c.trackingNumber);
  return {
    units,
    docs,
    index: new SourceIndex(docs),
    topics,
    shareable,
    filter,
    uncitable,
    unitOf: new Map(docs.map((d, i) => [d, i])),
    stats: {
      comments: comments.length,
      distinct: units.length,
      campaigns: campaigns.length,
      campaignComments: campaigns.reduce((n, u) => n + u.members.length, 0),
      byOrganizationType,
      byTopic,
      withoutConsent: comments.filter((c) => !c.consentToPublish).length,
      byOrganizationLabel,
      byPosition: positionCounts(units),
      positionsByOrganizationLabel,
    },
  };
}

/** The filter's topic as people read it: its label, or "comments without a topic". */
function filterTopicLabel(filter: DocketFilter, topics: readonly CommentTopic[]): string | null {
  if (!filter.topic) return null;
  const v = filter.topic.trim().toLowerCase();
  if (v === 'none') return 'comments without a topic';
  return topics.find((t) => t.slug === v || t.label.toLowerCase() === v)?.label ?? filter.topic;
}

function docketTitle(filter: DocketFilter, topics: readonly CommentTopic[]): string {
  const topic = filterTopicLabel(filter, topics);
  return `Docket summary${topic ? `: ${topic}` : ''}${filter.since ? `, since ${filter.since}` : ''}`;
}

function baseSummary(p: Prepared, mode: Summary['mode']): Summary {
  const s = emptySummary('docket', mode, docketTitle(p.filter, p.topics));
  s.shareable = p.shareable;
  s.stats.docket = p.stats;
  s.scope = { ...(p.filter.topic ? { topic: p.filter.topic } : {}), ...(p.filter.since ? { since: p.filter.since } : {}) };
  s.campaigns = p.units
    .filter((u) => u.campaignId)
    .map((u) => campaignCount(u))
    .sort((a, b) => b.size - a.size || a.campaignId.localeCompare(b.campaignId));
  return s;
}

/** Members plus the copies regulations.gov counted behind them. */
const unitSize = (u: Unit) => u.members.reduce((n, m) => n + 1 + (m.duplicateComments ?? 0), 0);

const NO_LABEL = '(no label)';
const NOT_READ = 'not read';

/** Positions of distinct submissions (a campaign once), each with the first citable verbatim sentence. */
function positionCounts(units: readonly Unit[]): PositionCounts {
  const out: PositionCounts = {};
  for (const u of units) {
    const p = u.rep.position ?? NOT_READ;
    const entry = (out[p] ??= { count: 0 });
    entry.count++;
    if (!entry.quote && u.citable && u.rep.positionQuote) {
      entry.quote = { text: u.rep.positionQuote, source: { kind: 'comment', id: u.rep.trackingNumber, label: commentLabel(u.rep) } };
    }
  }
  return out;
}

function campaignCount(u: Unit): CampaignCount {
  const size = unitSize(u);
  return {
    campaignId: u.campaignId!,
    size,
    ...(size !== u.members.length ? { stored: u.members.length } : {}),
    ...(u.citable ? { representative: { kind: 'comment', id: u.rep.trackingNumber, label: commentLabel(u.rep) } satisfies SourceRef } : {}),
  };
}

/** A theme's counts, computed from its members: never taken from a model. */
function themeOf(p: Prepared, members: readonly number[], title: string, summary: string, quotes: Quote[]): Theme {
  const byOrganizationType: Record<string, number> = {};
  const byTopic: Record<string, number> = {};
  const byOrganizationLabel: Record<string, number> = {};
  let total = 0;
  const campaigns: CampaignCount[] = [];
  for (const i of members) {
    const u = p.units[i]!;
    byOrganizationType[u.rep.organizationType] = (byOrganizationType[u.rep.organizationType] ?? 0) + 1;
    const t = topicName(p.topics, u.rep.topic);
    byTopic[t] = (byTopic[t] ?? 0) + 1;
    total += unitSize(u);
    const label = u.rep.organizationLabel ?? NO_LABEL;
    byOrganizationLabel[label] = (byOrganizationLabel[label] ?? 0) + 1;
    if (u.campaignId) campaigns.push(campaignCount(u));
  }
  campaigns.sort((a, b) => b.size - a.size || a.campaignId.localeCompare(b.campaignId));
  return {
    title,
    summary,
    count: members.length,
    total,
    byOrganizationType,
    byTopic,
    byOrganizationLabel,
    byPosition: positionCounts(members.map((i) => p.units[i]!)),
    quotes,
    sources: members
      .filter((i) => p.units[i]!.citable)
      .slice(0, 10)
      .map((i) => p.docs[i]!.ref),
    campaigns,
  };
}

/**
 * The last word on a shareable summary: whatever path built it, no quote, source or campaign
 * representative may name a comment without consent to publish. Points left without a source go.
 */
export function enforceShareable(s: Summary, uncitable: ReadonlySet<string>): Summary {
  if (!s.shareable || uncitable.size === 0) return s;
  const ok = (r: SourceRef) => !(r.kind === 'comment' && uncitable.has(r.id));
  const cleanPoint = (p: SummaryPoint): SummaryPoint | null => {
    const sources = p.sources.filter(ok);
    return sources.length ? { ...p, sources, quotes: p.quotes.filter((q) => ok(q.source)) } : null;
  };
  const cleanPoints = (ps: SummaryPoint[]) => ps.map(cleanPoint).filter((p): p is SummaryPoint => p !== null);
  const cleanCampaign = (c: CampaignCount): CampaignCount => (c.representative && !ok(c.representative) ? { campaignId: c.campaignId, size: c.size } : c);
  return {
    ...s,
    overview: cleanPoints(s.overview),
    positions: s.positions.map((x) => ({ ...x, points: cleanPoints(x.points) })).filter((x) => x.points.length > 0),
    agreements: cleanPoints(s.agreements),
    disagreements: cleanPoints(s.disagreements),
    openQuestions: cleanPoints(s.openQuestions),
    actionItems: cleanPoints(s.actionItems),
    themes: s.themes.map((t) => ({ ...t, quotes: t.quotes.filter((q) => ok(q.source)), sources: t.sources.filter(ok), campaigns: t.campaigns.map(cleanCampaign) })),
    campaigns: s.campaigns.map(cleanCampaign),
  };
}

// ---------------------------------------------------------------------------------------
// Entry points

/** A docket summary from the comment store. Staff only (the read checks it). */
export async function summarizeDocket(ctx: DocketContext, actor: Actor, options: DocketSummaryOptions = {}): Promise<Summary> {
  const progress = options.onProgress ?? (() => undefined);
  const filter: DocketFilter = { ...(options.topic ? { topic: options.topic } : {}), ...(options.since ? { since: options.since } : {}) };
  const deps = { db: ctx.db, config: ctx.config, logger: ctx.logger };
  const total = await countDocket(deps, actor, filter);
  const comments: DocketComment[] = [];
  progress({ phase: 'read', done: 0, total, message: 'Reading comments' });
  for await (const page of readDocket(deps, actor, filter)) {
    comments.push(...page);
    progress({ phase: 'read', done: comments.length, total, message: 'Reading comments' });
  }
  return summarizeDocketComments(ctx, comments, { ...options, ...filter });
}

/** A docket summary over comments already read (tests and benchmarks call this directly). */
export async function summarizeDocketComments(ctx: SummarizerContext, comments: readonly DocketComment[], options: DocketSummaryOptions = {}): Promise<Summary> {
  const progress = options.onProgress ?? (() => undefined);
  const filter: DocketFilter = { ...(options.topic ? { topic: options.topic } : {}), ...(options.since ? { since: options.since } : {}) };
  const p = prepare(comments, ctx.config.comments.topics, options.shareable ?? false, filter);
  const finish = (s: Summary) => {
    if (p.shareable && p.stats.withoutConsent > 0) {
      s.notes.push(
        `${p.stats.withoutConsent.toLocaleString('en-US')} comment${p.stats.withoutConsent === 1 ? '' : 's'} without consent to publish ${p.stats.withoutConsent === 1 ? 'is' : 'are'} counted in the totals but never quoted or cited here${s.mode === 'llm' ? ', and were not sent to the model' : ''}.`,
      );
    }
    progress({ phase: 'done', done: p.units.length, total: p.units.length, message: 'Done' });
    return enforceShareable(s, p.uncitable);
  };
  if (p.units.length === 0) {
    const s = baseSummary(p, 'extractive');
    s.notes.push('No comments match.');
    return finish(s);
  }
  if (!ctx.config.openai.enabled || options.extractiveOnly) return finish(extractiveDocket(p, progress));
  const llm: LlmContext = { ...ctx, ref: newReferenceId() };
  try {
    const s = await llmDocket(llm, p, progress);
    if (s) return finish(s);
    const fallback = extractiveDocket(p, progress);
    fallback.notes.unshift(`${DOCKET_UNVERIFIED_NOTE} (reference ${llm.ref})`);
    return finish(fallback);
  } catch (err) {
    const fallback = extractiveDocket(p, progress);
    if (err instanceof OverBudget) fallback.notes.unshift(err.message);
    else {
      logLlmFailure(llm, 'summarize-docket', err);
      fallback.notes.unshift(`${DOCKET_LLM_UNAVAILABLE_NOTE} (reference ${llm.ref})`);
    }
    return finish(fallback);
  }
}

// ---------------------------------------------------------------------------------------
// Extractive mode

const hasPersonalData = (s: string) => redactPersonalData(s) !== s;

function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  let inter = 0;
  for (const x of a) if (b.has(x)) inter++;
  return inter / Math.max(1, a.size + b.size - inter);
}

/** Up to `n` quotes for a group: its most central comments' best sentences, one per comment, varied by organization type. */
function themeQuotes(p: Prepared, members: readonly number[], score: (stems: readonly string[]) => number, keywords: readonly string[], n = 3): Quote[] {
  const candidates: Array<{ unit: number; text: string; score: number; stems: Set<string> }> = [];
  for (const i of members.slice(0, 30)) {
    if (!p.units[i]!.citable) continue;
    const text = p.docs[i]!.text;
    let best: { text: string; score: number; stems: Set<string> } | null = null;
    for (const s of sentencesOf(text.slice(0, QUOTE_SCAN_CHARS), i)) {
      if (s.stems.length < 5 || /\?["')\]]*$/.test(s.text) || s.text.length > 400 || hasPersonalData(s.text) || !mentionsKeywords(s.stems, keywords)) continue;
      const sc = score(s.stems) * lengthFactor(s.stems.length, s.text.length);
      if (!best || sc > best.score) best = { text: s.text, score: sc, stems: new Set(s.stems) };
    }
    if (best) candidates.push({ unit: i, ...best });
  }
  candidates.sort((a, b) => b.score - a.score || a.unit - b.unit);
  const chosen: typeof candidates = [];
  const said = new Set<string>();
  const types = new Set<string>();
  // First pass: one per organization type; second: the best of the rest.
  for (const pass of [0, 1]) {
    for (const c of candidates) {
      if (chosen.length >= n) break;
      const type = p.units[c.unit]!.rep.organizationType;
      const key = c.text.toLowerCase();
      // Three wordings of one sentence are one quote: prefer different things said.
      const echoes = chosen.some((x) => jaccard(x.stems, c.stems) >= 0.6);
      if (said.has(key) || echoes || chosen.includes(c) || (pass === 0 && types.has(type))) continue;
      chosen.push(c);
      said.add(key);
      types.add(type);
    }
  }
  const quotes: Quote[] = [];
  for (const c of chosen) {
    const g = groundQuote({ source: p.docs[c.unit]!.key, quote: c.text }, p.index, { rejectPersonalData: true });
    if (!('reason' in g)) quotes.push(g.quote);
  }
  return quotes;
}

function extractiveDocket(p: Prepared, progress: ProgressFn): Summary {
  const s = baseSummary(p, 'extractive');
  progress({ phase: 'select', done: 0, total: p.units.length, message: 'Grouping comments by shared keywords' });
  const surfaces = new SurfaceForms();
  const tokens = p.docs.map((d) => {
    const t = tokenize(d.text.slice(0, 20_000));
    surfaces.add(t);
    return t.map((x) => x.stem);
  });
  const n = p.units.length;
  const { groups, ungrouped } = groupByKeywords(tokens, { maxGroups: n < 30 ? 4 : 8, minSize: Math.max(2, Math.ceil(n * 0.01)) });
  for (const g of groups) {
    const label = keywordLabel(g.keywords, surfaces);
    const theme = themeOf(p, g.members, label.charAt(0).toUpperCase() + label.slice(1), `Comments that mention ${keywordLabel(g.keywords, surfaces, 5)}.`, themeQuotes(p, g.members, g.score, g.keywords));
    s.themes.push(theme);
  }
  if (ungrouped.length > 0) s.themes.push(themeOf(p, ungrouped, OTHER_THEME_TITLE, 'Comments that share no theme’s keywords.', []));
  s.themes.sort((a, b) => (a.title === OTHER_THEME_TITLE ? 1 : 0) - (b.title === OTHER_THEME_TITLE ? 1 : 0) || b.count - a.count);
  s.overview = overviewFromThemes(s.themes);
  progress({ phase: 'select', done: n, total: n, message: 'Grouped' });
  return s;
}

/** The largest themes' lead quotes, as the overview of an extractive summary (or a model's that wrote none). */
function overviewFromThemes(themes: readonly Theme[]): SummaryPoint[] {
  return themes
    .filter((t) => t.title !== OTHER_THEME_TITLE && t.quotes.length > 0)
    .slice(0, 3)
    .map((t) => ({ text: t.quotes[0]!.text, sources: [t.quotes[0]!.source], quotes: [t.quotes[0]!] }));
}

// ---------------------------------------------------------------------------------------
// LLM mode

interface PartialTheme {
  title: string;
  summary: string;
  members: number[];
  quotes: Quote[];
}

function docketLine(p: Prepared, part?: string): string {
  const topic = filterTopicLabel(p.filter, p.topics);
  const scope = [topic ? `topic: ${topic}` : 'all topics', p.filter.since ? `received since ${p.filter.since}` : ''].filter(Boolean).join(', ');
  return `Public comments on U.S. conventional arms transfer policy (${scope}): ${p.stats.distinct} distinct submissions${part ? `; ${part}` : ''}.`;
}

function fenceComment(p: Prepared, i: number, text: string): string {
  const u = p.units[i]!;
  return fenceElement('comment', { id: p.docs[i]!.key, organization_type: u.rep.organizationType, topic: topicName(p.topics, u.rep.topic), campaign_size: String(u.members.length) }, text);
}

function fenceTheme(t: PartialTheme, id: string): string {
  const quotes = t.quotes.map((q) => `- "${q.text.replace(/\s+/g, ' ')}" (${q.source.id})`).join('\n');
  return fenceElement('theme', { id, submissions: String(t.members.length) }, `${t.title}\n${t.summary}${quotes ? `\nquotes:\n${quotes}` : ''}`);
}

async function llmDocket(llm: LlmContext, p: Prepared, progress: ProgressFn): Promise<Summary | null> {
  const budget = llm.config.summary.batchTokens;
  const system = llm.prompts.summarizeDocketSystem.render({});
  const longest = docketLine(p, `batch ${p.units.length} of ${p.units.length}`);
  const overhead = estimateTokens(system) + estimateTokens(llm.prompts.summarizeDocket.render({ docket: longest, comments: '' })) + 20;
  const dataBudget = Math.max(200, budget - overhead);
  // A shareable summary sends only what may be quoted; the rest is counted, not read.
  const sendable = p.units.map((_, i) => i).filter((i) => !p.shareable || p.units[i]!.citable);
  if (sendable.length === 0) return null;
  let clipped = 0;
  const fenced = sendable.map((i) => {
    const room = Math.min(MAX_COMMENT_TOKENS, dataBudget - estimateTokens(fenceComment(p, i, '')) - 10);
    const clip = clipToTokens(p.docs[i]!.text, Math.max(50, room));
    if (clip.clipped) clipped++;
    return { unit: i, text: fenceComment(p, i, clip.text) };
  });
  const batches = batchByTokens(fenced, (f) => estimateTokens(f.text) + 1, dataBudget);
  const planned = batches.length + Math.ceil(batches.length / 3) + 1;
  if (planned > llm.config.summary.maxModelCalls) {
    throw new OverBudget(
      `This docket would take about ${planned} model calls, more than the configured limit of ${llm.config.summary.maxModelCalls} (SUMMARY_MAX_MODEL_CALLS), so this summary groups and quotes the comments directly.`,
    );
  }
  const drops: GroundDrop[] = [];
  let done = 0;
  let calls = batches.length;
  progress({ phase: 'map', done: 0, total: batches.length, message: `Reading ${sendable.length} submissions` });
  const mapped = await mapLimited(batches, MAP_CONCURRENCY, async (batch, b) => {
    const inBatch = new Set(batch.map((f) => f.unit));
    const keys = new Map(batch.map((f) => [p.docs[f.unit]!.key, f.unit]));
    const out = await callModel(llm, {
      purpose: 'summarize-docket',
      messages: [
        { role: 'system', content: system },
        { role: 'user', content: llm.prompts.summarizeDocket.render({ docket: docketLine(p, batches.length > 1 ? `batch ${b + 1} of ${batches.length}` : undefined), comments: batch.map((f) => f.text).join('\n') }) },
      ],
      jsonSchema: DOCKET_MAP_JSON_SCHEMA,
      schema: docketMapOutputSchema,
    });
    const assigned = new Set<number>();
    const themes: PartialTheme[] = [];
    for (const t of out.themes) {
      const members: number[] = [];
      for (const id of t.comments) {
        const doc = p.index.resolve(id);
        const unit = doc ? keys.get(doc.key) : undefined;
        if (unit === undefined) {
          drops.push({ reason: doc ? 'out_of_scope' : 'unknown_source', source: id });
          continue;
        }
        if (assigned.has(unit)) continue;
        assigned.add(unit);
        members.push(unit);
      }
      const quotes = groundQuotes(t.quotes, p, (d) => inBatch.has(p.unitOf.get(d)!) && members.includes(p.unitOf.get(d)!), drops);
      if (members.length > 0 && t.title.trim()) themes.push({ title: t.title.trim(), summary: t.summary.trim(), members, quotes });
    }
    const unassigned = batch.map((f) => f.unit).filter((u) => !assigned.has(u));
    progress({ phase: 'map', done: ++done, total: batches.length, message: `Read batch ${done} of ${batches.length}` });
    return { themes, unassigned };
  });
  logDrops(llm, 'summarize-docket', drops);
  let themes = mapped.flatMap((m) => m.themes);
  const unassigned = mapped.flatMap((m) => m.unassigned);
  if (themes.length === 0) return null;

  // Reduce: merge themes until one call holds them all, then merge once more with the overview.
  const reduceSystem = system;
  const reduceOverhead = estimateTokens(system) + estimateTokens(llm.prompts.summarizeDocketReduce.render({ docket: docketLine(p), themes: '' })) + 20;
  const reduceBudget = Math.max(400, budget - reduceOverhead);
  const reduceDrops: GroundDrop[] = [];
  const other: number[] = [...unassigned];
  let overview: SummaryPoint[] = [];
  for (let round = 0; ; round++) {
    const rendered = themes.map((t, i) => ({ theme: t, text: fenceTheme(t, `T${i + 1}`) }));
    const groups = batchByTokens(rendered, (r) => estimateTokens(r.text) + 1, reduceBudget);
    const final = groups.length === 1;
    // Out of rounds or out of model calls (SUMMARY_MAX_MODEL_CALLS): stop merging, keep the largest themes.
    const overCalls = calls + groups.length > llm.config.summary.maxModelCalls;
    if (overCalls && final) break;
    if (!final && (groups.length === themes.length || round > 4 || overCalls)) {
      // Themes too big to merge further: keep the largest that fit one call, the rest go to "Other".
      themes.sort((a, b) => b.members.length - a.members.length);
      const keep = batchByTokens(themes.map((t, i) => ({ theme: t, text: fenceTheme(t, `T${i + 1}`) })), (r) => estimateTokens(r.text) + 1, reduceBudget)[0]!.map((r) => r.theme);
      for (const t of themes.slice(keep.length)) other.push(...t.members);
      themes = keep;
      continue;
    }
    progress({ phase: 'reduce', done: 0, total: groups.length, message: 'Merging themes' });
    let reduced = 0;
    const merged = await mapLimited(groups, MAP_CONCURRENCY, async (group) => {
      if (group.length === 1 && !final) return { themes: [group[0]!.theme], overview: [] as SummaryPoint[] };
      calls++;
      const out = await callModel(llm, {
        purpose: 'summarize-docket-reduce',
        messages: [
          { role: 'system', content: reduceSystem },
          { role: 'user', content: llm.prompts.summarizeDocketReduce.render({ docket: docketLine(p), themes: group.map((g, i) => fenceTheme(g.theme, `T${i + 1}`)).join('\n') }) },
        ],
        jsonSchema: DOCKET_REDUCE_JSON_SCHEMA,
        schema: docketReduceOutputSchema,
      });
      const used = new Set<number>();
      const next: PartialTheme[] = [];
      for (const t of out.themes) {
        const from = t.from.map((id) => /^T(\d+)$/i.exec(id.trim())?.[1]).map((n) => (n ? Number(n) - 1 : -1)).filter((n) => n >= 0 && n < group.length && !used.has(n));
        if (from.length === 0 || !t.title.trim()) continue;
        from.forEach((n) => used.add(n));
        const members = from.flatMap((n) => group[n]!.theme.members);
        const memberSet = new Set(members);
        const quotes = groundQuotes(t.quotes, p, (d) => memberSet.has(p.unitOf.get(d)!), reduceDrops);
        // The partials' own quotes stand in when the merge kept none.
        const fallbackQuotes = quotes.length ? quotes : from.flatMap((n) => group[n]!.theme.quotes).slice(0, 3);
        next.push({ title: t.title.trim(), summary: t.summary.trim(), members, quotes: fallbackQuotes });
      }
      // A theme the merge left out keeps its place rather than losing its comments.
      group.forEach((g, n) => {
        if (!used.has(n)) next.push(g.theme);
      });
      const ov = final
        ? groundPoints(out.overview, p.index, reduceDrops, { inScope: (d) => d.citable, rejectPersonalData: true, maxQuotes: 2 }, 4)
        : [];
      progress({ phase: 'reduce', done: ++reduced, total: groups.length, message: 'Merging themes' });
      return { themes: next, overview: ov };
    });
    themes = merged.flatMap((m) => m.themes);
    if (final) {
      overview = merged[0]!.overview;
      break;
    }
  }
  logDrops(llm, 'summarize-docket-reduce', reduceDrops);

  const s = baseSummary(p, 'llm');
  // A reader takes in a dozen themes; smaller ones beyond that are counted under "Other".
  themes.sort((a, b) => b.members.length - a.members.length);
  for (const t of themes.slice(MAX_THEMES)) other.push(...t.members);
  s.themes = themes
    .slice(0, MAX_THEMES)
    .map((t) => themeOf(p, t.members, t.title, t.summary, t.quotes.slice(0, 3)))
    .sort((a, b) => b.count - a.count);
  if (other.length > 0) s.themes.push(themeOf(p, other, OTHER_THEME_TITLE, 'Comments the model did not place in a theme.', []));
  s.overview = overview.length ? overview : overviewFromThemes(s.themes);
  if (clipped > 0) s.notes.push(`${clipped} long comment${clipped === 1 ? ' was' : 's were'} shortened before being sent to the model.`);
  return s;
}

function groundQuotes(raws: ReadonlyArray<{ source: string; quote: string }>, p: Prepared, inScope: (d: SourceDoc) => boolean, drops: GroundDrop[]): Quote[] {
  const out: Quote[] = [];
  for (const r of raws) {
    if (out.length >= 3) break;
    const g = groundQuote(r, p.index, { inScope, rejectPersonalData: true });
    if ('reason' in g) drops.push(g);
    else if (!out.some((q) => q.source.id === g.quote.source.id && q.text === g.quote.text)) out.push(g.quote);
  }
  return out;
}
