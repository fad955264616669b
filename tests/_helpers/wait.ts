/** Waits for a condition, never for a fixed time; fails with "want X, got Y after T". */
export async function waitFor<T>(
  probe: () => T | Promise<T>,
  accept: (value: T) => boolean,
  options: { timeoutMs?: number; what?: string; intervalMs?: number } = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const started = Date.now();
  let last: T;
  while (true) {
    last = await probe();
    if (accept(last)) return last;
    if (Date.now() - started > timeoutMs) {
      throw new Error(
        `want ${options.what ?? "condition"}, got ${JSON.stringify(last)} after ${
          Date.now() - started
        } ms`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 20));
  }
}
