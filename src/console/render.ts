import { citationPlace, type Answer } from '../domain/answer.ts';
import { describeDate, type DocumentDiff } from '../domain/document.ts';

/** The answer model as readable terminal text: the answer, then numbered citations with quotes. */
export function renderAnswerText(answer: Answer): string {
  const lines: string[] = [];
  lines.push(answer.answer);
  if (answer.note) lines.push('', `Note: ${answer.note}`);
  if (answer.comparison?.length) {
    // One section per document, oldest first: its quotes, or that it says nothing on the topic.
    for (const side of answer.comparison) {
      const facts = [describeDate(side.document.date, side.document.dateSource), side.status].filter(Boolean).join('; ');
      lines.push('', `== ${side.document.title} (${facts})`);
      if (side.silent) lines.push('  Says nothing on it.');
      const themes = new Map((side.themes ?? []).map((t) => [t.n, t.theme]));
      for (const c of side.citations) {
        lines.push(`  [${c.n}]${themes.has(c.n) ? ` ${themes.get(c.n)}:` : ''} "${c.quote.replace(/\s*\n\s*/g, '; ')}"`);
      }
    }
  }
  if (answer.citations.length > 0) {
    lines.push('', 'Sources:');
    for (const c of answer.citations) {
      // A date the catalog supplied is marked as supplied; a status other than current is shown.
      const status = c.document.status && c.document.status !== 'current' ? c.document.status : null;
      const meta = [describeDate(c.document.date, c.document.dateSource, 'undated'), status, c.document.source, citationPlace(c)].filter(Boolean).join(', ');
      lines.push(`  [${c.n}] ${c.document.title} (${meta})`);
      for (const q of c.quote.split('\n').filter((l) => l.trim())) lines.push(`      > ${q.trim()}`);
    }
  } else if (answer.abstained) {
    lines.push('', 'Try naming the policy, office or topic you mean, or ask about a narrower point.');
  }
  lines.push('', `(${answer.mode} answer)`);
  return lines.join('\n');
}

/** `docs diff` on a terminal: each version's own sections and themes, each theme with its quote. */
export function renderDiffText(diff: DocumentDiff): string {
  const lines: string[] = [];
  for (const [label, side] of [
    ['Old', diff.old],
    ['New', diff.new],
  ] as const) {
    const d = side.document;
    lines.push(`${label}: ${d.title} (${[d.id, describeDate(d.date, d.dateSource), d.status].filter(Boolean).join('; ')})`);
    lines.push(side.sections.length ? `  Sections only here: ${side.sections.join('; ')}` : '  Sections only here: none');
    if (side.themes.length === 0) lines.push('  Themes only here: none');
    for (const t of side.themes) {
      const c = diff.citations[t.n - 1]!;
      lines.push(`  [${t.n}] ${t.theme}`, `      > ${c.quote.replace(/\s*\n\s*/g, '; ')}`);
    }
    lines.push('');
  }
  if (diff.sharedSections.length) lines.push(`Sections in both: ${diff.sharedSections.join('; ')}`);
  return lines.join('\n').trimEnd();
}
