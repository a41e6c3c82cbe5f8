import { createRequire } from 'node:module';
import type { DestinationStream, Logger } from 'pino';
import { emailPattern } from './text/email.ts';

export type { Logger };

// pino loads with the first logger made, not with this module: modules import it for the redaction
// helpers too, and a command that logs nothing (extractive `ask`, `docs`) never makes one (lazyLogger).
// Only pino's own synchronous destination is used (stderr, fd 2); no transport (worker thread) is
// started, and none is configured anywhere.
const require = createRequire(import.meta.url);
const loadPino = () => require('pino') as typeof import('pino');

/**
 * Structured JSON logs on stderr, so stdout stays clean for --json output and piping.
 * E-mail addresses and phone numbers are masked: logs leave the office, personal data must not.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const pino = loadPino();
  return pino(
    {
      level,
      base: { app: 'policy-desk' },
      redact: { paths: ['*.token', '*.apiKey', 'headers.authorization', '*.password'], censor: '[redacted]' },
      hooks: {
        // `redact` above only knows paths; personal data turns up anywhere: a message, a nested
        // field, an error's message or stack (a failed mail import quoting a sender). So every line
        // is masked as a whole, after serialization and before it is written.
        streamWrite: redactLogLine,
      },
    },
    destination ?? pino.destination(2),
  );
}

/**
 * The same logger, made (and pino loaded) only when first used: the services of every command
 * hold one, most commands never write a line.
 */
export function lazyLogger(level: string, destination?: DestinationStream): Logger {
  let real: Logger | undefined;
  const get = () => (real ??= createLogger(level, destination));
  return new Proxy({} as Logger, {
    get: (_target, prop) => {
      const logger = get();
      const value: unknown = Reflect.get(logger, prop, logger);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(logger) : value;
    },
    set: (_target, prop, value) => Reflect.set(get(), prop, value),
    has: (_target, prop) => Reflect.has(get(), prop),
  });
}

const LOG_EMAIL = emailPattern('g');
// Not inside a word or a longer number: Slack ids ("Ev1234567890AB"), timestamps ("1760000000.000123")
// and epoch milliseconds must stay readable in the log.
const LOG_PHONE_NANP = /(?<![\w.+])(?:\+?1[ .-]?)?\(?\d{3}\)?[ .-]?\d{3}[ .-]?\d{4}(?!\w|\.\d)/g;
const LOG_PHONE_INTL = /(?<![\w.])\+\d{1,3}(?:[ .-]?\(?\d{1,4}\)?){2,5}(?!\w|\.\d)/g;

function redactText(s: string): string {
  return s
    .replace(LOG_EMAIL, '[email]')
    .replace(LOG_PHONE_INTL, (m) => ((m.match(/\d/g)?.length ?? 0) >= 8 ? '[phone]' : m))
    .replace(LOG_PHONE_NANP, '[phone]');
}

/**
 * Masks e-mail addresses and phone numbers (North American and +international) in one serialized
 * log line: inside its JSON strings only, so numbers (ids, times) are never taken for phone
 * numbers and the line stays valid JSON. Exported for tests.
 */
export function redactLogLine(line: string): string {
  return line.replace(/"(?:[^"\\]|\\.)*"/g, redactText);
}

export function redactPersonalData(s: string): string {
  return s
    .replace(emailPattern('g'), '[email]')
    .replace(/(?<!\d)(?:\+?1[ .-]?)?\(?\d{3}\)?[ .-]?\d{3}[ .-]?\d{4}(?!\d)/g, '[phone]');
}
