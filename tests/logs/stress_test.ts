// The acceptance test: 4 child processes write numbered lines of random length to stdout
// and stderr at once into one app rotating at 1 MiB; every line must come back exactly once, in
// order per stream, unspliced. ADASA_LOG_STRESS_LINES sets lines per stream (default 400; the 200,000 lines of up to 100 KiB would be 80 GB).
import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import { LogCapture } from "../../src/logs/mod.ts";
import { decodeRecords, readAppFiles } from "../fixtures/logs/helpers.ts";
import { expected } from "../fixtures/logs/writer.ts";

const LINES = Number(Deno.env.get("ADASA_LOG_STRESS_LINES") ?? 400);
const WRITER = new URL("../fixtures/logs/writer.ts", import.meta.url).pathname;

Deno.test("LogCapture keeps every line of 4 concurrent writers exactly once, across rotations", async () => {
  const dir = await Deno.makeTempDir({ prefix: "adasa_logs_stress_" });
  const children: Deno.ChildProcess[] = [];
  try {
    const logs = new LogCapture({
      dir,
      policy: { rotateBytes: 1024 * 1024, retainFiles: 100_000, retainBytes: 2 ** 50 },
    });
    const captures = [1, 2, 3, 4].map((id) => {
      const child = new Deno.Command(Deno.execPath(), {
        args: ["run", "--quiet", WRITER, String(id), String(LINES)],
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      children.push(child);
      return logs.capture("stress", id, { stdout: child.stdout, stderr: child.stderr });
    });
    await Promise.all(captures);
    for (const child of children) assertEquals((await child.status).code, 0);
    await logs.close();
    const files = (await Array.fromAsync(Deno.readDir(`${dir}/stress`))).filter((e) =>
      e.isFile
    ).length;
    ok(files > 10, `want many rotations, got ${files} files`);
    checkLines(decodeRecords(await readAppFiles(`${dir}/stress`)));
  } finally {
    for (const child of children) {
      try {
        child.kill("SIGKILL");
      } catch {
        // already exited
      }
      await child.status;
    }
    await Deno.remove(dir, { recursive: true });
  }
});

function checkLines(records: ReturnType<typeof decodeRecords>): void {
  const next = new Map<string, number>();
  const partial = new Map<string, string>();
  for (const r of records) {
    const key = `${r.id} ${r.stream}`;
    const text = (partial.get(key) ?? "") + r.text;
    if (r.kind === "fragment") {
      partial.set(key, text);
      continue;
    }
    partial.delete(key);
    const n = next.get(key) ?? 0;
    const want = expected(r.id, r.stream, n);
    const head = `${r.id} ${r.stream} ${n} `;
    if (!text.startsWith(head) || text.length !== head.length + want.length) {
      throw new Error(`line ${n} of ${key} is wrong: ${text.slice(0, 60)}… (${text.length} chars)`);
    }
    ok(
      text.endsWith(want.letter.repeat(Math.min(want.length, 1000))),
      `line ${n} of ${key} spliced`,
    );
    ok(!/[^a-z]/.test(text.slice(head.length)), `line ${n} of ${key} spliced`);
    next.set(key, n + 1);
  }
  assertEquals([...partial.keys()], []);
  for (const id of [1, 2, 3, 4]) {
    for (const stream of ["out", "err"]) {
      assertEquals(next.get(`${id} ${stream}`), LINES, `${id} ${stream}`);
    }
  }
}
