/**
 * The one import of the msgpack library. Decoding is bounded: string, binary, array and map
 * lengths are capped by the decoder, and nesting depth is checked after decoding.
 */
import { Decoder, Encoder } from "@msgpack/msgpack";

/** Deepest nesting of arrays and maps a message may have. */
export const MAX_DEPTH = 32;
/** Longest string in a message (characters of UTF-8 bytes). */
export const MAX_STRING_BYTES = 8 * 1024 * 1024;
/** Most elements in one array or entries in one map. */
export const MAX_COLLECTION_LENGTH = 1_000_000;

const encoder = new Encoder({ ignoreUndefined: true });
const decoder = new Decoder({
  maxStrLength: MAX_STRING_BYTES,
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
 * Decodes one complete msgpack value.
 *
 * @throws {SyntaxError} if the bytes are not exactly one msgpack value within the limits
 */
export function decodeMessage(bytes: Uint8Array): unknown {
  let value: unknown;
  try {
    value = decoder.decode(bytes);
  } catch (error) {
    throw new SyntaxError(`Invalid msgpack: ${(error as Error).message}`, { cause: error });
  }
  assertDepth(value, MAX_DEPTH);
  return value;
}

/** Walks the value without recursion, so a hostile depth cannot overflow the stack. */
function assertDepth(root: unknown, max: number): void {
  const stack: Array<[unknown, number]> = [[root, 0]];
  while (stack.length > 0) {
    const [value, depth] = stack.pop()!;
    if (value === null || typeof value !== "object" || value instanceof Uint8Array) continue;
    if (depth >= max) throw new SyntaxError(`Message nesting exceeds ${max} levels`);
    const children = Array.isArray(value) ? value : Object.values(value);
    for (const child of children) stack.push([child, depth + 1]);
  }
}
