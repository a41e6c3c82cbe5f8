import { SourceIndex, type SourceDoc } from './ground.ts';
import { analyzeThread, type ThreadAnalysis } from './thread-analysis.ts';
import type { ThreadInput, ThreadMessage } from './thread.ts';
import { emptySummary, type AttachmentDigest, type Summary, type ThreadStats } from './types.ts';

/**
 * A thread made ready for summarising, once for every mode: the people's messages (bots and
 * deleted messages counted, never read or quoted), their source documents for grounding, the
 * thread analysis and the attached files' digests.
 */

export interface Prepared {
  input: ThreadInput;
  kept: ThreadMessage[];
  docs: SourceDoc[];
  index: SourceIndex;
  stats: ThreadStats;
  analysis: ThreadAnalysis;
  attachments: AttachmentDigest[];
}

export function labelOf(m: Pick<ThreadMessage, 'userName' | 'organization'>): string {
  return m.organization ? `${m.userName} (${m.organization})` : m.userName;
}

/** People's messages with text; bots (this app's earlier summaries among them) and deleted messages are counted, not read. */
export function prepare(input: ThreadInput, attachments: AttachmentDigest[] = []): Prepared {
  const kept = input.messages.filter((m) => !m.isBot && !m.deleted && m.text.trim().length > 0);
  const docs: SourceDoc[] = kept.map((m, i) => ({
    key: `M${i + 1}`,
    text: m.text,
    ref: { kind: 'message', id: m.ts, ...(m.permalink ? { link: m.permalink } : {}), label: labelOf(m) },
    citable: true,
    author: m.userName,
  }));
  const participants = new Set(kept.map((m) => m.userId ?? m.userName));
  const analysis = analyzeThread(kept);
  analysis.deleted = input.messages.filter((m) => m.deleted).map((m) => m.ts);
  return {
    input,
    kept,
    docs,
    index: new SourceIndex(docs),
    analysis,
    attachments,
    stats: {
      messages: input.messages.length,
      summarized: kept.length,
      participants: participants.size,
      botMessages: input.messages.filter((m) => m.isBot).length,
      deletedMessages: input.messages.filter((m) => m.deleted).length,
      editedMessages: kept.filter((m) => m.edited).length,
      files: input.messages.reduce((n, m) => n + (m.deleted ? 0 : m.files.length), 0),
    },
  };
}

export function baseSummary(p: Prepared, mode: Summary['mode'], shareable: boolean): Summary {
  const s = emptySummary('thread', mode, p.input.title ?? 'Thread summary');
  s.shareable = shareable;
  s.stats.thread = p.stats;
  s.scope = {
    ...(p.input.permalink ? { permalink: p.input.permalink } : {}),
    ...(p.input.channel ? { channel: p.input.channel } : {}),
    ...(p.input.threadTs ? { threadTs: p.input.threadTs } : {}),
  };
  s.attachments = p.attachments;
  if (p.attachments.length) s.stats.thread = { ...p.stats, filesRead: p.attachments.filter((a) => a.read).length };
  for (const a of p.attachments) if (!a.read) s.notes.push(`The attached file "${a.name}" could not be read (${a.problem ?? 'unknown reason'}), so it is not summarized.`);
  return s;
}
