/** The Prometheus text format, parsed back strictly, for the /metrics tests. */
import { assert } from "./assert.ts";

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses the exposition format strictly: every sample's family has HELP and TYPE before it. */
export function parseExposition(
  text: string,
): { types: Record<string, string>; samples: Sample[] } {
  const types: Record<string, string> = {};
  const helps = new Set<string>();
  const samples: Sample[] = [];
  assert(text.endsWith("\n"), "ends with a newline");
  for (const line of text.slice(0, -1).split("\n")) {
    const meta = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.+)$/.exec(line);
    if (meta) {
      if (meta[1] === "HELP") helps.add(meta[2]!);
      else types[meta[2]!] = meta[3]!;
      continue;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    assert(m, `not a sample line: ${line}`);
    const name = m[1]!;
    assert(types[name] && helps.has(name), `${name} has no HELP or TYPE before it`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)",?/g)) {
      labels[l[1]!] = l[2]!.replace(/\\n/g, "\n").replace(/\\"/g, '"').replace(/\\\\/g, "\\");
    }
    const value = Number(m[3]);
    assert(!Number.isNaN(value), `value of ${line}`);
    samples.push({ name, labels, value });
  }
  return { types, samples };
}
