import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { AppError } from '../../src/errors.ts';

const CWD = '/srv/policy-desk';

/** The AppError loadConfig throws for `env`, or a failure when it does not throw one. */
function configError(env: Record<string, string | undefined>): AppError {
  try {
    loadConfig(env, CWD);
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    return err as AppError;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe('loadConfig defaults', () => {
  it('gives the documented defaults for an empty environment', () => {
    // Other areas (Slack, comments) add their own sections and test them; this test owns the core ones.
    const all = loadConfig({}, CWD);
    const core = ['databaseUrl', 'dataDir', 'pgliteDir', 'embedder', 'openai', 'chunking', 'searchTopK', 'logLevel'] as const;
    const c = Object.fromEntries(core.map((k) => [k, all[k]]));
    expect(c).toEqual({
      databaseUrl: undefined,
      dataDir: path.join(CWD, '.policy-desk'),
      pgliteDir: path.join(CWD, '.policy-desk', 'pglite'),
      embedder: 'hashing',
      openai: {
        apiKey: undefined,
        baseUrl: undefined,
        embeddingModel: 'text-embedding-3-small',
        embeddingDimensions: undefined,
        chatModel: 'gpt-4o-mini',
        timeoutMs: 30_000,
        maxRetries: 2,
        enabled: false,
      },
      chunking: { targetChars: 900, overlapChars: 150 },
      searchTopK: 5,
      logLevel: 'warn',
    });
  });

  it('reads every variable it is given', () => {
    const c = loadConfig(
      {
        DATABASE_URL: 'postgresql://u:p@db.example:5433/pd',
        POLICY_DESK_DATA_DIR: 'state',
        EMBEDDER: 'openai',
        OPENAI_API_KEY: 'sk-test',
        OPENAI_BASE_URL: 'http://127.0.0.1:8080/v1',
        OPENAI_EMBEDDING_MODEL: 'nomic-embed',
        OPENAI_EMBEDDING_DIMENSIONS: '768',
        OPENAI_CHAT_MODEL: 'llama3',
        OPENAI_TIMEOUT_MS: '5000',
        OPENAI_MAX_RETRIES: '0',
        CHUNK_TARGET_CHARS: ' 1200 ',
        CHUNK_OVERLAP_CHARS: '0',
        SEARCH_TOP_K: '12',
        LOG_LEVEL: 'debug',
      },
      CWD,
    );
    expect(c.databaseUrl).toBe('postgresql://u:p@db.example:5433/pd');
    expect(c.dataDir).toBe(path.join(CWD, 'state'));
    expect(c.pgliteDir).toBe(path.join(CWD, 'state', 'pglite'));
    expect(c.embedder).toBe('openai');
    expect(c.openai).toEqual({
      apiKey: 'sk-test',
      baseUrl: 'http://127.0.0.1:8080/v1',
      embeddingModel: 'nomic-embed',
      embeddingDimensions: 768,
      chatModel: 'llama3',
      timeoutMs: 5000,
      maxRetries: 0,
      enabled: true,
    });
    expect(c.chunking).toEqual({ targetChars: 1200, overlapChars: 0 });
    expect(c.searchTopK).toBe(12);
    expect(c.logLevel).toBe('debug');
  });

  it('keeps an absolute data directory as given', () => {
    expect(loadConfig({ POLICY_DESK_DATA_DIR: '/var/lib/pd' }, CWD).pgliteDir).toBe('/var/lib/pd/pglite');
  });

  it('turns LLM answers on with a base URL alone (a local OpenAI-compatible server needs no key)', () => {
    const c = loadConfig({ OPENAI_BASE_URL: 'https://llm.internal/v1' }, CWD);
    expect(c.openai.enabled).toBe(true);
    expect(c.openai.apiKey).toBeUndefined();
    expect(c.embedder).toBe('hashing');
  });

  it('accepts EMBEDDER=openai with a key or with a base URL', () => {
    expect(loadConfig({ EMBEDDER: 'openai', OPENAI_API_KEY: 'k' }, CWD).embedder).toBe('openai');
    expect(loadConfig({ EMBEDDER: 'openai', OPENAI_BASE_URL: 'http://localhost:1/v1' }, CWD).embedder).toBe('openai');
  });

  it('accepts the bounds of integer ranges', () => {
    expect(loadConfig({ CHUNK_TARGET_CHARS: '200', CHUNK_OVERLAP_CHARS: '199' }, CWD).chunking).toEqual({
      targetChars: 200,
      overlapChars: 199,
    });
    expect(loadConfig({ SEARCH_TOP_K: '50' }, CWD).searchTopK).toBe(50);
    expect(loadConfig({ SEARCH_TOP_K: '1' }, CWD).searchTopK).toBe(1);
  });
});

describe('blank values count as unset', () => {
  it('treats empty and whitespace-only strings as missing, giving the defaults', () => {
    const blank = {
      DATABASE_URL: '',
      POLICY_DESK_DATA_DIR: '  ',
      OPENAI_API_KEY: '',
      OPENAI_BASE_URL: ' ',
      OPENAI_EMBEDDING_MODEL: '',
      OPENAI_EMBEDDING_DIMENSIONS: '',
      OPENAI_CHAT_MODEL: '',
      OPENAI_TIMEOUT_MS: '',
      OPENAI_MAX_RETRIES: '',
      CHUNK_TARGET_CHARS: '',
      CHUNK_OVERLAP_CHARS: ' ',
      SEARCH_TOP_K: '',
    };
    expect(loadConfig(blank, CWD)).toEqual(loadConfig({}, CWD));
  });

  // `EMBEDDER=` or `LOG_LEVEL=` in a .env file must give the default, not stop start-up.
  it('treats a blank EMBEDDER or LOG_LEVEL as unset', () => {
    const c = loadConfig({ EMBEDDER: '', LOG_LEVEL: ' ' }, CWD);
    expect(c.embedder).toBe('hashing');
    expect(c.logLevel).toBe('warn');
  });

  it('a blank OPENAI_API_KEY does not switch LLM mode on', () => {
    expect(loadConfig({ OPENAI_API_KEY: '' }, CWD).openai.enabled).toBe(false);
  });

  it('EMBEDDER=openai with only blank key and base URL is refused', () => {
    const err = configError({ EMBEDDER: 'openai', OPENAI_API_KEY: '', OPENAI_BASE_URL: '   ' });
    expect(err.code).toBe('config.invalid');
    expect(err.message).toMatch(/EMBEDDER/);
  });
});

describe('bad values stop start-up with config.invalid naming the variable and what it accepts', () => {
  const cases: Array<{ env: Record<string, string>; variable: string; accepts: RegExp }> = [
    { env: { EMBEDDER: 'foo' }, variable: 'EMBEDDER', accepts: /"hashing".*"openai"/ },
    { env: { CHUNK_TARGET_CHARS: 'abc' }, variable: 'CHUNK_TARGET_CHARS', accepts: /whole number from 200 to 8000, got "abc"/ },
    { env: { CHUNK_TARGET_CHARS: '100' }, variable: 'CHUNK_TARGET_CHARS', accepts: /whole number from 200 to 8000, got "100"/ },
    { env: { CHUNK_TARGET_CHARS: '900.5' }, variable: 'CHUNK_TARGET_CHARS', accepts: /whole number from 200 to 8000/ },
    { env: { CHUNK_OVERLAP_CHARS: '-1' }, variable: 'CHUNK_OVERLAP_CHARS', accepts: /whole number from 0 to 2000, got "-1"/ },
    { env: { SEARCH_TOP_K: '0' }, variable: 'SEARCH_TOP_K', accepts: /whole number from 1 to 50, got "0"/ },
    { env: { SEARCH_TOP_K: '51' }, variable: 'SEARCH_TOP_K', accepts: /whole number from 1 to 50/ },
    { env: { OPENAI_TIMEOUT_MS: '10' }, variable: 'OPENAI_TIMEOUT_MS', accepts: /whole number from 1000 to 600000/ },
    { env: { OPENAI_MAX_RETRIES: 'many' }, variable: 'OPENAI_MAX_RETRIES', accepts: /whole number from 0 to 10/ },
    { env: { OPENAI_EMBEDDING_DIMENSIONS: '1e9' }, variable: 'OPENAI_EMBEDDING_DIMENSIONS', accepts: /whole number from 0 to 4000/ },
    { env: { DATABASE_URL: 'mysql://x' }, variable: 'DATABASE_URL', accepts: /postgres:\/\/ or postgresql:\/\// },
    { env: { DATABASE_URL: 'not a url' }, variable: 'DATABASE_URL', accepts: /postgres:\/\// },
    { env: { OPENAI_BASE_URL: 'ftp://llm' }, variable: 'OPENAI_BASE_URL', accepts: /http:\/\/ or https:\/\// },
    { env: { LOG_LEVEL: 'loud' }, variable: 'LOG_LEVEL', accepts: /fatal, error, warn, info, debug, trace, silent/ },
    { env: { EMBEDDER: 'openai' }, variable: 'EMBEDDER', accepts: /OPENAI_API_KEY or OPENAI_BASE_URL/ },
    { env: { CHUNK_OVERLAP_CHARS: '900' }, variable: 'CHUNK_OVERLAP_CHARS', accepts: /smaller than CHUNK_TARGET_CHARS \(900\)/ },
    {
      env: { CHUNK_TARGET_CHARS: '300', CHUNK_OVERLAP_CHARS: '400' },
      variable: 'CHUNK_OVERLAP_CHARS',
      accepts: /smaller than CHUNK_TARGET_CHARS \(300\)/,
    },
  ];

  for (const { env, variable, accepts } of cases) {
    it(`${JSON.stringify(env)} → names ${variable}`, () => {
      const err = configError(env);
      expect(err.code).toBe('config.invalid');
      // The offending variable heads its own line, followed by what it accepts.
      const line = err.message.split('\n').find((l) => l.trim().startsWith(`${variable}:`));
      expect(line, err.message).toBeDefined();
      expect(line).toMatch(accepts);
    });
  }

  it('reports every bad variable at once, not just the first', () => {
    const err = configError({ EMBEDDER: 'foo', LOG_LEVEL: 'loud', SEARCH_TOP_K: 'x' });
    expect(err.code).toBe('config.invalid');
    for (const v of ['EMBEDDER', 'LOG_LEVEL', 'SEARCH_TOP_K']) expect(err.message).toMatch(new RegExp(`^\\s+${v}:`, 'm'));
  });

  it('never echoes a database password back', () => {
    const err = configError({ DATABASE_URL: 'mysql://admin:hunter2@db/x' });
    expect(err.message).not.toContain('hunter2');
  });
});
