/**
 * The full-screen `adasa monit` as a user runs it: inside a tmux pane (a real terminal, on a
 * tmux server of the test's own socket) against a real daemon, driven by keys and read back from
 * the pane's text. It selects, tails logs, restarts and stops with y/n, redraws on a resize,
 * and leaves the terminal as it found it.
 */
import { assert, assertEquals, assertMatch } from "../_helpers/assert.ts";
import { startDaemon, type TestDaemon } from "../_helpers/daemon.ts";
import { instance, startApp, waitForInstance } from "../_helpers/apps.ts";
import { pidAlive } from "../_helpers/daemon.ts";
import { waitFor } from "../_helpers/wait.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const HAS_TMUX = new Deno.Command("tmux", { args: ["-V"], stdout: "null", stderr: "null" })
  .outputSync().success;

function shellQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/** `adasa monit` in a tmux pane of its own server; disposing kills that server. */
class MonitPane implements AsyncDisposable {
  readonly dir = Deno.makeTempDirSync({ prefix: "adasa-tmux-" });
  readonly socket = `${this.dir}/tmux.sock`;
  panePid = 0;

  tmux(...args: string[]): string {
    const out = new Deno.Command("tmux", { args: ["-S", this.socket, "-f", "/dev/null", ...args] })
      .outputSync();
    if (!out.success) {
      throw new Error(`tmux ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
    }
    return new TextDecoder().decode(out.stdout);
  }

  /**
   * Starts monit at `width`×`height`. When it ends, the pane's shell saves `stty -a`, prints the
   * exit code and becomes a sleep (the pane's pid, killed at dispose), so the terminal's state
   * after monit can be read from the live pane.
   */
  start(daemon: TestDaemon, width: number, height: number): void {
    const monit = [Deno.execPath(), "run", "--allow-all", "--config", `${ROOT}deno.json`]
      .concat([`${ROOT}cli/main.ts`, "monit", "--interval", "300"]).map(shellQuote).join(" ");
    const script = `cd ${shellQuote(ROOT)} && env ADASA_HOME=${shellQuote(daemon.home)} ` +
      `NO_COLOR=1 ${monit}; code=$?; stty -a > ${shellQuote(this.sttyFile(daemon))}; ` +
      `echo "monit exited $code"; exec sleep 3600`;
    this.tmux(
      ...["new-session", "-d", "-s", "m", "-x", String(width), "-y", String(height)],
      ...["sh", "-c", script],
    );
    this.panePid = Number(this.tmux("display-message", "-p", "-t", "m", "#{pane_pid}").trim());
  }

  sttyFile(daemon: TestDaemon): string {
    return `${daemon.home}/stty.txt`;
  }

  screen(): string {
    return this.tmux("capture-pane", "-p", "-t", "m");
  }

  format(name: string): string {
    return this.tmux("display-message", "-p", "-t", "m", `#{${name}}`).trim();
  }

  keys(...keys: string[]): void {
    this.tmux("send-keys", "-t", "m", ...keys);
  }

  waitScreen(accept: (text: string) => boolean, what: string): Promise<string> {
    return waitFor(() => this.screen(), accept, { what, timeoutMs: 20_000 });
  }

  async [Symbol.asyncDispose](): Promise<void> {
    try {
      this.tmux("kill-server");
    } catch { /* already gone */ }
    if (this.panePid > 0 && pidAlive(this.panePid)) Deno.kill(this.panePid, "SIGKILL");
    await waitFor(() => this.panePid === 0 || !pidAlive(this.panePid), (gone) => gone, {
      what: "the pane's shell to end",
    });
    Deno.removeSync(this.dir, { recursive: true });
  }
}

Deno.test({
  name:
    "adasa monit in a terminal selects, tails logs, restarts and stops with y/n, redraws on resize, and q restores the terminal",
  ignore: !HAS_TMUX,
  async fn() {
    await using daemon = await startDaemon({ env: { ADASA_SAMPLE_INTERVAL_MS: "200" } });
    await using client = await daemon.connect();
    const [alpha] = await startApp(client, {
      name: "alpha",
      command: "sh",
      args: ["-c", "echo alpha says hi; exec sleep 3600"],
    });
    const [beta] = await startApp(client, {
      name: "beta",
      command: "sh",
      args: ["-c", "echo beta line one; echo beta complains >&2; exec sleep 3600"],
    });
    await waitForInstance(client, beta!.id, (r) => r.status === "online", "beta online");
    const b = `beta#${beta!.id}`;
    await using pane = new MonitPane();
    pane.start(daemon, 100, 30);

    let screen = await pane.waitScreen((t) => t.includes("alpha says hi"), "alpha's log line");
    assertEquals(pane.format("alternate_on"), "1", "monit draws on the alternate screen");
    assertMatch(screen, new RegExp(`^ *> ${alpha!.id} +alpha +online `, "m"));
    assertMatch(screen, new RegExp(`^ +${beta!.id} +beta +online `, "m"));
    assertMatch(screen, /^state +online \(wants up\)/m);
    assertMatch(screen, /^cpu +\S+% +shared scale 0–\S+%/m);
    assertMatch(screen, /^memory +\S+ +shared scale 0–\S+/m);
    assert(screen.includes(`── logs of alpha#${alpha!.id} ──`), screen);

    // j selects beta: its details and its own log tail, stderr marked.
    pane.keys("j");
    screen = await pane.waitScreen((t) => t.includes("beta complains"), "beta's log tail");
    assertMatch(screen, new RegExp(`^ *> ${beta!.id} +beta `, "m"));
    assert(screen.includes(`── logs of ${b} ──`), screen);
    assertMatch(screen, /\| beta line one$/m);
    assertMatch(screen, /E beta complains$/m);
    assert(!screen.includes("alpha says hi"), screen);

    // r asks first; n cancels and nothing happens.
    const pid = (await instance(client, beta!.id)).pid;
    pane.keys("r");
    await pane.waitScreen((t) => t.includes(`restart ${b}? y/n`), "the restart question");
    pane.keys("n");
    await pane.waitScreen((t) => t.includes(`restart of ${b} cancelled`), "the cancel");
    assertEquals((await instance(client, beta!.id)).pid, pid, "n restarts nothing");

    // r then y restarts: a new pid.
    pane.keys("r");
    await pane.waitScreen((t) => t.includes(`restart ${b}? y/n`), "the restart question");
    pane.keys("y");
    screen = await pane.waitScreen(
      (t) => t.includes(`restarted ${b}`) && /^last exit +signal=SIGTERM at /m.test(t),
      "the restart's outcome and the exit it caused",
    );
    assertMatch(screen, /^restarts +1 \(0 unstable\)$/m);
    const restarted = await instance(client, beta!.id);
    assert(restarted.pid !== null && restarted.pid !== pid, `new pid ${restarted.pid} (${pid})`);

    // l then y reloads: another new pid.
    pane.keys("l");
    await pane.waitScreen((t) => t.includes(`reload ${b}? y/n`), "the reload question");
    pane.keys("y");
    await pane.waitScreen((t) => t.includes(`reloaded ${b}`), "the reload's outcome");
    const reloaded = await instance(client, beta!.id);
    assert(reloaded.pid !== null && reloaded.pid !== restarted.pid, `reloaded pid ${reloaded.pid}`);

    // A larger terminal is filled at once: the rule spans the new width, the footer (the last
    // action's outcome) is on the new last row.
    pane.tmux("resize-window", "-t", "m", "-x", "130", "-y", "36");
    screen = await pane.waitScreen((t) => {
      const lines = t.split("\n");
      return (lines.find((l) => l.startsWith(`── ${b} `))?.length ?? 0) === 130 &&
        (lines[35] ?? "").includes(`reloaded ${b}`);
    }, "a redraw at 130x36");
    assertEquals(screen.split("\n")[0]!.length, 130, screen);

    // s then y stops beta.
    pane.keys("s");
    await pane.waitScreen((t) => t.includes(`stop ${b}? y/n`), "the stop question");
    pane.keys("y");
    await pane.waitScreen(
      (t) => t.includes(`stopped ${b}`) && new RegExp(`> ${beta!.id} +beta +stopped`).test(t),
      "beta stopped",
    );
    assertEquals((await instance(client, beta!.id)).status, "stopped");

    // q quits with 0 and gives the terminal back: main screen, cursor shown, line mode.
    pane.keys("q");
    screen = await pane.waitScreen((t) => t.includes("monit exited"), "monit to exit");
    assertMatch(screen, /^monit exited 0$/m);
    assertEquals(pane.format("alternate_on"), "0", "the main screen is back");
    assertEquals(pane.format("cursor_flag"), "1", "the cursor is shown again");
    const stty = await waitFor(
      () => {
        try {
          return Deno.readTextFileSync(pane.sttyFile(daemon));
        } catch {
          return "";
        }
      },
      (t) => t.includes("icanon"),
      { what: "stty -a after monit" },
    );
    assertMatch(stty, /(^|\s)icanon(\s|$)/, "raw mode is off");
    assertMatch(stty, /(^|\s)echo(\s|$)/, "echo is back");
    assertEquals(await client.request("ping"), "pong");
  },
});

Deno.test({
  name: "adasa monit in a terminal quits on Ctrl-C and restores the terminal",
  ignore: !HAS_TMUX,
  async fn() {
    await using daemon = await startDaemon();
    await using client = await daemon.connect();
    await startApp(client, { name: "solo", command: "sleep", args: ["3600"] });
    await using pane = new MonitPane();
    pane.start(daemon, 80, 24);
    await pane.waitScreen((t) => /> \d+ +solo/.test(t), "the list");
    pane.keys("C-c");
    const screen = await pane.waitScreen((t) => t.includes("monit exited"), "monit to exit");
    assertMatch(screen, /^monit exited 0$/m);
    assertEquals(pane.format("alternate_on"), "0");
    assertEquals(pane.format("cursor_flag"), "1");
  },
});
