/**
 * What a daemon leaves for after its start (#17): a large database's quick_check runs after the
 * start, and a failure it finds sets the file aside at the next start.
 */
import { Store } from "../../src/store/mod.ts";
import type { NewEvent } from "../../src/store/mod.ts";
import { assert, assertEquals, assertMatch } from "../_helpers/assert.ts";
import { makeHome, startDaemon } from "../_helpers/daemon.ts";
import { waitFor } from "../_helpers/wait.ts";

function namesIn(dir: string): string[] {
  return [...Deno.readDirSync(dir)].map((e) => e.name);
}

/** A database of 3,000 events whose last pages but two (the events' own) are overwritten. */
function corruptedDatabase(path: string): number {
  {
    using store = Store.open(path);
    store.transaction(() => {
      for (let i = 0; i < 3_000; i++) store.events.insert(event(i));
    });
  }
  const file = Deno.readFileSync(path);
  const pages = file.length / 4096;
  for (let p = pages - 10; p < pages - 2; p++) file.fill(0x5a, p * 4096, (p + 1) * 4096);
  Deno.writeFileSync(path, file);
  return file.length;
}

function event(at: number): NewEvent {
  return {
    at,
    instance_id: null,
    app: "noise",
    event: "start",
    from_state: null,
    to_state: null,
    pid: null,
    exit_code: null,
    signal: null,
    uptime_ms: null,
    reason: "x".repeat(200),
  };
}

Deno.test("a large database is checked after the daemon answers, and set aside at the next start when it fails", async () => {
  const home = makeHome();
  const size = corruptedDatabase(`${home}/adasa.db`);
  const env = { ADASA_CHECK_AT_OPEN_MAX_BYTES: "4096" };
  {
    await using daemon = await startDaemon({ home, env, keepHome: true });
    const warnings = await waitFor(
      async () => {
        const status = await daemon.cli(["daemon", "status", "--json"]);
        assertEquals(status.code, 0, status.stderr);
        return JSON.parse(status.stdout).store_warnings as string[];
      },
      (w) => w.length > 0,
      { what: "the deferred check's warning in daemon status" },
    );
    assertMatch(
      warnings[0]!,
      /failed its check \((quick_check failed|cannot be read).*next daemon start/,
    );
    assert(
      namesIn(home).every((n) => !n.includes(".corrupt-")),
      "nothing is set aside while the daemon runs on it",
    );
  }
  await using next = await startDaemon({ home, env });
  const status = await next.cli(["daemon", "status", "--json"]);
  assertMatch(JSON.parse(status.stdout).store_warnings[0], /quick_check failed|cannot be read/);
  const aside = namesIn(home).find((n) => /^adasa\.db\.corrupt-[^/]*Z$/.test(n));
  assert(aside, "no quarantined copy");
  // The first daemon ran on it (its events went in), so the file is at least what it was.
  assert((await Deno.stat(`${home}/${aside}`)).size >= size, "the file set aside is the database");
  assert(!namesIn(home).some((n) => n.endsWith(".check-failed")), "marker left");
});

Deno.test("ADASA_CHECK_AT_OPEN_MAX_BYTES that is not a number stops the daemon with a one-line error", async () => {
  const home = makeHome();
  try {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", new URL("../../main.ts", import.meta.url).pathname],
      env: { ADASA_HOME: home, ADASA_CHECK_AT_OPEN_MAX_BYTES: "lots" },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    assertEquals(out.code, 1);
    assertMatch(new TextDecoder().decode(out.stderr), /ADASA_CHECK_AT_OPEN_MAX_BYTES: expected/);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});
