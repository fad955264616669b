/**
 * Apps from config files: `start <file>` creates and starts every app of a file after checking
 * all of them; `reload <file>` applies the difference; `export` writes the definitions back
 * out. The file is read here, in the daemon, so the CLI stays small; JavaScript ecosystem
 * files are evaluated in a subprocess by src/config.
 */
import type { AppExtras } from "../../config/mod.ts";
import {
  AdasaError,
  type AppSpec,
  type ConfigFileArgs,
  type OpArgs,
  type StartWait,
} from "../../protocol/mod.ts";
import type { EngineExportReply } from "../../protocol/mod.ts";
import type { Instance } from "../../supervisor/mod.ts";
import type { DaemonContext } from "../context.ts";
import { specFromInput } from "./_spec.ts";

/**
 * The config loaders (JSON5, TOML, YAML, the pm2 evaluator) and the exporter, loaded on the
 * first file: most daemons never read one, and loaded they cost about 10 MB of memory (#17).
 */
const configModule = () => import("../../config/mod.ts");

interface Loaded {
  specs: AppSpec[];
  warnings: string[];
}

/** Loads and checks a whole file; throws one error listing every problem. */
async function loadSpecs(ctx: DaemonContext, config: ConfigFileArgs): Promise<Loaded> {
  const { profile } = config;
  const { loadConfigFile } = await configModule();
  const result = await loadConfigFile(config.path, {
    cwd: config.cwd,
    env: config.env ?? {},
    ...(profile ? { profile } : {}),
    strict: config.strict ?? false,
    cpuCount: navigator.hardwareConcurrency,
    hidden: [ctx.paths.home], // the database and web.token are none of the file's business
  });
  if (result.problems.length) {
    throw new AdasaError("INVALID_ARGUMENT", result.problems.join("\n"));
  }
  const specs: AppSpec[] = [];
  const problems: string[] = [];
  for (const input of result.apps) {
    try {
      specs.push(specFromInput({ ...input, ...honouredExtras(result.extras[String(input.name)]) }));
    } catch (error) {
      problems.push(
        `${config.path}: app ${input.name}: ${(error as Error).message}`,
      );
    }
  }
  if (problems.length) throw new AdasaError("INVALID_ARGUMENT", problems.join("\n"));
  return { specs, warnings: result.warnings };
}

/** The extras a definition carries: limits, cron and watch. */
function honouredExtras(extras: AppExtras | undefined): Record<string, unknown> {
  if (!extras) return {};
  const out: Record<string, unknown> = {};
  for (
    const key of [
      "max_memory",
      "max_cpu",
      "limit_action",
      "cron_restart",
      "watch",
      "ignore_watch",
    ] as const
  ) {
    if (extras[key] !== undefined) out[key] = extras[key];
  }
  return out;
}

/**
 * `start` with `{ config }`: every app of the file, new ones created, existing ones started,
 * each once its dependencies meet their condition; returns when every app is ready, completed
 * or failed (with `wait: "spawned"`, once every app's processes were spawned), with `apps`
 * saying which and why. The apps without dependencies are created and spawned in one
 * transaction, rather than one or two per app (#17).
 */
export async function startFromConfig(
  ctx: DaemonContext,
  config: ConfigFileArgs,
  wait: StartWait,
) {
  const { specs, warnings } = await loadSpecs(ctx, config);
  const sup = ctx.supervisor;
  const existing = new Set(sup.apps().map((a) => a.spec.name));
  const created: string[] = [];
  const started: string[] = [];
  const items = specs.map((spec) => ({
    name: spec.name,
    depends_on: spec.depends_on,
    start: async () => {
      let instances: Instance[];
      if (existing.has(spec.name)) {
        instances = sup.resolve([spec.name]);
        await sup.start(instances);
        started.push(spec.name);
      } else {
        instances = await sup.create(spec);
        created.push(spec.name);
      }
      const first = instances[0];
      return first ? sup.appOf(first) : sup.apps().find((a) => a.spec.name === spec.name)!;
    },
  }));
  const settle = wait === "spawned" ? "started" : "ready";
  const names = new Set(specs.map((s) => s.name));
  const apps = await ctx.store.transaction(() => sup.startInOrder(items, settle));
  return {
    created,
    started,
    warnings,
    apps,
    instances: sup.list().filter((i) => names.has(i.name)),
  };
}

/** `reload` with `{ config, prune }`: start new apps, reload changed ones, scale, prune. */
export async function reloadFromConfig(
  ctx: DaemonContext,
  config: ConfigFileArgs,
  prune: boolean,
) {
  const { specs, warnings } = await loadSpecs(ctx, config);
  const sup = ctx.supervisor;
  const { diffApps } = await configModule();
  const plan = diffApps(sup.apps().map((a) => a.spec), specs, { prune });
  for (const spec of plan.start) await sup.create(spec);
  for (const s of plan.scale) await sup.scale(s.name, s.to);
  for (const change of plan.restart) {
    sup.updateSpec(change.name, change.spec);
    if (change.scale) await sup.scale(change.name, change.scale.to);
    await sup.reload(sup.resolve([change.name]));
  }
  for (const name of plan.delete) await sup.delete(sup.resolve([name]));
  return {
    started: plan.start.map((s) => s.name),
    restarted: plan.restart.map((c) => ({ name: c.name, changed: c.changed })),
    scaled: plan.scale.map((s) => ({ name: s.name, from: s.from, to: s.to })),
    unchanged: plan.unchanged,
    deleted: plan.delete,
    warnings,
  };
}

type EngineFormat = Exclude<NonNullable<OpArgs<"export">["format"]>, "json" | "toml">;

/**
 * `export`: the definitions of the targeted apps (all by default) as a config file, or as the
 * files of another engine; from the registry, or from a config file without starting it.
 */
export async function exportConfig(
  ctx: DaemonContext,
  args: OpArgs<"export">,
): Promise<{ text: string } | EngineExportReply> {
  const targets = args.targets ?? [];
  const config = "config" in args ? args.config : undefined;
  const specs = config ? await fileSpecs(ctx, config, targets) : registrySpecs(ctx, targets);
  const format = args.format ?? "json";
  if (format !== "json" && format !== "toml") return await exportEngine(specs, format);
  const { exportApps } = await configModule();
  return {
    text: exportApps(specs, format, {
      extras: Object.fromEntries(specs.map((s) => [s.name, extrasOf(s)])),
    }),
  };
}

function registrySpecs(ctx: DaemonContext, targets: string[]): AppSpec[] {
  const names = targets.length === 0
    ? null
    : new Set(ctx.supervisor.resolve(targets).map((i) => i.spec.name));
  return ctx.supervisor.apps().map((a) => a.spec).filter((s) => !names || names.has(s.name));
}

/** The apps of a config file, those named by `targets` when given; each name must be there. */
async function fileSpecs(
  ctx: DaemonContext,
  config: ConfigFileArgs,
  targets: string[],
): Promise<AppSpec[]> {
  const { specs } = await loadSpecs(ctx, config);
  for (const name of targets) {
    if (!specs.some((s) => s.name === name)) {
      throw new AdasaError(
        "NOT_FOUND",
        `No app "${name}" in ${config.path}: it has ${specs.map((s) => `"${s.name}"`).join(", ")}`,
      );
    }
  }
  return targets.length ? specs.filter((s) => targets.includes(s.name)) : specs;
}

async function exportEngine(specs: AppSpec[], engine: EngineFormat): Promise<EngineExportReply> {
  if (specs.length === 0) throw new AdasaError("NOT_FOUND", "No apps to export");
  // Loaded here, on demand: most daemons never export.
  const { exportForEngine } = await import("../../config/engine_export.ts");
  const { files, warnings } = exportForEngine(specs, engine);
  const text = files.length === 1
    ? files[0]!.text
    : files.map((f) => `### ${f.path}\n${f.text}`).join("\n");
  return { text, files, warnings };
}

/** The fields of a definition that config files carry as pm2-style extras. */
function extrasOf(spec: AppSpec): AppExtras {
  const extras: AppExtras = {};
  if (spec.max_memory !== null) extras.max_memory = spec.max_memory;
  if (spec.max_cpu !== null) extras.max_cpu = spec.max_cpu;
  if (spec.max_memory !== null || spec.max_cpu !== null) extras.limit_action = spec.limit_action;
  if (spec.cron_restart !== null) extras.cron_restart = spec.cron_restart;
  if (spec.watch !== null) extras.watch = spec.watch;
  if (spec.ignore_watch.length) extras.ignore_watch = spec.ignore_watch;
  return extras;
}
