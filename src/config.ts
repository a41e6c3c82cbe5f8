import path from 'node:path';
import { z } from 'zod';
import { AppError } from './errors.ts';

/** Empty strings in the environment mean "not set": a blank `OPENAI_API_KEY=` in .env must not switch LLM mode on. */
const optionalString = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

const blankIsUnset = <T extends z.ZodTypeAny>(schema: T) =>
  z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : typeof v === 'string' ? v.trim() : v), schema);

const numberFrom = (min: number, max: number, fallback: number, whole: boolean) =>
  z
    .string()
    .trim()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return fallback;
      const n = Number(v);
      if (!(whole ? Number.isInteger(n) : Number.isFinite(n)) || n < min || n > max) {
        ctx.addIssue({ code: 'custom', message: `expected a ${whole ? 'whole number' : 'number'} from ${min} to ${max}, got "${v}"` });
        return z.NEVER;
      }
      return n;
    });

const intFrom = (min: number, max: number, fallback: number) => numberFrom(min, max, fallback, true);
const floatFrom = (min: number, max: number, fallback: number) => numberFrom(min, max, fallback, false);

/** The policy areas a submitter chooses from (the lines of effort, then the office's other areas). */
export const DEFAULT_COMMENT_TOPICS =
  'Prioritizing strategic competition, Organizing for success, Creating conducive environments, Human rights and IHL, ' +
  'Export controls and ITAR, MTCR and UAS, Other';

/**
 * pg_trgm similarity of two comments' normalised text from which they are one campaign. Measured
 * by bench/dedupe-threshold.ts (campaign variants against distinct comments from the same
 * vocabulary, two seeds): through the pipeline 0.6 gave 99.0-99.3% pair precision and 96.6-97.5%
 * recall; 0.55 gave 87.9-95.4% and 100%, 0.65 99.9-100% and 86.9-89.9%. Precision first: a
 * distinct voice filed under a campaign is worse than a copy left ungrouped.
 */
export const DEFAULT_NEAR_DUPLICATE_THRESHOLD = 0.6;

const urlString = (protocols: string[]) =>
  optionalString.refine(
    (v) => {
      if (v === undefined) return true;
      try {
        return protocols.includes(new URL(v).protocol);
      } catch {
        return false;
      }
    },
    { message: `expected a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}` },
  );

export const envSchema = z.object({
  DATABASE_URL: urlString(['postgres:', 'postgresql:']),
  POLICY_DESK_DATA_DIR: optionalString,
  EMBEDDER: blankIsUnset(
    z.enum(['hashing', 'openai'], { message: 'expected "hashing" (local, the default) or "openai"' }).optional().default('hashing'),
  ),
  OPENAI_API_KEY: optionalString,
  OPENAI_BASE_URL: urlString(['http:', 'https:']),
  OPENAI_EMBEDDING_MODEL: optionalString.default('text-embedding-3-small'),
  OPENAI_EMBEDDING_DIMENSIONS: intFrom(0, 4000, 0),
  OPENAI_CHAT_MODEL: optionalString.default('gpt-4o-mini'),
  OPENAI_TIMEOUT_MS: intFrom(1000, 600_000, 30_000),
  OPENAI_MAX_RETRIES: intFrom(0, 10, 2),
  CHUNK_TARGET_CHARS: intFrom(200, 8000, 900),
  CHUNK_OVERLAP_CHARS: intFrom(0, 2000, 150),
  SEARCH_TOP_K: intFrom(1, 50, 5),
  // Comment queue: topics offered to submitters, who counts as staff, when two comments are one campaign.
  COMMENT_TOPICS: optionalString.default(DEFAULT_COMMENT_TOPICS),
  STAFF_USER_IDS: optionalString.refine((v) => v === undefined || v.split(',').every((id) => /^[UW][A-Z0-9]{2,}$/.test(id.trim()) || id.trim() === ''), {
    message: 'expected Slack user ids separated by commas, e.g. "U012ABCDEF,W0456GHIJK" (profile menu, Copy member ID)',
  }),
  STAFF_USERGROUP_ID: optionalString.refine((v) => v === undefined || /^S[A-Z0-9]{2,}$/.test(v), {
    message: 'expected a Slack user group id starting with "S", e.g. "S0123ABCDEF"',
  }),
  COMMENT_NEAR_DUPLICATE_THRESHOLD: floatFrom(0.1, 1, DEFAULT_NEAR_DUPLICATE_THRESHOLD),
  // Imports: organization labels of real exports mapped onto the six types ("Label=type; ..." and/or a
  // CSV "label,type" or JSON {"Label": "type"} file), over the defaults in src/comments/organization-labels.ts.
  COMMENT_ORGANIZATION_LABELS: optionalString,
  COMMENT_ORGANIZATION_LABELS_FILE: optionalString,
  // What the docket's comments respond to, in one line; positions are read against it.
  DOCKET_PROPOSAL: optionalString.refine((v) => v === undefined || (v.length <= 1000 && !v.includes('\n')), {
    message: 'expected the proposal in one line of at most 1,000 characters',
  }),
  // Summaries (LLM mode): input tokens per model call (estimated as characters / 4), and a cap on calls per summary.
  SUMMARY_BATCH_TOKENS: intFrom(2000, 500_000, 6000),
  SUMMARY_MAX_MODEL_CALLS: intFrom(1, 100_000, 500),
  // Slack: set SLACK_BOT_TOKEN plus SLACK_SIGNING_SECRET (HTTP) or SLACK_APP_TOKEN (Socket Mode).
  SLACK_BOT_TOKEN: optionalString.refine((v) => v === undefined || v.startsWith('xoxb-'), {
    message: 'expected a bot token starting with "xoxb-" (Slack app settings, OAuth & Permissions)',
  }),
  SLACK_SIGNING_SECRET: optionalString.refine((v) => v === undefined || /^[0-9a-f]{16,}$/i.test(v), {
    message: 'expected the hex signing secret (Slack app settings, Basic Information, App Credentials)',
  }),
  SLACK_APP_TOKEN: optionalString.refine((v) => v === undefined || v.startsWith('xapp-'), {
    message: 'expected an app-level token starting with "xapp-" with the connections:write scope (Basic Information, App-Level Tokens)',
  }),
  SLACK_API_URL: urlString(['http:', 'https:']),
  // The private channel where new comments are posted as review cards; unset: no cards.
  REVIEW_CHANNEL_ID: optionalString.refine((v) => v === undefined || /^[CG][A-Z0-9]{2,}$/.test(v), {
    message: 'expected a Slack channel id starting with "C" or "G", e.g. "C0123ABCDEF" (channel details, About, at the bottom)',
  }),
  // Documents from a URL (`policy-desk ingest <url>`, `/library add <url>`): size and time limits, and the
  // SSRF guard's exception for an intranet. Slack library: who keeps it and where uploads go.
  INGEST_URL_MAX_MB: intFrom(1, 2048, 50),
  // OCR of scanned PDF pages (tesseract.js, English model from npm, offline); off: scans are refused.
  OCR: blankIsUnset(z.enum(['on', 'off'], { message: 'expected "on" (the default) or "off"' }).optional().default('on')),
  OCR_MIN_CONFIDENCE: intFrom(0, 100, 60),
  INGEST_URL_TIMEOUT_SECONDS: intFrom(1, 3600, 60),
  INGEST_ALLOW_PRIVATE_URLS: blankIsUnset(
    z.enum(['true', 'false'], { message: 'expected "true" or "false"' }).optional().default('false'),
  ),
  LIBRARY_ADMIN_USER_IDS: optionalString.refine((v) => v === undefined || v.split(',').every((id) => /^[UW][A-Z0-9]{2,}$/.test(id.trim()) || id.trim() === ''), {
    message: 'expected Slack user ids separated by commas, e.g. "U012ABCDEF,W0456GHIJK" (profile menu, Copy member ID)',
  }),
  LIBRARY_ADMIN_USERGROUP_ID: optionalString.refine((v) => v === undefined || /^S[A-Z0-9]{2,}$/.test(v), {
    message: 'expected a Slack user group id starting with "S", e.g. "S0123ABCDEF"',
  }),
  LIBRARY_CHANNEL_ID: optionalString.refine((v) => v === undefined || /^[CG][A-Z0-9]{2,}$/.test(v), {
    message: 'expected a Slack channel id starting with "C" or "G", e.g. "C0123ABCDEF" (channel details, About, at the bottom)',
  }),
  PORT: intFrom(0, 65535, 3000),
  // Durable jobs (answers, summaries after the Slack ack): jobs one instance runs at once, and how
  // long a claim holds without a heartbeat (a killed instance's jobs are taken over after it).
  JOB_CONCURRENCY: intFrom(1, 64, 4),
  JOB_LEASE_SECONDS: intFrom(5, 3600, 30),
  // Per-person limits in Slack (token buckets in the database, so they hold across instances); 0 turns one off.
  RATE_LIMIT_QUESTIONS_PER_MINUTE: intFrom(0, 10_000, 20),
  RATE_LIMIT_COMMENTS_PER_HOUR: intFrom(0, 100_000, 20),
  LOG_LEVEL: blankIsUnset(
    z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
        message: 'expected one of fatal, error, warn, info, debug, trace, silent',
      })
      .optional()
      .default('warn'),
  ),
});

export type Env = z.infer<typeof envSchema>;

export interface Config {
  databaseUrl: string | undefined;
  dataDir: string;
  pgliteDir: string;
  embedder: 'hashing' | 'openai';
  openai: {
    apiKey: string | undefined;
    baseUrl: string | undefined;
    embeddingModel: string;
    embeddingDimensions: number | undefined;
    chatModel: string;
    timeoutMs: number;
    maxRetries: number;
    /** LLM answers are on when a key or a base URL is configured. */
    enabled: boolean;
  };
  chunking: { targetChars: number; overlapChars: number };
  searchTopK: number;
  logLevel: Env['LOG_LEVEL'];
  comments: CommentsConfig;
  summary: SummaryConfig;
  slack: SlackConfig;
  jobs: JobsConfig;
  rateLimits: RateLimitsConfig;
  fetch: FetchConfig;
  /** OCR of PDF pages without a text layer; a page read below minConfidence (0-100) is reported at ingest. */
  ocr: { enabled: boolean; minConfidence: number };
  library: LibraryConfig;
}

/** Fetching documents from a URL: only when a person asks (`ingest <url>`, `/library add`). */
export interface FetchConfig {
  maxBytes: number;
  timeoutMs: number;
  /** Lift the SSRF guard for private, loopback and CGNAT addresses on fetches Slack triggers (the CLI always may). */
  allowPrivate: boolean;
}

/** The document library kept from Slack: admins by id or user group (never external users), and its channel. */
export interface LibraryConfig {
  adminUserIds: string[];
  adminUsergroupId: string | undefined;
  channelId: string | undefined;
}

/** Per-person limits on Slack questions (answers and summaries) and comment submissions; 0 means no limit. */
export interface RateLimitsConfig {
  questionsPerMinute: number;
  commentsPerHour: number;
}

/** The job workers every Slack app instance runs (src/jobs/). */
export interface JobsConfig {
  concurrency: number;
  leaseMs: number;
}

/** Summaries in LLM mode: how much goes into one model call, and how many calls one summary may make. */
export interface SummaryConfig {
  /** Input budget per call, in tokens estimated as characters / 4 (prompt included). */
  batchTokens: number;
  /** A summary that would need more calls than this is made extractively instead, with a note. */
  maxModelCalls: number;
}

/**
 * `mode` is decided here, once: 'socket' with an app-level token, 'http' with a signing secret,
 * 'off' (the local console) with no Slack variables at all. Half a configuration is an error.
 */
export interface SlackConfig {
  mode: 'off' | 'http' | 'socket';
  botToken: string | undefined;
  signingSecret: string | undefined;
  appToken: string | undefined;
  /** Web API base URL ending in '/', e.g. a GovSlack host or a local stand-in; undefined means slack.com. */
  apiUrl: string | undefined;
  /** HTTP mode: where /slack/events and /healthz listen. Socket Mode: the health endpoint only. */
  port: number;
  /** The (private) channel where new comments are posted as review cards; undefined: no cards. */
  reviewChannelId: string | undefined;
}

/** A configured comment topic: `slug` is stored with each comment, `label` is what people see. */
export interface CommentTopic {
  slug: string;
  label: string;
}

export interface CommentsConfig {
  topics: CommentTopic[];
  /** Slack user ids that are staff. External (Slack Connect) users never are, whatever this says. */
  staffUserIds: string[];
  /** Members of this Slack user group are staff too; the Slack layer resolves membership. */
  staffUsergroupId: string | undefined;
  nearDuplicateThreshold: number;
  /** COMMENT_ORGANIZATION_LABELS: inline "Label=type" entries. */
  organizationLabels: string | undefined;
  /** COMMENT_ORGANIZATION_LABELS_FILE: a file of label → type. */
  organizationLabelsFile: string | undefined;
  /** DOCKET_PROPOSAL: what comments respond to, unless a docket has its own (`comments import --proposal`). */
  proposal: string | undefined;
}

/**
 * COMMENT_TOPICS: labels separated by commas; each may be written `slug=Label` to pin its slug
 * (stored comments keep the slug, so renaming a label without pinning the old slug orphans them).
 * Slack's select menus allow 100 options of at most 75 characters, so those are the limits here.
 */
export function parseCommentTopics(value: string): CommentTopic[] {
  const topics: CommentTopic[] = [];
  const problems: string[] = [];
  for (const raw of value.split(',')) {
    const item = raw.trim();
    if (!item) continue;
    const pinned = /^([a-z0-9][a-z0-9-]*)=(.+)$/.exec(item);
    const label = (pinned ? pinned[2]! : item).trim();
    const slug = pinned ? pinned[1]! : slugify(label);
    if (!slug) problems.push(`"${item}" has no letters or digits to make a slug from`);
    else if (label.length > 75) problems.push(`"${label.slice(0, 30)}..." is longer than 75 characters (Slack's limit for a menu option)`);
    else if (topics.some((t) => t.slug === slug)) problems.push(`two topics have the slug "${slug}"`);
    else topics.push({ slug, label });
  }
  if (topics.length === 0) problems.push('no topics given');
  if (topics.length > 100) problems.push(`${topics.length} topics; at most 100 fit a Slack menu`);
  if (problems.length > 0) {
    throw new AppError(
      'config.invalid',
      `Invalid configuration:\n  COMMENT_TOPICS: ${problems.join('; ')}. Expected labels separated by commas, each optionally "slug=Label".`,
    );
  }
  return topics;
}

function slugify(label: string): string {
  return label
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

export function formatEnvIssues(error: z.ZodError): string {
  const lines = error.issues.map((issue) => {
    const name = issue.path.join('.') || '(environment)';
    return `  ${name}: ${issue.message}`;
  });
  return `Invalid configuration:\n${lines.join('\n')}\nFix the variable(s) above (see the configuration table in README.md).`;
}

export function loadConfig(env: Record<string, string | undefined> = process.env, cwd = process.cwd()): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) throw new AppError('config.invalid', formatEnvIssues(parsed.error));
  const e = parsed.data;
  if (e.EMBEDDER === 'openai' && !e.OPENAI_API_KEY && !e.OPENAI_BASE_URL) {
    throw new AppError(
      'config.invalid',
      'Invalid configuration:\n  EMBEDDER: "openai" needs OPENAI_API_KEY or OPENAI_BASE_URL (an OpenAI-compatible server).',
    );
  }
  if (e.CHUNK_OVERLAP_CHARS >= e.CHUNK_TARGET_CHARS) {
    throw new AppError(
      'config.invalid',
      `Invalid configuration:\n  CHUNK_OVERLAP_CHARS: must be smaller than CHUNK_TARGET_CHARS (${e.CHUNK_TARGET_CHARS}).`,
    );
  }
  const slack = slackConfigFrom(e);
  const dataDir = path.resolve(cwd, e.POLICY_DESK_DATA_DIR ?? '.policy-desk');
  return {
    databaseUrl: e.DATABASE_URL,
    dataDir,
    pgliteDir: path.join(dataDir, 'pglite'),
    embedder: e.EMBEDDER,
    openai: {
      apiKey: e.OPENAI_API_KEY,
      baseUrl: e.OPENAI_BASE_URL,
      embeddingModel: e.OPENAI_EMBEDDING_MODEL,
      embeddingDimensions: e.OPENAI_EMBEDDING_DIMENSIONS || undefined,
      chatModel: e.OPENAI_CHAT_MODEL,
      timeoutMs: e.OPENAI_TIMEOUT_MS,
      maxRetries: e.OPENAI_MAX_RETRIES,
      enabled: Boolean(e.OPENAI_API_KEY || e.OPENAI_BASE_URL),
    },
    chunking: { targetChars: e.CHUNK_TARGET_CHARS, overlapChars: e.CHUNK_OVERLAP_CHARS },
    searchTopK: e.SEARCH_TOP_K,
    logLevel: e.LOG_LEVEL,
    comments: {
      topics: parseCommentTopics(e.COMMENT_TOPICS ?? DEFAULT_COMMENT_TOPICS),
      staffUserIds: (e.STAFF_USER_IDS ?? '').split(',').map((id) => id.trim()).filter(Boolean),
      staffUsergroupId: e.STAFF_USERGROUP_ID,
      nearDuplicateThreshold: e.COMMENT_NEAR_DUPLICATE_THRESHOLD,
      organizationLabels: e.COMMENT_ORGANIZATION_LABELS,
      organizationLabelsFile: e.COMMENT_ORGANIZATION_LABELS_FILE,
      proposal: e.DOCKET_PROPOSAL,
    },
    summary: { batchTokens: e.SUMMARY_BATCH_TOKENS, maxModelCalls: e.SUMMARY_MAX_MODEL_CALLS },
    slack,
    jobs: { concurrency: e.JOB_CONCURRENCY, leaseMs: e.JOB_LEASE_SECONDS * 1000 },
    rateLimits: { questionsPerMinute: e.RATE_LIMIT_QUESTIONS_PER_MINUTE, commentsPerHour: e.RATE_LIMIT_COMMENTS_PER_HOUR },
    ocr: { enabled: e.OCR === 'on', minConfidence: e.OCR_MIN_CONFIDENCE },
    fetch: { maxBytes: e.INGEST_URL_MAX_MB * 1024 * 1024, timeoutMs: e.INGEST_URL_TIMEOUT_SECONDS * 1000, allowPrivate: e.INGEST_ALLOW_PRIVATE_URLS === 'true' },
    library: {
      adminUserIds: (e.LIBRARY_ADMIN_USER_IDS ?? '').split(',').map((id) => id.trim()).filter(Boolean),
      adminUsergroupId: e.LIBRARY_ADMIN_USERGROUP_ID,
      channelId: e.LIBRARY_CHANNEL_ID,
    },
  };
}

function slackConfigFrom(e: Env): SlackConfig {
  const base = {
    botToken: e.SLACK_BOT_TOKEN,
    signingSecret: e.SLACK_SIGNING_SECRET,
    appToken: e.SLACK_APP_TOKEN,
    apiUrl: e.SLACK_API_URL === undefined ? undefined : e.SLACK_API_URL.replace(/\/*$/, '/'),
    port: e.PORT,
    reviewChannelId: e.REVIEW_CHANNEL_ID,
  };
  const invalid = (line: string) => new AppError('config.invalid', `Invalid configuration:\n  ${line}\nSee docs/slack.md.`);
  if (!e.SLACK_BOT_TOKEN) {
    const stray = (['SLACK_SIGNING_SECRET', 'SLACK_APP_TOKEN'] as const).filter((k) => e[k] !== undefined);
    if (stray.length > 0) {
      throw invalid(`SLACK_BOT_TOKEN: required when ${stray.join(' or ')} is set (the xoxb- token from OAuth & Permissions).`);
    }
    return { mode: 'off', ...base };
  }
  if (e.SLACK_APP_TOKEN) return { mode: 'socket', ...base };
  if (e.SLACK_SIGNING_SECRET) return { mode: 'http', ...base };
  throw invalid(
    'SLACK_BOT_TOKEN is set, so the Slack app needs SLACK_SIGNING_SECRET (HTTP mode, a public /slack/events URL) or SLACK_APP_TOKEN (Socket Mode).',
  );
}

let cached: Config | undefined;

/** The process-wide configuration, parsed once. */
export function getConfig(): Config {
  cached ??= loadConfig();
  return cached;
}
