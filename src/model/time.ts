/**
 * Time specs of `--since` and `--until`, as pm2 and journalctl users write them. Pure: the
 * caller passes the current time, and the result is ms since the epoch.
 */
import { InvalidValue } from "./invalid.ts";

const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

// One or more number+unit parts: "90s", "10m", "1h30m", "2d"; a leading "-" is allowed.
const RELATIVE = /^-?((?:\d+(?:ms|s|m|h|d|w))+)(?:\s+ago)?$/;
const RELATIVE_PART = /(\d+)(ms|s|m|h|d|w)/g;
// YYYY-MM-DD, then optionally [T or space]HH:MM[:SS[.fff]], then optionally Z or ±HH[:]MM.
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;
const TIME_OF_DAY = /^(\d{2}):(\d{2})(?::(\d{2}))?$/;

/**
 * Parses a point in time for `--since`/`--until`.
 *
 * Accepted: `now`; relative `90s`, `10m`, `6h`, `2d`, `1w`, `1h30m` (before `now`, also
 * written `-10m` or `10m ago`); ISO 8601 `2026-11-27T03:00:00Z` or with an offset, or without a
 * zone meaning local time; `YYYY-MM-DD` (local midnight); `YYYY-MM-DD HH:MM[:SS]` local; and
 * `HH:MM[:SS]` meaning that time today, local.
 *
 * @param text what the user wrote
 * @param now the current time in ms since the epoch
 * @returns the time in ms since the epoch
 * @throws {InvalidValue} for anything else, naming the text and the forms
 *
 * @example
 * ```ts
 * parseTimeSpec("10m", Date.parse("2026-11-27T03:10:00Z")); // Date.parse("2026-11-27T03:00:00Z")
 * ```
 */
export function parseTimeSpec(text: string, now: number): number {
  const spec = text.trim().toLowerCase();
  const result = spec === "now" ? now : parseRelative(spec, now) ?? parseAbsolute(spec, now);
  if (result === null || !Number.isFinite(result)) throw invalidTime(text);
  return result;
}

function parseRelative(spec: string, now: number): number | null {
  const match = RELATIVE.exec(spec);
  if (!match) return null;
  let total = 0;
  for (const [, amount, unit] of (match[1] as string).matchAll(RELATIVE_PART)) {
    total += Number(amount) * (UNIT_MS[unit as string] as number);
  }
  return now - total;
}

function parseAbsolute(spec: string, now: number): number | null {
  const clock = TIME_OF_DAY.exec(spec);
  if (clock) {
    const today = new Date(now);
    return localTime(today.getFullYear(), today.getMonth() + 1, today.getDate(), clock);
  }
  const match = DATE_TIME.exec(spec);
  if (!match) return null;
  const [, y, mo, d, h = "0", mi = "0", s = "0", frac = "0", zone] = match;
  const [year, month, day] = [Number(y), Number(mo), Number(d)];
  if (!validDate(year, month, day)) return null;
  if (!validClock(Number(h), Number(mi), Number(s))) return null;
  const ms = Math.floor(Number(`0.${frac}`) * 1000);
  if (zone === undefined) {
    return new Date(year, month - 1, day, Number(h), Number(mi), Number(s), ms).getTime();
  }
  const offset = zoneOffsetMs(zone);
  if (offset === null) return null;
  return Date.UTC(year, month - 1, day, Number(h), Number(mi), Number(s), ms) - offset;
}

function localTime(year: number, month: number, day: number, clock: RegExpExecArray) {
  const [h, mi, s] = [Number(clock[1]), Number(clock[2]), Number(clock[3] ?? 0)];
  if (!validClock(h, mi, s)) return null;
  return new Date(year, month - 1, day, h, mi, s).getTime();
}

/** Offset of "z", "+02:00" or "-0530" in ms east of UTC, or null when out of range. */
function zoneOffsetMs(zone: string): number | null {
  if (zone === "z") return 0;
  const sign = zone.startsWith("-") ? -1 : 1;
  const digits = zone.slice(1).replace(":", "");
  const hours = Number(digits.slice(0, 2));
  const minutes = Number(digits.slice(2));
  if (hours > 23 || minutes > 59) return null;
  return sign * (hours * 60 + minutes) * 60_000;
}

function validDate(year: number, month: number, day: number): boolean {
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day && year >= 1970;
}

function validClock(hours: number, minutes: number, seconds: number): boolean {
  return hours < 24 && minutes < 60 && seconds < 60;
}

function invalidTime(text: string): InvalidValue {
  return new InvalidValue(
    `Invalid time "${text}": use 90s, 10m, 6h, 2d, HH:MM, YYYY-MM-DD HH:MM or ISO 8601`,
  );
}
