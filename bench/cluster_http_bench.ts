// deno-lint-ignore-file no-console -- a benchmark prints its numbers
// Cluster mode throughput. A real daemon (temp ADASA_HOME) runs tests/fixtures/node/server.js
// twice: one fork-mode instance, and a cluster of --workers workers behind the app's balancer;
// a Node load generator (keep-alive, --connections at once) hits each for --seconds, the two
// alternated for --rounds. Prints requests/s per run and the medians.
// Usage: deno run -A bench/cluster_http_bench.ts [--workers 2] [--connections 20] [--seconds 5] [--rounds 3]
import { parseArgs } from "node:util";
import { AdasaClient } from "../src/ipc/client.ts";
import { ROOT, sleep, stats } from "./_util.ts";

const { values } = parseArgs({
  options: {
    workers: { type: "string", default: "2" },
    connections: { type: "string", default: "20" },
    seconds: { type: "string", default: "5" },
    rounds: { type: "string", default: "3" },
  },
});
const SERVER = `${ROOT}tests/fixtures/node/server.js`;

const LOAD = `
const http = require("node:http");
const [url, connections, seconds] = process.argv.slice(1);
const agent = new http.Agent({ keepAlive: true, maxSockets: Number(connections) });
const end = Date.now() + Number(seconds) * 1000;
let done = 0, errors = 0, running = Number(connections);
function one() {
  if (Date.now() > end) {
    if (--running === 0) { console.log(JSON.stringify({ done, errors })); agent.destroy(); }
    return;
  }
  http.get(url, { agent }, (res) => { res.resume(); res.on("end", () => { done++; one(); }); })
    .on("error", () => { errors++; one(); });
}
for (let i = 0; i < running; i++) one();
`;

async function load(url: string): Promise<{ rps: number; errors: number }> {
  const out = await new Deno.Command("node", {
    args: ["-e", LOAD, url, values.connections!, values.seconds!],
    stderr: "inherit",
  }).output();
  const result = JSON.parse(new TextDecoder().decode(out.stdout)) as {
    done: number;
    errors: number;
  };
  return { rps: result.done / Number(values.seconds), errors: result.errors };
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "0.0.0.0", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

async function waitOnline(client: AdasaClient, count: number): Promise<void> {
  for (let i = 0; i < 300; i++) {
    const rows = await client.request("list") as Array<{ status: string }>;
    if (rows.length === count && rows.every((r) => r.status === "online")) return;
    await sleep(100);
  }
  throw new Error("the apps did not come online");
}

async function main(): Promise<void> {
  const home = await Deno.makeTempDir({ prefix: "adasa-bench-cluster-" });
  const daemon = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", `${ROOT}main.ts`, "--background"],
    env: { ADASA_HOME: home },
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  try {
    let client: AdasaClient | null = null;
    for (let i = 0; i < 200 && !client; i++) {
      client = await AdasaClient.connect({ home }).catch(() => null);
      if (!client) await sleep(50);
    }
    if (!client) throw new Error("the daemon did not answer");
    const fork = freePort();
    const cluster = freePort();
    const base = { command: SERVER, interpreter: "node", cwd: ROOT };
    const env = (port: number) => ({
      PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
      PORT: `${port}`,
    });
    await client.request("start", { app: { ...base, name: "fork", env: env(fork) } });
    await client.request("start", {
      app: {
        ...base,
        name: "cluster",
        exec_mode: "cluster",
        instances: Number(values.workers),
        env: env(cluster),
      },
    });
    await waitOnline(client, 1 + Number(values.workers));
    const results: Record<string, number[]> = { fork: [], cluster: [] };
    for (let round = 0; round < Number(values.rounds); round++) {
      for (const [name, port] of [["fork", fork], ["cluster", cluster]] as const) {
        const { rps, errors } = await load(`http://127.0.0.1:${port}/`);
        results[name]!.push(rps);
        console.log(
          `round ${round + 1} ${name.padEnd(7)} ${rps.toFixed(0)} req/s, ${errors} errors`,
        );
      }
    }
    const [load1] = Deno.loadavg();
    console.log(
      `median: one process ${stats(results.fork!).median.toFixed(0)} req/s, ` +
        `${values.workers} cluster workers ${stats(results.cluster!).median.toFixed(0)} req/s ` +
        `(load average ${load1!.toFixed(1)}, ${navigator.hardwareConcurrency} cores)`,
    );
    await client[Symbol.asyncDispose]();
  } finally {
    daemon.kill("SIGTERM");
    await daemon.status;
    await Deno.remove(home, { recursive: true });
  }
}

await main();
