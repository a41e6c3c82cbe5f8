import { citationPlace, type Answer } from '../domain/answer.ts';

/** The answer model as readable terminal text: the answer, then numbered citations with quotes. */
export function renderAnswerText(answer: Answer): string {
  const lines: string[] = [];
  lines.push(answer.answer);
  if (answer.note) lines.push('', `Note: ${answer.note}`);
  if (answer.citations.length > 0) {
    lines.push('', 'Sources:');
    for (const c of answer.citations) {
      const meta = [c.document.date ?? 'undated', c.document.source, citationPlace(c)].filter(Boolean).join(', ');
      lines.push(`  [${c.n}] ${c.document.title} (${meta})`);
      for (const q of c.quote.split('\n').filter((l) => l.trim())) lines.push(`      > ${q.trim()}`);
    }
  } else if (answer.abstained) {
    lines.push('', 'Try naming the policy, office or topic you mean, or ask about a narrower point.');
  }
  lines.push('', `(${answer.mode} answer)`);
  return lines.join('\n');
}
