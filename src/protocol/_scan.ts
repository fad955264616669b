/**
 * A walk over msgpack bytes that allocates nothing per value: it checks nesting depth, string,
 * binary and collection lengths, and the total number of values BEFORE the decoder builds any
 * object (#16.3: one 16 MiB frame of 0x91 bytes used to build 16 million arrays first and
 * measure their depth afterwards). It does not check what the decoder checks anyway (UTF-8,
 * map key types, trailing bytes).
 */

/** What a message may contain. */
export interface ScanLimits {
  /** Deepest nesting of arrays and maps. */
  maxDepth: number;
  /** Longest string or binary, in bytes. */
  maxStringBytes: number;
  /** Most elements of one array or entries of one map. */
  maxCollectionLength: number;
  /** Most values in the whole message (every scalar, array, map, key and element counts). */
  maxValues: number;
}

/** Bytes after the type byte for fixed-size scalars, by type byte. */
const FIXED: Readonly<Record<number, number>> = {
  0xc0: 0, // nil
  0xc2: 0, // false
  0xc3: 0, // true
  0xca: 4, // float32
  0xcb: 8, // float64
  0xcc: 1, // uint8
  0xcd: 2,
  0xce: 4,
  0xcf: 8,
  0xd0: 1, // int8
  0xd1: 2,
  0xd2: 4,
  0xd3: 8,
};

/**
 * Throws a SyntaxError naming the first limit `bytes` breaks; returns when the structure fits.
 *
 * @throws {SyntaxError} for a limit exceeded, a length running past the end, or an extension
 */
export function scanMsgpack(bytes: Uint8Array, limits: ScanLimits): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // Children still expected by each open array or map, innermost last.
  const open: number[] = [];
  let pos = 0;
  let values = 0;
  const fail = (what: string): never => {
    throw new SyntaxError(`Invalid msgpack: ${what} (at byte ${pos})`);
  };
  const need = (n: number): void => {
    if (pos + n > bytes.length) fail(`${n} bytes announced, ${bytes.length - pos} left`);
  };
  const uint = (n: 1 | 2 | 4): number => {
    need(n);
    const v = n === 1 ? view.getUint8(pos) : n === 2 ? view.getUint16(pos) : view.getUint32(pos);
    pos += n;
    return v;
  };
  const collection = (length: number, children: number): void => {
    if (length > limits.maxCollectionLength) {
      fail(`collection of ${length} exceeds ${limits.maxCollectionLength} entries`);
    }
    if (open.length >= limits.maxDepth) fail(`nesting exceeds ${limits.maxDepth} levels`);
    if (children > 0) open.push(children);
  };
  const blob = (length: number): void => {
    if (length > limits.maxStringBytes) {
      fail(`string of ${length} bytes exceeds ${limits.maxStringBytes}`);
    }
    need(length);
    pos += length;
  };
  do {
    if (pos >= bytes.length) fail("message ends inside a value");
    if (++values > limits.maxValues) fail(`more than ${limits.maxValues} values`);
    // This value fills one slot of the innermost open collection.
    if (open.length > 0) open[open.length - 1]!--;
    const type = bytes[pos++]!;
    if (type <= 0x7f || type >= 0xe0) {
      // fixint: the type byte is the value
    } else if (type <= 0x8f) collection(type & 0x0f, 2 * (type & 0x0f));
    else if (type <= 0x9f) collection(type & 0x0f, type & 0x0f);
    else if (type <= 0xbf) blob(type & 0x1f);
    else if (Object.hasOwn(FIXED, type)) {
      need(FIXED[type]!);
      pos += FIXED[type]!;
    } else if (type === 0xc4 || type === 0xd9) blob(uint(1));
    else if (type === 0xc5 || type === 0xda) blob(uint(2));
    else if (type === 0xc6 || type === 0xdb) blob(uint(4));
    else if (type === 0xdc || type === 0xdd) {
      const n = uint(type === 0xdc ? 2 : 4);
      collection(n, n);
    } else if (type === 0xde || type === 0xdf) {
      const n = uint(type === 0xde ? 2 : 4);
      collection(n, 2 * n);
    } else if (type === 0xc1) fail("type byte 0xc1 is never used");
    else fail(`extension type 0x${type.toString(16)} is not accepted`);
    while (open.length > 0 && open[open.length - 1] === 0) open.pop();
  } while (open.length > 0);
}
