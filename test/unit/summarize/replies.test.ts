import { describe, expect, it } from 'vitest';
import { messagePermalink, parseMessageLink, readThreadExport, slackPlainText, toThreadMessages, userIdsIn } from '../../../src/summarize/replies.ts';
import { PEOPLE, repliesPages, SHORT_THREAD_TS, shortThread } from '../../helpers/thread-fixtures.ts';

const people = new Map(PEOPLE.map((p) => [p.id, { name: p.name, organization: p.organization }]));

describe('Slack messages as summarizer input', () => {
  it('reads mrkdwn as people see it: mentions by name, links with their address, escapes undone', () => {
    expect(slackPlainText('<@UDANA002> see <https://www.state.gov/x|the policy> &amp; <#C123|export-policy>, <!here> &lt;3', people)).toBe(
      '@Dana Reyes see the policy (https://www.state.gov/x) & #export-policy, @here <3',
    );
    expect(slackPlainText('mail <mailto:a@b.gov|a@b.gov> or <https://x.gov>')).toBe('mail a@b.gov or https://x.gov');
    expect(slackPlainText('<@UNKNOWN9>')).toBe('@UNKNOWN9');
  });

  it('parses message links, with or without the thread, and builds permalinks the same way', () => {
    expect(parseMessageLink('https://acme.slack.com/archives/C0123ABC/p1760100060000101?thread_ts=1760100000.000100&cid=C0123ABC')).toEqual({
      channel: 'C0123ABC',
      ts: '1760100060.000101',
      threadTs: '1760100000.000100',
      origin: 'https://acme.slack.com',
    });
    expect(parseMessageLink('<https://slack-gov.com/archives/G0123/p1760100000000100>')).toMatchObject({ channel: 'G0123', ts: '1760100000.000100' });
    expect(parseMessageLink('https://example.com/not/a/message')).toBeNull();
    expect(parseMessageLink('not a url')).toBeNull();
    expect(messagePermalink('https://acme.slack.com/', 'C1', '1760100060.000101', '1760100000.000100')).toBe(
      'https://acme.slack.com/archives/C1/p1760100060000101?thread_ts=1760100000.000100&cid=C1',
    );
    expect(messagePermalink('https://acme.slack.com', 'C1', '1760100000.000100', '1760100000.000100')).toBe('https://acme.slack.com/archives/C1/p1760100000000100');
  });

  it('marks bots, deleted and edited messages, keeps files, orders by time and drops repeats across pages', () => {
    const raw = shortThread();
    // Pages that repeat the parent, as Slack's do, arriving out of order.
    const pages = repliesPages(raw, 5);
    const seen = [...pages[1]!.messages, raw[0]!, ...pages[0]!.messages, ...pages[2]!.messages];
    const msgs = toThreadMessages(seen, { people, permalink: (ts) => `https://x/${ts}` });
    expect(msgs.map((m) => m.ts)).toEqual(raw.map((m) => m.ts));
    expect(msgs[0]).toMatchObject({ userName: 'Maya Chen', organization: 'ISN/CATR', files: [{ name: 'cat-guidance-draft-v3.pdf', title: 'CAT guidance draft v3' }], permalink: `https://x/${SHORT_THREAD_TS}` });
    expect(msgs.filter((m) => m.deleted).map((m) => m.text)).toEqual(['']);
    expect(msgs.filter((m) => m.isBot).map((m) => m.userName)).toEqual(['Reminder Bot']);
    expect(msgs.filter((m) => m.edited).map((m) => m.userName)).toEqual(['Omar Haddad']);
    expect(msgs[11]!.text).toBe("@Priya Natarajan can you draft the section on end-use monitoring metrics for Lena's question?");
  });

  it("treats this app's own messages as bot messages, and system messages as nothing", () => {
    const msgs = toThreadMessages(
      [
        { ts: '1.000001', user: 'UBOT', text: 'Earlier summary' },
        { ts: '1.000002', user: 'UX', subtype: 'channel_join', text: 'joined' },
        { ts: '1.000003', user: 'UX', subtype: 'thread_broadcast', text: 'also sent to the channel' },
      ],
      { botUserId: 'UBOT' },
    );
    expect(msgs.map((m) => [m.text, m.isBot])).toEqual([
      ['Earlier summary', true],
      ['also sent to the channel', false],
    ]);
  });

  it('lists each person once: authors and people mentioned', () => {
    expect(userIdsIn(shortThread())).toEqual(['UDANA002', 'ULENA004', 'UMAYA001', 'UOMAR003', 'UPRIY006', 'UTOMB005']);
  });

  it('reads the export shapes: one response, a list of pages, a bare list, with users and a workspace URL', () => {
    const raw = shortThread();
    const one = readThreadExport({ ok: true, messages: raw, channel: 'C1', permalink_base: 'https://acme.slack.com', users: { UDANA002: { name: 'Dana R.', organization: 'Acme' } } });
    expect(one).toMatchObject({ channel: 'C1', permalinkBase: 'https://acme.slack.com' });
    expect('messages' in one && one.messages.length).toBe(12);
    expect('people' in one && one.people.get('UDANA002')).toEqual({ name: 'Dana R.', organization: 'Acme' });
    const paged = readThreadExport(repliesPages(raw, 5));
    expect('messages' in paged && paged.messages.length).toBe(12);
    const bare = readThreadExport(raw);
    expect('messages' in bare && bare.messages.length).toBe(12);
    expect(readThreadExport({ messages: [{ text: 'no ts' }] })).toHaveProperty('error');
    expect(readThreadExport('nope')).toHaveProperty('error');
  });
});
