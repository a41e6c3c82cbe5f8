import { createLogger, type Logger } from '../../src/log.ts';

export interface CapturedLogs {
  logger: Logger;
  lines: Array<Record<string, unknown>>;
  /** Polls the captured lines until one matches; fails after `timeoutMs`. */
  waitFor(what: string, match: (line: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
}

/** A real pino logger writing JSON lines into memory, so tests can wait for what the app logged. */
export function captureLogs(level = 'debug'): CapturedLogs {
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger(level, {
    write(s: string) {
      for (const l of s.split('\n')) if (l.trim()) lines.push(JSON.parse(l) as Record<string, unknown>);
    },
  });
  return {
    logger,
    lines,
    async waitFor(what, match, timeoutMs = 10_000) {
      const deadline = performance.now() + timeoutMs;
      for (;;) {
        const found = lines.find(match);
        if (found) return found;
        if (performance.now() > deadline) throw new Error(`Timed out waiting for log: ${what}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
  };
}
