/** `GET /metrics`: the Prometheus text format, parsed back; the values match `list`. */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { startDaemon } from "../_helpers/daemon.ts";
import { waitFor } from "../_helpers/wait.ts";
import type { InstanceInfo } from "../../src/protocol/messages.ts";
import { VERSION } from "../../src/protocol/mod.ts";
import { renderMetrics } from "../../src/web/mod.ts";
import { call, post, shellApp, startWeb } from "./_web.ts";
import { parseExposition, type Sample } from "../_helpers/exposition.ts";

const DOCUMENTED = [
  "adasa_instance_up",
  "adasa_instance_status",
  "adasa_instance_restarts_total",
  "adasa_instance_cpu_percent",
  "adasa_instance_memory_bytes",
  "adasa_instance_uptime_seconds",
  "adasa_daemon_info",
  "adasa_daemon_uptime_seconds",
  "adasa_daemon_memory_bytes",
  "adasa_daemon_persist_errors_total",
  "adasa_daemon_dropped_samples_total",
  "adasa_app_exits_total",
  "adasa_app_restarts_total",
  "adasa_app_log_bytes_total",
];

function valueOf(samples: Sample[], name: string, id: number, extra: Record<string, string> = {}) {
  return samples.find((s) =>
    s.name === name && s.labels.id === String(id) &&
    Object.entries(extra).every(([k, v]) => s.labels[k] === v)
  )?.value;
}

Deno.test("GET /metrics has every documented family, and values match list", async () => {
  await using d = await startDaemon({ env: { ADASA_SAMPLE_INTERVAL_MS: "200" } });
  const web = await startWeb(d);
  await web.call("/api/start", post(shellApp("m1", "exec sleep 600", { instances: 2 })));
  await web.call("/api/start", post(shellApp("m2", "exec sleep 600")));
  await web.call("/api/stop", post({ targets: ["m2"] }));
  await web.call("/api/restart", post({ targets: ["m1"] }));
  const list = () => web.call("/api/list").then((r) => r.body as InstanceInfo[]);
  await waitFor(
    list,
    (rows) =>
      rows.every((r) => r.status !== "launching" && (r.pid === null || r.group_memory !== null)),
    {
      what: "settled instances with samples",
    },
  );
  const before = await list();
  const reply = await web.call("/metrics");
  const after = await list();
  assertEquals(reply.status, 200);
  const { types, samples } = parseExposition(String(reply.body));
  for (const name of DOCUMENTED) assert(types[name], `missing family ${name}`);
  assertEquals(types.adasa_instance_restarts_total, "counter");
  assertEquals(types.adasa_instance_up, "gauge");
  for (const row of before) {
    const later = after.find((r) => r.id === row.id)!;
    assertEquals(valueOf(samples, "adasa_instance_up", row.id), row.pid === null ? 0 : 1);
    assertEquals(valueOf(samples, "adasa_instance_restarts_total", row.id), row.restarts);
    assertEquals(valueOf(samples, "adasa_instance_status", row.id, { status: row.status }), 1);
    const statuses = samples.filter((s) =>
      s.name === "adasa_instance_status" && s.labels.id === String(row.id)
    );
    assertEquals(statuses.filter((s) => s.value === 1).length, 1);
    const memory = valueOf(samples, "adasa_instance_memory_bytes", row.id);
    assert(
      memory === (row.group_memory ?? undefined) || memory === (later.group_memory ?? undefined),
      `memory of #${row.id}: ${memory} vs ${row.group_memory}`,
    );
    const uptime = valueOf(samples, "adasa_instance_uptime_seconds", row.id);
    if (row.uptime_ms === null) assertEquals(uptime, undefined);
    else assert(uptime! >= row.uptime_ms / 1000 && uptime! <= later.uptime_ms! / 1000, "uptime");
  }
  const m1 = samples.find((s) => s.name === "adasa_instance_up" && s.labels.app === "m1");
  assertEquals(m1?.labels.instance, "0");
  assert(samples.some((s) => s.name === "adasa_daemon_memory_bytes" && s.value > 1_000_000));
  assert(before.filter((r) => r.name === "m1").every((r) => r.restarts === 1), "m1 restarted");
});

Deno.test("/metrics needs the token unless metrics_public; the API always does", async () => {
  await using d = await startDaemon();
  const web = await startWeb(d);
  assertEquals((await call(`${web.base}/metrics`, null)).status, 401);
  const open = await startWeb(d, { metrics_public: true });
  assertEquals(open.base === web.base, false, "new settings start a new server");
  const reply = await call(`${open.base}/metrics`, null);
  assertEquals(reply.status, 200);
  assert(String(reply.body).includes("# TYPE adasa_daemon_uptime_seconds gauge"));
  assertEquals((await call(`${open.base}/api/list`, null)).status, 401);
});

Deno.test("renderMetrics escapes label values and leaves out missing figures", () => {
  const row = {
    id: 7,
    name: 'we"ird\\app',
    instance: 0,
    pid: null,
    status: "stopped",
    restarts: 3,
    uptime_ms: null,
    group_cpu: null,
    group_memory: null,
  } as unknown as InstanceInfo;
  const text = renderMetrics([row], {
    version: "1.0.0",
    uptime_ms: 1500,
    memory_rss: 1024,
    persist_errors: 0,
    dropped_samples: 2,
    hostname: "web-1",
    exits: [{ app: "gone", reason: "error", count: 4 }],
    restarts: [],
    log_bytes: [],
  });
  const { samples } = parseExposition(text);
  assertEquals(valueOf(samples, "adasa_instance_up", 7), 0);
  assertEquals(samples.find((s) => s.name === "adasa_instance_up")?.labels.app, 'we"ird\\app');
  assertEquals(valueOf(samples, "adasa_instance_cpu_percent", 7), undefined);
  assertEquals(samples.find((s) => s.name === "adasa_daemon_uptime_seconds")?.value, 1.5);
  assertEquals(samples.find((s) => s.name === "adasa_daemon_dropped_samples_total")?.value, 2);
  assert(samples.every((s) => s.labels.host === "web-1"), "every sample has the host label");
  const exits = samples.filter((s) => s.name === "adasa_app_exits_total");
  assertEquals(exits.filter((s) => s.labels.app === 'we"ird\\app').map((s) => s.value), [
    0,
    0,
    0,
    0,
  ]);
  assertEquals(exits.find((s) => s.labels.app === "gone")?.value, 4, "a deleted app's count stays");
  const logBytes = samples.find((s) => s.name === "adasa_app_log_bytes_total");
  assertEquals(logBytes?.value, 0, "an app with no output has 0 log bytes");
});

function appValue(samples: Sample[], name: string, labels: Record<string, string>) {
  return samples.find((s) =>
    s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)
  )?.value;
}

Deno.test("GET /metrics counts exits and restarts by reason and log bytes per app", async () => {
  await using d = await startDaemon();
  const web = await startWeb(d);
  await web.call("/api/start", post(shellApp("svc", "exec sleep 600", { instances: 2 })));
  await web.call("/api/restart", post({ targets: ["svc"] }));
  await web.call("/api/stop", post({ targets: ["svc"] }));
  const line = "hello from the talker";
  await web.call("/api/start", post(shellApp("talker", `echo '${line}'; exec sleep 600`)));
  await web.call(
    "/api/start",
    post(shellApp("crashy", "exit 3", { max_restarts: 2, restart_delay_ms: 0 })),
  );
  const list = () => web.call("/api/list").then((r) => r.body as InstanceInfo[]);
  const rows = await waitFor(list, (rows) => rows.some((r) => r.status === "errored"), {
    what: "crashy errored",
  });
  const scrape = async () => parseExposition(String((await web.call("/metrics")).body)).samples;
  const samples = await waitFor(
    scrape,
    (s) => (appValue(s, "adasa_app_log_bytes_total", { app: "talker" }) ?? 0) > line.length,
    { what: "talker's line counted" },
  );
  const host = Deno.hostname();
  assert(samples.every((s) => s.labels.host === host), `host label ${host}`);
  const info = samples.find((s) => s.name === "adasa_daemon_info");
  assertEquals(info?.labels.version, VERSION);
  const exits = (app: string, reason: string) =>
    appValue(samples, "adasa_app_exits_total", { app, reason });
  const restarts = (app: string, reason: string) =>
    appValue(samples, "adasa_app_restarts_total", { app, reason });
  assertEquals(restarts("svc", "command"), 2, "one restart command, two instances");
  assertEquals(exits("svc", "stopped"), 4, "restart and stop each end two processes");
  assertEquals(exits("svc", "error"), 0);
  const crashy = rows.find((r) => r.name === "crashy")!;
  assert(crashy.restarts > 0, "crashy was restarted");
  assertEquals(restarts("crashy", "crash"), crashy.restarts);
  assertEquals(restarts("crashy", "command"), 0);
  assertEquals(exits("crashy", "error"), crashy.restarts + 1, "every run exited with 3");
  assertEquals(exits("talker", "error"), 0);
  assertEquals(appValue(samples, "adasa_app_log_bytes_total", { app: "svc" }), 0);
});
