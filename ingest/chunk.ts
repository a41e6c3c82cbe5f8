import { sentenceSpans, type Span } from '../src/text/sentences.ts';
import type { Block, CleanedDocument } from './clean.ts';

export interface Chunk {
  ordinal: number;
  headingPath: string[];
  text: string;
  start: number;
  end: number;
}

export interface ChunkOptions {
  /** Soft upper bound on a chunk's length in characters. */
  targetChars: number;
  /** How much of the previous chunk's tail (whole sentences) a chunk repeats. */
  overlapChars: number;
}

/** A piece that is never split: a block, or one sentence run of an over-long block. */
interface Unit extends Span {
  block: Block;
  headingPath: string[];
}

function toUnits(doc: CleanedDocument, targetChars: number): Unit[] {
  const units: Unit[] = [];
  const stack: Block[] = [];
  const blocks = doc.blocks;
  for (let i = 0; i < blocks.length; i++) {
    const block = blocks[i]!;
    if (block.kind === 'heading') {
      while (stack.length > 0 && stack[stack.length - 1]!.level >= block.level) stack.pop();
      stack.push(block);
    }
    const headingPath = stack.map((b) => b.text);
    // A short list stays whole with its lead-in ("three lines of effort:" and the three lines).
    if (block.text.endsWith(':') && blocks[i + 1]?.kind === 'item') {
      let j = i + 1;
      while (blocks[j + 1]?.kind === 'item') j++;
      if (blocks[j]!.end - block.start <= targetChars / 2) {
        units.push({ start: block.start, end: blocks[j]!.end, block, headingPath });
        i = j;
        continue;
      }
    }
    if (block.end - block.start <= targetChars) {
      units.push({ start: block.start, end: block.end, block, headingPath });
      continue;
    }
    // An over-long paragraph is packed sentence by sentence into runs of at most targetChars.
    let run: Span | null = null;
    for (const s of sentenceSpans(doc.text, block.start, block.end)) {
      if (run && s.end - run.start > targetChars) {
        units.push({ ...run, block, headingPath });
        run = null;
      }
      run = run ? { start: run.start, end: s.end } : { ...s };
    }
    if (run) units.push({ ...run, block, headingPath });
  }
  return units;
}

/**
 * Structure-aware chunking: a heading starts a new chunk, blocks are packed up to the target
 * size, a list's lead-in ("... three lines of effort:") is never left at the end of a chunk
 * without its items, and each chunk after the first in a section repeats the previous chunk's
 * last whole sentences (up to overlapChars) so an answer that straddles the cut is still found.
 * Every chunk is one contiguous span of the cleaned text: text === doc.text.slice(start, end).
 */
export function chunkDocument(doc: CleanedDocument, options: ChunkOptions): Chunk[] {
  const units = toUnits(doc, options.targetChars);
  const groups: Unit[][] = [];
  let current: Unit[] = [];
  const size = (g: Unit[], extra?: Unit) => {
    const first = g[0] ?? extra;
    const last = extra ?? g[g.length - 1];
    return first && last ? last.end - first.start : 0;
  };
  for (const unit of units) {
    const onlyHeadings = current.every((u) => u.block.kind === 'heading');
    const startsSection = unit.block.kind === 'heading' && !onlyHeadings;
    // A lead-in ("... include:") alone, or under its headings, takes the next unit even past the target: never left dangling.
    const leadInOnly = current.every((u) => u.block.kind === 'heading' || (u.block.text.endsWith(':') && u.end === u.block.end));
    const overflows = current.length > 0 && !leadInOnly && size(current, unit) > options.targetChars;
    if (startsSection || overflows) {
      // Carry a dangling lead-in (and headings above it) over to the next chunk.
      const carried: Unit[] = [];
      while (current.length > 1) {
        const tail = current[current.length - 1]!;
        if (tail.block.kind === 'heading' || (!startsSection && tail.block.text.endsWith(':') && tail.end === tail.block.end)) {
          carried.unshift(current.pop()!);
        } else break;
      }
      groups.push(current);
      current = carried;
    }
    current.push(unit);
  }
  if (current.length > 0) groups.push(current);

  const chunks: Chunk[] = [];
  let previous: { start: number; end: number; headingPath: string[] } | null = null;
  for (const group of groups) {
    let start = group[0]!.start;
    const end = group[group.length - 1]!.end;
    const headingPath = group.find((u) => u.block.kind !== 'heading')?.headingPath ?? group[0]!.headingPath;
    const sameSection = previous !== null && group[0]!.block.kind !== 'heading';
    if (previous && sameSection && options.overlapChars > 0) {
      const tail = sentenceSpans(doc.text, previous.start, previous.end);
      let overlapStart = start;
      for (let i = tail.length - 1; i >= 1; i--) {
        if (previous.end - tail[i]!.start > options.overlapChars) break;
        overlapStart = tail[i]!.start;
      }
      start = Math.min(start, overlapStart);
    }
    chunks.push({ ordinal: chunks.length, headingPath, text: doc.text.slice(start, end), start, end });
    previous = { start: group[0]!.start, end, headingPath };
  }
  return chunks;
}
