/** Minimal assertions (the std assert module lives on JSR, which is unreachable here). */
import { deepStrictEqual, match } from "node:assert/strict";

export function assert(condition: unknown, message = "assertion failed"): asserts condition {
  if (!condition) throw new Error(message);
}

export function assertEquals<T>(actual: unknown, expected: T, message?: string): void {
  deepStrictEqual(actual, expected, message);
}

export function assertMatch(actual: string, pattern: RegExp, message?: string): void {
  match(actual, pattern, message);
}

export async function assertRejects(
  fn: () => Promise<unknown>,
  check?: (error: unknown) => boolean,
): Promise<unknown> {
  try {
    await fn();
  } catch (error) {
    if (check && !check(error)) {
      throw new Error(`Unexpected error: ${String(error)}`, { cause: error });
    }
    return error;
  }
  throw new Error("Expected a rejection");
}

export function assertThrows(fn: () => unknown, check?: (error: unknown) => boolean): unknown {
  try {
    fn();
  } catch (error) {
    if (check && !check(error)) {
      throw new Error(`Unexpected error: ${String(error)}`, { cause: error });
    }
    return error;
  }
  throw new Error("Expected a throw");
}
