/**
 * Pages of a paged document (PDF) as offsets into its cleaned body: pageStarts[i] is where
 * page i + 1 starts. Chunks and quotes get their pages from these offsets, so a page number is
 * exact wherever cleaning joined, split or dropped lines.
 */

/** The 1-based page of the character at `offset`: the last page that starts at or before it. */
export function pageAt(pageStarts: readonly number[], offset: number): number {
  let lo = 0;
  let hi = pageStarts.length - 1;
  let page = 0;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (pageStarts[mid]! <= offset) {
      page = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return page + 1;
}

export interface ChunkPages {
  pageStart: number | null;
  pageEnd: number | null;
  /** Offsets inside (start, end) where a later page begins; an empty page in between repeats its offset. */
  pageBreaks: number[];
  ocrPages: number[];
}

/** The pages a chunk [start, end) covers; nulls for an unpaged document. */
export function chunkPages(pageStarts: readonly number[] | undefined, start: number, end: number, ocrPages: readonly number[]): ChunkPages {
  if (!pageStarts || pageStarts.length === 0) return { pageStart: null, pageEnd: null, pageBreaks: [], ocrPages: [] };
  const pageStart = pageAt(pageStarts, start);
  const pageEnd = pageAt(pageStarts, Math.max(start, end - 1));
  const pageBreaks = pageStarts.filter((s, i) => i + 1 > pageStart && i + 1 <= pageEnd && s > start && s < end);
  return { pageStart, pageEnd, pageBreaks, ocrPages: ocrPages.filter((p) => p >= pageStart && p <= pageEnd) };
}
