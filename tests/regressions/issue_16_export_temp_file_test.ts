/**
 * #16.11: `export -o FILE` wrote `FILE.tmp-<pid>` with an ordinary open, so a symlink planted
 * at that predictable path was followed and the export (the apps' environment) went wherever it
 * pointed. The temporary file is now created exclusively under a random name, then renamed.
 */
import { writeNewFile } from "../../cli/write_new_file.ts";
import { AdasaError } from "../../src/protocol/errors.ts";
import { assert, assertEquals, assertRejects } from "../_helpers/assert.ts";
import { startDaemon } from "../_helpers/daemon.ts";

async function lstatOrNull(path: string): Promise<Deno.FileInfo | null> {
  return await Deno.lstat(path).catch(() => null);
}

Deno.test("writeNewFile() never follows a symlink planted at its temporary path", async () => {
  const dir = await Deno.makeTempDir({ prefix: "adasa-export-" });
  try {
    const victim = `${dir}/victim`;
    await Deno.writeTextFile(victim, "precious\n");
    const planted = `${dir}/out.json.planted`;
    await Deno.symlink(victim, planted);
    const error = await assertRejects(
      () => writeNewFile(`${dir}/out.json`, "secret\n", { mode: 0o600, tempPath: () => planted }),
    );
    assert(error instanceof AdasaError && error.code === "ALREADY_EXISTS", String(error));
    assertEquals(await Deno.readTextFile(victim), "precious\n", "the symlink's target");
    assert((await lstatOrNull(planted))?.isSymlink, "the planted link is left as it was");
    assertEquals(await lstatOrNull(`${dir}/out.json`), null, "no output written");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("writeNewFile() takes the next temporary name when one is taken, and leaves none", async () => {
  const dir = await Deno.makeTempDir({ prefix: "adasa-export-" });
  try {
    const taken = `${dir}/taken`;
    await Deno.writeTextFile(taken, "someone else's\n");
    const names = [taken, `${dir}/free`];
    await writeNewFile(`${dir}/out.json`, "new\n", { mode: 0o600, tempPath: () => names.shift()! });
    assertEquals(await Deno.readTextFile(`${dir}/out.json`), "new\n");
    assertEquals(await Deno.readTextFile(taken), "someone else's\n");
    const left = [];
    for await (const entry of Deno.readDir(dir)) left.push(entry.name);
    assertEquals(left.sort(), ["out.json", "taken"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("export -o replaces a symlink at FILE with a 0600 file and leaves its target alone", async () => {
  const dir = await Deno.makeTempDir({ prefix: "adasa-export-" });
  try {
    await using daemon = await startDaemon();
    const started = await daemon.cli([
      "start",
      "--name",
      "s",
      "--env",
      "TOKEN=hunter2",
      "sleep",
      "--",
      "60",
    ]);
    assertEquals(started.code, 0, started.stderr);
    const victim = `${dir}/victim`;
    await Deno.writeTextFile(victim, "precious\n");
    const output = `${dir}/apps.json`;
    await Deno.symlink(victim, output);
    const exported = await daemon.cli(["export", "-o", output]);
    assertEquals(exported.code, 0, exported.stderr);
    assertEquals(await Deno.readTextFile(victim), "precious\n");
    const info = (await lstatOrNull(output))!;
    assert(info.isFile && !info.isSymlink, "FILE is a regular file now");
    assertEquals(info.mode! & 0o777, 0o600);
    assert((await Deno.readTextFile(output)).includes("hunter2"), "the export itself");
    const names = [];
    for await (const entry of Deno.readDir(dir)) names.push(entry.name);
    assertEquals(names.sort(), ["apps.json", "victim"], "no temporary file is left");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
