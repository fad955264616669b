import { AdasaError } from "../src/protocol/errors.ts";

/** A bad flag or argument: exit code 2. */
export function usageError(message: string): AdasaError {
  return new AdasaError("INVALID_ARGUMENT", message);
}
