/** What the three engine exports share: the argv, the environment, names, images and notes. */
import type { AppSpec, Check } from "../protocol/mod.ts";
import { type Engine, ENGINE_MAP, settingsLeftOut } from "./engine_map.ts";

/** One file of an export, relative to the output folder. */
export interface EngineFile {
  path: string;
  text: string;
}

/** What an engine's writer gives back: its files and one warning per setting left out. */
export interface EngineExport {
  files: EngineFile[];
  warnings: string[];
}

/** The program and its arguments, as the supervisor runs them (without Adasa's Node preload). */
export function argvOf(spec: AppSpec): string[] {
  if (spec.shell) return ["/bin/sh", "-c", [spec.command, ...spec.args].join(" ")];
  if (spec.interpreter) {
    return [spec.interpreter, ...spec.interpreter_args, spec.command, ...spec.args];
  }
  return [spec.command, ...spec.args];
}

/** The declared environment, with PORT from `port` as the supervisor sets it. */
export function envOf(spec: AppSpec): Record<string, string> {
  return spec.port === null ? { ...spec.env } : { ...spec.env, PORT: String(spec.port) };
}

/** A name of lowercase letters, digits and `-` (DNS-1123 label), as Kubernetes and Compose need. */
export function dnsName(name: string): string {
  const out = name.toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/^-+|-+$/g, "")
    .slice(0, 63).replace(/-+$/, "");
  return out === "" ? "app" : out;
}

/** A base image that has the app's interpreter; the app's own files still have to get in. */
export function imageOf(spec: AppSpec): string {
  const program = (spec.interpreter ?? spec.command).split("/").pop() ?? "";
  if (/^node(js)?$/.test(program)) return "node:22-bookworm-slim";
  if (/^python3?$/.test(program)) return "python:3-slim-bookworm";
  if (program === "deno") return "denoland/deno:debian";
  if (program === "bun") return "oven/bun:debian";
  return "debian:bookworm-slim";
}

/** The port an app is known to serve: `port`, else the port its checks reach. */
export function knownPort(spec: AppSpec): number | null {
  if (spec.port !== null) return spec.port;
  for (const check of [spec.readiness, spec.liveness]) {
    if (!check) continue;
    if (check.kind === "tcp") return check.port;
    if (check.kind === "http") {
      const url = new URL(check.url);
      return Number(url.port || (url.protocol === "https:" ? 443 : 80));
    }
  }
  return null;
}

/** Whether a readiness or liveness value is a check an engine can run (http, tcp, command). */
export function isCheck(value: { kind: string } | null): value is Check {
  return value !== null && (value.kind === "http" || value.kind === "tcp" ||
    value.kind === "command");
}

/** The header line every export carries about base_env, which has no README line to warn on. */
export const BASE_ENV_NOTE =
  "# Only each app's env is exported, not the environment of the shell that ran `adasa start`.";

/** Whole seconds, at least `min`, for engines that count in seconds. */
export function seconds(ms: number, min = 0): number {
  return Math.max(min, Math.ceil(ms / 1000));
}

/** Collects what an app's export leaves out: the table's rows, plus value-specific ones. */
export class Notes {
  readonly #engine: Engine;
  readonly warnings: string[] = [];
  #byApp = new Map<string, string[]>();

  constructor(engine: Engine) {
    this.#engine = engine;
  }

  /** Notes every setting of `spec` the engine has no equivalent for. */
  app(spec: AppSpec): void {
    for (const left of settingsLeftOut(spec, this.#engine)) this.add(spec, left.field, left.why);
    // The default variable still means something once there are several instances.
    const indexed = ENGINE_MAP.instance_var[this.#engine];
    if (spec.instances > 1 && "none" in indexed) this.add(spec, "instance_var", indexed.none);
  }

  /** Notes one setting (or one value of it) left out. */
  add(spec: AppSpec, field: string, why: string): void {
    const line = `${field}: ${why}`;
    const lines = this.#byApp.get(spec.name) ?? [];
    if (lines.includes(line)) return;
    lines.push(line);
    this.#byApp.set(spec.name, lines);
    this.warnings.push(`app "${spec.name}": ${field} has no equivalent in ${this.#engine}: ${why}`);
  }

  /** Comment lines naming what `spec`'s export left out (`prefix` is the comment mark). */
  comment(spec: AppSpec, prefix = "#"): string[] {
    const lines = this.#byApp.get(spec.name) ?? [];
    if (lines.length === 0) return [];
    return [
      `${prefix} Settings of "${spec.name}" with no equivalent here, left out:`,
      ...lines.map((l) => `${prefix}   ${l}`),
    ];
  }
}
