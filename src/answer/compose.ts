import { newReferenceId } from '../errors.ts';
import type { Passage } from '../search/retrieve.ts';
import { expandFollowUp } from './followup.ts';
import { LlmFailure, llmAnswer, logLlmFailure, rewriteFollowUp, type LlmContext } from './llm.ts';
import type { Answer, ConversationTurn } from '../domain/answer.ts';
import type { UnderstoodQuery } from '../domain/query.ts';
import { addVersionNotes, type VersionSupport } from './versions.ts';

/**
 * The two answer paths behind ask(). Retrieval is passed in (ask() owns it), so this module
 * does not care how search is done, only what it returns: passages, and the extractive answer
 * over them, which is also the LLM path's fallback.
 */
export interface Retrieval {
  passages: Passage[];
  extractive(): Promise<Answer>;
  /** Catalog facts and the current version's say: superseded warnings are added by code in both modes (./versions.ts). */
  versions?: VersionSupport;
  /**
   * Status and comparison questions are answered by code from the catalog and the documents side
   * by side (./status.ts, ./compare.ts), in both modes; null when the question turns out to be a look-up.
   */
  special?: () => Promise<Answer | null>;
  /** How the question was read (understandQuestion): every answer carries it as `query`. */
  query?: UnderstoodQuery;
}
export type Retriever = (query: string) => Promise<Retrieval>;

export const LLM_UNAVAILABLE_NOTE = 'The language model was unavailable, so this answer quotes the documents directly.';

/**
 * The user's question stays the question; what was searched for is recorded beside it when
 * different, and how it was read (the retrieval's understood query) goes with the answer.
 */
function asAsked(answer: Answer, question: string, searched: string, query?: UnderstoodQuery): Answer {
  const { standaloneQuestion: _ignored, query: _read, ...rest } = answer;
  return {
    ...rest,
    question,
    ...(searched.trim() !== question.trim() ? { standaloneQuestion: searched } : {}),
    ...(query ? { query } : answer.query ? { query: answer.query } : {}),
  };
}

/** The version step (warnings on superseded documents, the current document's quote), when the retrieval supports it. */
async function withVersions(answer: Answer, retrieval: Retrieval, searched: string): Promise<Answer> {
  return retrieval.versions ? addVersionNotes(answer, retrieval.versions, searched) : answer;
}

export async function answerExtractively(question: string, history: readonly ConversationTurn[], retrieve: Retriever): Promise<Answer> {
  const searched = history.length > 0 ? expandFollowUp(question, history) : question;
  const retrieval = await retrieve(searched);
  const special = retrieval.special ? await retrieval.special() : null;
  if (special) return asAsked(special, question, searched, retrieval.query);
  return asAsked(await withVersions(await retrieval.extractive(), retrieval, searched), question, searched, retrieval.query);
}

/**
 * LLM mode. Any failure of the model (after the client's own timeout and retries) gives the
 * extractive answer with a one-line note and a reference id; details go to the log under the
 * same id. Retrieval errors are not the model's and propagate as they do in extractive mode.
 */
export async function answerWithLlm(
  ctx: Omit<LlmContext, 'ref'>,
  question: string,
  history: readonly ConversationTurn[],
  retrieve: Retriever,
): Promise<Answer> {
  const llm: LlmContext = { ...ctx, ref: newReferenceId() };
  let searched = question;
  let modelDown = false;
  if (history.length > 0) {
    try {
      searched = await rewriteFollowUp(llm, question, history);
    } catch (err) {
      logLlmFailure(llm, 'rewrite-followup', err);
      searched = expandFollowUp(question, history);
      // A timed-out or overloaded endpoint would only make the user wait a second time.
      modelDown = err instanceof LlmFailure && err.endpointDown;
    }
  }
  const retrieval = await retrieve(searched);
  const special = retrieval.special ? await retrieval.special() : null;
  if (special) return asAsked(special, question, searched, retrieval.query);
  if (!modelDown) {
    try {
      // The model is asked to prefer current documents; the warning on a superseded one is the code's.
      const documents = retrieval.versions ? (ids: readonly string[]) => retrieval.versions!.facts(ids) : undefined;
      const answer = await llmAnswer(llm, searched, retrieval.passages, { documents });
      return asAsked(await withVersions(answer, retrieval, searched), question, searched, retrieval.query);
    } catch (err) {
      logLlmFailure(llm, 'answer', err);
    }
  }
  const fallback = await withVersions(await retrieval.extractive(), retrieval, searched);
  return asAsked({ ...fallback, note: `${LLM_UNAVAILABLE_NOTE} (reference ${llm.ref})` }, question, searched, retrieval.query);
}
