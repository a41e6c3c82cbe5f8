import type { DocketStats, PersonRef, PositionCounts, Quote, SourceRef, Summary, SummaryPoint, Theme, ThreadStats } from './types.ts';

/**
 * The summary as terminal text (CLI and console): sections in a fixed order, each point followed
 * by numbered source markers, the sources listed at the end with their links or tracking numbers.
 */

export const SECTION_TITLES = {
  overview: 'Overview',
  positions: 'Positions',
  agreements: 'Agreements',
  disagreements: 'Disagreements',
  decisions: 'Decisions',
  openQuestions: 'Open questions',
  answeredQuestions: 'Answered questions',
  actionItems: 'Action items',
  attachments: 'Attached files',
  themes: 'Themes',
  campaigns: 'Campaigns',
} as const;

export const sourceKey = (r: SourceRef) => `${r.kind}:${r.id}`;

/** Numbers every source in the order it is first cited, so markers are the same in every rendering. */
export function numberSources(summary: Summary): { numberOf: (r: SourceRef) => number; sources: Array<{ n: number; ref: SourceRef }> } {
  const numbers = new Map<string, number>();
  const sources: Array<{ n: number; ref: SourceRef }> = [];
  const add = (r: SourceRef) => {
    const k = sourceKey(r);
    if (!numbers.has(k)) {
      numbers.set(k, sources.length + 1);
      sources.push({ n: sources.length + 1, ref: r });
    }
  };
  const visitPoint = (p: SummaryPoint) => {
    p.sources.forEach(add);
    p.quotes.forEach((q) => add(q.source));
  };
  summary.overview.forEach(visitPoint);
  summary.positions.forEach((x) => x.points.forEach(visitPoint));
  summary.agreements.forEach(visitPoint);
  summary.disagreements.forEach(visitPoint);
  summary.decisions.forEach(visitPoint);
  summary.openQuestions.forEach(visitPoint);
  summary.answeredQuestions.forEach(visitPoint);
  summary.actionItems.forEach(visitPoint);
  summary.attachments.forEach((a) => add(a.source));
  for (const t of summary.themes) {
    t.quotes.forEach((q) => add(q.source));
    t.sources.forEach(add);
    t.campaigns.forEach((c) => c.representative && add(c.representative));
  }
  summary.campaigns.forEach((c) => c.representative && add(c.representative));
  return { numberOf: (r) => numbers.get(sourceKey(r)) ?? 0, sources };
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

export function countsLine(counts: Record<string, number>, labels: Record<string, string> = {}): string {
  return Object.entries(counts)
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([k, n]) => `${labels[k] ?? k} ${n.toLocaleString('en-US')}`)
    .join(', ');
}

export function threadStatsLine(t: ThreadStats): string {
  const left = [
    t.botMessages ? plural(t.botMessages, 'bot message') : '',
    t.deletedMessages ? plural(t.deletedMessages, 'deleted message') : '',
  ].filter(Boolean);
  return (
    `${plural(t.messages, 'message')}; ${t.summarized.toLocaleString('en-US')} from ${plural(t.participants, 'participant')} summarized` +
    `${left.length ? `; ${left.join(' and ')} left out` : ''}${t.editedMessages ? `; ${t.editedMessages} edited (read as edited)` : ''}` +
    `${t.files ? `; ${plural(t.files, 'file')} attached${t.filesRead === undefined ? ' (not read)' : ` (${t.filesRead} read)`}` : ''}.`
  );
}

/** "opposes 12 ("Keep the standards."), supports 3 (...)": positions with a quote each; empty when none was read. */
function positionsLine(p: PositionCounts | undefined): string {
  if (!p || Object.keys(p).every((k) => k === 'not read')) return '';
  return Object.entries(p)
    .sort((a, b) => b[1].count - a[1].count)
    .map(([k, v]) => `${k} ${v.count.toLocaleString('en-US')}${v.quote ? ` ("${v.quote.text.length > 160 ? `${v.quote.text.slice(0, 157)}...` : v.quote.text}" ${v.quote.source.id})` : ''}`)
    .join(', ');
}

export function docketStatsLine(d: DocketStats, shareable: boolean, labels: Record<string, string> = {}): string {
  const parts = [
    `${plural(d.comments, 'comment')}: ${plural(d.distinct, 'distinct submission')}` +
      (d.campaigns ? ` (${plural(d.campaigns, 'campaign')} of ${plural(d.campaignComments, 'comment')}, each counted once)` : ''),
  ];
  const org = countsLine(d.byOrganizationType, labels);
  if (org) parts.push(`by organization type: ${org}`);
  const topics = countsLine(d.byTopic);
  if (topics) parts.push(`by topic: ${topics}`);
  const orgLabels = countsLine(d.byOrganizationLabel ?? {});
  if (orgLabels && Object.keys(d.byOrganizationLabel ?? {}).some((k) => k !== '(no label)')) parts.push(`by organization label: ${orgLabels}`);
  const positions = positionsLine(d.byPosition);
  if (positions) parts.push(`by position: ${positions}`);
  for (const [label, byPos] of Object.entries(d.positionsByOrganizationLabel ?? {})) {
    if (label === '(no label)' && Object.keys(d.positionsByOrganizationLabel ?? {}).length === 1) continue;
    const line = countsLine(byPos);
    if (line && !(Object.keys(byPos).length === 1 && byPos['not read'])) parts.push(`${label}: ${line}`);
  }
  if (d.withoutConsent) {
    parts.push(
      `${plural(d.withoutConsent, 'comment')} without consent to publish${shareable ? ' (counted, never quoted or cited in this shareable summary)' : ' (may be quoted here: this summary is for staff only)'}`,
    );
  }
  return `${parts.join('; ')}.`;
}

export function themeCountsLine(t: Theme, kind: Summary['kind'], labels: Record<string, string> = {}): string {
  if (kind === 'thread') {
    const orgs = countsLine(t.byOrganization ?? {});
    return `${plural(t.count, 'message')}${orgs ? ` (${orgs})` : ''}`;
  }
  const parts = [`${plural(t.count, 'submission')}${t.total !== t.count ? ` (${plural(t.total, 'comment')} with campaign signers)` : ''}`];
  const org = countsLine(t.byOrganizationType, labels);
  if (org) parts.push(org);
  const topics = countsLine(t.byTopic);
  if (topics) parts.push(`topics: ${topics}`);
  const labels2 = countsLine(t.byOrganizationLabel ?? {});
  if (labels2 && Object.keys(t.byOrganizationLabel ?? {}).some((k) => k !== '(no label)')) parts.push(`labels: ${labels2}`);
  const positions = positionsLine(t.byPosition);
  if (positions) parts.push(`positions: ${positions}`);
  return parts.join('; ');
}

function markers(refs: readonly SourceRef[], numberOf: (r: SourceRef) => number): string {
  return refs.map((r) => `[${numberOf(r)}]`).join('');
}

const names = (xs: readonly PersonRef[] | undefined) => (xs ?? []).map((x) => x.name).join(', ');

/** Who holds, agreed, pushed back, owns, answered; and when it is due: "held by Dana; agreed: Tom, Priya". */
export function pointPeople(p: SummaryPoint): string {
  const parts: string[] = [];
  if (p.heldBy?.length) parts.push(`held by ${names(p.heldBy)}`);
  if (p.agreedBy?.length) parts.push(`agreed: ${names(p.agreedBy)}`);
  if (p.pushedBackBy?.length) parts.push(`pushed back: ${names(p.pushedBackBy)}`);
  if (p.owner) parts.push(`owner: ${p.ownerName ?? p.owner}`);
  if (p.due) parts.push(`due ${p.due.text}${p.due.date ? ` (${p.due.date})` : p.due.week ? ` (${p.due.week})` : ''}`);
  if (p.askedBy && !p.answeredBy) parts.push(`asked by ${p.askedBy.name}`);
  if (p.answeredBy?.length) parts.push(`answered by ${names(p.answeredBy)}`);
  return parts.join('; ');
}

/** A quote is shown under its point unless the point is that very sentence (extractive mode). */
export function quotesToShow(p: SummaryPoint): Quote[] {
  return p.quotes.filter((q) => q.text.trim() !== p.text.trim());
}

export function renderSummaryText(summary: Summary, options: { organizationTypeLabels?: Record<string, string> } = {}): string {
  const labels = options.organizationTypeLabels ?? {};
  const { numberOf, sources } = numberSources(summary);
  const lines: string[] = [];
  const point = (p: SummaryPoint, indent = '  ') => {
    const who = pointPeople(p);
    lines.push(`${indent}- ${p.text}${who ? ` (${who})` : ''} ${markers(p.sources, numberOf)}`);
    for (const q of quotesToShow(p)) lines.push(`${indent}    > "${q.text.replace(/\s*\n\s*/g, ' ')}" [${numberOf(q.source)}]`);
  };
  const section = (title: string, ps: SummaryPoint[]) => {
    if (ps.length === 0) return;
    lines.push('', title);
    ps.forEach((p) => point(p));
  };

  lines.push(`${summary.title} (${summary.mode === 'llm' ? 'written by a language model, quotes checked' : 'extractive: quoted sentences'}${summary.shareable ? ', shareable' : ', staff only'})`);
  if (summary.stats.thread) lines.push(threadStatsLine(summary.stats.thread));
  if (summary.stats.docket) lines.push(docketStatsLine(summary.stats.docket, summary.shareable, labels));
  for (const n of summary.notes) lines.push(`Note: ${n}`);

  section(SECTION_TITLES.overview, summary.overview);
  if (summary.positions.length) {
    lines.push('', SECTION_TITLES.positions);
    for (const pos of summary.positions) {
      lines.push(`  ${pos.participant}${pos.organization ? ` (${pos.organization})` : ''}`);
      pos.points.forEach((p) => point(p, '    '));
    }
  }
  section(SECTION_TITLES.agreements, summary.agreements);
  section(SECTION_TITLES.disagreements, summary.disagreements);
  section(SECTION_TITLES.decisions, summary.decisions);
  section(SECTION_TITLES.actionItems, summary.actionItems);
  section(SECTION_TITLES.openQuestions, summary.openQuestions);
  section(SECTION_TITLES.answeredQuestions, summary.answeredQuestions);
  if (summary.attachments.some((a) => a.read)) {
    lines.push('', SECTION_TITLES.attachments);
    for (const a of summary.attachments.filter((x) => x.read)) {
      lines.push(`  ${a.name}${a.pages ? ` (${plural(a.pages, 'page')})` : ''}, attached by ${a.source.label} [${numberOf(a.source)}]`);
      for (const pt of a.points) lines.push(`    > "${pt.text.replace(/\s*\n\s*/g, ' ')}" (${pt.cite})`);
    }
  }
  if (summary.themes.length) {
    lines.push('', SECTION_TITLES.themes);
    summary.themes.forEach((t, i) => {
      lines.push(`  ${i + 1}. ${t.title}: ${themeCountsLine(t, summary.kind, labels)}`);
      if (t.summary) lines.push(`     ${t.summary}`);
      for (const q of t.quotes) lines.push(`     > "${q.text.replace(/\s*\n\s*/g, ' ')}" [${numberOf(q.source)}]`);
      for (const c of t.campaigns) lines.push(`     campaign of ${plural(c.size, 'comment')}, counted once${c.representative ? ` [${numberOf(c.representative)}]` : ''}`);
      if (t.sources.length) lines.push(`     from ${markers(t.sources, numberOf)}${t.count > t.sources.length ? ` and ${(t.count - t.sources.length).toLocaleString('en-US')} more` : ''}`);
    });
  }
  if (summary.campaigns.length) {
    lines.push('', SECTION_TITLES.campaigns);
    for (const c of summary.campaigns) lines.push(`  - ${plural(c.size, 'comment')} (${c.campaignId}), counted once${c.representative ? `; represented by [${numberOf(c.representative)}]` : ''}`);
  }
  if (sources.length) {
    lines.push('', 'Sources');
    for (const s of sources) lines.push(`  [${s.n}] ${s.ref.kind === 'comment' ? `${s.ref.id}  ${s.ref.label}` : `${s.ref.label}${s.ref.link ? `  ${s.ref.link}` : `  (ts ${s.ref.id})`}`}`);
  }
  return lines.join('\n');
}
