/**
 * Restarts that come from outside the process: `cron_restart` schedules (croner, through
 * src/model/cron.ts) and `watch` (Deno.watchFs with a debounce; node_modules and .git are
 * never followed, and `ignore_watch` globs are skipped). Only instances the user wants up are
 * restarted, one event per restart in the timeline.
 */
import { Cron } from "../model/cron.ts";
import { getLogger } from "../logger.ts";
import { AdasaError } from "../protocol/mod.ts";
import type { AppEntry, Supervisor } from "../supervisor/mod.ts";
import { ignoreMatcher } from "./watch_ignore.ts";

const WATCH_DEBOUNCE_MS = 500;

/**
 * Checks a cron expression with croner itself, so what is stored is what can be armed.
 *
 * @throws {AdasaError} INVALID_ARGUMENT naming the expression and croner's reason
 */
export function checkCron(expression: string): void {
  try {
    new Cron(expression, { paused: true }).stop();
  } catch (error) {
    throw new AdasaError(
      "INVALID_ARGUMENT",
      `cron_restart: "${expression}" is not a valid cron expression: ${(error as Error).message}`,
    );
  }
}
const ALWAYS_IGNORED = ["/node_modules/", "/.git/"];

interface AppTriggers {
  /** The spec the signature was taken of. */
  spec: AppEntry["spec"];
  signature: string;
  cron: Cron | null;
  watcher: Deno.FsWatcher | null;
}

export class Triggers implements Disposable {
  readonly #supervisor: Supervisor;
  readonly #byApp = new Map<string, AppTriggers>();

  constructor(supervisor: Supervisor) {
    this.#supervisor = supervisor;
  }

  /**
   * Brings schedules and watchers in line with the current apps. Cheap when nothing changed.
   * Never throws: each app is armed in its own guard, and one that cannot be armed gets a
   * `trigger_failed` event and runs without its trigger (#13: a bad cron broke every op).
   */
  sync(): void {
    const apps = new Map(this.#supervisor.apps().map((a) => [a.spec.name, a]));
    for (const [name, triggers] of this.#byApp) {
      const app = apps.get(name);
      // The same spec object cannot have changed: called on every create, a sync of 1,000
      // apps would otherwise serialize 1,000 signatures per new app (#17).
      if (app && app.spec === triggers.spec) continue;
      if (!app || signatureOf(app) !== triggers.signature) this.#drop(name);
      else triggers.spec = app.spec;
    }
    for (const [name, app] of apps) {
      if (this.#byApp.has(name)) continue;
      this.#byApp.set(name, this.#armGuarded(app));
    }
  }

  #armGuarded(app: AppEntry): AppTriggers {
    try {
      return this.#arm(app);
    } catch (error) {
      const reason = `cron_restart "${app.spec.cron_restart}" not armed: ${
        (error as Error).message
      }`;
      getLogger("triggers").error("{name}: {reason}", { name: app.spec.name, reason });
      this.#supervisor.recordAppEvent(app, "trigger_failed", reason);
      return { spec: app.spec, signature: signatureOf(app), cron: null, watcher: null };
    }
  }

  #arm(app: AppEntry): AppTriggers {
    const name = app.spec.name;
    const signature = signatureOf(app);
    const watcher = app.spec.watch
      ? this.#watch(name, app.spec.watch, app.spec.ignore_watch)
      : null;
    let cron: Cron | null = null;
    if (app.spec.cron_restart) {
      try {
        cron = new Cron(app.spec.cron_restart, { name: `adasa:${name}` }, () => {
          this.#restart(name, `cron_restart ${app.spec.cron_restart}`);
        });
      } catch (error) {
        watcher?.close();
        throw error;
      }
    }
    return { spec: app.spec, signature, cron, watcher };
  }

  #watch(name: string, paths: string[], ignore: string[]): Deno.FsWatcher | null {
    let watcher: Deno.FsWatcher;
    try {
      watcher = Deno.watchFs(paths, { recursive: true });
    } catch (error) {
      getLogger("triggers").warn("Cannot watch {paths} for {name}: {error}", {
        paths,
        name,
        error: String(error),
      });
      return null;
    }
    const ignored = ignoreMatcher(ignore);
    let timer: ReturnType<typeof setTimeout> | undefined;
    let changed = "";
    (async () => {
      try {
        for await (const event of watcher) {
          const path = event.paths.find((p) => !isIgnored(p, paths, ignored));
          if (!path) continue;
          changed = path;
          clearTimeout(timer);
          timer = setTimeout(
            () => this.#restart(name, `watch: ${changed} changed`),
            WATCH_DEBOUNCE_MS,
          );
        }
      } catch {
        // closed
      } finally {
        clearTimeout(timer);
      }
    })();
    return watcher;
  }

  #restart(name: string, reason: string): void {
    const app = this.#supervisor.apps().find((a) => a.spec.name === name);
    if (!app) return;
    const wanted = app.instances.filter((i) => i.desired === "up");
    if (wanted.length === 0) return;
    for (const instance of wanted) {
      this.#supervisor.recordInstanceEvent(instance, "trigger", reason);
    }
    this.#supervisor.restart(wanted, { reason }).catch((error) =>
      getLogger("triggers").error("Restart of {name} failed: {error}", {
        name,
        error: String(error),
      })
    );
  }

  #drop(name: string): void {
    const triggers = this.#byApp.get(name);
    if (!triggers) return;
    triggers.cron?.stop();
    try {
      triggers.watcher?.close();
    } catch {
      // already closed
    }
    this.#byApp.delete(name);
  }

  [Symbol.dispose](): void {
    for (const name of [...this.#byApp.keys()]) this.#drop(name);
  }
}

function signatureOf(app: AppEntry): string {
  const s = app.spec;
  return JSON.stringify([s.cron_restart, s.watch, s.ignore_watch]);
}

/**
 * Patterns are matched against the path below the watched root, so that a pattern like `tmp`
 * does not match the root's own location (`/tmp/app/...`) and ignore everything; the folders
 * in ALWAYS_IGNORED are ignored themselves too, not only what is under them.
 */
function isIgnored(path: string, roots: string[], ignored: (below: string) => boolean): boolean {
  const root = roots.find((r) => path === r || path.startsWith(r.endsWith("/") ? r : `${r}/`));
  const below = root === undefined ? path : path.slice(root.replace(/\/$/, "").length);
  if (ALWAYS_IGNORED.some((part) => `${below}/`.includes(part))) return true;
  return ignored(below);
}
