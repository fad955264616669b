/** The differences between what pm2 gave a file's apps (recorded) and what Adasa gives them. */
import type { AppFacts, Facts } from "./_facts.ts";

/** What a comparison leaves out: policies by name (a known difference, reported elsewhere). */
export interface CompareOptions {
  ignorePolicies?: readonly string[];
}

/** One line per difference; empty when Adasa runs the file as pm2 does. */
export function differences(pm2: Facts, adasa: Facts, options: CompareOptions = {}): string[] {
  if (pm2.refused !== null || adasa.refused !== null) {
    if (pm2.refused !== null && adasa.refused !== null) return [];
    return pm2.refused === null
      ? [`refused by Adasa (pm2 runs it): ${adasa.refused}`]
      : [`pm2 refuses it (${pm2.refused}); Adasa runs it`];
  }
  const out: string[] = [];
  for (const name of union(Object.keys(pm2.apps), Object.keys(adasa.apps))) {
    const want = pm2.apps[name];
    const got = adasa.apps[name];
    if (!want) out.push(`app "${name}": not in pm2's run`);
    else if (!got) out.push(`app "${name}": missing`);
    else out.push(...appDifferences(name, want, got, options.ignorePolicies ?? []));
  }
  for (const [port, want] of Object.entries(pm2.ports)) {
    const got = adasa.ports[port] ?? { answers: false, pids: 0 };
    if (want.answers !== got.answers) {
      out.push(`port ${port}: ${got.answers ? "answers (pm2: no answer)" : "no answer"}`);
    } else if (want.pids !== got.pids) {
      out.push(`port ${port}: ${got.pids} pids answer (pm2: ${want.pids})`);
    }
  }
  for (const file of union(Object.keys(pm2.logs), Object.keys(adasa.logs))) {
    const want = pm2.logs[file];
    const got = adasa.logs[file];
    if (!want) out.push(`log file ${file}: written (pm2 does not write it)`);
    else if (!got) out.push(`log file ${file}: not written`);
    else {
      // The date formats must be the same; which lines are there depends on how long each
      // run lasted, so Adasa's file must hold every kind of line pm2's held, and may hold more.
      const dated = (p: string[]) => p.filter((x) => x !== "");
      if (dated(want.prefixes).length && !same(dated(want.prefixes), dated(got.prefixes))) {
        out.push(`log file ${file}: prefixes ${show(got.prefixes)} (pm2: ${show(want.prefixes)})`);
      }
      const missing = want.lines.filter((line) => !got.lines.includes(line));
      if (missing.length) {
        out.push(`log file ${file}: lines ${show(got.lines)} (pm2: ${show(want.lines)})`);
      }
    }
  }
  return out;
}

function appDifferences(
  name: string,
  want: AppFacts,
  got: AppFacts,
  ignorePolicies: readonly string[],
): string[] {
  const out: string[] = [];
  const at = `app "${name}"`;
  if (want.instances.length !== got.instances.length) {
    out.push(`${at}: ${got.instances.length} instances (pm2: ${want.instances.length})`);
  }
  want.instances.forEach((w, i) => {
    const g = got.instances[i];
    if (!g) return;
    const it = `${at}#${i}`;
    if (w.status !== g.status) out.push(`${it}: status ${g.status} (pm2: ${w.status})`);
    if (!same(w.argv, g.argv)) out.push(`${it}: argv ${show(g.argv)} (pm2: ${show(w.argv)})`);
    if (!same(w.children, g.children)) {
      out.push(`${it}: children ${show(g.children)} (pm2: ${show(w.children)})`);
    }
    if (w.cwd !== g.cwd) out.push(`${it}: cwd ${g.cwd} (pm2: ${w.cwd})`);
    for (const [key, value] of Object.entries(w.env)) {
      if (g.env[key] !== value) out.push(`${it}: env ${key}=${g.env[key]} (pm2: ${value})`);
    }
  });
  for (const [key, value] of Object.entries(want.policies)) {
    if (ignorePolicies.includes(key)) continue;
    if (!same(value, got.policies[key])) {
      out.push(`${at}: ${key} ${show(got.policies[key])} (pm2: ${show(value)})`);
    }
  }
  return out;
}

function union(a: string[], b: string[]): string[] {
  return [...new Set([...a, ...b])].sort();
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function show(value: unknown): string {
  return JSON.stringify(value ?? null);
}
