/**
 * Offline positions (src/comments/positions.ts) against labelled comments.
 *   npx tsx bench/positions.ts                       the labelled set in test/fixtures/positions/
 *   npx tsx bench/positions.ts docket.csv --proposal "Relax ..." [--label-column stance] [--text-column comment]
 *
 * A labelled CSV (e.g. an analysts' sheet with a `stance` column) is read with the importer's
 * own parser; labels are mapped by positionFromLabel (support/oppose/mixed/neutral and the
 * like); rows whose label is none of these are left out and counted. Prints accuracy, the
 * majority-class baseline, per-class precision/recall and the confusion matrix, and with
 * --errors the misread comments.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseCommentCsv } from '../src/comments/import-records.ts';
import { frameProposal, positionFromLabel, readPosition } from '../src/comments/positions.ts';
import { POSITIONS, type Position } from '../src/comments/schema.ts';

const args = process.argv.slice(2);
const opt = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const file = args.find((a, i) => !a.startsWith('--') && (i === 0 || !args[i - 1]!.startsWith('--')));
const showErrors = args.includes('--errors');

interface Labelled {
  id: string;
  proposal: string;
  label: Position;
  text: string;
}

let items: Labelled[] = [];
let skipped = 0;
if (!file) {
  const dir = path.join(import.meta.dirname, '..', 'test', 'fixtures', 'positions');
  const proposals = JSON.parse(readFileSync(path.join(dir, 'proposals.json'), 'utf8')) as Record<string, string>;
  items = readFileSync(path.join(dir, 'labelled.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { id: string; proposal: string; label: Position; text: string })
    .map((r) => ({ ...r, proposal: proposals[r.proposal]! }));
} else {
  const proposal = opt('proposal');
  if (!proposal) throw new Error('Give --proposal "..." (what the docket responds to).');
  const { items: parsed } = parseCommentCsv(readFileSync(file), file, []);
  for (const it of parsed) {
    if (!it.ok) {
      skipped++;
      continue;
    }
    const label = positionFromLabel(it.input.sourceStance);
    if (!label) {
      skipped++;
      continue;
    }
    items.push({ id: it.where, proposal, label, text: it.input.text });
  }
}

const frames = new Map<string, ReturnType<typeof frameProposal>>();
const confusion = new Map<string, number>();
let right = 0;
const errors: string[] = [];
const t0 = performance.now();
for (const it of items) {
  const frame = frames.get(it.proposal) ?? frameProposal(it.proposal);
  frames.set(it.proposal, frame);
  const r = readPosition(it.text, frame);
  const k = `${it.label}>${r.position}`;
  confusion.set(k, (confusion.get(k) ?? 0) + 1);
  if (r.position === it.label) right++;
  else errors.push(`${it.id}: labelled ${it.label}, read ${r.position} (+${r.support}/-${r.oppose}) ${JSON.stringify(it.text.slice(0, 160))}`);
}
const ms = performance.now() - t0;
const counts = Object.fromEntries(POSITIONS.map((p) => [p, items.filter((i) => i.label === p).length])) as Record<Position, number>;
const majority = Math.max(...Object.values(counts));
const pct = (x: number) => `${((100 * x) / Math.max(1, items.length)).toFixed(1)}%`;
for (const f of frames.values()) console.log(`proposal: ${f.direction}${f.directionStated ? '' : ' (presumed)'}  "${f.proposal.slice(0, 90)}"`);
console.log(`${items.length} labelled comments${skipped ? ` (${skipped} rows without a usable label left out)` : ''}: ${POSITIONS.map((p) => `${p} ${counts[p]}`).join(', ')}`);
console.log(`accuracy ${pct(right)}  (${right}/${items.length}); majority class alone ${pct(majority)}; ${(ms / Math.max(1, items.length)).toFixed(2)} ms a comment`);
for (const p of POSITIONS) {
  const tp = confusion.get(`${p}>${p}`) ?? 0;
  const predicted = POSITIONS.reduce((a, q) => a + (confusion.get(`${q}>${p}`) ?? 0), 0);
  console.log(`  ${p.padEnd(9)} precision ${predicted ? ((100 * tp) / predicted).toFixed(0) : '-'}%  recall ${counts[p] ? ((100 * tp) / counts[p]).toFixed(0) : '-'}%`);
}
console.log(`confusion (label → read): ${POSITIONS.map((l) => `${l}: ${POSITIONS.map((p) => confusion.get(`${l}>${p}`) ?? 0).join('/')}`).join('  ')}  (order ${POSITIONS.join('/')})`);
if (showErrors) for (const e of errors) console.log(e);
