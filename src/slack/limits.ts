import type { types } from '@slack/bolt';

/**
 * Every Slack limit the app depends on, in one place (docs.slack.dev, Block Kit and method
 * reference). Builders fit their output to these; tests check the output against them.
 */
export const SLACK_LIMITS = {
  messageBlocks: 50,
  modalBlocks: 100,
  homeBlocks: 100,
  /** Options in a static select menu. */
  selectOptions: 100,
  sectionText: 3000,
  sectionFields: 10,
  sectionFieldText: 2000,
  contextElements: 10,
  /** Context element text; documented as 3,000 like section text, kept lower for readability. */
  contextText: 2000,
  headerText: 150,
  buttonText: 75,
  buttonValue: 2000,
  actionId: 255,
  blockId: 255,
  callbackId: 255,
  modalTitle: 24,
  modalSubmit: 24,
  modalClose: 24,
  privateMetadata: 3000,
  inputLabel: 2000,
  inputMaxLength: 3000,
  checkboxOptions: 10,
  optionText: 75,
  /** Reported (not documented): msg_blocks_too_long from roughly 13k characters across all blocks. */
  messageChars: 11_000,
  /** chat.postMessage truncates text beyond 40,000; as a notification fallback far less is plenty. */
  fallbackText: 3000,
  /** How many messages one answer may become before it is truncated instead of split further. */
  messagesPerAnswer: 3,
  /** A response_url accepts five posts in 30 minutes. */
  responseUrlUses: 5,
  suggestedPrompts: 4,
  suggestedPromptTitle: 75,
  assistantTitle: 100,
} as const;

const ELLIPSIS = '…';

/** Cuts `text` to at most `max` characters at a word boundary, ending with `note` (default an ellipsis). */
export function truncate(text: string, max: number, note = ELLIPSIS): string {
  if (text.length <= max) return text;
  const room = Math.max(0, max - note.length);
  let cut = text.slice(0, room);
  const space = cut.search(/\s\S*$/);
  if (space > room * 0.7) cut = cut.slice(0, space);
  // Never leave half of a surrogate pair behind.
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return `${cut.trimEnd()}${note}`.slice(0, max);
}

/**
 * Splits text into pieces of at most `max` characters, preferring paragraph breaks, then line
 * breaks, then sentence ends, then spaces; a run with none of those is cut hard.
 */
export function splitText(text: string, max: number): string[] {
  const pieces: string[] = [];
  let rest = text.trim();
  while (rest.length > max) {
    const window = rest.slice(0, max + 1);
    let at = -1;
    for (const pattern of [/\n\s*\n/g, /\n/g, /[.!?;:]["')\]]?\s/g, /\s/g]) {
      let last = -1;
      for (const m of window.matchAll(pattern)) if (m.index + m[0].length <= max && m.index > max * 0.3) last = m.index + m[0].length;
      if (last > 0) {
        at = last;
        break;
      }
    }
    if (at <= 0) at = /[\uD800-\uDBFF]/.test(rest[max - 1] ?? '') ? max - 1 : max;
    pieces.push(rest.slice(0, at).trimEnd());
    rest = rest.slice(at).trimStart();
  }
  if (rest) pieces.push(rest);
  return pieces;
}

/** Slack mrkdwn treats &, < and > as control characters; everything from documents or users is escaped. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A modal's title, submit or close label: plain text of at most 24 characters. */
export function modalLabel(text: string): types.PlainTextElement {
  return { type: 'plain_text', text: truncate(text, SLACK_LIMITS.modalTitle) };
}

export function encodePrivateMetadata(value: unknown): string {
  const s = JSON.stringify(value);
  if (s.length > SLACK_LIMITS.privateMetadata) throw new Error(`private_metadata is ${s.length} characters, over Slack's ${SLACK_LIMITS.privateMetadata}`);
  return s;
}

type AnyBlock = types.KnownBlock | types.Block;

/** The characters a block contributes to a message, as Slack counts them for msg_blocks_too_long (roughly). */
export function blockChars(block: AnyBlock): number {
  let n = 0;
  const visit = (v: unknown, key?: string): void => {
    if (typeof v === 'string') {
      if (key === 'text') n += v.length;
    } else if (Array.isArray(v)) v.forEach((x) => visit(x));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) visit(x, k);
  };
  visit(block);
  return n;
}

export interface PackOptions {
  maxBlocks?: number;
  maxChars?: number;
  maxMessages?: number;
  /** Blocks that must close the last message (e.g. the feedback buttons); they always fit. */
  tail?: AnyBlock[];
  /** Shown at the end when blocks had to be dropped. */
  overflowNote: string;
}

/**
 * Packs blocks into as few messages as the block and character limits allow. Past
 * `maxMessages`, the rest is dropped and a context note says so: Slack never sees an
 * over-long message, and the user is told the answer was shortened.
 */
export function packMessages(blocks: AnyBlock[], options: PackOptions): { messages: AnyBlock[][]; truncated: boolean } {
  const maxBlocks = options.maxBlocks ?? SLACK_LIMITS.messageBlocks;
  const maxChars = options.maxChars ?? SLACK_LIMITS.messageChars;
  const maxMessages = options.maxMessages ?? SLACK_LIMITS.messagesPerAnswer;
  const tail = options.tail ?? [];
  const charsOf = (bs: AnyBlock[]) => bs.reduce((n, b) => n + blockChars(b), 0);
  const fits = (bs: AnyBlock[], extra: AnyBlock[]) => bs.length + extra.length <= maxBlocks && charsOf(bs) + charsOf(extra) <= maxChars;

  // Greedy: fill a message, then open the next. One block always fits an empty message,
  // because builders keep every block's text within the per-block limits.
  const messages: AnyBlock[][] = [];
  let current: AnyBlock[] = [];
  for (const block of blocks) {
    if (current.length > 0 && !fits(current, [block])) {
      messages.push(current);
      current = [];
    }
    current.push(block);
  }
  messages.push(current);
  if (!fits(messages[messages.length - 1]!, tail)) messages.push([]);

  let truncated = false;
  if (messages.length > maxMessages) {
    truncated = true;
    messages.length = maxMessages;
  }
  const last = messages[messages.length - 1]!;
  const note: AnyBlock = {
    type: 'context',
    elements: [{ type: 'mrkdwn', text: truncate(options.overflowNote, SLACK_LIMITS.contextText) }],
  };
  let closing = truncated ? [note, ...tail] : tail;
  while (last.length > 0 && !fits(last, closing)) {
    last.pop();
    truncated = true;
    closing = [note, ...tail];
  }
  last.push(...closing);
  return { messages: messages.filter((m) => m.length > 0), truncated };
}

/** Everything in a message that Slack would reject; empty when it is within the limits. */
export function messageViolations(message: { text?: string; blocks: AnyBlock[] }): string[] {
  const out: string[] = [];
  if (message.blocks.length > SLACK_LIMITS.messageBlocks) out.push(`${message.blocks.length} blocks > ${SLACK_LIMITS.messageBlocks}`);
  const total = message.blocks.reduce((n, b) => n + blockChars(b), 0);
  if (total > SLACK_LIMITS.messageChars) out.push(`${total} characters across blocks > ${SLACK_LIMITS.messageChars}`);
  if ((message.text ?? '').length > SLACK_LIMITS.fallbackText) out.push(`fallback text ${message.text!.length} > ${SLACK_LIMITS.fallbackText}`);
  out.push(...message.blocks.flatMap(blockViolations));
  return out;
}

export function modalViolations(view: types.ModalView): string[] {
  const out: string[] = [];
  if (view.blocks.length > SLACK_LIMITS.modalBlocks) out.push(`${view.blocks.length} blocks > ${SLACK_LIMITS.modalBlocks}`);
  for (const [name, label] of [
    ['title', view.title],
    ['submit', view.submit],
    ['close', view.close],
  ] as const) {
    if (label && label.text.length > SLACK_LIMITS.modalTitle) out.push(`modal ${name} "${label.text}" > ${SLACK_LIMITS.modalTitle}`);
  }
  if ((view.private_metadata ?? '').length > SLACK_LIMITS.privateMetadata) out.push(`private_metadata > ${SLACK_LIMITS.privateMetadata}`);
  if ((view.callback_id ?? '').length > SLACK_LIMITS.callbackId) out.push(`callback_id > ${SLACK_LIMITS.callbackId}`);
  out.push(...view.blocks.flatMap(blockViolations));
  return out;
}

/** Everything in an App Home view that Slack would reject (views.publish). */
export function homeViolations(view: types.HomeView): string[] {
  const out: string[] = [];
  if (view.blocks.length > SLACK_LIMITS.homeBlocks) out.push(`${view.blocks.length} blocks > ${SLACK_LIMITS.homeBlocks}`);
  if ((view.private_metadata ?? '').length > SLACK_LIMITS.privateMetadata) out.push(`private_metadata > ${SLACK_LIMITS.privateMetadata}`);
  out.push(...view.blocks.flatMap(blockViolations));
  return out;
}

/**
 * Keeps a list of blocks within `max` (a modal's or the Home tab's 100, a message's 50): blocks
 * after `head` are dropped from the end and a context note says how many items were left out.
 * `tail` (buttons, an input) always stays.
 */
export function fitBlocks<B extends AnyBlock>(
  head: B[],
  items: B[][],
  options: { max: number; tail?: B[]; overflowNote: (omitted: number) => string },
): Array<B | types.ContextBlock> {
  const tail = options.tail ?? [];
  const room = options.max - head.length - tail.length;
  const out: Array<B | types.ContextBlock> = [...head];
  const total = items.reduce((n, item) => n + item.length, 0);
  // When something must go, one block is kept for the note that says so.
  const budget = total <= room ? room : room - 1;
  let used = 0;
  let kept = 0;
  for (const item of items) {
    if (used + item.length > budget) break;
    out.push(...item);
    used += item.length;
    kept++;
  }
  if (kept < items.length) {
    out.push({ type: 'context', elements: [{ type: 'mrkdwn', text: truncate(options.overflowNote(items.length - kept), SLACK_LIMITS.contextText) }] });
  }
  out.push(...tail);
  return out;
}

function blockViolations(block: AnyBlock): string[] {
  const out: string[] = [];
  const b = block as AnyBlock & Record<string, unknown>;
  if (typeof b.block_id === 'string' && b.block_id.length > SLACK_LIMITS.blockId) out.push(`block_id > ${SLACK_LIMITS.blockId}`);
  const textOf = (t: unknown): string => (t && typeof t === 'object' && 'text' in t && typeof t.text === 'string' ? t.text : '');
  switch (b.type) {
    case 'section': {
      const s = b as types.SectionBlock;
      if (textOf(s.text).length > SLACK_LIMITS.sectionText) out.push(`section text ${textOf(s.text).length} > ${SLACK_LIMITS.sectionText}`);
      if (s.fields && s.fields.length > SLACK_LIMITS.sectionFields) out.push(`section fields > ${SLACK_LIMITS.sectionFields}`);
      for (const f of s.fields ?? []) if (f.text.length > SLACK_LIMITS.sectionFieldText) out.push(`section field > ${SLACK_LIMITS.sectionFieldText}`);
      if (!s.text && !s.fields?.length) out.push('section without text or fields');
      break;
    }
    case 'context': {
      const c = b as types.ContextBlock;
      if (c.elements.length > SLACK_LIMITS.contextElements) out.push(`context elements > ${SLACK_LIMITS.contextElements}`);
      for (const e of c.elements) if (textOf(e).length > SLACK_LIMITS.contextText) out.push(`context text > ${SLACK_LIMITS.contextText}`);
      break;
    }
    case 'header':
      if (textOf((b as types.HeaderBlock).text).length > SLACK_LIMITS.headerText) out.push(`header > ${SLACK_LIMITS.headerText}`);
      break;
    case 'actions':
      for (const e of (b as types.ActionsBlock).elements) {
        const el = e as unknown as Record<string, unknown>;
        if (typeof el.action_id === 'string' && el.action_id.length > SLACK_LIMITS.actionId) out.push(`action_id > ${SLACK_LIMITS.actionId}`);
        if (el.type === 'button') {
          if (textOf(el.text).length > SLACK_LIMITS.buttonText) out.push(`button text > ${SLACK_LIMITS.buttonText}`);
          if (typeof el.value === 'string' && el.value.length > SLACK_LIMITS.buttonValue) out.push(`button value > ${SLACK_LIMITS.buttonValue}`);
        }
      }
      break;
    case 'input': {
      const i = b as types.InputBlock;
      if (i.label.text.length > SLACK_LIMITS.inputLabel) out.push(`input label > ${SLACK_LIMITS.inputLabel}`);
      const el = i.element as unknown as Record<string, unknown>;
      if (typeof el.action_id === 'string' && el.action_id.length > SLACK_LIMITS.actionId) out.push(`action_id > ${SLACK_LIMITS.actionId}`);
      if (typeof el.max_length === 'number' && el.max_length > SLACK_LIMITS.inputMaxLength) out.push(`input max_length > ${SLACK_LIMITS.inputMaxLength}`);
      if (Array.isArray(el.options)) {
        const max = el.type === 'static_select' || el.type === 'multi_static_select' ? SLACK_LIMITS.selectOptions : SLACK_LIMITS.checkboxOptions;
        if (el.options.length > max) out.push(`options > ${max}`);
        for (const o of el.options as Array<{ text?: { text?: string } }>) {
          if ((o.text?.text ?? '').length > SLACK_LIMITS.optionText) out.push(`option text > ${SLACK_LIMITS.optionText}`);
        }
      }
      break;
    }
    default:
      break;
  }
  return out;
}
