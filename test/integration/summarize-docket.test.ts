import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadPrompts, type Prompts } from '../../src/answer/prompts.ts';
import type { Actor } from '../../src/comments/access.ts';
import { submitComment } from '../../src/comments/queue.ts';
import type { Db } from '../../src/db/types.ts';
import { isAppError } from '../../src/errors.ts';
import { DOCKET_LLM_UNAVAILABLE_NOTE, enforceShareable, OTHER_THEME_TITLE, summarizeDocket } from '../../src/summarize/docket.ts';
import { emptySummary, type Summary } from '../../src/summarize/types.ts';
import { commentDeps, nonStaff, staff, testConfig } from '../helpers/comments.ts';
import { dbLabel, openTestDb } from '../helpers/db.ts';
import { CAMPAIGN_LETTER, generateDocket, SECRET_COMMENT, TOPIC_SLUGS } from '../helpers/docket-fixtures.ts';
import { messagesOf, reply, startOpenAIStandIn, type ChatRequest, type OpenAIStandIn, type Reply } from '../helpers/openai-stand-in.ts';

/*
 * Docket summaries over a generated docket in the comment store (80 comments: a 20-letter
 * campaign, comments without consent, one of them the most typical licensing comment), in
 * extractive mode and against the OpenAI stand-in.
 */

interface Row {
  tracking: string;
  body: string;
  consent: boolean;
  campaign: string | null;
  received: Date;
  topic: string | null;
}

let db: Db;
let rows: Row[];
let prompts: Prompts;
let standIn: OpenAIStandIn;

function ctx(env: Record<string, string> = {}) {
  const full = { OPENAI_API_KEY: '', OPENAI_BASE_URL: '', ...env };
  return { ...commentDeps(db, full), config: testConfig(full), prompts };
}

function llmCtx(env: Record<string, string> = {}) {
  return ctx({ OPENAI_BASE_URL: standIn.baseUrl, OPENAI_API_KEY: 'test', OPENAI_TIMEOUT_MS: '2000', OPENAI_MAX_RETRIES: '0', SUMMARY_BATCH_TOKENS: '2000', ...env });
}

const byTracking = () => new Map(rows.map((r) => [r.tracking, r]));
const withoutConsent = () => rows.filter((r) => !r.consent).map((r) => r.tracking);

/** Every quote is verbatim in the comment it names; counts add up; each campaign counts once. */
function expectSound(s: Summary): void {
  const map = byTracking();
  const d = s.stats.docket!;
  for (const t of s.themes) {
    expect(Object.values(t.byOrganizationType).reduce((a, b) => a + b, 0)).toBe(t.count);
    expect(Object.values(t.byTopic).reduce((a, b) => a + b, 0)).toBe(t.count);
    for (const q of t.quotes) expect(map.get(q.source.id)!.body).toContain(q.text);
    for (const src of t.sources) expect(map.has(src.id)).toBe(true);
  }
  for (const p of s.overview) for (const q of p.quotes) expect(map.get(q.source.id)!.body).toContain(q.text);
  expect(s.themes.reduce((n, t) => n + t.count, 0)).toBe(d.distinct);
  expect(s.themes.reduce((n, t) => n + t.total, 0)).toBe(d.comments);
  const inThemes = s.themes.flatMap((t) => t.campaigns.map((c) => c.campaignId));
  expect(new Set(inThemes).size).toBe(inThemes.length);
  expect([...inThemes].sort()).toEqual(s.campaigns.map((c) => c.campaignId).sort());
}

beforeAll(async () => {
  db = await openTestDb();
  prompts = await loadPrompts();
  standIn = await startOpenAIStandIn();
  const deps = commentDeps(db);
  for (const g of generateDocket(80)) await submitComment(deps, g.input);
  rows = await db.query<Row>(
    'SELECT tracking_number AS tracking, body, consent_to_publish AS consent, campaign_id AS campaign, received_at AS received, topic FROM comments ORDER BY id',
  );
}, 120_000);

afterAll(async () => {
  await standIn?.close();
  await db?.close();
});

beforeEach(() => standIn.reset());

describe(`docket summaries, extractive (${dbLabel})`, () => {
  it('counts the campaign once, with its size, and every count adds up', async () => {
    const s = await summarizeDocket(ctx(), staff, {});
    expect(s.mode).toBe('extractive');
    expect(s.kind).toBe('docket');
    expectSound(s);
    const campaigns = new Map<string, number>();
    for (const r of rows) if (r.campaign) campaigns.set(r.campaign, (campaigns.get(r.campaign) ?? 0) + 1);
    const grouped = [...campaigns.values()].filter((n) => n > 1);
    expect(s.stats.docket).toMatchObject({
      comments: 80,
      distinct: 80 - grouped.reduce((a, n) => a + n - 1, 0),
      campaigns: grouped.length,
      campaignComments: grouped.reduce((a, n) => a + n, 0),
      withoutConsent: withoutConsent().length,
    });
    // The form letter: 20 comments, one submission, in exactly one theme.
    const letter = rows.find((r) => r.body === CAMPAIGN_LETTER)!.campaign!;
    expect(s.campaigns.find((c) => c.campaignId === letter)?.size).toBe(20);
    const holding = s.themes.filter((t) => t.campaigns.some((c) => c.campaignId === letter));
    expect(holding).toHaveLength(1);
    expect(holding[0]!.total - holding[0]!.count).toBeGreaterThanOrEqual(19);
    expect(s.themes.filter((t) => t.title !== OTHER_THEME_TITLE).length).toBeGreaterThanOrEqual(3);
    expect(s.overview.length).toBeGreaterThan(0);
    expect(s.shareable).toBe(false);
  });

  it('a staff summary may cite comments without consent; a shareable one never quotes or cites them', async () => {
    const staffOnly = JSON.stringify(await summarizeDocket(ctx(), staff, {}));
    const secret = rows.find((r) => r.body === SECRET_COMMENT)!;
    expect(withoutConsent().some((t) => staffOnly.includes(t)), 'the staff summary cites some comment without consent').toBe(true);

    const s = await summarizeDocket(ctx(), staff, { shareable: true });
    expect(s.shareable).toBe(true);
    expectSound(s);
    const json = JSON.stringify(s);
    for (const t of withoutConsent()) expect(json).not.toContain(t);
    expect(json).not.toContain(secret.tracking);
    expect(json).not.toContain('firm review deadline for licenses to close allies, and to publish');
    expect(s.stats.docket!.withoutConsent).toBe(withoutConsent().length);
    expect(s.notes).toContain(`${withoutConsent().length} comments without consent to publish are counted in the totals but never quoted or cited here.`);
    // Counted all the same.
    expect(s.stats.docket!.comments).toBe(80);
  });

  it('filters by topic and by date received', async () => {
    const s = await summarizeDocket(ctx(), staff, { topic: TOPIC_SLUGS.exportControls });
    expect(s.title).toBe('Docket summary: Export controls and ITAR');
    expect(s.stats.docket!.comments).toBe(rows.filter((r) => r.topic === TOPIC_SLUGS.exportControls).length);
    expect(Object.keys(s.stats.docket!.byTopic)).toEqual(['Export controls and ITAR']);
    const since = '2026-09-15';
    const later = await summarizeDocket(ctx(), staff, { since });
    expect(later.stats.docket!.comments).toBe(rows.filter((r) => r.received >= new Date(since)).length);
    expect(later.title).toBe('Docket summary, since 2026-09-15');
    await expect(summarizeDocket(ctx(), staff, { topic: 'bananas' })).rejects.toThrow(/Unknown topic "bananas"/);
  });

  it('is for staff only', async () => {
    const err = await summarizeDocket(ctx(), nonStaff as Actor, {}).catch((e: unknown) => e);
    expect(isAppError(err, 'access.denied')).toBe(true);
  });

  it('reports progress while reading and grouping', async () => {
    const phases = new Set<string>();
    await summarizeDocket(ctx(), staff, { onProgress: (p) => phases.add(p.phase) });
    expect([...phases]).toEqual(['read', 'select', 'done']);
  });
});

describe('the shareable guard', () => {
  it('strips any reference to a comment without consent, wherever a summary put it', () => {
    const s = emptySummary('docket', 'llm', 'x');
    s.shareable = true;
    const ok = { kind: 'comment' as const, id: 'aaa-1111-aaaa', label: 'NGO' };
    const no = { kind: 'comment' as const, id: 'bbb-2222-bbbb', label: 'Industry' };
    s.overview = [
      { text: 'Both.', sources: [ok, no], quotes: [{ text: 'words of b', source: no }] },
      { text: 'Only b.', sources: [no], quotes: [] },
    ];
    s.themes = [{ title: 't', summary: '', count: 2, total: 2, byOrganizationType: {}, byTopic: {}, quotes: [{ text: 'q', source: no }], sources: [ok, no], campaigns: [{ campaignId: 'c1', size: 3, representative: no }] }];
    s.campaigns = [{ campaignId: 'c1', size: 3, representative: no }];
    const out = enforceShareable(s, new Set([no.id]));
    expect(JSON.stringify(out)).not.toContain(no.id);
    expect(out.overview).toEqual([{ text: 'Both.', sources: [ok], quotes: [] }]);
    expect(out.themes[0]!.count).toBe(2);
    expect(out.campaigns).toEqual([{ campaignId: 'c1', size: 3 }]);
    // A staff summary is left as it is.
    expect(enforceShareable({ ...s, shareable: false }, new Set([no.id]))).toEqual({ ...s, shareable: false });
  });
});

// ---------------------------------------------------------------------------------------
// LLM mode

interface SeenComment {
  id: string;
  type: string;
  topic: string;
  size: number;
  text: string;
}

function commentsIn(req: ChatRequest): SeenComment[] {
  const user = messagesOf(req, 'user').join('\n');
  return [...user.matchAll(/<comment id="([^"]*)" organization_type="([^"]*)" topic="([^"]*)" campaign_size="(\d+)">\n([\s\S]*?)\n<\/comment>/g)].map((m) => ({
    id: m[1]!,
    type: m[2]!,
    topic: m[3]!,
    size: Number(m[4]),
    text: m[5]!,
  }));
}

const isReduce = (req: ChatRequest) => req.body.response_format?.json_schema?.name === 'docket_summary';
const first = (t: string) => (/^[^.!?]+[.!?]/.exec(t)?.[0] ?? t).trim();

/** Themes by topic, quoting each theme's first comment; merges themes with the same title. Also makes things up, which must be dropped. */
function docketModel(req: ChatRequest): Reply {
  if (isReduce(req)) {
    const user = messagesOf(req, 'user').join('\n');
    const themes = [...user.matchAll(/<theme id="(T\d+)" submissions="\d+">\n([^\n]*)\n/g)].map((m) => ({ id: m[1]!, title: m[2]! }));
    const quotes = [...user.matchAll(/- "([^"]*)" \(([0-9a-z-]+)\)/g)].map((m) => ({ quote: m[1]!, source: m[2]! }));
    const byTitle = new Map<string, string[]>();
    for (const t of themes) byTitle.set(t.title, [...(byTitle.get(t.title) ?? []), t.id]);
    const q = quotes[0];
    return reply.json({
      overview: q ? [{ text: 'Commenters raised several concerns.', sources: [q.source, 'zzz-zzzz-zzzz'], quotes: [{ source: q.source, quote: q.quote }] }] : [],
      themes: [...byTitle].map(([title, from]) => ({ title, summary: `Comments on ${title}.`, from, quotes: q ? [{ source: q.source, quote: q.quote }] : [] })),
    });
  }
  const comments = commentsIn(req);
  const byTopic = new Map<string, SeenComment[]>();
  for (const c of comments) byTopic.set(c.topic, [...(byTopic.get(c.topic) ?? []), c]);
  return reply.json({
    themes: [...byTopic].map(([topic, cs]) => ({
      title: topic,
      summary: `What commenters said about ${topic}.`,
      comments: [...cs.map((c) => c.id), 'zzz-zzzz-zzzz'],
      quotes: [
        { source: cs[0]!.id, quote: first(cs[0]!.text) },
        { source: cs[0]!.id, quote: 'The Department must ban every export immediately.' },
      ],
    })),
  });
}

describe(`docket summaries with a model (${dbLabel})`, () => {
  it('maps token-bounded batches, merges the themes, counts from the comments, and drops what was made up', async () => {
    standIn.defaultChat = docketModel;
    const c = llmCtx();
    const s = await summarizeDocket(c, staff, {});
    standIn.defaultChat = null;
    expect(s.mode).toBe('llm');
    expectSound(s);
    const reqs = standIn.chatRequests();
    const maps = reqs.filter((r) => !isReduce(r));
    expect(maps.length).toBeGreaterThan(1);
    expect(reqs.filter(isReduce).length).toBeGreaterThan(0);
    for (const r of reqs) expect(Math.ceil(r.body.messages.reduce((n, m) => n + m.content.length, 0) / 4)).toBeLessThanOrEqual(2000);
    // The campaign went to the model once, as one comment standing for 20.
    const sent = maps.flatMap(commentsIn);
    expect(sent.filter((x) => x.text === CAMPAIGN_LETTER)).toEqual([expect.objectContaining({ size: 20 })]);
    expect(sent).toHaveLength(s.stats.docket!.distinct);
    expect(JSON.stringify(s)).not.toContain('zzz-zzzz-zzzz');
    expect(JSON.stringify(s)).not.toContain('ban every export immediately');
    expect(s.themes.map((t) => t.title)).toEqual(expect.arrayContaining(['Human rights and IHL', 'Export controls and ITAR']));
    expect(s.overview).toHaveLength(1);
    const dropped = c.logLines().filter((l) => l.msg === 'dropped summary references the sources do not support');
    expect(dropped.length).toBeGreaterThan(0);
  });

  it('a shareable summary does not even send comments without consent to the model', async () => {
    standIn.defaultChat = docketModel;
    const s = await summarizeDocket(llmCtx(), staff, { shareable: true });
    standIn.defaultChat = null;
    expect(s.mode).toBe('llm');
    const sentText = standIn.chatRequests().map((r) => messagesOf(r, 'user').join('\n')).join('\n');
    for (const t of withoutConsent()) expect(sentText).not.toContain(t);
    expect(sentText).not.toContain('firm review deadline for licenses to close allies, and to publish');
    const json = JSON.stringify(s);
    for (const t of withoutConsent()) expect(json).not.toContain(t);
    expect(s.notes.join(' ')).toMatch(/without consent to publish are counted in the totals but never quoted or cited here, and were not sent to the model\./);
    expect(s.stats.docket!.comments).toBe(80);
  });

  it('stays within the call budget with a model that never merges anything, and still counts every comment', async () => {
    standIn.defaultChat = (req) => {
      if (isReduce(req)) {
        const ids = [...messagesOf(req, 'user').join('\n').matchAll(/<theme id="(T\d+)"/g)].map((m) => m[1]!);
        return reply.json({ overview: [], themes: ids.map((id) => ({ title: `Theme ${id}`, summary: 's', from: [id], quotes: [] })) });
      }
      return reply.json({ themes: commentsIn(req).map((c) => ({ title: `About ${c.id}`, summary: 'x', comments: [c.id], quotes: [] })) });
    };
    const s = await summarizeDocket(llmCtx({ SUMMARY_MAX_MODEL_CALLS: '12' }), staff, {});
    standIn.defaultChat = null;
    expect(s.mode).toBe('llm');
    expect(standIn.chatRequests().length).toBeLessThanOrEqual(12);
    expect(s.themes.length).toBeLessThanOrEqual(13);
    expectSound(s);
  });

  it('falls back to the extractive summary with a note when the model fails', async () => {
    standIn.enqueue(reply.status(503));
    const s = await summarizeDocket(llmCtx(), staff, {});
    expect(s.mode).toBe('extractive');
    expect(s.notes[0]).toMatch(new RegExp(`^${DOCKET_LLM_UNAVAILABLE_NOTE.replace(/[.()]/g, '\\$&')} \\(reference [0-9a-f]{8}\\)$`));
    expectSound(s);
  });
});
