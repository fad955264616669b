/**
 * JSON replies and the one mapping of error codes to HTTP statuses. The body of an error is
 * `{ error: { code, message } }` with the wire protocol's code, so a script handles both alike.
 */
import { AdasaError, type ErrorCode } from "../protocol/mod.ts";

/** Codes that exist only over HTTP: the socket has no token and no methods. */
export type HttpOnlyCode =
  | "UNAUTHORIZED"
  | "FORBIDDEN_HOST"
  | "METHOD_NOT_ALLOWED"
  | "UNSUPPORTED_MEDIA_TYPE";

const STATUS: Record<ErrorCode | HttpOnlyCode, number> = {
  INVALID_ARGUMENT: 400,
  MALFORMED_FRAME: 400,
  UNSUPPORTED_VERSION: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN_HOST: 403,
  NOT_FOUND: 404,
  UNKNOWN_OP: 404,
  METHOD_NOT_ALLOWED: 405,
  ALREADY_EXISTS: 409,
  FRAME_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  SUPERSEDED: 409,
  SPAWN_FAILED: 422,
  START_FAILED: 422,
  RELOAD_FAILED: 422,
  INTERNAL: 500,
  UNAVAILABLE: 503,
  STORE_FAILED: 507,
};

/** Headers every reply carries: nothing is cached, nothing is framed by another site. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "cache-control": "no-store",
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
};

/** A JSON reply. */
export function jsonResponse(data: unknown, status = 200): Response {
  return new Response(JSON.stringify(data ?? null), {
    status,
    headers: { ...SECURITY_HEADERS, "content-type": "application/json; charset=utf-8" },
  });
}

/** An error reply with the code's status. */
export function errorResponse(code: ErrorCode | HttpOnlyCode, message: string): Response {
  return jsonResponse({ error: { code, message } }, STATUS[code]);
}

/** An error only HTTP has (a wrong media type), thrown where a check sits deep in a request. */
export class HttpError extends Error {
  override name = "HttpError";
  readonly code: HttpOnlyCode;
  constructor(code: HttpOnlyCode, message: string) {
    super(message);
    this.code = code;
  }
}

/** The reply for an error thrown by a handler; anything but an AdasaError is INTERNAL. */
export function responseForError(error: unknown): Response {
  if (error instanceof AdasaError || error instanceof HttpError) {
    return errorResponse(error.code, error.message);
  }
  return errorResponse("INTERNAL", "Internal error; see daemon.log");
}
