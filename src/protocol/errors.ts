/** The stable error codes of the wire. Same strings in replies, logs and the CLI's exit-code table. */
export type ErrorCode =
  | "INVALID_ARGUMENT"
  | "NOT_FOUND"
  | "ALREADY_EXISTS"
  | "UNSUPPORTED_VERSION"
  | "UNKNOWN_OP"
  | "FRAME_TOO_LARGE"
  | "MALFORMED_FRAME"
  | "UNAVAILABLE"
  | "STORE_FAILED"
  | "SPAWN_FAILED"
  | "START_FAILED"
  | "RELOAD_FAILED"
  | "SUPERSEDED"
  | "INTERNAL";

/** Every error code, for validating replies read from the wire. */
export const ERROR_CODES: readonly ErrorCode[] = [
  "INVALID_ARGUMENT",
  "NOT_FOUND",
  "ALREADY_EXISTS",
  "UNSUPPORTED_VERSION",
  "UNKNOWN_OP",
  "FRAME_TOO_LARGE",
  "MALFORMED_FRAME",
  "UNAVAILABLE",
  "STORE_FAILED",
  "SPAWN_FAILED",
  "START_FAILED",
  "RELOAD_FAILED",
  "SUPERSEDED",
  "INTERNAL",
];

/**
 * The one domain error. Handlers throw it; the server turns it into
 * `{ ok: false, error: { code, message } }`; the client turns that back into it.
 *
 * @example
 * ```ts
 * throw new AdasaError("NOT_FOUND", 'No app or id "api"');
 * ```
 */
export class AdasaError extends Error {
  override name = "AdasaError";
  /** The stable code sent on the wire. */
  readonly code: ErrorCode;

  /**
   * @param code the stable wire code
   * @param message one line naming what was wrong
   * @param options the cause, if any
   */
  constructor(code: ErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}

/** Whether a string is one of the known error codes. */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === "string" && (ERROR_CODES as readonly string[]).includes(value);
}
