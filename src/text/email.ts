/**
 * An e-mail address in free text. The look-behind makes a match start only where a run of
 * address characters starts: without it, a long run with no "@" (a 45,000-character word in a
 * Slack payload, a base64 blob in a comment) was rescanned from every one of its characters,
 * quadratic time (13 s for 45 KB in the logger's redaction). What it matches is unchanged: an
 * address found from inside a run is also found from the run's start.
 */
export const EMAIL_SOURCE = String.raw`(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}`;

export function emailPattern(flags = ''): RegExp {
  return new RegExp(EMAIL_SOURCE, flags);
}
