import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import { LogCapture, type SegmentHandle } from "../../src/logs/mod.ts";
import {
  decodeRecords,
  openIndexDb,
  pipe,
  readAppFiles,
  streamOf,
  waitFor,
} from "../fixtures/logs/helpers.ts";

const numbered = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) => `${prefix} ${i} ${"x".repeat(i % 50)}\n`);

Deno.test("LogCapture rotates by size with no line lost or repeated, and indexes every file", async () => {
  await using dir = await tempDir();
  const logs = new LogCapture({ dir: dir.path, policy: { rotateBytes: 4096, retainFiles: 1000 } });
  await Promise.all([
    logs.capture("api", 1, {
      stdout: streamOf(numbered("o1", 500)),
      stderr: streamOf(numbered("e1", 300)),
    }),
    logs.capture("api", 2, { stdout: streamOf(numbered("o2", 400)), stderr: streamOf([]) }),
  ]);
  await logs.close();
  const lines = decodeRecords(await readAppFiles(`${dir.path}/api`));
  for (
    const [id, stream, prefix, n] of [[1, "out", "o1", 500], [1, "err", "e1", 300], [
      2,
      "out",
      "o2",
      400,
    ]] as const
  ) {
    const got = lines.filter((l) => l.id === id && l.stream === stream).map((l) => l.text + "\n");
    assertEquals(got, numbered(prefix, n));
  }
  const files = (await Array.fromAsync(Deno.readDir(`${dir.path}/api`))).map((e) => e.name).filter((
    n,
  ) => /^\d+\.log$/.test(n));
  ok(files.length > 5, `want several segments, got ${files.length}`);
  for (const f of files) ok((await Deno.stat(`${dir.path}/api/${f}`)).size <= 4096 + 2048, f);
  const batch = logs.takePendingIndex();
  assertEquals(new Set(batch.rows.map((r) => r.file)), new Set(files));
  assertEquals(await Deno.readLink(`${dir.path}/api/current.log`), files.sort().at(-1));
});

Deno.test("LogCapture retention keeps the newest files and reports the deleted ones", async () => {
  await using dir = await tempDir();
  const logs = new LogCapture({ dir: dir.path, policy: { rotateBytes: 1024, retainFiles: 2 } });
  await logs.capture("web", 1, { stdout: streamOf(numbered("o", 400)), stderr: streamOf([]) });
  await logs.close();
  const files = (await Array.fromAsync(Deno.readDir(`${dir.path}/web`))).filter((e) =>
    e.name.endsWith(".log") && e.isFile
  );
  assertEquals(files.length, 3); // two closed ones and the current one
  const batch = logs.takePendingIndex();
  ok(batch.removed.length > 10);
  const kept = new Set(files.map((e) => e.name));
  ok(batch.removed.every((r) => !kept.has(r.file)));
});

Deno.test("LogCapture starts a new file when the current one is deleted by hand", async () => {
  await using dir = await tempDir();
  let now = Date.UTC(2025, 0, 1);
  const logs = new LogCapture({ dir: dir.path, now: () => now });
  const out = pipe();
  const done = logs.capture("api", 1, { stdout: out.stream, stderr: streamOf([]) });
  out.write("before\n");
  await waitFor(() => readText(`${dir.path}/api/00000001.log`).includes("before"));
  await Deno.remove(`${dir.path}/api/00000001.log`);
  now += 1500;
  out.write("after\n");
  out.close();
  await done;
  await logs.close();
  assertEquals(
    decodeRecords(await Deno.readFile(`${dir.path}/api/00000002.log`)).map((l) => l.text),
    ["after"],
  );
  assertEquals(await Deno.readLink(`${dir.path}/api/current.log`), "00000002.log");
  assertEquals(logs.takePendingIndex().removed, [{ app: "api", file: "00000001.log" }]);
});

Deno.test("LogCapture counts dropped bytes on a full disk, keeps draining and resumes", async () => {
  await using dir = await tempDir();
  let now = Date.UTC(2025, 0, 1);
  const disk = { full: false };
  const logs = new LogCapture({
    dir: dir.path,
    now: () => now,
    retryMs: 1000,
    openSegment: async (path) =>
      fullDisk(await Deno.open(path, { append: true, createNew: true }), disk),
  });
  const out = pipe();
  const done = logs.capture("api", 4, { stdout: out.stream, stderr: streamOf([]) });
  const path = `${dir.path}/api/00000001.log`;
  out.write("one\n");
  await waitFor(() => readText(path).includes("one"));
  disk.full = true;
  for (let i = 0; i < 50; i++) out.write(`lost ${i}\n`);
  await waitFor(() => logs.droppedBytes(4) >= 50 * 8, { what: "dropped bytes" });
  // Chunks may coalesce, so wait for the 50th line by its bytes, then for the next line's.
  await waitFor(() => {
    const before = logs.droppedBytes(4);
    return before >= 50 * "lost 49\n".length;
  });
  const dropped = logs.droppedBytes(4);
  disk.full = false;
  out.write("still within the retry wait\n");
  await waitFor(() => logs.droppedBytes(4) > dropped, { what: "the line within the wait dropped" });
  now += 1001;
  out.write("two\n");
  out.close();
  await done;
  await logs.close();
  assertEquals(decodeRecords(await Deno.readFile(path)).map((l) => l.text), ["one", "two"]);
  assertEquals(logs.droppedBytes(5), 0);
});

Deno.test("LogCapture keeps the last 20 stderr lines of an instance", async () => {
  await using dir = await tempDir();
  const logs = new LogCapture({ dir: dir.path });
  const err = [
    "e0\ne1\n",
    ...Array.from({ length: 28 }, (_, i) => `e${i + 2}\n`),
    "last without newline",
  ];
  await logs.capture("api", 9, { stdout: streamOf(["out\n"]), stderr: streamOf(err) });
  await logs.close();
  const want = [...Array.from({ length: 19 }, (_, i) => `e${i + 11}`), "last without newline"];
  assertEquals(logs.lastStderrLines(9), want);
  assertEquals(logs.lastStderrLines(10), []);
});

Deno.test("LogCapture flush deletes an app's files; index rows can be applied and removed", async () => {
  await using dir = await tempDir();
  using idx = openIndexDb();
  const logs = new LogCapture({ dir: dir.path, policy: { rotateBytes: 2048 } });
  await logs.capture("api", 1, { stdout: streamOf(numbered("o", 200)), stderr: streamOf([]) });
  idx.index.apply(logs.takePendingIndex());
  const count = () =>
    (idx.db.prepare("SELECT count(*) AS n FROM log_index").get() as { n: number }).n;
  ok(count() > 1);
  await logs.flush("api");
  idx.index.apply(logs.takePendingIndex());
  assertEquals(count(), 0);
  assertEquals(
    (await Array.fromAsync(Deno.readDir(`${dir.path}/api`))).filter((e) => e.isFile).length,
    0,
  );
  await logs.capture("api", 1, { stdout: streamOf(["again\n"]), stderr: streamOf([]) });
  await logs.close();
  assertEquals(decodeRecords(await readAppFiles(`${dir.path}/api`)).map((l) => l.text), ["again"]);
});

Deno.test("LogCapture refuses an app name that would leave the logs folder", async () => {
  await using dir = await tempDir();
  const logs = new LogCapture({ dir: dir.path });
  for (const name of ["..", "../x", ".hidden", "a/b", ""]) {
    let code = "";
    try {
      await logs.capture(name, 1, { stdout: streamOf([]), stderr: streamOf([]) });
    } catch (error) {
      code = (error as { code?: string }).code ?? "";
    }
    assertEquals(code, "INVALID_ARGUMENT", name);
  }
});

function readText(path: string): string {
  try {
    return Deno.readTextFileSync(path);
  } catch {
    return "";
  }
}

/** A segment whose writes fail like ENOSPC after writing half the bytes, while `disk.full`. */
function fullDisk(file: Deno.FsFile, disk: { full: boolean }): SegmentHandle {
  return {
    write: async (p) => {
      if (!disk.full) return await file.write(p);
      if (p.length > 1) await file.write(p.subarray(0, p.length >> 1));
      throw Object.assign(new Error("No space left on device (os error 28)"), { code: "ENOSPC" });
    },
    truncate: (len) => file.truncate(len),
    stat: () => file.stat(),
    close: () => file.close(),
  };
}

async function tempDir(): Promise<{ path: string } & AsyncDisposable> {
  const path = await Deno.makeTempDir({ prefix: "adasa_logs_" });
  return { path, [Symbol.asyncDispose]: () => Deno.remove(path, { recursive: true }) };
}

Deno.test("forgetApp closes a deleted app's file and drops its writer; its index rows still come (#17)", async () => {
  await using dir = await tempDir();
  const logs = new LogCapture({ dir: dir.path });
  const fds = () => [...Deno.readDirSync("/proc/self/fd")].length;
  const before = fds();
  for (let i = 0; i < 20; i++) {
    const app = `gone-${i}`;
    logs.setPolicy(app, { retainFiles: 5 }); // as the daemon does before each spawn
    await logs.capture(app, i, { stdout: streamOf([`line of ${app}\n`]), stderr: streamOf([]) });
    logs.forget(i);
  }
  ok(fds() >= before + 20, "each app holds its segment file open while it lives");
  assertEquals(logs.held.apps, 40); // a writer and a policy per app
  const forgetting = Array.from({ length: 20 }, (_, i) => logs.forgetApp(`gone-${i}`));
  const first = logs.takePendingIndex(); // taken while the files close
  await Promise.all(forgetting);
  const rest = logs.takePendingIndex();
  const files = new Set([...first.rows, ...rest.rows].map((r) => `${r.app}/${r.file}`));
  assertEquals(files.size, 20, "every deleted app's file is indexed");
  logs.takePendingIndex();
  await Promise.resolve();
  assertEquals(logs.held, { apps: 0, instances: 0, retired: 0 });
  assertEquals(fds(), before, "no descriptor kept for a deleted app");
  // A new app of a deleted name writes afresh.
  await logs.capture("gone-0", 99, { stdout: streamOf(["again\n"]), stderr: streamOf([]) });
  await logs.close();
  const lines = decodeRecords(await readAppFiles(`${dir.path}/gone-0`)).map((l) => l.text);
  assertEquals(lines, ["line of gone-0", "again"]);
});
