import { newReferenceId } from '../errors.ts';
import type { Passage } from '../search/retrieve.ts';
import { expandFollowUp } from './followup.ts';
import { LlmFailure, llmAnswer, logLlmFailure, rewriteFollowUp, type LlmContext } from './llm.ts';
import type { Answer, ConversationTurn } from '../domain/answer.ts';

/**
 * The two answer paths behind ask(). Retrieval is passed in (ask() owns it), so this module
 * does not care how search is done, only what it returns: passages, and the extractive answer
 * over them, which is also the LLM path's fallback.
 */
export interface Retrieval {
  passages: Passage[];
  extractive(): Promise<Answer>;
}
export type Retriever = (query: string) => Promise<Retrieval>;

export const LLM_UNAVAILABLE_NOTE = 'The language model was unavailable, so this answer quotes the documents directly.';

/** The user's question stays the question; what was searched for is recorded beside it when different. */
function asAsked(answer: Answer, question: string, searched: string): Answer {
  const { standaloneQuestion: _ignored, ...rest } = answer;
  return { ...rest, question, ...(searched.trim() !== question.trim() ? { standaloneQuestion: searched } : {}) };
}

export async function answerExtractively(question: string, history: readonly ConversationTurn[], retrieve: Retriever): Promise<Answer> {
  const searched = history.length > 0 ? expandFollowUp(question, history) : question;
  const retrieval = await retrieve(searched);
  return asAsked(await retrieval.extractive(), question, searched);
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
  if (!modelDown) {
    try {
      return asAsked(await llmAnswer(llm, searched, retrieval.passages), question, searched);
    } catch (err) {
      logLlmFailure(llm, 'answer', err);
    }
  }
  const fallback = await retrieval.extractive();
  return asAsked({ ...fallback, note: `${LLM_UNAVAILABLE_NOTE} (reference ${llm.ref})` }, question, searched);
}
