/**
 * Checks on untrusted input from the wire: the request envelope. Each op's `args` are checked
 * by its schema in op_args.ts.
 */
import { AdasaError } from "./errors.ts";
import { PROTOCOL_VERSION, type Request } from "./messages.ts";

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  if (value instanceof Uint8Array) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Validates a decoded frame as a request envelope.
 *
 * @returns the request; `args` defaults to `{}`
 * @throws {AdasaError} INVALID_ARGUMENT for a wrong shape, UNSUPPORTED_VERSION for another `v`
 */
export function parseRequest(value: unknown): Request {
  if (!isPlainObject(value)) throw invalid("request must be a map");
  const { v, id, op, args, accept } = value;
  if (typeof id !== "number" || !Number.isSafeInteger(id) || id < 0) {
    throw invalid("request.id must be a non-negative integer");
  }
  if (typeof v !== "number") throw invalid("request.v must be a number");
  if (v !== PROTOCOL_VERSION) {
    throw new AdasaError(
      "UNSUPPORTED_VERSION",
      `Protocol version ${v} is not supported; this daemon speaks ${PROTOCOL_VERSION}`,
    );
  }
  if (typeof op !== "string" || op.length === 0 || op.length > 64) {
    throw invalid("request.op must be a string of 1 to 64 characters");
  }
  if (args !== undefined && args !== null && !isPlainObject(args)) {
    throw invalid("request.args must be a map");
  }
  if (accept !== undefined && accept !== "json") throw invalid('request.accept must be "json"');
  const request: Request = { v, id, op, args: (args ?? {}) as Record<string, unknown> };
  if (accept === "json") request.accept = accept;
  return request;
}

/** Reads the `id` of a frame that failed validation, so the error reply can carry it. */
export function requestIdOf(value: unknown): number {
  // The same rule as parseRequest: an id it rejects is never echoed back.
  if (
    isPlainObject(value) && typeof value.id === "number" && Number.isSafeInteger(value.id) &&
    value.id >= 0
  ) {
    return value.id;
  }
  return 0;
}

function invalid(message: string): AdasaError {
  return new AdasaError("INVALID_ARGUMENT", message);
}

export { isPlainObject };
