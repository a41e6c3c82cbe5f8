/** The part of a connection that runs statements; a transaction hands one of these to its callback. */
export interface Queryable {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Runs one or more statements without parameters. */
  exec(sql: string): Promise<void>;
}

/**
 * One interface over PGlite (embedded, single connection) and node-postgres (a server).
 * Both run the same SQL, so everything above this layer is written once.
 */
export interface Db extends Queryable {
  readonly kind: 'pglite' | 'postgres';
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /**
   * Postgres only: calls `onNotify` for each NOTIFY on `channel`, on a connection of its own that
   * reconnects by itself after the server restarts. Resolves to a function that stops listening.
   * PGlite has no second connection to listen on; its job workers are woken in-process instead.
   */
  listen?(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
  /** PGlite only: the whole data directory as a tarball, for openDb's `snapshot` option. */
  dump?(): Promise<Blob>;
}
