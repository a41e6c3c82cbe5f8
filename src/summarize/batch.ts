/**
 * Token-bounded batching for map-reduce over a model's context. Tokens are estimated as
 * characters / 4 (rounded up), which is close for English prose with the common tokenizers and
 * errs long for code-like text; the budget is a configuration value, so a model with a small
 * context gets small batches.
 */

export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/**
 * Splits items into consecutive batches whose summed cost stays within `budget`. Order is kept.
 * An item that alone exceeds the budget gets a batch of its own (callers shorten such items
 * before batching, so this only guards against a mistake).
 */
export function batchByTokens<T>(items: readonly T[], cost: (item: T) => number, budget: number): T[][] {
  const batches: T[][] = [];
  let current: T[] = [];
  let used = 0;
  for (const item of items) {
    const c = cost(item);
    if (current.length > 0 && used + c > budget) {
      batches.push(current);
      current = [];
      used = 0;
    }
    current.push(item);
    used += c;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/** Cuts a text to about `maxTokens` at a word boundary; a prefix, so quotes from it still verify against the whole. */
export function clipToTokens(text: string, maxTokens: number): { text: string; clipped: boolean } {
  const maxChars = Math.max(0, maxTokens * 4);
  if (text.length <= maxChars) return { text, clipped: false };
  let cut = text.slice(0, maxChars);
  const space = cut.search(/\s\S*$/);
  if (space > maxChars * 0.8) cut = cut.slice(0, space);
  return { text: cut.trimEnd(), clipped: true };
}

/**
 * Runs `work` over items with at most `limit` in flight, in order of start. The first failure
 * stops new work from starting and is thrown once the running ones settle, so a model that is
 * down costs one timeout, not one per batch.
 */
export async function mapLimited<T, R>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  let failure: { err: unknown } | null = null;
  const worker = async () => {
    while (failure === null && next < items.length) {
      const i = next++;
      try {
        results[i] = await work(items[i]!, i);
      } catch (err) {
        failure ??= { err };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failure) throw (failure as { err: unknown }).err;
  return results;
}
