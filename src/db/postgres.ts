import pg from 'pg';
import type { Db, Queryable } from './types.ts';

/**
 * node-postgres pool. `schema` (tests) puts every table in its own schema so parallel
 * test files share one database without seeing each other's rows; extensions stay in public.
 */
export async function openPostgres(url: string, options: { schema?: string; max?: number } = {}): Promise<Db> {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    connectionTimeoutMillis: 10_000,
    ...(options.schema ? { options: `-c search_path=${options.schema},public` } : {}),
  });
  // An idle client that loses its server (restart, failover) emits 'error'; without a
  // listener that would crash the process. The next query gets a fresh client.
  pool.on('error', () => undefined);
  if (options.schema) {
    const client = await pool.connect();
    try {
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(options.schema)}`);
    } finally {
      client.release();
    }
  }
  return {
    kind: 'postgres',
    query: async <T>(sql: string, params?: unknown[]) => (await pool.query(sql, params)).rows as T[],
    exec: async (sql: string) => void (await pool.query(sql)),
    transaction: async <T>(fn: (tx: Queryable) => Promise<T>) => {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await fn({
          query: async <R>(sql: string, params?: unknown[]) => (await client.query(sql, params)).rows as R[],
          exec: async (sql: string) => void (await client.query(sql)),
        });
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    },
    listen: (channel, onNotify) => listenWithReconnect(url, options.schema, channel, onNotify),
    close: () => pool.end(),
  };
}

/**
 * LISTEN on a dedicated client (a pooled one would be handed to other queries). When the server
 * goes away (restart, failover) the client is replaced after a short, growing delay; nothing is
 * lost meanwhile because job workers also poll.
 */
async function listenWithReconnect(
  url: string,
  schema: string | undefined,
  channel: string,
  onNotify: (payload: string) => void,
): Promise<() => Promise<void>> {
  const ident = quoteIdent(channel);
  let client: pg.Client | null = null;
  let stopped = false;
  let delay = 500;
  let timer: NodeJS.Timeout | undefined;
  const connect = async (): Promise<void> => {
    if (stopped) return;
    const c = new pg.Client({ connectionString: url, ...(schema ? { options: `-c search_path=${schema},public` } : {}) });
    const retry = () => {
      if (stopped || client !== c) return;
      client = null;
      c.end().catch(() => undefined);
      timer = setTimeout(() => void connect(), delay);
      timer.unref();
      delay = Math.min(delay * 2, 15_000);
    };
    client = c;
    c.on('error', retry);
    c.on('end', retry);
    c.on('notification', (n) => {
      if (n.channel === channel) onNotify(n.payload ?? '');
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${ident}`);
      delay = 500;
      // Something may have been enqueued while the connection was down.
      onNotify('');
    } catch {
      retry();
    }
  };
  await connect();
  return async () => {
    stopped = true;
    clearTimeout(timer);
    const c = client;
    client = null;
    await c?.end().catch(() => undefined);
  };
}

export function quoteIdent(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`unsafe SQL identifier: ${name}`);
  return `"${name}"`;
}
