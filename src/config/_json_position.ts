/**
 * Finds where a JSON text goes wrong. V8's JSON.parse names the position for some errors and
 * not for others ("Unexpected token '}', ... is not valid JSON"), and a config error must say
 * where it is, so this scanner walks the text the way the grammar does and stops at the first
 * character that cannot continue it. Called only after JSON.parse has failed.
 */

/** Where the first error is: 1-based line and column, and what was found there. */
export interface JsonErrorAt {
  line: number;
  column: number;
  found: string;
}

/** Thrown inside the scanner to unwind to the error position. */
class Stop {
  constructor(readonly at: number) {}
}

const SCALAR = /^(?:-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/;

class Scanner {
  i = 0;
  constructor(readonly text: string) {}

  expect(ok: boolean): void {
    if (!ok) throw new Stop(this.i);
  }

  ws(): void {
    while (this.i < this.text.length && " \t\r\n".includes(this.text[this.i]!)) this.i++;
  }

  value(): void {
    this.ws();
    const c = this.text[this.i];
    if (c === "{") return this.members("}", () => this.member());
    if (c === "[") return this.members("]", () => this.value());
    if (c === '"') return this.string();
    const scalar = SCALAR.exec(this.text.slice(this.i));
    this.expect(scalar !== null);
    this.i += scalar![0].length;
  }

  member(): void {
    this.ws();
    this.expect(this.text[this.i] === '"');
    this.string();
    this.ws();
    this.expect(this.text[this.i] === ":");
    this.i++;
    this.value();
  }

  members(close: string, item: () => void): void {
    this.i++;
    this.ws();
    if (this.text[this.i] === close) {
      this.i++;
      return;
    }
    // After a comma an item must follow: `[1,]` is an error at the `]`.
    while (true) {
      item();
      this.ws();
      if (this.text[this.i] === close) break;
      this.expect(this.text[this.i] === ",");
      this.i++;
    }
    this.i++;
  }

  string(): void {
    const t = this.text;
    for (this.i++; this.i < t.length && t[this.i] !== '"'; this.i++) {
      this.expect(t.charCodeAt(this.i) >= 0x20);
      if (t[this.i] !== "\\") continue;
      this.i++;
      if (t[this.i] === "u") {
        this.expect(/^[0-9a-fA-F]{4}$/.test(t.slice(this.i + 1, this.i + 5)));
        this.i += 4;
      } else this.expect(this.i < t.length && '"\\/bfnrt'.includes(t[this.i]!));
    }
    this.expect(this.i < t.length);
    this.i++;
  }
}

/** The first error of `text`, or null when it is valid JSON. */
export function locateJsonError(text: string): JsonErrorAt | null {
  const scanner = new Scanner(text);
  try {
    scanner.value();
    scanner.ws();
    scanner.expect(scanner.i === text.length);
    return null;
  } catch (error) {
    if (!(error instanceof Stop)) throw error;
    return position(text, Math.min(error.at, text.length));
  }
}

function position(text: string, at: number): JsonErrorAt {
  const before = text.slice(0, at);
  const line = before.split("\n").length;
  const column = at - (before.lastIndexOf("\n") + 1) + 1;
  const found = at >= text.length ? "end of file" : JSON.stringify(text[at]);
  return { line, column, found };
}
