import { describe, expect, it } from 'vitest';
import { parseCommentTopics } from '../../../src/config.ts';
import type { AuditEntry } from '../../../src/comments/queue.ts';
import { COMMENT_STATUSES } from '../../../src/comments/schema.ts';
import { isSlackFileUrl } from '../../../src/slack/comments/files.ts';
import { parseCommentsCommand, tokenize } from '../../../src/slack/comments/filter.ts';
import { commentTextFromSlack, fitCommentText } from '../../../src/slack/comments/intake.ts';
import { fitBlocks, homeViolations, messageViolations, modalViolations, SLACK_LIMITS } from '../../../src/slack/limits.ts';
import { commentCard } from '../../../src/slack/views/comment-card.ts';
import { commentDetailsModal, commentTagsModal } from '../../../src/slack/views/comment-details.ts';
import { commentFormModal, formErrors, FORM_FIELDS } from '../../../src/slack/views/comment-form.ts';
import { commentListMessage } from '../../../src/slack/views/comment-list.ts';
import { ownCommentsMessage, receiptMessage, receivedModal, statusMessage } from '../../../src/slack/views/comment-receipt.ts';
import { staffHomeView, visitorHomeView } from '../../../src/slack/views/home.ts';
import { sampleComment, sampleDetails, sampleHome, TOPICS } from './sample-comment.ts';

const long = (n: number) => 'word '.repeat(Math.ceil(n / 5)).slice(0, n);

describe('comment views stay within Slack limits', () => {
  it('a card, for every status, with long text, many attachments, a campaign and suggestions', () => {
    for (const status of COMMENT_STATUSES) {
      const c = sampleComment({
        status,
        title: long(500),
        text: long(20_000),
        submitterName: long(200),
        organization: long(120),
        tags: Array.from({ length: 20 }, (_, i) => `tag-${i}`),
        attachments: Array.from({ length: 20 }, (_, i) => ({ name: `${long(200)}-${i}.pdf`, mime: 'application/pdf', size: 1, url: null, textChars: 0, note: long(400) })),
      });
      const card = commentCard(c, TOPICS);
      expect(messageViolations(card)).toEqual([]);
      const text = JSON.stringify(card.blocks);
      expect(text).toContain('3 similar comments');
      expect(text).toContain('_Suggestion by keywords:_ topic *Export controls and ITAR*');
      expect(text).toContain('may contain personal data (e-mail address)');
    }
  });

  it('escapes what submitters wrote', () => {
    const text = JSON.stringify(commentCard(sampleComment({ text: '<!channel> & <@U123> <https://evil.example|click>' }), TOPICS).blocks);
    expect(text).toContain('&lt;!channel&gt; &amp; &lt;@U123&gt;');
    expect(text).not.toContain('<!channel>');
  });

  it('the card offers only the moves valid from the current status', () => {
    const options = (status: (typeof COMMENT_STATUSES)[number]) =>
      (commentCard(sampleComment({ status }), TOPICS).blocks.find((b) => b.type === 'actions') as { elements: Array<{ type: string; options?: Array<{ value: string }> }> }).elements
        .find((e) => e.type === 'static_select')!
        .options!.map((o) => o.value.split(':')[1]);
    expect(options('new')).toEqual(['triaged', 'duplicate', 'spam']);
    expect(options('closed')).toEqual(['in_review']);
  });

  it('the details modal keeps within 100 blocks however long the audit log, dropping the oldest entries first', () => {
    const at = new Date('2026-01-01T00:00:00Z');
    const audit: AuditEntry[] = Array.from({ length: 300 }, (_, i) => ({ id: i + 1, actor: 'USTAFF01', action: 'status', from: 'new', to: 'triaged', note: `entry ${i + 1}`, at }));
    const notes = Array.from({ length: 30 }, (_, i) => ({ id: i, author: 'USTAFF01', body: long(5_000), createdAt: at }));
    const view = commentDetailsModal(sampleDetails({ audit, notes, comment: sampleComment({ text: long(20_000) }) }), TOPICS, { commentId: 42 });
    expect(modalViolations(view)).toEqual([]);
    expect(view.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.modalBlocks);
    const text = JSON.stringify(view.blocks);
    expect(text).toContain('not shown');
    expect(view.blocks.at(-1)).toMatchObject({ type: 'input', block_id: 'note' });
    expect(view.title.text.length).toBeLessThanOrEqual(24);
  });

  it('the form: every schema field, topics as options, at most 100 documents, within the modal limits', () => {
    const documents = Array.from({ length: 150 }, (_, i) => ({ id: `doc-${i}`, title: long(300) }));
    const many = parseCommentTopics(Array.from({ length: 100 }, (_, i) => `Topic ${i}`).join(','));
    const view = commentFormModal({ topics: many, documents, metadata: { origin: 'command', responseUrl: 'https://hooks.slack.com/commands/T1/1/x' }, initial: { text: long(5_000), consentToPublish: false } });
    expect(modalViolations(view)).toEqual([]);
    const ids = view.blocks.map((b) => (b as { block_id?: string }).block_id).filter(Boolean);
    expect(ids).toEqual([...FORM_FIELDS]);
    const text = view.blocks.find((b) => (b as { block_id?: string }).block_id === 'text') as { element: { initial_value: string } };
    expect(text.element.initial_value.length).toBeGreaterThan(2_900);
    expect(text.element.initial_value.length).toBeLessThanOrEqual(3_000);
  });

  it('field errors land on the form\'s blocks; others go under the text', () => {
    expect(formErrors({ email: 'bad', source: 'odd', receivedAt: 'later' })).toEqual({ email: 'bad', text: 'odd later' });
  });

  it('receipts, the received modal, status messages, lists and the tag editor', () => {
    const c = sampleComment({ text: long(20_000) });
    expect(messageViolations(receiptMessage(c, TOPICS))).toEqual([]);
    expect(modalViolations(receivedModal(c, TOPICS))).toEqual([]);
    expect(modalViolations(commentTagsModal(c, { commentId: c.id }))).toEqual([]);
    const view = { trackingNumber: c.trackingNumber, status: 'new' as const, statusLabel: 'New', receivedAt: c.receivedAt, updatedAt: c.updatedAt, topic: null, title: null, excerpt: long(300), attachments: ['a.pdf'] };
    expect(messageViolations(statusMessage(view, TOPICS))).toEqual([]);
    expect(messageViolations(ownCommentsMessage(Array.from({ length: 50 }, () => view)))).toEqual([]);
    const list = commentListMessage({ comments: Array.from({ length: 10 }, () => c), total: 500, offset: 490, filterText: long(1_000), filterSummary: long(500), topics: TOPICS });
    expect(messageViolations(list)).toEqual([]);
    expect(JSON.stringify(list.blocks)).toContain('comments_page_prev');
    expect(JSON.stringify(list.blocks)).not.toContain('comments_page_next');
  });

  it('the Home tab stays within 100 blocks with 100 topics and long lists', () => {
    const topics = parseCommentTopics(Array.from({ length: 100 }, (_, i) => `Topic ${i}`).join(','));
    const home = sampleHome({
      counts: { ...sampleHome().counts, byTopic: topics.map((t) => ({ topic: t.slug, label: t.label, count: 3 })) },
      mine: Array.from({ length: 60 }, (_, i) => sampleComment({ id: i + 1 })),
      oldestUnreviewed: Array.from({ length: 60 }, (_, i) => sampleComment({ id: i + 100 })),
    });
    const view = staffHomeView(home, topics);
    expect(homeViolations(view)).toEqual([]);
    expect(view.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.homeBlocks);
    expect(JSON.stringify(view.blocks)).toContain('more not shown here');
    const visitor = visitorHomeView(Array.from({ length: 200 }, () => ({ trackingNumber: 'abc-1234-wxyz', status: 'new' as const, statusLabel: 'New', receivedAt: new Date(), updatedAt: new Date(), topic: null, title: null, excerpt: 'x', attachments: [] })));
    expect(homeViolations(visitor)).toEqual([]);
  });

  it('fitBlocks keeps the head and tail and says how many items were left out', () => {
    const b = (t: string) => ({ type: 'section' as const, text: { type: 'mrkdwn' as const, text: t } });
    const out = fitBlocks([b('head')], Array.from({ length: 10 }, (_, i) => [b(`item ${i}`)]), { max: 6, tail: [b('tail')], overflowNote: (n) => `${n} left out` });
    expect(out).toHaveLength(6);
    expect(JSON.stringify(out)).toContain('7 left out');
    expect(out.at(-1)).toEqual(b('tail'));
    expect(fitBlocks([b('head')], [[b('a')], [b('b')]], { max: 3, overflowNote: () => 'x' })).toHaveLength(3);
  });
});

describe('/comments filters', () => {
  const ctx = { topics: TOPICS, me: 'USTAFF01' };

  it('reads keys, forgiving values, and leaves the rest as search words', () => {
    const p = parseCommentsCommand('status:new,triaged topic:mtcr org:NGO assignee:me since:2026-01-01 until:2026-02-01 tag:ITAR from:"Acme Defense" end-use "export license" -drones', ctx);
    expect(p.kind).toBe('list');
    expect(p.filter).toEqual({
      status: ['new', 'triaged'],
      topic: 'mtcr-and-uas',
      organizationType: ['ngo'],
      assignee: 'USTAFF01',
      since: '2026-01-01',
      until: '2026-02-01',
      tag: 'itar',
      submitter: 'Acme Defense',
      text: 'end-use "export license" -drones',
    });
    expect(p.summary).toContain('topic MTCR and UAS');
  });

  it('understands open, none, mentions, export and help', () => {
    expect(parseCommentsCommand('status:open assignee:none topic:none', ctx).filter).toEqual({ status: ['new', 'triaged', 'in_review'], assignee: null, topic: 'none' });
    expect(parseCommentsCommand('assignee:<@U0ABC123|jane>', ctx).filter.assignee).toBe('U0ABC123');
    expect(parseCommentsCommand('export json status:new', ctx)).toMatchObject({ kind: 'export', format: 'json', filterText: 'status:new', filter: { status: ['new'] } });
    expect(parseCommentsCommand('export', ctx)).toMatchObject({ kind: 'export', format: 'csv' });
    expect(parseCommentsCommand('help', ctx).kind).toBe('help');
    expect(parseCommentsCommand('topic:"export controls"', ctx).filter.topic).toBe('export-controls-and-itar');
  });

  it('names what would match when a value matches nothing', () => {
    expect(() => parseCommentsCommand('topic:zzz', ctx)).toThrow(/No topic matches "zzz"/);
    expect(() => parseCommentsCommand('topic:o', ctx)).toThrow(/could be any of the topics/);
    expect(() => parseCommentsCommand('status:pending', ctx)).toThrow(/Unknown status "pending"/);
    expect(() => parseCommentsCommand('org:company', ctx)).toThrow(/Unknown organization type "company"/);
    expect(() => parseCommentsCommand('since:yesterday', ctx)).toThrow(/YYYY-MM-DD/);
    expect(() => parseCommentsCommand('assignee:bob', ctx)).toThrow(/assignee:bob/);
  });

  it('splits on spaces outside quotes, Slack\'s curly quotes included', () => {
    expect(tokenize('a “b c” d')).toEqual(['a', '"b c"', 'd']);
  });
});

describe('Slack text and files as comment input', () => {
  it('reads mentions, links and entities as words and keeps line breaks', () => {
    expect(commentTextFromSlack('Hi <@U123|jane> in <#C1|policy>:\n<https://example.org|the draft> &amp; <https://x.example> &lt;3 <!here> <mailto:a@b.org|a@b.org>')).toBe(
      'Hi @jane in #policy:\nthe draft (https://example.org) & https://x.example <3 @here a@b.org',
    );
  });

  it('moves an over-long message into a text attachment', () => {
    const { text, overflow } = fitCommentText('x'.repeat(25_000));
    expect(text.length).toBe(20_000);
    expect(overflow).toMatchObject({ name: 'message.txt', size: 25_000 });
    expect(fitCommentText('short').overflow).toBeNull();
  });

  it('sends the bot token only to Slack\'s hosts (or the configured API host)', () => {
    expect(isSlackFileUrl('https://files.slack.com/files-pri/T1-F1/download/a.pdf', undefined)).toBe(true);
    expect(isSlackFileUrl('https://files.slack-gov.com/files-pri/T1-F1/a.pdf', undefined)).toBe(true);
    expect(isSlackFileUrl('http://files.slack.com/a.pdf', undefined)).toBe(false);
    expect(isSlackFileUrl('https://slack.com.evil.example/a.pdf', undefined)).toBe(false);
    expect(isSlackFileUrl('https://evil.example/a.pdf', undefined)).toBe(false);
    expect(isSlackFileUrl('http://127.0.0.1:4000/files-pri/F1/a.pdf', 'http://127.0.0.1:4000/api/')).toBe(true);
    expect(isSlackFileUrl('http://127.0.0.1:4001/files-pri/F1/a.pdf', 'http://127.0.0.1:4000/api/')).toBe(false);
  });
});
