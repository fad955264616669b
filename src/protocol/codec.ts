/**
 * The one import of the msgpack library. Decoding is bounded: a scan of the bytes checks
 * nesting depth, string, binary and collection lengths and the number of values before the
 * decoder builds anything, so a hostile frame costs a walk over its bytes and nothing more.
 */
import { Decoder, Encoder } from "@msgpack/msgpack";
import { type ScanLimits, scanMsgpack } from "./_scan.ts";
import { MAX_FRAME_BYTES } from "./frame.ts";

export type { ScanLimits };

/** Deepest nesting of arrays and maps a message may have. */
export const MAX_DEPTH = 32;
/** Longest string in a message (characters of UTF-8 bytes). */
export const MAX_STRING_BYTES = 8 * 1024 * 1024;
/** Most elements in one array or entries in one map. */
export const MAX_COLLECTION_LENGTH = 1_000_000;
/** Most values in one request (the daemon's limit; replies are bounded by the frame size). */
export const MAX_REQUEST_VALUES = 1_000_000;

/** The limits of any message. */
export const MESSAGE_LIMITS: Readonly<ScanLimits> = {
  maxDepth: MAX_DEPTH,
  maxStringBytes: MAX_STRING_BYTES,
  maxCollectionLength: MAX_COLLECTION_LENGTH,
  maxValues: Number.MAX_SAFE_INTEGER,
};

/**
 * The limits of a reply the client decodes: a reply's data may come as one JSON text (see
 * `Request.accept`), as long as its frame.
 */
export const REPLY_LIMITS: Readonly<ScanLimits> = {
  ...MESSAGE_LIMITS,
  maxStringBytes: MAX_FRAME_BYTES,
};

/**
 * The limits of a request the daemon decodes: a 16 MiB frame of one-byte values would
 * otherwise become 16 million heap values.
 */
export const REQUEST_LIMITS: Readonly<ScanLimits> = {
  ...MESSAGE_LIMITS,
  maxValues: MAX_REQUEST_VALUES,
};

const encoder = new Encoder({ ignoreUndefined: true });
// The scan enforces each kind of message's limits; the decoder's own are the loosest of them.
const decoder = new Decoder({
  maxStrLength: MAX_FRAME_BYTES,
  maxBinLength: MAX_STRING_BYTES,
  maxArrayLength: MAX_COLLECTION_LENGTH,
  maxMapLength: MAX_COLLECTION_LENGTH,
  maxExtLength: 0,
});

/** Encodes a value as msgpack. `undefined` properties are left out. */
export function encodeMessage(value: unknown): Uint8Array {
  return encoder.encode(value);
}

/**
 * Decodes one complete msgpack value within `limits` (default MESSAGE_LIMITS).
 *
 * @throws {SyntaxError} if the bytes are not exactly one msgpack value within the limits
 */
export function decodeMessage(
  bytes: Uint8Array,
  limits: Readonly<ScanLimits> = MESSAGE_LIMITS,
): unknown {
  scanMsgpack(bytes, limits);
  try {
    return decoder.decode(bytes);
  } catch (error) {
    throw new SyntaxError(`Invalid msgpack: ${(error as Error).message}`, { cause: error });
  }
}
