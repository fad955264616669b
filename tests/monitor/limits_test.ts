import { deepStrictEqual as assertEquals, strictEqual, throws } from "node:assert/strict";
import {
  checkLimits,
  INITIAL_LIMIT_STATE,
  type Limits,
  type LimitState,
  parsePercent,
  parseSize,
} from "../../src/monitor/limits.ts";
import type { Sample } from "../../src/monitor/sampler.ts";
import { InvalidValue } from "../../src/model/invalid.ts";

const MB = 2 ** 20;

function sample(memory: number, cpu: number | null, at = 0): Sample {
  return {
    instance_id: 3,
    pid: 42,
    at,
    cpu,
    memory: memory / 2,
    group_cpu: cpu,
    group_memory: memory,
  };
}

/** Runs a series of samples and returns the tick numbers and kinds of the violations. */
function run(limits: Limits, samples: Sample[]): string[] {
  let state: LimitState = INITIAL_LIMIT_STATE;
  const seen: string[] = [];
  samples.forEach((s, i) => {
    const result = checkLimits(limits, state, s);
    state = result.state;
    if (result.violation) seen.push(`${i}:${result.violation.kind}`);
  });
  return seen;
}

Deno.test("checkLimits() fires after N consecutive samples over a limit, then counts again", () => {
  const cases: Array<[string, Limits, Sample[], string[]]> = [
    ["no limits", {}, [sample(900 * MB, 99), sample(900 * MB, 99)], []],
    ["memory 3 in a row", { max_memory: 100 * MB }, Array(7).fill(sample(200 * MB, 1)), [
      "2:memory",
      "5:memory",
    ]],
    ["a dip resets the count", { max_memory: 100 * MB, samples: 2 }, [
      sample(200 * MB, 1),
      sample(50 * MB, 1),
      sample(200 * MB, 1),
      sample(200 * MB, 1),
    ], ["3:memory"]],
    [
      "equal to the limit is not over",
      { max_memory: 100 * MB, samples: 1 },
      [sample(100 * MB, 1)],
      [],
    ],
    ["cpu, null keeps the count", { max_cpu: 80, samples: 2 }, [
      sample(1, 90),
      sample(1, null),
      sample(1, 95),
    ], ["2:cpu"]],
    ["memory wins over cpu on the same tick", { max_memory: 1, max_cpu: 1, samples: 1 }, [
      sample(2, 5),
      sample(2, 5),
    ], ["0:memory", "1:memory"]],
  ];
  for (const [name, limits, samples, want] of cases) assertEquals(run(limits, samples), want, name);
});

Deno.test("checkLimits() reports the figures and the action", () => {
  const result = checkLimits(
    { max_cpu: 50, samples: 1, action: "log" },
    INITIAL_LIMIT_STATE,
    sample(10, 75, 1234),
  );
  assertEquals(result.violation, {
    kind: "cpu",
    action: "log",
    samples: 1,
    at: 1234,
    instance_id: 3,
    pid: 42,
    value: 75,
    limit: 50,
  });
  assertEquals(result.state, { memory_over: 0, cpu_over: 0 });
  const restart = checkLimits({ max_memory: 1, samples: 1 }, INITIAL_LIMIT_STATE, sample(5, 0));
  strictEqual(restart.violation?.action, "restart");
});

Deno.test("parseSize() reads bytes with K, M, G and optional B or iB", () => {
  const cases: Array<[string, number]> = [
    ["0", 0],
    ["512", 512],
    ["512B", 512],
    ["300M", 300 * MB],
    ["300m", 300 * MB],
    ["300MB", 300 * MB],
    ["300MiB", 300 * MB],
    ["1.5G", 1.5 * 2 ** 30],
    ["64 K", 64 * 1024],
    ["2T", 2 * 2 ** 40],
  ];
  for (const [text, want] of cases) strictEqual(parseSize(text), want, text);
});

Deno.test("parseSize() rejects bad sizes with one line naming the text", () => {
  for (const text of ["", "M", "-5M", "300X", "3 00M", "1e6", "300MBs"]) {
    throws(
      () => parseSize(text),
      (e: unknown) => {
        return e instanceof InvalidValue &&
          e.message.includes(`"${text}"`) && !e.message.includes("\n");
      },
      text,
    );
  }
});

Deno.test("parsePercent() reads 80, 80% and 150%", () => {
  assertEquals(["80", "80%", "150%", "12.5"].map(parsePercent), [80, 80, 150, 12.5]);
  throws(() => parsePercent("high"), InvalidValue);
});
