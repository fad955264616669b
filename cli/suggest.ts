/**
 * "Did you mean ...?" for mistyped commands, flags and app names. The one import of leven;
 * loaded only when a word was not recognised, so start-up never pays for it.
 */
import leven from "leven";

/** The closest candidate to `word`, or undefined when none is close enough to be a typo. */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  const lower = word.toLowerCase();
  // Short words allow one edit, longer ones two (a swapped pair: "lsit"), at most three.
  const limit = word.length <= 3 ? 1 : Math.min(3, Math.max(2, Math.floor(word.length / 3)));
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const candidate of candidates) {
    const distance = candidate.toLowerCase() === lower
      ? 0
      : leven(lower, candidate.toLowerCase(), { maxDistance: limit + 1 });
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** `message` with "; did you mean X?" added when a candidate is close to `word`. */
export function withSuggestion(
  message: string,
  word: string,
  candidates: Iterable<string>,
): string {
  const match = closest(word, candidates);
  return match === undefined ? message : `${message}; did you mean "${match}"?`;
}
