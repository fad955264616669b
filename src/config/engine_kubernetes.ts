/**
 * Kubernetes manifests from app definitions: a Deployment per app, a ConfigMap of its
 * environment (env_file's variables included), and a Service where a port is known.
 */
import type { AppSpec, Check, Liveness } from "../protocol/mod.ts";
import {
  argvOf,
  BASE_ENV_NOTE,
  dnsName,
  type EngineExport,
  envOf,
  imageOf,
  isCheck,
  knownPort,
  Notes,
  seconds,
} from "./engine_common.ts";
import { stringifyYaml } from "./yaml.ts";

/** Writes `kubernetes.yaml` (one document per object) for `specs`. */
export function exportKubernetes(specs: readonly AppSpec[]): EngineExport {
  const notes = new Notes("kubernetes");
  const docs: string[] = [];
  for (const spec of specs) {
    notes.app(spec);
    const objects = objectsOf(spec, notes);
    const head = [`# The app "${spec.name}".`, ...notes.comment(spec)].join("\n") + "\n";
    docs.push(head + objects.map((o) => stringifyYaml(o)).join("---\n"));
  }
  const header =
    "# Exported by `adasa export --format kubernetes`; apply with `kubectl apply -f`.\n" +
    "# The images are stock ones with the interpreter: build one holding the app's folder.\n" +
    BASE_ENV_NOTE + "\n";
  return {
    files: [{ path: "kubernetes.yaml", text: header + docs.join("---\n") }],
    warnings: notes.warnings,
  };
}

/** The objects of one app: ConfigMap (when it has variables), Deployment, Service (with a port). */
export function objectsOf(spec: AppSpec, notes: Notes): Record<string, unknown>[] {
  const name = dnsName(spec.name);
  const labels = { app: name };
  const env = envOf(spec);
  const hasEnv = Object.keys(env).length > 0;
  const port = knownPort(spec);
  const [command, ...args] = argvOf(spec);
  const container: Record<string, unknown> = {
    name,
    image: imageOf(spec),
    command: [command],
    args,
    workingDir: spec.cwd,
  };
  if (hasEnv) container.envFrom = [{ configMapRef: { name: `${name}-env` } }];
  if (port !== null) container.ports = [{ containerPort: port }];
  const limits: Record<string, string> = {};
  if (spec.max_memory !== null) limits.memory = String(spec.max_memory);
  if (spec.max_cpu !== null) limits.cpu = `${Math.max(1, Math.round(spec.max_cpu * 10))}m`;
  if (Object.keys(limits).length) container.resources = { limits };
  if (isCheck(spec.readiness)) {
    container.readinessProbe = probe(spec.readiness, {
      periodSeconds: 2,
      failureThreshold: Math.max(1, Math.ceil(spec.ready_timeout_ms / 2000)),
    });
  } else if (spec.readiness.kind !== "uptime") {
    notes.add(spec, "readiness", `${spec.readiness.kind} is not a check a probe runs`);
  }
  if (spec.liveness) container.livenessProbe = probe(spec.liveness, livenessTiming(spec.liveness));
  const objects: Record<string, unknown>[] = [];
  if (hasEnv) {
    objects.push({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: `${name}-env`, labels },
      data: env,
    });
  }
  objects.push({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, labels },
    spec: {
      replicas: spec.instances,
      minReadySeconds: seconds(spec.min_uptime_ms),
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          terminationGracePeriodSeconds: seconds(spec.kill_timeout_ms),
          containers: [container],
        },
      },
    },
  });
  if (port !== null) {
    objects.push({
      apiVersion: "v1",
      kind: "Service",
      metadata: { name, labels },
      spec: { selector: labels, ports: [{ name: "app", port, targetPort: port }] },
    });
  }
  return objects;
}

function livenessTiming(check: Liveness) {
  return {
    periodSeconds: seconds(check.interval_ms, 1),
    timeoutSeconds: seconds(check.timeout_ms, 1),
    failureThreshold: check.failure_threshold,
  };
}

function probe(check: Check, timing: Record<string, number>): Record<string, unknown> {
  switch (check.kind) {
    case "http": {
      const url = new URL(check.url);
      const port = Number(url.port || (url.protocol === "https:" ? 443 : 80));
      const local = ["localhost", "127.0.0.1", "[::1]", "0.0.0.0"].includes(url.hostname);
      return {
        httpGet: {
          path: url.pathname + url.search,
          port,
          scheme: url.protocol === "https:" ? "HTTPS" : "HTTP",
          ...(local ? {} : { host: url.hostname }),
        },
        ...timing,
      };
    }
    case "tcp":
      return { tcpSocket: { port: check.port }, ...timing };
    case "command":
      return { exec: { command: ["/bin/sh", "-c", check.command] }, ...timing };
  }
}
