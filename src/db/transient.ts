/**
 * Whether a database error is the server being away for a moment (a restart, a failover, a
 * dropped connection) rather than something that retrying cannot fix. Callers retry the former
 * for a bounded time; Postgres restarts take a second or two.
 */
export function isTransientDbError(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') {
      // SQLSTATE class 08 (connection exception), 57P01-57P03 (admin/crash shutdown, cannot connect now),
      // 53300 (too many connections), 40001/40P01 (serialization failure, deadlock: retry the transaction).
      if (/^08/.test(code) || ['57P01', '57P02', '57P03', '53300', '40001', '40P01'].includes(code)) return true;
      if (['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN'].includes(code)) return true;
    }
    const message = e instanceof Error ? e.message : '';
    if (/Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|terminating connection/i.test(message)) {
      return true;
    }
  }
  return false;
}
