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

  it('sends the system template, then the question and passages fenced with ids, titles, dates and statuses', async () => {
    const prompts = await loadPrompts();
    const messages = answerMessages(prompts, 'Who?', [passage('First text.'), passage('Second.', 'Revised', null)]);
    expect(messages.map((m) => m.role)).toEqual(['system', 'user']);
    const user = messages[1]!.content as string;
    expect(user).toContain('<passage id="P1" document="Doc" date="2018-04-19" date_source="text" status="unknown">\nFirst text.\n</passage>');
    expect(user).toContain('<passage id="P2" document="Revised" date="unknown" status="unknown">\nSecond.\n</passage>');
  });

  it('each passage says where its date came from, its status and what supersedes it; the system prompt asks to prefer current documents', async () => {
    const prompts = await loadPrompts();
    const old: Passage = { ...passage('Old text.', 'Policy 2018'), documentId: 'p2018', document: { ...passage('x').document, id: 'p2018', title: 'Policy 2018', status: 'superseded', dateSource: 'text', supersededBy: ['p2023', 'p-missing'] } };
    const cur: Passage = { ...passage('New text.', 'Policy 2023', '2023-02'), documentId: 'p2023', document: { ...passage('x').document, id: 'p2023', title: 'Policy 2023', date: '2023-02', status: 'current', dateSource: 'catalog', supersedes: ['p2018'], supersededBy: [] } };
    const withLookup = answerMessages(prompts, 'Q?', [old], new Map([['p2023', { title: 'Policy 2023 "rev"', publishedOn: '2023-02', dateSource: 'catalog' as const }]]));
    expect(withLookup[1]!.content).toContain(
      '<passage id="P1" document="Policy 2018" date="2018-04-19" date_source="text" status="superseded" superseded_by="Policy 2023 &quot;rev&quot;, Feb 2023 (catalog); p-missing">',
    );
    // Without a lookup, another passage of the successor names it; an unknown id is sent as it is.
    const user = answerMessages(prompts, 'Q?', [old, cur])[1]!.content as string;
    expect(user).toContain('status="superseded" superseded_by="Policy 2023, Feb 2023 (catalog); p-missing">\nOld text.');
    expect(user).toContain('<passage id="P2" document="Policy 2023" date="2023-02" date_source="catalog" status="current">\nNew text.');
    const system = withLookup[0]!.content as string;
    expect(system).toContain('Prefer passages from current documents');
    expect(system).toMatch(/relies on a superseded document, say so/);
    expect(system).toContain('date_source');
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
