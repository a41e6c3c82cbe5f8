/** What the store records and the search layer calls: any text embedder. */
export interface Embedder {
  /** Recorded in the store: vectors from different embedders are never mixed. */
  readonly name: string;
  readonly dimensions: number;
  /**
   * The vector ranking's vote in reciprocal rank fusion (full-text votes 1); a semantic model votes
   * fully. 0 leaves the vector list to order only what the full-text ranking did not find (and to
   * break ties), see HashingEmbedder.
   */
  readonly fusionWeight: number;
  embed(texts: string[]): Promise<number[][]>;
}

/** The text an embedding sees: where the passage sits (title, headings) and the passage itself. Ingest and reindex both embed this. */
export function embeddingInput(context: string, text: string): string {
  return context ? `${context}\n${text}` : text;
}
