/**
 * The delay before an unstable restart: backoff_initial_ms doubled for each unstable
 * restart in a row, capped at backoff_max_ms, plus the fixed restart_delay_ms.
 * With the defaults: 100, 200, 400, … 12 800, then 15 000 ms.
 */
export function backoffDelay(
  unstableRestarts: number,
  policy: { backoff_initial_ms: number; backoff_max_ms: number; restart_delay_ms: number },
): number {
  if (unstableRestarts <= 0) return policy.restart_delay_ms;
  const exponent = Math.min(unstableRestarts - 1, 30);
  const backoff = Math.min(policy.backoff_initial_ms * 2 ** exponent, policy.backoff_max_ms);
  return policy.restart_delay_ms + backoff;
}
