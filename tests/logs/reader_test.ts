import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import { followLogs, LogCapture, type LogLine, readLogs, tailLogs } from "../../src/logs/mod.ts";
import { openIndexDb, pipe, streamOf, waitFor } from "../fixtures/logs/helpers.ts";

const T0 = Date.UTC(2025, 5, 1, 12, 0, 0);

/** Writes lines of apps a (instances 1, 2) and b (3), one line every 250 ms of fake time. */
async function history(dir: string, count: number) {
  let now = T0;
  const logs = new LogCapture({
    dir,
    now: () => now,
    policy: { rotateBytes: 2048, retainFiles: 1000 },
  });
  const pipes = new Map([[1, pipe()], [2, pipe()], [3, pipe()]]);
  const done = [...pipes].map(([id, p]) =>
    logs.capture(id === 3 ? "b" : "a", id, { stdout: p.stream, stderr: streamOf([]) })
  );
  for (let i = 0; i < count; i++) {
    now = T0 + i * 250;
    const id = (i % 3) + 1;
    pipes.get(id)!.write(`line ${i} from ${id}\n`);
    await new Promise((r) => setTimeout(r, 0));
    await logs.close(); // waits for the write, so each line gets its own time
  }
  for (const p of pipes.values()) p.close();
  await Promise.all(done);
  await logs.close();
  return logs;
}

/** tailLogs with its lines collected. */
async function tailOf(...args: Parameters<typeof tailLogs>) {
  const tail = await tailLogs(...args);
  return { lines: await collect(tail.lines), cursor: tail.cursor };
}

async function collect(lines: AsyncIterable<LogLine>): Promise<LogLine[]> {
  const out: LogLine[] = [];
  for await (const line of lines) out.push(line);
  return out;
}

Deno.test("readLogs returns a time window of several apps merged in time order", async () => {
  await using dir = await tempDir();
  using idx = openIndexDb();
  const logs = await history(dir.path, 300);
  idx.index.apply(logs.takePendingIndex());
  const since = T0 + 100 * 250, until = T0 + 200 * 250;
  const lines = await collect(readLogs(dir.path, idx.index, { apps: ["a", "b"], since, until }));
  assertEquals(
    lines.map((l) => l.text),
    Array.from({ length: 101 }, (_, k) => `line ${k + 100} from ${((k + 100) % 3) + 1}`),
  );
  assertEquals(lines.map((l) => l.time), Array.from({ length: 101 }, (_, k) => since + k * 250));
  assertEquals(new Set(lines.map((l) => l.app)), new Set(["a", "b"]));
  const start = idx.index.startAt("a", since)!;
  ok(start.file > "00000001.log" || start.byte_offset > 0, "the index lets the read seek");
});

Deno.test("readLogs filters by instance, stream and grep", async () => {
  await using dir = await tempDir();
  using idx = openIndexDb();
  idx.index.apply((await history(dir.path, 60)).takePendingIndex());
  const only2 = await collect(
    readLogs(dir.path, idx.index, { apps: ["a"], instanceIds: [2], grep: /line [1-3]\d / }),
  );
  assertEquals(only2.map((l) => l.text), [
    "line 10 from 2",
    "line 13 from 2",
    "line 16 from 2",
    "line 19 from 2",
    "line 22 from 2",
    "line 25 from 2",
    "line 28 from 2",
    "line 31 from 2",
    "line 34 from 2",
    "line 37 from 2",
  ]);
  assertEquals(await collect(readLogs(dir.path, idx.index, { apps: ["a"], stream: "err" })), []);
  const plain = await collect(readLogs(dir.path, idx.index, { apps: ["b"], grep: "line 5" }));
  assertEquals(plain.map((l) => l.text), [
    "line 5 from 3",
    "line 50 from 3",
    "line 53 from 3",
    "line 56 from 3",
    "line 59 from 3",
  ]);
});

Deno.test("tailLogs returns the last N lines of several apps, also with lines not yet indexed", async () => {
  await using dir = await tempDir();
  using idx = openIndexDb();
  const logs = await history(dir.path, 400);
  const batch = logs.takePendingIndex();
  idx.index.apply({ rows: batch.rows.slice(0, batch.rows.length >> 1), removed: [] });
  const { lines } = await tailOf(dir.path, idx.index, { apps: ["a", "b"], lines: 50 });
  assertEquals(
    lines.map((l) => l.text),
    Array.from({ length: 50 }, (_, k) => `line ${k + 350} from ${((k + 350) % 3) + 1}`),
  );
  const few = await tailOf(dir.path, idx.index, { apps: ["b"], lines: 3, until: T0 + 10 * 250 });
  assertEquals(few.lines.map((l) => l.text), ["line 2 from 3", "line 5 from 3", "line 8 from 3"]);
});

Deno.test("followLogs continues across rotations without gaps or repeats", async () => {
  await using dir = await tempDir();
  using idx = openIndexDb();
  const logs = new LogCapture({ dir: dir.path, policy: { rotateBytes: 1500, retainFiles: 1000 } });
  const out = pipe();
  const done = logs.capture("api", 1, { stdout: out.stream, stderr: streamOf([]) });
  for (let i = 0; i < 30; i++) out.write(`n ${i}\n`);
  await waitFor(async () =>
    (await tailOf(dir.path, idx.index, { apps: ["api"], lines: 100 })).lines.length === 30
  );
  const { lines, cursor } = await tailOf(dir.path, idx.index, { apps: ["api"], lines: 5 });
  assertEquals(lines.map((l) => l.text), ["n 25", "n 26", "n 27", "n 28", "n 29"]);
  const stop = new AbortController();
  const seen: string[] = [];
  const following = (async () => {
    for await (
      const line of followLogs(dir.path, cursor, {}, { signal: stop.signal, pollMs: 10 })
    ) {
      seen.push(line.text);
      if (seen.length === 970) stop.abort();
    }
  })();
  for (let i = 30; i < 1000; i++) {
    out.write(`n ${i}\n`);
    if (i % 50 === 0) await new Promise((r) => setTimeout(r, 5));
  }
  out.close();
  await done;
  await following;
  await logs.close();
  assertEquals(seen, Array.from({ length: 970 }, (_, k) => `n ${k + 30}`));
  ok((await Array.fromAsync(Deno.readDir(`${dir.path}/api`))).length > 10, "rotated several times");
});

async function tempDir(): Promise<{ path: string } & AsyncDisposable> {
  const path = await Deno.makeTempDir({ prefix: "adasa_logs_" });
  return { path, [Symbol.asyncDispose]: () => Deno.remove(path, { recursive: true }) };
}
