/** The one wire-code → exit-code table; the README lists the same. */

export const EXIT = {
  ok: 0,
  failed: 1,
  usage: 2,
  notFound: 3,
  alreadyExists: 4,
  unavailable: 5,
  protocol: 6,
} as const;

const BY_CODE: Readonly<Record<string, number>> = {
  INVALID_ARGUMENT: EXIT.usage,
  NOT_FOUND: EXIT.notFound,
  ALREADY_EXISTS: EXIT.alreadyExists,
  UNAVAILABLE: EXIT.unavailable,
  UNSUPPORTED_VERSION: EXIT.protocol,
};

/** The exit code for a wire error code: 1 for any code not listed. */
export function exitCodeFor(code: string): number {
  return Object.hasOwn(BY_CODE, code) ? BY_CODE[code]! : EXIT.failed;
}
