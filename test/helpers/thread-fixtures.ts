import type { SlackRawMessage } from '../../src/summarize/replies.ts';

/**
 * Slack threads for tests and benchmarks, in conversations.replies' wire format: a short
 * hand-written feedback thread whose agreements, questions and action items are known, and a
 * generator of long threads (deterministic for a seed) with the things real threads have:
 * mentions, links, edits, deleted messages, bot messages, files.
 */

export const THREAD_CHANNEL = 'CFEEDBACK1';

export interface FixturePerson {
  id: string;
  name: string;
  organization: string;
  /** The person's home workspace: staff share the app's, stakeholders come in over Slack Connect. */
  teamId: string;
}

export const STAFF_TEAM = 'TPOLICY';

export const PEOPLE: FixturePerson[] = [
  { id: 'UMAYA001', name: 'Maya Chen', organization: 'ISN/CATR', teamId: STAFF_TEAM },
  { id: 'UDANA002', name: 'Dana Reyes', organization: 'Acme Defense Systems', teamId: 'TACME' },
  { id: 'UOMAR003', name: 'Omar Haddad', organization: 'Arms Control Watch', teamId: 'TACW' },
  { id: 'ULENA004', name: 'Lena Fischer', organization: 'Georgetown University', teamId: 'TGTOWN' },
  { id: 'UTOMB005', name: 'Tom Becker', organization: 'Allied Aerospace', teamId: 'TALLIED' },
  { id: 'UPRIY006', name: 'Priya Natarajan', organization: 'ISN/CATR', teamId: STAFF_TEAM },
];

export const TEAM_NAMES: Record<string, string> = {
  TPOLICY: 'ISN/CATR',
  TACME: 'Acme Defense Systems',
  TACW: 'Arms Control Watch',
  TGTOWN: 'Georgetown University',
  TALLIED: 'Allied Aerospace',
};

const person = (name: string) => PEOPLE.find((p) => p.name.startsWith(name))!;

/** Timestamps a minute apart from a fixed start, microseconds distinct: ordered like Slack's. */
function tsAt(base: number, i: number): string {
  return `${base + i * 60}.${String(100 + i).padStart(6, '0')}`;
}

export const SHORT_THREAD_TS = '1760100000.000100';

/**
 * Twelve messages about a draft revision: Dana and Tom want faster licensing, Omar disagrees
 * and wants human rights vetting kept, Lena asks an open question, Maya and Priya take actions.
 */
export function shortThread(): SlackRawMessage[] {
  const base = 1760100000;
  const at = (i: number) => (i === 0 ? SHORT_THREAD_TS : tsAt(base, i));
  const msg = (i: number, who: string, text: string, extra: Partial<SlackRawMessage> = {}): SlackRawMessage => ({
    type: 'message',
    ts: at(i),
    thread_ts: SHORT_THREAD_TS,
    user: person(who).id,
    text,
    ...extra,
  });
  return [
    msg(0, 'Maya', 'Kicking off feedback on the draft revision of the CAT implementation guidance. Please share views on license review timelines and human rights vetting by Friday.', {
      files: [{ id: 'F01', name: 'cat-guidance-draft-v3.pdf', title: 'CAT guidance draft v3', mode: 'hosted' }],
    }),
    msg(1, 'Dana', 'We support shortening the license review timeline for close allies to 30 days. Long reviews push our partners toward foreign suppliers.'),
    msg(2, 'Omar', 'We strongly oppose any change that weakens human rights vetting before a sale. Speed should never come at the cost of civilian harm assessments.'),
    msg(3, 'Tom', 'I agree with Dana that the 30-day review for allies would help co-production programs. Our supply chain plans depend on predictable timelines.'),
    msg(4, 'Lena', 'How would the guidance measure whether end-use monitoring actually reduces diversion risk?'),
    msg(5, 'Omar', "I disagree with Tom on co-production: partners with weak oversight records should not get faster approvals.", { edited: { user: person('Omar').id, ts: '1760100400.000000' } }),
    { type: 'message', ts: tsAt(base, 6), thread_ts: SHORT_THREAD_TS, subtype: 'tombstone', text: 'This message was deleted.', user: 'USLACKBOT' },
    msg(7, 'Priya', 'Good point from Omar and Dana both. The draft keeps human rights vetting for every case, including allies.'),
    { type: 'message', ts: tsAt(base, 8), thread_ts: SHORT_THREAD_TS, subtype: 'bot_message', bot_id: 'BREMIND1', username: 'Reminder Bot', text: 'Reminder: comments on the draft guidance close Friday.' },
    msg(9, 'Dana', 'Thanks Priya, that makes sense. Could the guidance publish target review times for each case category?'),
    msg(10, 'Maya', 'I will circulate a revised draft with target review times by Friday.'),
    msg(11, 'Maya', `<@${person('Priya').id}> can you draft the section on end-use monitoring metrics for Lena's question?`),
  ];
}

// ---------------------------------------------------------------------------------------
// Long threads

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    return s / 2 ** 32;
  };
}

const TOPICS = [
  {
    subject: 'license review timelines',
    stance: [
      'We support a 30-day license review for close allies, because long reviews push partners toward foreign suppliers.',
      'Our members need predictable license review timelines to plan co-production with allied manufacturers.',
      'We recommend publishing target review times for each case category so that exporters can plan.',
      'Faster reviews matter less than consistent ones; our concern is the variance between similar cases.',
    ],
    question: 'How many cases currently exceed the 60-day review target?',
    answer: 'Roughly a fifth of cases exceeded the 60-day review target last year, mostly because of interagency holds.',
  },
  {
    subject: 'human rights vetting',
    stance: [
      'We strongly oppose any shortcut in human rights vetting before a sale is approved.',
      'Civilian harm assessments should be completed before congressional notification, not after.',
      'The guidance should say that the risk of misuse is weighed even for long-standing partners.',
      'Our concern is that end users with credible reports of abuses still receive munitions.',
    ],
    question: 'Who decides when a credible report of abuses is serious enough to pause a case?',
    answer: 'Cases with credible reports go to the human rights review group, which can recommend a pause.',
  },
  {
    subject: 'end-use monitoring',
    stance: [
      'End-use monitoring needs more funding if post-shipment checks are to cover the high-risk cases.',
      'We recommend that Blue Lantern checks be scheduled by risk, not at random.',
      'Post-shipment verification should report its findings to Congress every year.',
      'Our members would accept stricter end-use monitoring in exchange for faster initial approvals.',
    ],
    question: 'Does the draft require post-shipment checks for every category of night vision equipment?',
    answer: 'The draft requires post-shipment checks for night vision equipment only above the export threshold.',
  },
  {
    subject: 'unmanned aerial systems',
    stance: [
      'We support treating Category I unmanned aerial systems like other combat aircraft under the policy.',
      'The MTCR presumption of denial should remain for Category I systems, whatever the buyer.',
      'Allied demand for unmanned aerial systems is growing faster than our export approvals.',
      'Armed drones need the same civilian harm assessments as any other munitions sale.',
    ],
    question: 'Will the guidance change how the MTCR presumption of denial is applied to allies?',
    answer: 'No, the MTCR presumption of denial stays as it is; the guidance only clarifies the review steps.',
  },
];

const AGREE = [
  'I agree with {name} on this point.',
  'We agree with {name}; that matches what our members told us.',
  '+1 to what {name} said about {subject}.',
];
const DISAGREE = [
  'I disagree with {name} on {subject}: the evidence points the other way.',
  "We don't agree that {subject} can be handled case by case.",
];
const ACTIONS = [
  'I will circulate a short note on {subject} by Friday.',
  "I'll follow up with the licensing office on {subject} next week.",
  '<@{mention}> can you share the data on {subject} before the next call?',
  'Action item: {mentionName} to draft the paragraph on {subject}.',
];
const CHATTER = ['Thanks all, this is helpful.', 'Joining late, catching up on the thread now.', 'Noted.'];

export interface GeneratedThread {
  threadTs: string;
  messages: SlackRawMessage[];
}

/**
 * A long feedback thread, the same for the same seed: stakeholders state positions on four
 * topics, agree and disagree with each other, ask and answer questions, take actions; about 2%
 * of messages are edited, 1% deleted, 3% from bots (a reminder bot and this app), 3% carry files.
 */
export function generateThread(count: number, seed = 42, options: { botUserId?: string; botId?: string } = {}): GeneratedThread {
  const rand = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const base = 1760200000;
  const threadTs = `${base}.000100`;
  const messages: SlackRawMessage[] = [
    {
      type: 'message',
      ts: threadTs,
      thread_ts: threadTs,
      user: PEOPLE[0]!.id,
      text: 'Opening a feedback thread on the draft CAT implementation guidance: license review timelines, human rights vetting, end-use monitoring and unmanned aerial systems. Please reply here.',
      reply_count: count - 1,
    } as SlackRawMessage,
  ];
  let topic = 0;
  let lastSpeaker = PEOPLE[0]!;
  for (let i = 1; i < count; i++) {
    if (rand() < 0.15) topic = Math.floor(rand() * TOPICS.length);
    const t = TOPICS[topic]!;
    const ts = `${base + i * 30}.${String(100 + (i % 900000)).padStart(6, '0')}`;
    const common = { type: 'message', ts, thread_ts: threadTs } as const;
    const r = rand();
    if (r < 0.01) {
      messages.push({ ...common, subtype: 'tombstone', user: 'USLACKBOT', text: 'This message was deleted.' });
      continue;
    }
    if (r < 0.03) {
      messages.push({ ...common, subtype: 'bot_message', bot_id: 'BREMIND1', username: 'Reminder Bot', text: `Reminder: the comment window on ${t.subject} closes Friday.` });
      continue;
    }
    if (r < 0.04 && options.botUserId) {
      messages.push({ ...common, user: options.botUserId, bot_id: options.botId, text: `Summary of this thread so far: ${t.subject} came up most.` });
      continue;
    }
    const speaker = pick(PEOPLE.filter((p) => p !== lastSpeaker));
    const other = lastSpeaker;
    const fill = (s: string) =>
      s
        .replace(/\{name\}/g, other.name.split(' ')[0]!)
        .replace(/\{subject\}/g, t.subject)
        .replace(/\{mention\}/g, other.id)
        .replace(/\{mentionName\}/g, other.name.split(' ')[0]!);
    const kind = rand();
    let text: string;
    if (kind < 0.45) text = pick(t.stance);
    else if (kind < 0.55) text = `${fill(pick(AGREE))} ${pick(t.stance)}`;
    else if (kind < 0.63) text = fill(pick(DISAGREE));
    else if (kind < 0.73) text = t.question;
    else if (kind < 0.8) text = t.answer;
    else if (kind < 0.88) text = fill(pick(ACTIONS));
    else if (kind < 0.93) text = `See <https://www.state.gov/conventional-arms-transfer-policy|the 2023 policy> on ${t.subject}. ${pick(t.stance)}`;
    else text = pick(CHATTER);
    const m: SlackRawMessage = { ...common, user: speaker.id, text };
    if (rand() < 0.02) m.edited = { user: speaker.id, ts: `${base + i * 30 + 5}.000000` };
    if (rand() < 0.03) m.files = [{ id: `F${i}`, name: `${t.subject.replace(/\s+/g, '-')}-${i}.pdf`, title: `Notes on ${t.subject}`, mode: 'hosted' }];
    messages.push(m);
    lastSpeaker = speaker;
  }
  return { threadTs, messages };
}

/** Pages of a thread as conversations.replies would return them, with cursors. */
export function repliesPages(messages: readonly SlackRawMessage[], pageSize: number): Array<{ ok: true; messages: SlackRawMessage[]; has_more: boolean; response_metadata: { next_cursor: string } }> {
  const pages = [];
  for (let i = 0; i < messages.length; i += pageSize) {
    const next = i + pageSize < messages.length ? `c${i + pageSize}` : '';
    pages.push({ ok: true as const, messages: messages.slice(i, i + pageSize), has_more: next !== '', response_metadata: { next_cursor: next } });
  }
  return pages;
}
