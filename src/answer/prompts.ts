import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../errors.ts';
import { PROJECT_ROOT } from '../paths.ts';

/**
 * Prompt templates live in prompts/ as plain files so they can be read and changed without
 * touching code. Each template has a fixed set of named placeholders ({{question}}); a file
 * that lacks one or uses one the code does not fill is refused when services start, so a
 * typo never reaches the model as a literal "{{qestion}}".
 */
// From the project root, not from this module: a build in dist/ puts this code elsewhere.
export const PROMPTS_DIR = path.join(PROJECT_ROOT, 'prompts');

interface PromptSpec {
  file: string;
  placeholders: readonly string[];
}

export const PROMPT_SPECS = {
  answerSystem: { file: 'answer-system.md', placeholders: [] },
  answer: { file: 'answer.md', placeholders: ['question', 'passages'] },
  rewriteSystem: { file: 'rewrite-followup-system.md', placeholders: [] },
  rewrite: { file: 'rewrite-followup.md', placeholders: ['history', 'question'] },
  // Summaries (src/summarize): map over batches of messages or comments, then reduce the partials.
  summarizeThreadSystem: { file: 'summarize-thread-system.md', placeholders: [] },
  summarizeThread: { file: 'summarize-thread.md', placeholders: ['thread', 'messages'] },
  summarizeThreadReduce: { file: 'summarize-thread-reduce.md', placeholders: ['thread', 'partials'] },
  summarizeDocketSystem: { file: 'summarize-docket-system.md', placeholders: [] },
  summarizeDocket: { file: 'summarize-docket.md', placeholders: ['docket', 'comments'] },
  summarizeDocketReduce: { file: 'summarize-docket-reduce.md', placeholders: ['docket', 'themes'] },
  // Comment positions on a docket's proposal (src/comments/docket-positions.ts), LLM mode.
  commentPosition: { file: 'comment-position.md', placeholders: ['proposal', 'comment'] },
} as const satisfies Record<string, PromptSpec>;

export type PromptName = keyof typeof PROMPT_SPECS;
type PlaceholderOf<N extends PromptName> = (typeof PROMPT_SPECS)[N]['placeholders'][number];

/** {{name}}; names are letters, digits and underscores, spaces inside the braces allowed. */
const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;
/** HTML comments document a template for its editors and are not sent to the model. */
const COMMENT = /<!--[\s\S]*?-->/g;

export class PromptTemplate<P extends string = string> {
  constructor(
    readonly name: string,
    readonly file: string,
    readonly text: string,
    readonly placeholders: readonly P[],
  ) {}

  /**
   * One pass over the template: a value that itself contains "{{question}}" (a passage, a
   * user's question) is inserted as it is and never expanded.
   */
  render(values: Record<P, string>): string {
    return this.text.replace(PLACEHOLDER, (_, name: string) => {
      const v = (values as Record<string, string | undefined>)[name];
      if (v === undefined) throw new AppError('internal', `prompt ${this.file}: no value for {{${name}}}`);
      return v;
    });
  }
}

export type Prompts = { [N in PromptName]: PromptTemplate<PlaceholderOf<N>> };

/** Checks one template's text against the placeholders it must use; returns the problems found. */
export function checkTemplate(file: string, raw: string, allowed: readonly string[]): { text: string; problems: string[] } {
  const text = raw.replace(COMMENT, '').trim();
  const problems: string[] = [];
  const used = new Set<string>();
  for (const m of text.matchAll(PLACEHOLDER)) used.add(m[1]!);
  const list = allowed.length ? allowed.map((p) => `{{${p}}}`).join(', ') : 'none';
  for (const name of used) {
    if (!allowed.includes(name)) problems.push(`${file}: unknown placeholder {{${name}}} (this template takes: ${list})`);
  }
  for (const name of allowed) {
    if (!used.has(name)) problems.push(`${file}: placeholder {{${name}}} is missing`);
  }
  // An opening "{{" left over once real placeholders are removed is a malformed placeholder
  // ("{{ question", "{{two words}}"). A lone "}}" is allowed: JSON examples end that way.
  const leftover = text.replace(PLACEHOLDER, '');
  const stray = /\{\{/.exec(leftover);
  if (stray) {
    const around = leftover.slice(Math.max(0, stray.index - 20), stray.index + 22).replace(/\s+/g, ' ');
    problems.push(`${file}: malformed placeholder near "${around}"`);
  }
  if (text.length === 0) problems.push(`${file}: the template is empty`);
  return { text, problems };
}

/** Reads and checks every template; all problems are reported at once. */
export async function loadPrompts(dir: string = PROMPTS_DIR): Promise<Prompts> {
  const problems: string[] = [];
  const out: Partial<Record<PromptName, PromptTemplate>> = {};
  for (const [name, spec] of Object.entries(PROMPT_SPECS) as Array<[PromptName, PromptSpec]>) {
    const file = path.join(dir, spec.file);
    let raw: string;
    try {
      raw = await readFile(file, 'utf8');
    } catch (err) {
      problems.push(`${spec.file}: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
      continue;
    }
    const checked = checkTemplate(spec.file, raw, spec.placeholders);
    problems.push(...checked.problems);
    out[name] = new PromptTemplate(name, spec.file, checked.text, spec.placeholders);
  }
  if (problems.length > 0) {
    throw new AppError('config.invalid', `Invalid prompt templates in ${dir}:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  }
  return out as Prompts;
}

// ---------------------------------------------------------------------------------------
// Fencing: text from documents and conversations goes to the model as quoted data inside
// tags. A document cannot close the fence early or open a fake one: any tag of the fence's
// own names inside the text has its "<" escaped.

const FENCE_TAGS = [
  'passages',
  'passage',
  'question',
  'history',
  'turn',
  // Summaries: message and comment text, and the partial summaries fed back for the reduce step.
  'thread',
  'messages',
  'message',
  'partials',
  'partial',
  'docket',
  'comments',
  'comment',
  'themes',
  'theme',
];
const FENCE_TAG_RE = new RegExp(`<(\\s*/?\\s*(?:${FENCE_TAGS.join('|')})\\b)`, 'gi');

const ESCAPED_FENCE_TAG_RE = new RegExp(`&lt;(\\s*/?\\s*(?:${FENCE_TAGS.join('|')})\\b)`, 'gi');

export function neutraliseFenceTags(text: string): string {
  return text.replace(FENCE_TAG_RE, '&lt;$1');
}

/** The inverse, for quotes: a model copies the text as it saw it, escape included. */
export function restoreFenceTags(text: string): string {
  return text.replace(ESCAPED_FENCE_TAG_RE, '<$1');
}

function attr(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\s+/g, ' ');
}

/** `<tag a="..." b="...">\ntext\n</tag>`: one fenced item of data (a message, a comment, a partial summary). */
export function fenceElement(tag: string, attributes: Record<string, string>, text: string): string {
  const attrs = Object.entries(attributes)
    .map(([k, v]) => ` ${k}="${attr(v)}"`)
    .join('');
  return `<${tag}${attrs}>\n${neutraliseFenceTags(text.trim())}\n</${tag}>`;
}

export interface FencedPassage {
  id: string;
  document: string;
  date: string | null;
  text: string;
  /** Where the date came from: "text" (the document states it) or "catalog" (supplied); sent only with a date. */
  dateSource?: 'text' | 'catalog' | null;
  /** The document's status (current, superseded, draft, withdrawn); "unknown" when the catalog gives none. Sent when the key is present. */
  status?: string | null;
  /** What supersedes the document, as the model should name it ("The U.S. ... Policy, Feb 2023 (catalog)"); sent only when known. */
  supersededBy?: string | null;
  /** Paged documents: "3", or "3-4" for a passage over two pages. */
  pages?: string | null;
  /** The heading path of the passage, when it has one. */
  section?: string | null;
}

/**
 * `<passage id="P1" document="..." date="2023-02" date_source="catalog" status="current"
 * superseded_by="..." pages="3" section="...">text</passage>`, one per passage, in rank order.
 * `date_source` only with a date; `status` when the caller gives it (a document without one is
 * "unknown"); `superseded_by`, `pages` and `section` only where known.
 */
export function fencePassages(passages: FencedPassage[]): string {
  return passages
    .map((p) => {
      const facts = [
        p.date && p.dateSource ? ` date_source="${attr(p.dateSource)}"` : '',
        p.status !== undefined ? ` status="${attr(p.status ?? 'unknown')}"` : '',
        p.supersededBy ? ` superseded_by="${attr(p.supersededBy)}"` : '',
      ].join('');
      const extra = `${p.pages ? ` pages="${attr(p.pages)}"` : ''}${p.section ? ` section="${attr(p.section)}"` : ''}`;
      return `<passage id="${attr(p.id)}" document="${attr(p.document)}" date="${attr(p.date ?? 'unknown')}"${facts}${extra}>\n${neutraliseFenceTags(p.text)}\n</passage>`;
    })
    .join('\n');
}

export function fenceText(text: string): string {
  return neutraliseFenceTags(text.trim());
}

export interface FencedTurn {
  role: 'user' | 'assistant';
  text: string;
}

export function fenceHistory(turns: FencedTurn[]): string {
  return turns.map((t) => `<turn role="${t.role}">\n${neutraliseFenceTags(t.text.trim())}\n</turn>`).join('\n');
}
