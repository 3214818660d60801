/**
 * Milliseconds since the epoch of an ISO 8601 timestamp with a zone, or NaN. Strict: every field must exist as written
 * (`2026-02-30`, `24:00` or a zone offset beyond ±14:00 is NaN), where `Date.parse` would roll a typo over into another
 * day and silently move a rotation phase.
 * @internal
 */
export function parseTimestamp(text: string | undefined): number {
  const m = typeof text === 'string'
    ? /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:Z|([+-])(\d{2}):(\d{2}))$/.exec(text) : null;
  if (!m) return NaN;
  const [year, month, day, hour, minute, second] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i] ?? 0));
  const [offsetHours, offsetMinutes] = [Number(m[8] ?? 0), Number(m[9] ?? 0)];
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59 || offsetHours > 14 || offsetMinutes > 59) return NaN;
  // The day must exist in that month (UTC calendar, leap years included).
  if (day > new Date(Date.UTC(year, month, 0)).getUTCDate()) return NaN;
  return Date.parse(text as string);
}

/** An ISO 8601 timestamp without milliseconds, for messages. @internal */
export function isoTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}
