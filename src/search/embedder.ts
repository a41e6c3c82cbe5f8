import type OpenAI from 'openai';
import type { Config } from '../config.ts';
import { AppError } from '../errors.ts';
import { contentTokens } from './tokens.ts';

import type { Embedder } from '../domain/embedder.ts';

export type { Embedder };

/** FNV-1a, 32-bit: fast, stable across platforms and Node versions. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * Feature hashing of words, word pairs and character 4-grams into a fixed-size vector with
 * signed buckets. Deterministic, local, no model download: the offline default. Word pairs
 * keep phrases ("lines of effort") apart from their words; character grams meet spelling
 * variants ("UAS"/"UASs", "regulated"/"regulation") that the stemmer misses.
 */
export class HashingEmbedder implements Embedder {
  readonly name = 'hashing-v1';
  /**
   * Hashing vectors are a lexical signal, weaker than BM25 over the same words, and any vote of
   * theirs reorders BM25's near-ties: measured with bench/fusion-weight.ts, a vote of 0 against
   * 0.5 gave MRR@10 0.886 against 0.847 on the evaluation set, and hit@1 99.5% against 28% for
   * the fact questions over 209,000 chunks (0.1 still only 53%). Its list still supplies, in its
   * order, the passages full-text search finds nothing for (spelling variants, character grams).
   */
  readonly fusionWeight = 0;
  constructor(readonly dimensions = 384) {}

  async embed(texts: string[]): Promise<number[][]> {
    return texts.map((t) => this.embedOne(t));
  }

  embedOne(text: string): number[] {
    const v = new Float64Array(this.dimensions);
    const add = (feature: string, weight: number) => {
      const h = fnv1a(feature);
      v[h % this.dimensions]! += (h & 0x80000000 ? -1 : 1) * weight;
    };
    const tokens = contentTokens(text);
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i]!;
      add(`w:${t}`, 1);
      if (i + 1 < tokens.length) add(`b:${t} ${tokens[i + 1]}`, 0.5);
      const padded = `^${t}$`;
      for (let j = 0; j + 4 <= padded.length; j++) add(`c:${padded.slice(j, j + 4)}`, 0.2);
    }
    // Sublinear term frequency: a word repeated ten times is not ten times as telling.
    let norm = 0;
    for (let i = 0; i < v.length; i++) {
      const x = v[i]!;
      v[i] = Math.sign(x) * Math.log1p(Math.abs(x));
      norm += v[i]! * v[i]!;
    }
    norm = Math.sqrt(norm) || 1;
    return Array.from(v, (x) => x / norm);
  }
}

/** Any OpenAI-compatible /embeddings endpoint, in batches. */
export class OpenAIEmbedder implements Embedder {
  readonly name: string;
  readonly fusionWeight = 1;
  private dims: number | undefined;
  constructor(
    private readonly client: OpenAI,
    private readonly model: string,
    private readonly requestedDimensions: number | undefined,
    private readonly batchSize = 64,
  ) {
    this.dims = requestedDimensions;
    this.name = `openai:${model}`;
  }

  get dimensions(): number {
    if (this.dims === undefined) throw new AppError('internal', 'embedding dimension unknown before the first request');
    return this.dims;
  }

  /** Asks the endpoint once for a vector so the dimension is known before the store is checked. */
  async probe(): Promise<void> {
    if (this.dims === undefined) await this.embed(['dimension probe']);
  }

  async embed(texts: string[]): Promise<number[][]> {
    const out: number[][] = [];
    for (let i = 0; i < texts.length; i += this.batchSize) {
      const batch = texts.slice(i, i + this.batchSize).map((t) => t || ' ');
      let res;
      try {
        res = await this.client.embeddings.create({
          model: this.model,
          input: batch,
          // The client asks for base64 by default; servers that ignore the parameter (some Ollama
          // versions) send floats that would then be decoded into a quarter as many dimensions.
          encoding_format: 'float',
          ...(this.requestedDimensions !== undefined ? { dimensions: this.requestedDimensions } : {}),
        });
      } catch (err) {
        throw new AppError('llm.unavailable', `The embedding endpoint failed: ${(err as Error).message}`, { cause: err });
      }
      const vectors = [...res.data].sort((a, b) => a.index - b.index).map((d) => d.embedding);
      if (vectors.length !== batch.length) {
        throw new AppError('llm.invalid_output', `The embedding endpoint returned ${vectors.length} vectors for ${batch.length} inputs`);
      }
      for (const vec of vectors) {
        if (this.dims === undefined) this.dims = vec.length;
        if (vec.length !== this.dims) {
          throw new AppError('llm.invalid_output', `The embedding endpoint returned ${vec.length} dimensions, expected ${this.dims}`);
        }
        out.push(vec);
      }
    }
    return out;
  }
}

let openaiModule: typeof import('openai') | undefined;

/**
 * The openai package, loaded on first use: only LLM answers and EMBEDDER=openai need it, and it is
 * one of the heavier imports (about 150 modules), so extractive `ask`, `docs` and `--help` skip it.
 */
export async function loadOpenAI(): Promise<typeof OpenAI> {
  openaiModule ??= await import('openai');
  return openaiModule.default;
}

/** The package's classes once loaded, else undefined (an error from the client can only come after). */
export function loadedOpenAI(): typeof OpenAI | undefined {
  return openaiModule?.default;
}

export async function createOpenAIClient(config: Config): Promise<OpenAI> {
  const Client = await loadOpenAI();
  return new Client({
    apiKey: config.openai.apiKey ?? 'not-needed',
    baseURL: config.openai.baseUrl,
    timeout: config.openai.timeoutMs,
    maxRetries: config.openai.maxRetries,
  });
}

export async function createEmbedder(config: Config): Promise<Embedder> {
  if (config.embedder === 'hashing') return new HashingEmbedder();
  const e = new OpenAIEmbedder(await createOpenAIClient(config), config.openai.embeddingModel, config.openai.embeddingDimensions);
  await e.probe();
  return e;
}
