import { z } from 'zod';
import { AppError } from '../errors.ts';
import type { Actor } from './access.ts';
import { change, insertAudit } from './audit.ts';
import type { CommentDeps } from './deps.ts';
import { getComment, type CommentRef } from './read.ts';
import { COMMENT_LIMITS, type Comment, type CommentStatus } from './schema.ts';
import { canTransition, parseStatus, transitionError } from './states.ts';
import type { TopicSuggester } from './triage.ts';

// Changing: status, assignee, tags, notes, topic suggestions.

const noteSchema = z
  .string()
  .trim()
  .max(COMMENT_LIMITS.noteChars, { error: `Notes are limited to ${COMMENT_LIMITS.noteChars.toLocaleString('en-US')} characters.` });

function cleanNote(note: string | undefined): string | null {
  if (note === undefined) return null;
  const parsed = noteSchema.safeParse(note);
  if (!parsed.success) throw new AppError('input.invalid', parsed.error.issues[0]!.message);
  return parsed.data || null;
}

/** Moves a comment to another state (see TRANSITIONS); an invalid move throws comment.transition. Staff only. */
export async function setStatus(
  deps: CommentDeps,
  actor: Actor,
  ref: CommentRef,
  to: CommentStatus,
  options: { note?: string } = {},
): Promise<Comment> {
  const target = parseStatus(to);
  const note = cleanNote(options.note);
  return change(deps, actor, 'comments.set_status', ref, async (tx, locked, who) => {
    if (!canTransition(locked.status, target)) throw transitionError(locked.trackingNumber, locked.status, target);
    await tx.query('UPDATE comments SET status = $1 WHERE id = $2', [target, locked.id]);
    await insertAudit(tx, locked.id, who, 'status', locked.status, target, note);
  });
}

/** Sets or clears (null) the assignee: a Slack user id, or any name from the CLI. Staff only. */
export async function assignComment(
  deps: CommentDeps,
  actor: Actor,
  ref: CommentRef,
  assignee: string | null,
  options: { note?: string } = {},
): Promise<Comment> {
  const to = assignee?.trim() || null;
  if (to && to.length > 100) throw new AppError('input.invalid', 'The assignee is longer than 100 characters.');
  const note = cleanNote(options.note);
  return change(deps, actor, 'comments.assign', ref, async (tx, locked, who) => {
    if (locked.assignee === to) return;
    await tx.query('UPDATE comments SET assignee = $1 WHERE id = $2', [to, locked.id]);
    await insertAudit(tx, locked.id, who, 'assign', locked.assignee, to, note);
  });
}

/** Tags are lower-case words or short phrases: letters, digits, spaces, "-" and "_". */
export function normalizeTags(tags: readonly string[]): string[] {
  const out: string[] = [];
  for (const raw of tags) {
    const t = raw.trim().toLowerCase().replace(/\s+/g, ' ');
    if (!t) continue;
    if (t.length > COMMENT_LIMITS.tagChars || !/^[\p{L}\p{N}][\p{L}\p{N} _-]*$/u.test(t)) {
      throw new AppError(
        'input.invalid',
        `Tag "${raw.trim().slice(0, 50)}" is not allowed: use up to ${COMMENT_LIMITS.tagChars} letters, digits, spaces, "-" or "_".`,
      );
    }
    if (!out.includes(t)) out.push(t);
  }
  return out;
}

export async function addTags(deps: CommentDeps, actor: Actor, ref: CommentRef, tags: readonly string[]): Promise<Comment> {
  const add = normalizeTags(tags);
  return change(deps, actor, 'comments.tag', ref, async (tx, locked, who) => {
    const next = [...locked.tags, ...add.filter((t) => !locked.tags.includes(t))];
    if (next.length === locked.tags.length) return;
    if (next.length > COMMENT_LIMITS.tags) throw new AppError('input.invalid', `A comment can have at most ${COMMENT_LIMITS.tags} tags.`);
    await tx.query('UPDATE comments SET tags = $1 WHERE id = $2', [next, locked.id]);
    await insertAudit(tx, locked.id, who, 'tags', locked.tags.join(', ') || null, next.join(', '), null);
  });
}

export async function removeTags(deps: CommentDeps, actor: Actor, ref: CommentRef, tags: readonly string[]): Promise<Comment> {
  const remove = normalizeTags(tags);
  return change(deps, actor, 'comments.untag', ref, async (tx, locked, who) => {
    const next = locked.tags.filter((t) => !remove.includes(t));
    if (next.length === locked.tags.length) return;
    await tx.query('UPDATE comments SET tags = $1 WHERE id = $2', [next, locked.id]);
    await insertAudit(tx, locked.id, who, 'tags', locked.tags.join(', '), next.join(', ') || null, null);
  });
}

/** An internal note (never shown to the submitter, never exported). Staff only. */
export async function addNote(deps: CommentDeps, actor: Actor, ref: CommentRef, body: string): Promise<Comment> {
  const text = cleanNote(body);
  if (!text) throw new AppError('input.invalid', 'The note is empty.');
  return change(deps, actor, 'comments.note', ref, async (tx, locked, who) => {
    await tx.query('INSERT INTO comment_notes (comment_id, author, body) VALUES ($1, $2, $3)', [locked.id, who, text]);
    await insertAudit(tx, locked.id, who, 'note', null, null, text);
  });
}

/**
 * Runs a topic suggester (e.g. an LLM) for a stored comment and stores its suggestion, labelled
 * with its method, over the previous suggestion; the submitter's `topic` is never touched. A
 * suggestion naming an unconfigured topic is ignored. Staff or system use, after the receipt.
 */
export async function applyTopicSuggestion(deps: CommentDeps, actor: Actor, ref: CommentRef, suggester: TopicSuggester): Promise<Comment> {
  const comment = await getComment(deps, actor, ref);
  const attachments = await deps.db.query<{ text: string | null }>(
    'SELECT extracted_text AS text FROM comment_attachments WHERE comment_id = $1 ORDER BY ordinal',
    [comment.id],
  );
  const topics = deps.config.comments.topics;
  const suggestion = await suggester.suggest({
    title: comment.title,
    text: comment.text,
    attachmentText: attachments.map((a) => a.text).filter(Boolean).join('\n'),
    topics,
  });
  if (!suggestion || !topics.some((t) => t.slug === suggestion.topic)) return comment;
  return change(deps, actor, 'comments.suggest_topic', comment.id, async (tx, locked, who) => {
    await tx.query(
      'UPDATE comments SET suggested_topic = $1, suggested_topic_score = $2, suggested_topic_method = $3 WHERE id = $4',
      [suggestion.topic, suggestion.score, suggestion.method, locked.id],
    );
    await insertAudit(tx, locked.id, who, 'suggested_topic', comment.suggestedTopic, suggestion.topic, `by ${suggestion.method}`);
  });
}
