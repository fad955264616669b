/**
 * `adasa --host ssh://...` and ADASA_HOST (#19) against a real sshd on 127.0.0.1: the commands
 * reach the daemon of the remote user's ADASA_HOME through an ssh-forwarded socket, and every
 * ssh failure is one clear line with exit 5. Skipped, saying so, where sshd is absent.
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { makeHome, runCli, startDaemon } from "../_helpers/daemon.ts";
import { sshdMissing, startSshd } from "../_helpers/sshd.ts";
import { waitFor } from "../_helpers/wait.ts";
import type { InstanceInfo } from "../../src/protocol/messages.ts";

const missing = sshdMissing();
// deno-lint-ignore no-console -- a skipped test says why
if (missing) console.warn(`remote CLI tests skipped: ${missing}`);

/** The tunnels' temp folders the CLI left behind (it must leave none). */
function tunnelDirs(): string[] {
  return [...Deno.readDirSync("/tmp")].map((e) => e.name).filter((n) =>
    n.startsWith("adasa-remote-")
  );
}

Deno.test({
  name: "adasa --host ssh://... runs commands on the remote user's daemon, and ADASA_HOST too",
  ignore: missing !== null,
  async fn() {
    await using d = await startDaemon();
    await using sshd = await startSshd({ adasaHome: d.home });
    const local = makeHome(); // no daemon here: the CLI must not start one
    const before = new Set(tunnelDirs());
    try {
      const url = `ssh://${sshd.user}@127.0.0.1:${sshd.port}`;
      const env = { ADASA_SSH_COMMAND: sshd.sshCommand };
      const cli = (args: string[], extra: Record<string, string> = {}) =>
        runCli(local, args, { env: { ...env, ...extra } });
      const script = "echo remote-hello; exec sleep 600";
      const started = await cli([
        "--host",
        url,
        "start",
        "--name",
        "far",
        "--",
        "sh",
        "-c",
        script,
      ]);
      assertEquals(started.code, 0, started.stderr);
      await using client = await d.connect();
      const rows = await client.request("list");
      assertEquals(rows.map((r) => r.name), ["far"]);
      assert(rows[0]!.pid !== null, "far runs");
      const listed = await cli(["--json", `--host=${url}`, "list"]);
      assertEquals(listed.code, 0, listed.stderr);
      const remote = JSON.parse(listed.stdout) as InstanceInfo[];
      assertEquals(remote.map((r) => [r.id, r.pid]), rows.map((r) => [r.id, r.pid]));
      const logs = await waitFor(
        () => cli(["--host", url, "logs", "far", "--no-prefix"]),
        (r) => r.code !== 0 || r.stdout.includes("remote-hello"),
        { what: "far's line through the tunnel", timeoutMs: 60_000 },
      );
      assertEquals(logs.code, 0, logs.stderr);
      const stopped = await cli(["stop", "far"], { ADASA_HOST: url });
      assertEquals(stopped.code, 0, stopped.stderr);
      assertEquals((await client.request("list"))[0]?.status, "stopped");
      const missingApp = await cli(["--host", url, "stop", "farr"]);
      assertEquals(missingApp.code, 3);
      assert(missingApp.stderr.includes('did you mean "far"'), missingApp.stderr);
      assertEquals([...Deno.readDirSync(local)].map((e) => e.name), [], "nothing local");
      assertEquals(tunnelDirs().filter((n) => !before.has(n)), [], "tunnel folders removed");
    } finally {
      Deno.removeSync(local, { recursive: true });
    }
  },
});

Deno.test({
  name: "adasa --host: ssh failures, a remote home with no daemon and bad URLs are one line each",
  ignore: missing !== null,
  async fn() {
    const empty = makeHome();
    const local = makeHome();
    try {
      await using sshd = await startSshd({ adasaHome: empty });
      const env = { ADASA_SSH_COMMAND: sshd.sshCommand };
      const oneLine = (text: string) => text.trim().split("\n").length === 1;

      const noDaemon = await runCli(local, [
        "--host",
        `ssh://root@127.0.0.1:${sshd.port}`,
        "list",
      ], { env });
      assertEquals(noDaemon.code, 5, noDaemon.stderr);
      assert(oneLine(noDaemon.stderr), noDaemon.stderr);
      assert(noDaemon.stderr.includes(`no socket at ${empty}/adasa.sock`), noDaemon.stderr);

      const closed = await runCli(local, ["--host", "ssh://root@127.0.0.1:1", "list"], { env });
      assertEquals(closed.code, 5, closed.stderr);
      assert(oneLine(closed.stderr), closed.stderr);
      assert(closed.stderr.includes("Cannot reach ssh://root@127.0.0.1:1 through ssh:"));
      assert(closed.stderr.includes("refused"), closed.stderr);

      const denied = await runCli(
        local,
        ["--host", `ssh://nobody@127.0.0.1:${sshd.port}`, "list"],
        {
          env,
        },
      );
      assertEquals(denied.code, 5, denied.stderr);
      assert(oneLine(denied.stderr) && denied.stderr.includes("Permission denied"), denied.stderr);

      const noSsh = await runCli(local, ["--host", "ssh://h", "list"], {
        env: { ADASA_SSH_COMMAND: "/nonexistent/ssh" },
      });
      assertEquals(noSsh.code, 5, noSsh.stderr);
      assert(noSsh.stderr.includes('cannot run "/nonexistent/ssh"'), noSsh.stderr);

      for (const bad of ["http://h", "ssh://", "ssh://h:99999", "ssh://-oProxyCommand=x"]) {
        const r = await runCli(local, ["--host", bad, "list"], { env });
        assertEquals(r.code, 2, `${bad}: ${r.stderr}`);
        assert(oneLine(r.stderr) && r.stderr.includes(`--host "${bad}"`), r.stderr);
      }
      const noValue = await runCli(local, ["--host"], { env });
      assertEquals(noValue.code, 2, noValue.stderr);
      const localOnly = await runCli(local, ["--host", "ssh://h", "daemon", "stop"], { env });
      assertEquals(localOnly.code, 2, localOnly.stderr);
      assert(localOnly.stderr.includes("ssh h adasa daemon"), localOnly.stderr);
      assertEquals([...Deno.readDirSync(local)].map((e) => e.name), [], "nothing local");
    } finally {
      Deno.removeSync(empty, { recursive: true });
      Deno.removeSync(local, { recursive: true });
    }
  },
});

Deno.test("the CLI's static import graph leaves the remote code out", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", new URL("../../cli/main.ts", import.meta.url).pathname],
    stdout: "piped",
    stderr: "null",
  }).output();
  const info = JSON.parse(new TextDecoder().decode(out.stdout)) as {
    modules: Array<{
      specifier: string;
      dependencies?: Array<{ isDynamic?: boolean; code?: { specifier: string } }>;
    }>;
  };
  const main = info.modules.find((m) => m.specifier.endsWith("/cli/main.ts"))!;
  const reached = new Set<string>();
  const byName = new Map(info.modules.map((m) => [m.specifier, m]));
  const visit = (specifier: string) => {
    if (reached.has(specifier)) return;
    reached.add(specifier);
    for (const dep of byName.get(specifier)?.dependencies ?? []) {
      if (dep.code && !dep.isDynamic) visit(dep.code.specifier);
    }
  };
  visit(main.specifier);
  assert(reached.size > 3, `the graph was read (${reached.size} modules)`);
  for (const name of ["/cli/remote.ts", "/cli/remote_command.ts"]) {
    assert(![...reached].some((s) => s.endsWith(name)), `${name} is imported statically`);
  }
});
