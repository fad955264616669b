/**
 * The shipped Grafana dashboard and Prometheus example (#19): every metric a query of the
 * dashboard uses is exported by /metrics of a real daemon, with the labels the query selects
 * and groups by.
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { startDaemon } from "../_helpers/daemon.ts";
import { waitFor } from "../_helpers/wait.ts";
import { parseYamlText } from "../../src/config/yaml.ts";
import type { InstanceInfo } from "../../src/protocol/messages.ts";
import { post, shellApp, startWeb } from "../web/_web.ts";
import { parseExposition } from "../_helpers/exposition.ts";

const ROOT = new URL("../../deploy/", import.meta.url);
const DASHBOARD = new URL("grafana/adasa-fleet.json", ROOT);

interface Panel {
  id: number;
  datasource?: { uid?: string };
  targets?: Array<{ expr: string; datasource?: { uid?: string } }>;
}

/** Every PromQL text of the dashboard: panel targets and template variable queries. */
function queriesOf(dashboard: Record<string, unknown>): string[] {
  const panels = dashboard.panels as Panel[];
  const vars = (dashboard.templating as { list: Array<{ query: { query: string } }> }).list;
  return [
    ...panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr)),
    ...vars.map((v) => v.query.query),
  ];
}

/** Metric name → label names a query selects (`{a="x"}`) or groups by (`by (a, b)`). */
function metricLabels(query: string): Map<string, Set<string>> {
  const found = new Map<string, Set<string>>();
  const grouped = [...query.matchAll(/\bby \(([^)]*)\)/g)].flatMap((m) =>
    m[1]!.split(",").map((l) => l.trim())
  );
  for (const m of query.matchAll(/\b(adasa_[a-z0-9_]+)(\{[^}]*\})?/g)) {
    const labels = found.get(m[1]!) ?? new Set<string>();
    for (const l of (m[2] ?? "").matchAll(/(\w+)\s*(?:=~|!=|!~|=)/g)) labels.add(l[1]!);
    for (const l of grouped) labels.add(l);
    found.set(m[1]!, labels);
  }
  return found;
}

Deno.test("every metric and label the Grafana dashboard queries is exported by /metrics", async () => {
  const dashboard = JSON.parse(await Deno.readTextFile(DASHBOARD)) as Record<string, unknown>;
  const queries = queriesOf(dashboard);
  assert(queries.length >= 10, `the dashboard has its queries (${queries.length})`);
  const wanted = new Map<string, Set<string>>();
  for (const q of queries) {
    for (const [name, labels] of metricLabels(q)) {
      wanted.set(name, new Set([...(wanted.get(name) ?? []), ...labels]));
    }
  }
  await using d = await startDaemon({ env: { ADASA_SAMPLE_INTERVAL_MS: "200" } });
  const web = await startWeb(d);
  await web.call("/api/start", post(shellApp("dash", "echo up; exec sleep 600")));
  await waitFor(
    () => web.call("/api/list").then((r) => r.body as InstanceInfo[]),
    (rows) =>
      rows.every((r) => r.status === "online" && r.group_memory !== null && r.group_cpu !== null),
    { what: "dash online with a sample" },
  );
  const { types, samples } = parseExposition(String((await web.call("/metrics")).body));
  // Prometheus moves an exported `instance` label aside; host is what the dashboard filters on.
  const ours = (l: string) => l !== "instance" && l !== "job";
  for (const [name, labels] of wanted) {
    assert(types[name], `the dashboard queries ${name}, which /metrics does not export`);
    const of = samples.filter((s) => s.name === name);
    assert(of.length > 0, `${name} has no sample with an app running`);
    for (const label of [...labels].filter(ours)) {
      assert(of.every((s) => label in s.labels), `${name} has no label "${label}"`);
    }
  }
  assert(wanted.has("adasa_app_restarts_total") && wanted.has("adasa_app_log_bytes_total"));
});

Deno.test("the Grafana dashboard imports as is: one datasource input, unique panel ids", async () => {
  const dashboard = JSON.parse(await Deno.readTextFile(DASHBOARD)) as Record<string, unknown>;
  const inputs = dashboard.__inputs as Array<{ name: string; pluginId: string }>;
  assertEquals(inputs.map((i) => [i.name, i.pluginId]), [["DS_PROMETHEUS", "prometheus"]]);
  assertEquals(dashboard.id, undefined, "an exported dashboard carries no database id");
  const panels = dashboard.panels as Panel[];
  assertEquals(new Set(panels.map((p) => p.id)).size, panels.length);
  for (const p of panels) {
    assertEquals(p.datasource?.uid, "${DS_PROMETHEUS}", `panel ${p.id}'s datasource`);
    for (const t of p.targets ?? []) assertEquals(t.datasource?.uid, "${DS_PROMETHEUS}");
  }
});

Deno.test("the Prometheus example scrapes /metrics of several hosts with their tokens", async () => {
  const text = await Deno.readTextFile(new URL("prometheus/prometheus.yml", ROOT));
  const parsed = parseYamlText(text);
  assert(parsed.ok, "valid YAML");
  const jobs = (parsed.data as {
    scrape_configs: Array<{
      job_name: string;
      metrics_path: string;
      authorization?: { credentials_file: string };
      static_configs: Array<{ targets: string[] }>;
    }>;
  }).scrape_configs;
  const targets = jobs.flatMap((j) => j.static_configs.flatMap((s) => s.targets));
  assert(new Set(targets.map((t) => t.split(":")[0])).size >= 3, "several hosts");
  assert(jobs.every((j) => j.metrics_path === "/metrics"));
  assertEquals(new Set(jobs.map((j) => j.job_name)).size, jobs.length, "unique job names");
  assert(jobs.some((j) => j.authorization?.credentials_file), "a token file for a private one");
});
