/**
 * The Node runtime's balancer and cluster worker on their own, with real Node processes: the
 * daemon is not involved, the test plays its part (it starts the balancer and the workers).
 */
import { installNodeFiles, type NodeFiles } from "../../src/supervisor/node/files.ts";
import { assert, assertEquals, assertMatch } from "../_helpers/assert.ts";
import {
  FIXTURES,
  freePort,
  FreshHttp,
  NODE,
  type NodeProcess,
  spawnNode,
} from "../_helpers/node.ts";
import { waitFor } from "../_helpers/wait.ts";

interface Cluster extends AsyncDisposable {
  files: NodeFiles;
  control: string;
  balancer: NodeProcess;
  worker(index: number, env?: Record<string, string>, script?: string): NodeProcess;
}

function startCluster(): Cluster {
  const dir = Deno.makeTempDirSync({ prefix: "adasa-node-" });
  const files = installNodeFiles(`${dir}/node`);
  const control = `${files.dir}/app-1.sock`;
  const balancer = spawnNode([files.balancer, control]);
  const workers: NodeProcess[] = [];
  return {
    files,
    control,
    balancer,
    worker(index, env = {}, script = "server.js") {
      const worker = spawnNode(["--require", files.preload, `${FIXTURES}${script}`], {
        NODE_APP_INSTANCE: String(index),
        ADASA_CLUSTER: control,
        ADASA_CLUSTER_WORKER: files.worker,
        ...env,
      });
      workers.push(worker);
      return worker;
    },
    async [Symbol.asyncDispose]() {
      await Promise.all(workers.map((w) => w.stop()));
      await balancer.stop();
      Deno.removeSync(dir, { recursive: true });
    },
  };
}

Deno.test("workers share one port: requests alternate, address() and remoteAddress are right", async () => {
  await using cluster = startCluster();
  using http = new FreshHttp();
  const port = freePort();
  const url = `http://127.0.0.1:${port}/`;
  const pids = [
    cluster.worker(0, { PORT: String(port) }),
    cluster.worker(1, { PORT: String(port) }),
  ]
    .map((w) => w.pid);
  await http.waitUp(url);
  const seen = await waitFor(
    async () => {
      const replies = [];
      for (let i = 0; i < 6; i++) replies.push(await http.get(url));
      return replies;
    },
    (replies) => new Set(replies.map((r) => r.pid)).size === 2,
    { what: "both workers answer" },
  );
  assertEquals(new Set(seen.map((r) => r.pid)), new Set(pids));
  for (const reply of seen) {
    assertEquals(reply.port, port);
    // The client's address comes through the PROXY line; a unix socket would give undefined.
    assertMatch(reply.remote, /^(::ffff:)?127\.0\.0\.1$/);
  }
});

Deno.test("a port taken by another program gives the worker Node's own EADDRINUSE", async () => {
  await using cluster = startCluster();
  const listener = Deno.listen({ hostname: "0.0.0.0", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  try {
    const worker = cluster.worker(0, { PORT: String(port) });
    const status = await worker.status;
    assertEquals(status.code, 1);
    assertMatch(
      await worker.stderr,
      new RegExp(`server error: EADDRINUSE listen EADDRINUSE: address already in use .*:${port}`),
    );
  } finally {
    listener.close();
  }
});

Deno.test("a connection made while no worker serves waits for the next worker", async () => {
  await using cluster = startCluster();
  using http = new FreshHttp();
  const port = freePort();
  const url = `http://127.0.0.1:${port}/`;
  const first = cluster.worker(0, { PORT: String(port) });
  await http.waitUp(url);
  await first.stop("SIGTERM");
  const pending = http.get(url, 10_000);
  // The request is held by the balancer (the port stays bound for its grace period).
  const second = cluster.worker(1, { PORT: String(port) });
  const reply = await pending;
  assertEquals(reply.pid, second.pid);
  assertEquals(reply.instance, "1");
});

Deno.test("a killed worker leaves the rotation at once: every request goes to the other one", async () => {
  await using cluster = startCluster();
  using http = new FreshHttp();
  const port = freePort();
  const url = `http://127.0.0.1:${port}/`;
  const a = cluster.worker(0, { PORT: String(port) });
  const b = cluster.worker(1, { PORT: String(port) });
  await http.waitUp(url);
  await waitFor(
    async () => {
      const pids = new Set<number>();
      for (let i = 0; i < 4; i++) pids.add((await http.get(url)).pid);
      return pids.size;
    },
    (n) => n === 2,
    { what: "both workers serving" },
  );
  // SIGKILL: no goodbye from the worker; its control connection closing is enough.
  await a.stop("SIGKILL");
  for (let i = 0; i < 6; i++) assertEquals((await http.get(url)).pid, b.pid);
});

Deno.test("the balancer exits by itself once its last worker is gone", async () => {
  await using cluster = startCluster();
  using http = new FreshHttp();
  const port = freePort();
  const worker = cluster.worker(0, { PORT: String(port) });
  await http.waitUp(`http://127.0.0.1:${port}/`);
  await worker.stop("SIGTERM");
  const status = await cluster.balancer.status;
  assertEquals(status.code, 0);
  assert(!(await exists(cluster.control)), "the control socket is removed");
});

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

Deno.test("an HTTPS worker sees the client's address on its TLS socket", async () => {
  await using cluster = startCluster();
  const port = freePort();
  cluster.worker(0, { PORT: String(port) }, "tls_server.js");
  // Node's client: the test certificate is self-signed, which Deno's TLS stack refuses.
  const get = `require("node:https").get({ host: "127.0.0.1", port: ${port},
    rejectUnauthorized: false }, (r) => r.pipe(process.stdout)).on("error", () => {});`;
  const reply = await waitFor(
    async () => {
      const out = await new Deno.Command(NODE, { args: ["-e", get], stderr: "null" }).output();
      const text = new TextDecoder().decode(out.stdout);
      return text ? JSON.parse(text) as { remote: string; port: number } : null;
    },
    (r) => r !== null,
    { what: "the HTTPS worker answering" },
  );
  assertEquals(reply!.port, port);
  assertMatch(reply!.remote, /^(::ffff:)?127\.0\.0\.1$/);
});
