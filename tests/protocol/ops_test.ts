/**
 * The map of ops types the wire end to end. The `@ts-expect-error` lines are the test: each must
 * be a type error, or `deno check` (and so `deno test`) fails, as it does when a line that must
 * compile stops compiling. The run-time test drives a real daemon through the typed client.
 */
import type { AdasaClient } from "../../src/ipc/client.ts";
import type { HandlerTable } from "../../src/daemon/handlers/_types.ts";
import type { InstanceInfo } from "../../src/protocol/messages.ts";
import type { ReloadReport, StartFileReply } from "../../src/protocol/ops.ts";
import { startDaemon } from "../_helpers/daemon.ts";
import { startApp } from "../_helpers/apps.ts";
import { assertEquals } from "../_helpers/assert.ts";

// Never called: only compiled.
export function requestTypes(client: AdasaClient): void {
  // @ts-expect-error: no such op
  client.request("lsit");
  // @ts-expect-error: a misspelt argument
  client.request("stop", { targets: ["a"], froce: true });
  // @ts-expect-error: a required argument left out
  client.request("scale", { app: "a" });
  // @ts-expect-error: an argument of the wrong type
  client.request("scale", { app: "a", instances: "3" });
  // @ts-expect-error: logs streams; it has no single reply
  client.request("logs", {});
  // @ts-expect-error: list is not a stream
  client.stream("list", {});

  const _rows: Promise<InstanceInfo[]> = client.request("start", { targets: ["a"] });
  const _file: Promise<StartFileReply> = client.request("start", {
    config: { path: "/x/adasa.json", cwd: "/x" },
  });
  // @ts-expect-error: start with targets does not reply with a file's report
  const _notFile: Promise<StartFileReply> = client.request("start", { targets: ["a"] });
  const _report: Promise<ReloadReport> = client.request("reload", {
    config: { path: "/x/adasa.json", cwd: "/x" },
    prune: true,
  });
  const _pong: Promise<"pong"> = client.request("ping");
}

// Never called: only compiled.
export function tableTypes(partial: Omit<HandlerTable, "web_stop">, table: HandlerTable): void {
  // @ts-expect-error: a table without a handler for web_stop
  const _missing: HandlerTable = partial;
  // @ts-expect-error: a handler with a reply of the wrong shape
  const _wrong: HandlerTable = { ...table, ping: { kind: "unary", run: () => "pang" } };
  // @ts-expect-error: a unary handler for a streaming op
  const _kind: HandlerTable = { ...table, logs: { kind: "unary", run: () => null } };
}

Deno.test("the typed client gets each op's reply from a real daemon", async () => {
  await using daemon = await startDaemon();
  await using client = await daemon.connect();
  assertEquals(await client.request("ping"), "pong");
  const hello = await client.request("hello");
  assertEquals(hello.pid, daemon.pid);
  const [row] = await startApp(client, { name: "sleeper", command: "sleep", args: ["60"] });
  assertEquals(row?.name, "sleeper");
  const stopped = await client.request("stop", { targets: ["sleeper"] });
  assertEquals(stopped.map((r) => r.desired), ["down"]);
  const deleted = await client.request("delete", { targets: ["sleeper"] });
  assertEquals(deleted.deleted_apps, ["sleeper"]);
});
