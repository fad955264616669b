/**
 * Terminal columns through string-width: East Asian wide characters and emoji take two,
 * combining marks and zero-width joiners none, ANSI codes none. Loaded on demand (width.ts).
 */
import stringWidth from "string-width";

/** The columns `text` takes when printed. */
export function displayWidth(text: string): number {
  return stringWidth(text);
}
