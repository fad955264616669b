/** Sizes and percents as users write them: `300M`, `1.5G`, `80%`. */
import { InvalidValue } from "./invalid.ts";

const SIZE_PATTERN = /^(\d+(?:\.\d+)?)\s*(?:([kmgt])(?:i?b)?|b)?$/i;
const SIZE_UNITS: Record<string, number> = { k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40 };

/**
 * Parses a size such as "300M" into bytes. K, M, G and T are powers of 1024 whether written
 * M, MB or MiB, as in pm2's max_memory_restart; a plain number is bytes.
 *
 * @throws {InvalidValue} naming the text
 */
export function parseSize(text: string): number {
  const match = SIZE_PATTERN.exec(text.trim());
  if (!match) {
    throw new InvalidValue(
      `Invalid size "${text}": use a number of bytes or a number with K, M or G (e.g. 300M)`,
    );
  }
  const unit = match[2] ? SIZE_UNITS[match[2].toLowerCase()] ?? 1 : 1;
  return Math.round(Number(match[1]) * unit);
}

/**
 * Parses a CPU limit such as "80%" or "150" (percent of one core; above 100 on several cores).
 *
 * @throws {InvalidValue} naming the text
 */
export function parsePercent(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*%?$/.exec(text.trim());
  if (!match) {
    throw new InvalidValue(
      `Invalid percent "${text}": use a number of percent of one core (e.g. 80%)`,
    );
  }
  return Number(match[1]);
}
