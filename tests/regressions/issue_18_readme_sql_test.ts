/**
 * Issue #18: the README's database section cannot drift. Every `sql` block of the README runs
 * against the database of a real daemon after a real scenario (start, a crash, a restart by the
 * user, a stop; and an app its liveness check restarts), and its rows are checked; every table
 * column and event name the README names exists in the schema (made by migrations/) and in the
 * code, and every column and event the database holds is named in the README.
 */
import { DatabaseSync } from "node:sqlite";
import { assert, assertEquals } from "../_helpers/assert.ts";
import { startDaemon } from "../_helpers/daemon.ts";
import { events, startApp, waitForInstance } from "../_helpers/apps.ts";
import { waitFor } from "../_helpers/wait.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const README = Deno.readTextFileSync(`${ROOT}README.md`);

type Row = Record<string, unknown>;
interface Facts {
  apiExits: number;
  probeId: number;
}
/** A check of one README statement, found by a phrase of the statement (or its comment). */
type Check = (rows: Row[], columns: string[], facts: Facts) => void;

const CHECKS: Array<[string, Check]> = [
  ["event = 'unhealthy'", (rows, _c, facts) => {
    assert(rows.length > 0, "an unhealthy event");
    for (const r of rows) {
      assertEquals(r.instance_id, facts.probeId);
      assert(String(r.reason).startsWith("unhealthy:"), String(r.reason));
    }
  }],
  ["Why did api restart", (rows, columns, facts) => {
    assertEquals(columns.slice(0, 3), ["time", "instance_id", "event"]);
    const exits = rows.filter((r) => r.event === "exit");
    assertEquals(exits.length, facts.apiExits);
    const moves = exits.map((r) => `${r.from_state}->${r.to_state} ${r.exit_code ?? r.signal}`);
    assertEquals(moves, [
      "online->launching 1",
      "stopping->launching SIGTERM",
      "stopping->stopped SIGTERM",
    ]);
    assert(rows.some((r) => r.event === "restart") && rows.some((r) => r.event === "stop"));
  }],
  ["What was the memory of api at 3 am", (rows, columns) => {
    // Minute rows exist only for complete minutes; the columns are checked either way.
    assertEquals(columns, ["minute", "instance_id", "mib", "cpu"]);
    for (const r of rows) assert(Number(r.mib) > 0, JSON.stringify(r));
  }],
  ["Peak memory per app over the last hour", (rows, columns) => {
    assertEquals(columns, ["app", "peak_mib", "avg_cpu"]);
    const api = rows.find((r) => r.app === "api");
    assert(api && Number(api.peak_mib) > 0 && Number(api.peak_mib) < 1024, JSON.stringify(rows));
  }],
  ["Crashes per app", (rows) => {
    // The probe's restarts and api's restart and stop by the user are no crashes.
    assertEquals(rows, [{ app: "api", crashes: 1 }]);
  }],
];

/** The statements of the README's sql blocks, each with the comment lines before it. */
function readmeStatements(): string[] {
  const blocks = [...README.matchAll(/^```sql\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
  return blocks.flatMap((b) => b.split(/;\s*$/m)).map((s) => s.trim()).filter(Boolean);
}

/** The tables of the README's schema section: table name -> the columns it lists. */
function readmeColumns(): Map<string, string[]> {
  const tables = new Map<string, string[]>();
  const section = /^### The database\n[\s\S]*?^\| table \| rows \|\n(?:^\|.*\n)+/m.exec(README);
  assert(section, "the README's table of tables");
  for (const m of section[0].matchAll(/^\| `(\w+)` \| (.+) \|$/gm)) {
    // Words in parentheses explain a column, they are not columns; `cpu_min/avg/max` is three.
    const cells = m[2]!.replace(/\([^()]*\)/g, "");
    const columns = [...cells.matchAll(/`([a-z_/]+)`/g)].flatMap(([, c]) => {
      const [first, ...rest] = c!.split("/");
      const stem = first!.slice(0, first!.lastIndexOf("_") + 1);
      return [first!, ...rest.map((r) => stem + r)];
    });
    tables.set(m[1]!, columns);
  }
  return tables;
}

/** Event names the README gives: the events paragraph and every "`name` event" phrase. */
function readmeEvents(): Set<string> {
  const paragraph = /^Events are the transitions[\s\S]*?names its `app`\./m.exec(README);
  assert(paragraph, "the README's paragraph of events");
  const names = new Set(
    [...paragraph[0].matchAll(/`([a-z_]+)`/g)].map((m) => m[1]!)
      .filter((n) => !["from_state", "to_state", "app"].includes(n) && !/^adasa/.test(n)),
  );
  for (const m of README.matchAll(/`([a-z_]+)` events?\b/g)) names.add(m[1]!);
  for (const m of README.matchAll(/event = '([a-z_]+)'/g)) names.add(m[1]!);
  // Not rows of the events table: Node's server event (pm2 comparison), the logs op's stream.
  for (const other of ["listening", "lines"]) names.delete(other);
  return names;
}

function sourceText(dir: string): string {
  let text = "";
  for (const entry of Deno.readDirSync(`${ROOT}${dir}`)) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) text += sourceText(path);
    else if (entry.name.endsWith(".ts")) text += Deno.readTextFileSync(`${ROOT}${path}`);
  }
  return text;
}

Deno.test("every SQL example of the README runs on a real database and gives the rows it says (#18)", async () => {
  await using d = await startDaemon({ env: { ADASA_SAMPLE_INTERVAL_MS: "100" } });
  await using client = await d.connect();
  const gate = `${d.home}/crash-now`;
  const count = `${d.home}/runs`;
  // The first process crashes (exit 1) once online, when the test says so; later ones stay up.
  const script = `n=$(cat ${count} 2>/dev/null || echo 0); echo $((n+1)) > ${count}
    if [ "$n" = 0 ]; then while [ ! -f ${gate} ]; do sleep 0.02; done; exit 1; fi; exec sleep 600`;
  const [api] = await startApp(client, {
    name: "api",
    command: "sh",
    args: ["-c", script],
    min_uptime: "200ms",
  });
  const id = api!.id;
  await waitForInstance(client, id, (r) => r.status === "online", "api online");
  await Deno.writeTextFile(gate, "");
  await waitForInstance(client, id, (r) => r.status === "online" && r.restarts === 1, "crashed");
  assertEquals((await d.cli(["restart", "api"])).code, 0);
  await waitForInstance(client, id, (r) => r.status === "online" && r.restarts === 2, "restarted");
  await waitFor(
    async () => (await client.request("list")).find((r) => r.id === id)?.group_memory,
    (m) => typeof m === "number",
    { what: "a memory sample of api" },
  );
  assertEquals((await d.cli(["stop", "api"])).code, 0);

  const [probe] = await startApp(client, {
    name: "probe",
    command: "sleep",
    args: ["600"],
    min_uptime: "100ms",
    liveness: {
      kind: "command",
      command: "false",
      interval_ms: 50,
      timeout_ms: 1000,
      failure_threshold: 1,
    },
  });
  await waitFor(
    async () => (await events(client, ["probe"])).some((e) => e.event === "unhealthy"),
    (found) => found,
    { what: "an unhealthy event" },
  );
  assertEquals((await d.cli(["stop", "probe"])).code, 0);

  const apiExits = (await events(client, ["api"])).filter((e) => e.event === "exit").length;
  const facts: Facts = { apiExits, probeId: probe!.id };
  const db = new DatabaseSync(`${d.home}/adasa.db`, { readOnly: true });
  try {
    const statements = readmeStatements();
    assert(statements.length >= CHECKS.length, `${statements.length} statements`);
    for (const sql of statements) {
      const checks = CHECKS.filter(([phrase]) => sql.includes(phrase));
      assertEquals(checks.length, 1, `one check for the README's SQL:\n${sql}`);
      const statement = db.prepare(sql);
      const columns = statement.columns().map((c) => c.name);
      const rows = (statement.all() as Row[]).map((r) => ({ ...r }));
      checks[0]![1](rows, columns, facts);
    }

    // Columns: the README's tables are the schema's, both ways, and the store's code uses them.
    const store = sourceText("src/store");
    for (const [table, listed] of readmeColumns()) {
      const schema = (db.prepare(`SELECT name FROM pragma_table_info(?)`).all(table) as Row[])
        .map((r) => String(r.name));
      assert(schema.length > 0, `table ${table} in the schema`);
      assertEquals([...listed].sort(), [...schema].sort(), `columns of ${table}`);
      for (const column of listed) assert(new RegExp(`\\b${column}\\b`).test(store), column);
    }
    assert(/`daemon_meta` holds `boot_id`/.test(README));
    const boot = db.prepare("SELECT count(*) AS n FROM daemon_meta WHERE key = 'boot_id'").get();
    assertEquals({ ...boot }, { n: 1 });

    // Events: each the README names is a name the code records; each the database holds is named.
    const named = readmeEvents();
    const code = sourceText("src");
    for (const name of named) assert(code.includes(`"${name}"`), `event ${name} in src/`);
    const held = (db.prepare("SELECT DISTINCT event FROM events").all() as Row[]).map((r) =>
      String(r.event)
    );
    for (const name of held) assert(named.has(name), `event ${name} named in the README`);
    assert(!named.has("uptime_reached"), "uptime_reached is no event");
  } finally {
    db.close();
  }
});
