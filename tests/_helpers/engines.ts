/**
 * The validators of the engines `adasa export` writes for: systemd's own `systemd-analyze
 * verify`, a real Compose implementation (`docker-compose config`), and the Kubernetes API
 * schema (kubernetes-models). The one import of kubernetes-models.
 */
import { ConfigMap, Service } from "kubernetes-models/v1";
import { Deployment } from "kubernetes-models/apps/v1";
import { parseAllDocuments } from "yaml";

export interface ToolResult {
  ok: boolean;
  output: string;
}

/** Whether `program` is on PATH. */
export function hasTool(program: string): boolean {
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    try {
      if (Deno.statSync(`${dir}/${program}`).isFile) return true;
    } catch { /* not here */ }
  }
  return false;
}

async function run(program: string, args: string[], cwd: string): Promise<ToolResult> {
  const out = await new Deno.Command(program, { args, cwd, stdin: "null" }).output();
  const decoder = new TextDecoder();
  const output = (decoder.decode(out.stdout) + decoder.decode(out.stderr)).trim();
  return { ok: out.success, output };
}

/** `systemd-analyze verify` of every unit in `dir` (instance 0 of a template); any complaint fails. */
export async function verifySystemd(dir: string): Promise<ToolResult> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) names.push(entry.name);
  const units = names.sort().map((name) =>
    name.endsWith("@.service") ? name.replace("@.service", "@0.service") : name
  );
  const result = await run("systemd-analyze", ["verify", "--man=no", ...units], dir);
  // A warning (an unknown key, a bad value) is printed but leaves the exit code 0.
  return { ok: result.ok && result.output === "", output: result.output };
}

/** `docker-compose -f FILE config`: the file against Compose's schema. */
export async function verifyCompose(file: string): Promise<ToolResult> {
  const dir = file.slice(0, file.lastIndexOf("/"));
  const result = await run("docker-compose", ["-f", file, "config", "--quiet"], dir);
  return result;
}

const KINDS: Record<string, (data: never) => { validate(): void }> = {
  ConfigMap: (data) => new ConfigMap(data),
  Service: (data) => new Service(data),
  Deployment: (data) => new Deployment(data),
};

/** Every document of a manifest against the Kubernetes API schema; the problems, if any. */
export function verifyKubernetes(text: string): string[] {
  const problems: string[] = [];
  for (const doc of parseAllDocuments(text)) {
    if ("errors" in doc && doc.errors.length) {
      problems.push(`YAML: ${doc.errors[0]!.message}`);
      continue;
    }
    const data = doc.toJS() as { kind?: string; metadata?: { name?: string } } | null;
    const make = data?.kind ? KINDS[data.kind] : undefined;
    if (!make) {
      problems.push(`unexpected object ${JSON.stringify(data?.kind)}`);
      continue;
    }
    try {
      make(data as never).validate();
    } catch (error) {
      problems.push(`${data!.kind} ${data!.metadata?.name}: ${(error as Error).message}`);
    }
  }
  return problems;
}
