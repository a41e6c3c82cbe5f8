import { z } from 'zod';
import type { CommentTopic } from '../../config.ts';
import { OPEN_STATUSES, parseStatus, type CommentFilter } from '../../comments/queue.ts';
import { ORGANIZATION_TYPE_LABELS, ORGANIZATION_TYPES, type CommentStatus, type OrganizationType } from '../../comments/schema.ts';
import { AppError } from '../../errors.ts';

/**
 * `/comments` text: `status:new topic:mtcr org:ngo assignee:me since:2026-01-01 <words>`, with
 * an optional leading `export [csv|json]` or `help`. Keys and values are forgiving (a topic's
 * start is enough, `open` means new + triaged + in review); a value that matches nothing is an
 * input.invalid error naming what would.
 */

export type ListFilter = Omit<CommentFilter, 'limit' | 'offset' | 'order'>;

export interface ParsedCommentsCommand {
  kind: 'list' | 'export' | 'help';
  format: 'csv' | 'json';
  /** The filter text after the subcommand, as typed (for paging and export buttons). */
  filterText: string;
  filter: ListFilter;
  /** How the filter was understood, for the list heading. */
  summary: string;
}

const KEYS: Record<string, 'status' | 'topic' | 'org' | 'assignee' | 'tag' | 'since' | 'until' | 'from'> = {
  status: 'status',
  state: 'status',
  topic: 'topic',
  category: 'topic',
  org: 'org',
  orgtype: 'org',
  'org-type': 'org',
  type: 'org',
  assignee: 'assignee',
  assigned: 'assignee',
  tag: 'tag',
  since: 'since',
  after: 'since',
  until: 'until',
  before: 'until',
  from: 'from',
  submitter: 'from',
};

/** Splits on spaces outside double quotes; Slack's curly quotes count as quotes. */
export function tokenize(text: string): string[] {
  const s = text.replace(/[“”]/g, '"').trim();
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (const ch of s) {
    if (ch === '"') quoted = !quoted;
    if (!quoted && /\s/.test(ch)) {
      if (cur) out.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (cur) out.push(cur);
  return out;
}

const unquote = (v: string) => v.replace(/^"(.*)"$/s, '$1').trim();

const dateSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'expected a date as YYYY-MM-DD' })
  .refine((v) => !Number.isNaN(new Date(`${v}T00:00:00Z`).getTime()), { error: 'expected a real date as YYYY-MM-DD' });

/** A topic by slug, label, or the unique topic whose slug or label starts with (or contains) the words given. */
export function matchTopic(topics: readonly CommentTopic[], value: string): CommentTopic | 'none' {
  const v = value.trim().toLowerCase();
  if (v === 'none') return 'none';
  const exact = topics.find((t) => t.slug === v || t.label.toLowerCase() === v);
  if (exact) return exact;
  const dashed = v.replace(/\s+/g, '-');
  for (const test of [
    (t: CommentTopic) => t.slug.startsWith(dashed) || t.label.toLowerCase().startsWith(v),
    (t: CommentTopic) => t.slug.split('-').includes(dashed) || t.label.toLowerCase().split(/\W+/).includes(v),
    (t: CommentTopic) => t.slug.includes(dashed) || t.label.toLowerCase().includes(v),
  ]) {
    const found = topics.filter(test);
    if (found.length === 1) return found[0]!;
    if (found.length > 1) {
      throw new AppError('input.invalid', `"${value}" could be any of the topics ${found.map((t) => t.label).join(', ')}; say more of it (e.g. topic:${found[0]!.slug}).`);
    }
  }
  throw new AppError('input.invalid', `No topic matches "${value}". Topics: ${topics.map((t) => t.slug).join(', ')}, or none.`);
}

function orgTypes(value: string): OrganizationType[] {
  return value.split(',').map((raw) => {
    const v = raw.trim().toLowerCase();
    const t = ORGANIZATION_TYPES.find((x) => x === v || ORGANIZATION_TYPE_LABELS[x].toLowerCase() === v);
    if (!t) throw new AppError('input.invalid', `Unknown organization type "${raw.trim()}". Types: ${ORGANIZATION_TYPES.join(', ')}.`);
    return t;
  });
}

function statuses(value: string): CommentStatus[] {
  const out: CommentStatus[] = [];
  for (const raw of value.split(',')) {
    const v = raw.trim().toLowerCase();
    if (!v) continue;
    const add = v === 'open' ? [...OPEN_STATUSES] : v === 'review' ? (['in_review'] as CommentStatus[]) : [parseStatus(v)];
    for (const s of add) if (!out.includes(s)) out.push(s);
  }
  return out;
}

/** `me`, `none`, a mention (`<@U123|jane>` with escaping on), or a user id. */
function assignee(value: string, me: string): string | null {
  const v = value.trim();
  if (v.toLowerCase() === 'me') return me;
  if (v.toLowerCase() === 'none' || v.toLowerCase() === 'nobody') return null;
  const mention = /^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$/.exec(v);
  if (mention) return mention[1]!;
  if (/^[UW][A-Z0-9]{2,}$/.test(v)) return v;
  throw new AppError('input.invalid', `assignee:${v} is not someone I can find: use me, none, or mention the person (assignee:@name).`);
}

export function parseCommentsCommand(text: string, ctx: { topics: readonly CommentTopic[]; me: string }): ParsedCommentsCommand {
  let tokens = tokenize(text);
  let kind: ParsedCommentsCommand['kind'] = 'list';
  let format: 'csv' | 'json' = 'csv';
  const first = tokens[0]?.toLowerCase();
  if (first === 'help' || first === '?') return { kind: 'help', format, filterText: '', filter: {}, summary: '' };
  if (first === 'export') {
    kind = 'export';
    tokens = tokens.slice(1);
    const f = tokens[0]?.toLowerCase();
    if (f === 'csv' || f === 'json') {
      format = f;
      tokens = tokens.slice(1);
    }
  } else if (first === 'list') tokens = tokens.slice(1);
  const filterText = tokens.join(' ');
  const filter: ListFilter = {};
  const summary: string[] = [];
  const words: string[] = [];
  for (const token of tokens) {
    const m = /^([a-z-]+):(.*)$/is.exec(token);
    const key = m ? KEYS[m[1]!.toLowerCase()] : undefined;
    if (!m || !key) {
      words.push(token);
      continue;
    }
    const value = unquote(m[2]!);
    if (!value) throw new AppError('input.invalid', `${m[1]}: needs a value, e.g. ${m[1]}:${key === 'status' ? 'new' : key === 'since' || key === 'until' ? '2026-01-01' : '...'}`);
    switch (key) {
      case 'status': {
        const s = statuses(value);
        filter.status = s;
        summary.push(`status ${s.join(', ')}`);
        break;
      }
      case 'topic': {
        const t = matchTopic(ctx.topics, value);
        filter.topic = t === 'none' ? 'none' : t.slug;
        summary.push(`topic ${t === 'none' ? 'none' : t.label}`);
        break;
      }
      case 'org': {
        const o = orgTypes(value);
        filter.organizationType = o;
        summary.push(`organization type ${o.map((x) => ORGANIZATION_TYPE_LABELS[x]).join(', ')}`);
        break;
      }
      case 'assignee': {
        const a = assignee(value, ctx.me);
        filter.assignee = a;
        summary.push(a === null ? 'unassigned' : a === ctx.me ? 'assigned to me' : `assigned to <@${a}>`);
        break;
      }
      case 'tag':
        filter.tag = value.toLowerCase();
        summary.push(`tag ${value.toLowerCase()}`);
        break;
      case 'since':
      case 'until': {
        const d = dateSchema.safeParse(value);
        if (!d.success) throw new AppError('input.invalid', `${key}:${value}: ${d.error.issues[0]!.message}.`);
        filter[key] = d.data;
        summary.push(`${key === 'since' ? 'received since' : 'received before'} ${d.data}`);
        break;
      }
      case 'from':
        filter.submitter = value.slice(0, 200);
        summary.push(`from “${value}”`);
        break;
    }
  }
  const search = words.join(' ').trim();
  if (search) {
    filter.text = search.slice(0, 500);
    summary.push(`text “${search}”`);
  }
  return { kind, format, filterText, filter, summary: summary.join(' · ') };
}
