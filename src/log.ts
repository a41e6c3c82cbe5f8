import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * Structured JSON logs on stderr, so stdout stays clean for --json output and piping.
 * E-mail addresses and phone numbers are masked: logs leave the office, personal data must not.
 */
export function createLogger(level: string, destination: pino.DestinationStream = pino.destination(2)): Logger {
  return pino(
    {
      level,
      base: { app: 'policy-desk' },
      redact: { paths: ['*.token', '*.apiKey', 'headers.authorization', '*.password'], censor: '[redacted]' },
      hooks: {
        logMethod(args, method) {
          method.apply(this, args.map((a) => (typeof a === 'string' ? redactPersonalData(a) : a)) as Parameters<typeof method>);
        },
      },
    },
    destination,
  );
}

export function redactPersonalData(s: string): string {
  return s
    .replace(/[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g, '[email]')
    .replace(/(?<!\d)(?:\+?1[ .-]?)?\(?\d{3}\)?[ .-]?\d{3}[ .-]?\d{4}(?!\d)/g, '[phone]');
}
