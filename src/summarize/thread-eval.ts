import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { AppError } from '../errors.ts';
import { readExportFile } from './thread-export.ts';
import { summarizeThread, type SummarizerContext } from './thread.ts';
import type { Summary } from './types.ts';

/**
 * Scores thread summaries against hand-labelled threads, section by section, by the messages
 * each item cites: the labelled messages of a section (for action items, message and owner
 * together) against the ones the summary cites there. Recall, precision and F1 per section, per
 * thread and pooled over all threads (micro), and one figure over the five sections together.
 *
 * A labelled thread is a conversations.replies export with a "labels" object:
 * {"agreements": [{"sources": ["<ts>", ...]}], "disagreements": [...], "decisions": [...],
 *  "actionItems": [{"owner": "<user id>", "sources": [...]}], "openQuestions": [...]}.
 */

export const EVAL_SECTIONS = ['agreements', 'disagreements', 'decisions', 'actionItems', 'openQuestions'] as const;
export type EvalSection = (typeof EVAL_SECTIONS)[number];

const item = z.object({ sources: z.array(z.string()).min(1), owner: z.string().nullish() });
export const threadLabelsSchema = z.object({
  agreements: z.array(item).default([]),
  disagreements: z.array(item).default([]),
  decisions: z.array(item).default([]),
  actionItems: z.array(item).default([]),
  openQuestions: z.array(item).default([]),
});
export type ThreadLabels = z.infer<typeof threadLabelsSchema>;

export interface Counts {
  tp: number;
  fp: number;
  fn: number;
}

export interface Scores extends Counts {
  precision: number;
  recall: number;
  f1: number;
}

export function scoresOf(c: Counts): Scores {
  // An empty section labelled empty is right: precision and recall 1.
  const precision = c.tp + c.fp === 0 ? 1 : c.tp / (c.tp + c.fp);
  const recall = c.tp + c.fn === 0 ? 1 : c.tp / (c.tp + c.fn);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { ...c, precision, recall, f1 };
}

function keys(section: EvalSection, items: ReadonlyArray<{ sources: readonly string[]; owner?: string | null }>): Set<string> {
  const out = new Set<string>();
  for (const x of items) for (const ts of x.sources) out.add(section === 'actionItems' ? `${ts}|${x.owner ?? ''}` : ts);
  return out;
}

/** The summary's items as the labels have them: message ts (and owner id) per section. */
export function summaryItems(s: Summary, section: EvalSection): Array<{ sources: string[]; owner?: string }> {
  return s[section].map((p) => ({ sources: p.sources.map((r) => r.id), ...(p.owner ? { owner: p.owner } : {}) }));
}

export function scoreSummary(s: Summary, labels: ThreadLabels): Record<EvalSection, Counts> {
  const out = {} as Record<EvalSection, Counts>;
  for (const section of EVAL_SECTIONS) {
    const gold = keys(section, labels[section]);
    const got = keys(section, summaryItems(s, section));
    let tp = 0;
    for (const k of got) if (gold.has(k)) tp++;
    out[section] = { tp, fp: got.size - tp, fn: gold.size - tp };
  }
  return out;
}

export interface ThreadEvalResult {
  file: string;
  title: string;
  counts: Record<EvalSection, Counts>;
  /** What the summary cited that the labels do not, and what it missed, per section (message ts). */
  misses: Record<EvalSection, { extra: string[]; missing: string[] }>;
}

export interface ThreadEvalReport {
  threads: ThreadEvalResult[];
  sections: Record<EvalSection, Scores>;
  overall: Scores;
  mode: Summary['mode'];
}

const add = (a: Counts, b: Counts): Counts => ({ tp: a.tp + b.tp, fp: a.fp + b.fp, fn: a.fn + b.fn });

/** Every *.json in `dir` with a "labels" object, summarized (extractive unless `llm`) and scored. */
export async function evaluateThreads(ctx: SummarizerContext, dir: string, options: { llm?: boolean } = {}): Promise<ThreadEvalReport> {
  const files = (await readdir(dir).catch(() => {
    throw new AppError('input.invalid', `Cannot read the directory ${dir}.`);
  }))
    .filter((f) => f.endsWith('.json'))
    .sort();
  const threads: ThreadEvalResult[] = [];
  let mode: Summary['mode'] = 'extractive';
  for (const f of files) {
    const file = path.join(dir, f);
    const loaded = await readExportFile(file);
    const rawLabels = (loaded.json as { labels?: unknown }).labels;
    if (rawLabels === undefined) continue;
    const parsed = threadLabelsSchema.safeParse(rawLabels);
    if (!parsed.success) throw new AppError('input.invalid', `${f}: labels: ${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`);
    const s = await summarizeThread(ctx, loaded.input, { extractiveOnly: !options.llm, files: loaded.files });
    if (s.mode === 'llm') mode = 'llm';
    const counts = scoreSummary(s, parsed.data);
    const misses = {} as ThreadEvalResult['misses'];
    for (const section of EVAL_SECTIONS) {
      const gold = keys(section, parsed.data[section]);
      const got = keys(section, summaryItems(s, section));
      misses[section] = { extra: [...got].filter((k) => !gold.has(k)), missing: [...gold].filter((k) => !got.has(k)) };
    }
    threads.push({ file: f, title: loaded.input.title ?? f, counts, misses });
  }
  if (threads.length === 0) throw new AppError('input.invalid', `No labelled threads (*.json with "labels") in ${dir}.`);
  const sections = {} as Record<EvalSection, Scores>;
  let all: Counts = { tp: 0, fp: 0, fn: 0 };
  for (const section of EVAL_SECTIONS) {
    const c = threads.reduce<Counts>((acc, t) => add(acc, t.counts[section]), { tp: 0, fp: 0, fn: 0 });
    sections[section] = scoresOf(c);
    all = add(all, c);
  }
  return { threads, sections, overall: scoresOf(all), mode };
}

export function renderEvalReport(r: ThreadEvalReport, verbose = false): string {
  const pct = (x: number) => x.toFixed(3);
  const lines = [`Thread summaries (${r.mode}) on ${r.threads.length} labelled threads, scored by cited message (owner included for action items):`, ''];
  lines.push(`${'section'.padEnd(16)} ${'precision'.padStart(9)} ${'recall'.padStart(7)} ${'F1'.padStart(6)}   tp  fp  fn`);
  for (const section of EVAL_SECTIONS) {
    const s = r.sections[section];
    lines.push(`${section.padEnd(16)} ${pct(s.precision).padStart(9)} ${pct(s.recall).padStart(7)} ${pct(s.f1).padStart(6)}  ${String(s.tp).padStart(3)} ${String(s.fp).padStart(3)} ${String(s.fn).padStart(3)}`);
  }
  const o = r.overall;
  lines.push(`${'all five'.padEnd(16)} ${pct(o.precision).padStart(9)} ${pct(o.recall).padStart(7)} ${pct(o.f1).padStart(6)}  ${String(o.tp).padStart(3)} ${String(o.fp).padStart(3)} ${String(o.fn).padStart(3)}`);
  if (verbose) {
    for (const t of r.threads) {
      const wrong = EVAL_SECTIONS.filter((s) => t.misses[s].extra.length || t.misses[s].missing.length);
      if (wrong.length === 0) continue;
      lines.push('', `${t.file}:`);
      for (const s of wrong) lines.push(`  ${s}: extra ${t.misses[s].extra.join(', ') || '-'}; missing ${t.misses[s].missing.join(', ') || '-'}`);
    }
  }
  return lines.join('\n');
}
