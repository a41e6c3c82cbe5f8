import { readFileSync } from 'node:fs';
import path from 'node:path';
import { BUNDLED_CORPUS_DIR } from '../../ingest/pipeline.ts';

/** The five bundled documents, by file name; tests read them from disk so they follow the shipped files. */
export const CORPUS_FILES = {
  policy2018: '2018-04-19-us-conventional-arms-transfer-policy.txt',
  factSheet: '2018-07-16-cat-policy-implementation-fact-sheet.txt',
  csis: '2018-csis-event-mtcr-uav-exports.txt',
  policy2023: '2023-revised-conventional-arms-transfer-policy.txt',
  mission: 'isn-catr-office-mission-statement.txt',
} as const;

export type CorpusKey = keyof typeof CORPUS_FILES;

export const CORPUS_KEYS = Object.keys(CORPUS_FILES) as CorpusKey[];

export function corpusPath(key: CorpusKey): string {
  return path.join(BUNDLED_CORPUS_DIR, CORPUS_FILES[key]);
}

export function readCorpus(key: CorpusKey): string {
  return readFileSync(corpusPath(key), 'utf8');
}

/** Document ids the pipeline gives the bundled files (slug of the file name). */
export const CORPUS_IDS: Record<CorpusKey, string> = {
  policy2018: '2018-04-19-us-conventional-arms-transfer-policy',
  factSheet: '2018-07-16-cat-policy-implementation-fact-sheet',
  csis: '2018-csis-event-mtcr-uav-exports',
  policy2023: '2023-revised-conventional-arms-transfer-policy',
  mission: 'isn-catr-office-mission-statement',
};

export const THREE_LINES_QUESTION = 'What are the three lines of effort in the implementation plan?';
export const BAKLAVA_QUESTION = 'What is a good recipe for baklava?';
export const THREE_LINES = ['Prioritizing strategic competition', 'Organizing for success', 'Creating conducive environments'];
