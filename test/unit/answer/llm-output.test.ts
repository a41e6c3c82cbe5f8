import { describe, expect, it } from 'vitest';
import {
  answerMessages,
  answerOutputSchema,
  ANSWER_JSON_SCHEMA,
  callBudgetMs,
  logExcerpt,
  MAX_HISTORY_TURNS,
  rewriteMessages,
  stripCodeFence,
} from '../../../src/answer/llm.ts';
import { loadPrompts } from '../../../src/answer/prompts.ts';
import type { Passage } from '../../../src/search/retrieve.ts';

function passage(text: string, title = 'Doc', date: string | null = '2018-04-19'): Passage {
  return {
    chunkId: 'c1',
    documentId: 'd1',
    ordinal: 0,
    headingPath: [],
    text,
    start: 0,
    end: text.length,
    pages: null,
    document: { id: 'd1', title, date, source: 'x.txt', kind: 'document', issuingOffice: null },
    score: 0.5,
    ftsRank: 1,
    vectorRank: 1,
    vectorDistance: 0.1,
  };
}

describe('LLM request and output contract', () => {
  it('the JSON schema sent to the model and the zod schema agree on the fields', () => {
    expect(ANSWER_JSON_SCHEMA.schema.required).toEqual(Object.keys(answerOutputSchema.shape));
    expect(answerOutputSchema.safeParse({ answer: 'A [1]', abstain: false, citations: [{ n: 1, passageId: 'P1', quote: 'q' }] }).success).toBe(true);
    expect(answerOutputSchema.safeParse({ answer: 'A', abstain: 'no', citations: [] }).success).toBe(false);
    expect(answerOutputSchema.safeParse({ answer: 'A', abstain: false, citations: [{ n: 0, passageId: 'P1', quote: 'q' }] }).success).toBe(false);
  });

  it('accepts JSON wrapped in a Markdown code fence, as some local servers send it', () => {
    expect(stripCodeFence('```json\n{"a": 1}\n```')).toBe('{"a": 1}');
    expect(stripCodeFence('{"a": 1}')).toBe('{"a": 1}');
  });

  it('sends the system template, then the question and passages fenced with ids, titles and dates', async () => {
    const prompts = await loadPrompts();
    const messages = answerMessages(prompts, 'Who?', [passage('First text.'), passage('Second.', 'Revised', null)]);
    expect(messages.map((m) => m.role)).toEqual(['system', 'user']);
    const user = messages[1]!.content as string;
    expect(user).toContain('<passage id="P1" document="Doc" date="2018-04-19">\nFirst text.\n</passage>');
    expect(user).toContain('<passage id="P2" document="Revised" date="unknown">\nSecond.\n</passage>');
  });

  it('sends at most the last turns of a long conversation, each clipped', async () => {
    const prompts = await loadPrompts();
    const turns = Array.from({ length: 20 }, (_, i) => ({ role: (i % 2 ? 'assistant' : 'user') as 'user' | 'assistant', text: `turn ${i} ${'x'.repeat(3000)}` }));
    const user = rewriteMessages(prompts, 'And then?', turns)[1]!.content as string;
    expect(user.match(/<turn /g)).toHaveLength(MAX_HISTORY_TURNS);
    expect(user).not.toContain('turn 11 ');
    expect(user).toContain('turn 19 ');
    expect(user.length).toBeLessThan(MAX_HISTORY_TURNS * 1600 + 1000);
  });

  it('log excerpts are short and carry no e-mail addresses', () => {
    expect(logExcerpt('write to ArmsTransferProcess@state.gov now')).toBe('write to [email] now');
    expect(logExcerpt('y'.repeat(500), 10)).toBe(`${'y'.repeat(10)}…`);
  });

  it('the overall budget covers every attempt and the default back-off between them', () => {
    expect(callBudgetMs({ timeoutMs: 30_000, maxRetries: 2 })).toBe(30_000 * 3 + 500 + 1000 + 500);
    expect(callBudgetMs({ timeoutMs: 1000, maxRetries: 0 })).toBe(1500);
    expect(callBudgetMs({ timeoutMs: 1000, maxRetries: 6 })).toBe(7000 + 500 + 1000 + 2000 + 4000 + 8000 + 8000 + 500);
  });
});
