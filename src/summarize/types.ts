/**
 * The one summary model every front end renders: Slack blocks, console/CLI text and `--json`.
 * Thread summaries and docket summaries share it; a section that does not apply is empty.
 *
 * Everything shown as a point carries the references it was drawn from (message permalinks or
 * comment tracking numbers), and every quote was checked verbatim against its source's text
 * before it got here. Nothing in this file imports Slack.
 */

/** Where a point came from: one Slack message, or one stakeholder comment. */
export interface SourceRef {
  kind: 'message' | 'comment';
  /** The message's ts, or the comment's tracking number. */
  id: string;
  /** Message permalink; absent when none is known (a file export without a workspace URL). */
  link?: string;
  /** Who: "Dana Reyes (Acme Defense)" for a message; the organization type and name for a comment. */
  label: string;
}

/** A verbatim quote, exactly as its source has it, with where it came from. */
export interface Quote {
  text: string;
  source: SourceRef;
}

export interface SummaryPoint {
  /** The point in a sentence. In extractive mode this is itself a quote of the source. */
  text: string;
  /** At least one: a point without a source is dropped. */
  sources: SourceRef[];
  quotes: Quote[];
  /**
   * Action items: who is to do it, when the thread says so: the Slack user id (the name when
   * an export has no ids). Never a pronoun; always a participant or a mentioned user.
   */
  owner?: string;
  /** The owner's display name. */
  ownerName?: string;
  /** Action items: when it is due, as written, with the date where the message date makes it clear. */
  due?: DueDate;
  /** Agreements, disagreements, decisions: who holds the position (or proposed / decided). */
  heldBy?: PersonRef[];
  /** Who agreed (in a reply or with a 👍/✅ reaction) or, for a decision, accepted it. */
  agreedBy?: PersonRef[];
  /** Who pushed back (in a reply or with a 👎 reaction). */
  pushedBackBy?: PersonRef[];
  /** Questions: who asked, and who answered (answered questions only). */
  askedBy?: PersonRef;
  answeredBy?: PersonRef[];
}

/** A person in a thread: the Slack user id (or the name when an export has none) and the display name. */
export interface PersonRef {
  id: string;
  name: string;
}

export interface DueDate {
  /** The words of the message: "by Friday", "tomorrow", "by 3/14", "next week". */
  text: string;
  /** YYYY-MM-DD, when the message's date makes the day clear. */
  date?: string;
  /** YYYY-Www (ISO week), when only the week is clear ("next week"). */
  week?: string;
}

/** A file attached to a thread message, read through the ingest loaders, with its key points by page. */
export interface AttachmentDigest {
  name: string;
  /** The message it was attached to. */
  source: SourceRef;
  read: boolean;
  /** Why it could not be read, when it could not. */
  problem?: string;
  pages?: number;
  /** Sentences quoted from the file, each cited "name, p. N" (no page for a text file). */
  points: Array<{ text: string; page?: number; cite: string }>;
}

/** What one participant argued for (threads). */
export interface Position {
  participant: string;
  organization?: string;
  points: SummaryPoint[];
}

/** A mass-comment campaign inside a theme: near-identical comments, counted once. */
export interface CampaignCount {
  campaignId: string;
  /** How many comments the campaign stands for: its stored members plus the identical copies regulations.gov counted behind them (`Duplicate Comments`). */
  size: number;
  /** Stored members (absent when equal to size). */
  stored?: number;
  /** The comment that stands for the campaign; absent when none of its comments may be cited here. */
  representative?: SourceRef;
}

/** A theme across comments (dockets) or a topic of discussion (threads). */
export interface Theme {
  title: string;
  /** A sentence or two; model-written in LLM mode, the theme's keywords in extractive mode. */
  summary: string;
  /** Distinct submissions in the theme: a campaign counts once, however many signed it. */
  count: number;
  /** Comments (or messages) in the theme, with every campaign member counted. */
  total: number;
  /** Distinct submissions by organization type (campaigns once). */
  byOrganizationType: Record<string, number>;
  /** Distinct submissions by topic label (campaigns once); "(no topic)" for unclassified ones. */
  byTopic: Record<string, number>;
  /** Threads: messages by the participants' organization. */
  byOrganization?: Record<string, number>;
  /** Dockets: distinct submissions by the organization label of the source ("Constituent"). */
  byOrganizationLabel?: Record<string, number>;
  /** Dockets: distinct submissions by position on the proposal, each with a quote. */
  byPosition?: PositionCounts;
  quotes: Quote[];
  sources: SourceRef[];
  campaigns: CampaignCount[];
}

export interface ThreadStats {
  messages: number;
  /** Messages that went into the summary (people's messages with text). */
  summarized: number;
  participants: number;
  botMessages: number;
  deletedMessages: number;
  editedMessages: number;
  files: number;
  /** Attached files read for the summary (absent when files were not read at all). */
  filesRead?: number;
}

export interface DocketStats {
  /** Comments that matched the filters (campaign members included). */
  comments: number;
  /** Distinct submissions: comments outside campaigns plus one per campaign. */
  distinct: number;
  campaigns: number;
  /** Comments in campaigns (all members). */
  campaignComments: number;
  byOrganizationType: Record<string, number>;
  byTopic: Record<string, number>;
  /** Comments without consent to publish; in a shareable summary they are counted but never quoted. */
  withoutConsent: number;
  /** Distinct submissions by the organization label of the source. */
  byOrganizationLabel?: Record<string, number>;
  /** Distinct submissions by position on the proposal (a campaign once), each with a quote. */
  byPosition?: PositionCounts;
  /** Positions by organization label: label → position → distinct submissions. */
  positionsByOrganizationLabel?: Record<string, Record<string, number>>;
}

/** Position (supports, opposes, mixed, unclear, "not read") → distinct submissions and one verbatim sentence showing it. */
export type PositionCounts = Record<string, { count: number; quote?: { text: string; source: SourceRef } }>;

export interface Summary {
  kind: 'thread' | 'docket';
  mode: 'llm' | 'extractive';
  /**
   * May be shown beyond the staff who asked for it. A shareable docket summary never quotes or
   * cites a comment whose submitter did not consent to publication.
   */
  shareable: boolean;
  title: string;
  overview: SummaryPoint[];
  positions: Position[];
  agreements: SummaryPoint[];
  disagreements: SummaryPoint[];
  /** Threads: what was settled (an explicit decision, or a proposal others accepted), with the accepting messages. */
  decisions: SummaryPoint[];
  openQuestions: SummaryPoint[];
  /** Threads: questions a later message answered, with who answered. */
  answeredQuestions: SummaryPoint[];
  actionItems: SummaryPoint[];
  /** Threads: attached files that were read (or could not be). */
  attachments: AttachmentDigest[];
  themes: Theme[];
  /** Every campaign in the docket with its size (also listed under the themes they fall in). */
  campaigns: CampaignCount[];
  stats: { thread?: ThreadStats; docket?: DocketStats };
  /** Things the reader should know: a model failure and fallback, a shortened input. */
  notes: string[];
  /** What was summarized: a thread link, or the docket filters. */
  scope: { permalink?: string; channel?: string; threadTs?: string; topic?: string; since?: string };
  generatedAt: string;
}

/** Progress of a long summary, for a status line or a progress bar. */
export interface SummaryProgress {
  phase: 'read' | 'select' | 'map' | 'reduce' | 'done';
  done: number;
  total: number;
  message: string;
}

export type ProgressFn = (p: SummaryProgress) => void;

export function emptySummary(kind: Summary['kind'], mode: Summary['mode'], title: string): Summary {
  return {
    kind,
    mode,
    shareable: false,
    title,
    overview: [],
    positions: [],
    agreements: [],
    disagreements: [],
    decisions: [],
    openQuestions: [],
    answeredQuestions: [],
    actionItems: [],
    attachments: [],
    themes: [],
    campaigns: [],
    stats: {},
    notes: [],
    scope: {},
    generatedAt: new Date().toISOString(),
  };
}
