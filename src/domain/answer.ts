/** The one answer model every front end renders: CLI --json, console, Slack blocks. */
export interface Citation {
  n: number;
  document: { id: string; title: string; date: string | null; source: string };
  quote: string;
  passage: string;
  chunkId: string;
  score: number;
}

export interface Answer {
  question: string;
  answer: string;
  mode: 'extractive' | 'llm';
  abstained: boolean;
  citations: Citation[];
  /** Present when something the user should know happened, e.g. the model was unavailable. */
  note?: string;
  /** A follow-up rewritten into the question that was actually searched for; absent when the question was used as asked. */
  standaloneQuestion?: string;
}

/** One prior turn of a conversation (a Slack thread, a console session), oldest first. */
export interface ConversationTurn {
  role: 'user' | 'assistant';
  text: string;
}

export const ABSTAIN_MESSAGE =
  "The documents don't answer this. I found no passage in the ingested policy documents that addresses the question.";
