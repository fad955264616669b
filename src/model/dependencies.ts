/**
 * The dependency graph of apps (`depends_on`): problems that span apps (an unknown app, a
 * cycle) and the start order. Pure; shared by the config loader, which rejects a bad file,
 * and the supervisor, which orders starts and stops.
 */

/** An app as the graph sees it. */
export interface DependencyNode {
  name: string;
  depends_on: Record<string, unknown>;
}

/**
 * One line per problem: a dependency on an app not in `apps`, and each cycle, naming its apps
 * in order (`"a" -> "b" -> "a"`).
 */
export function dependencyProblems(apps: readonly DependencyNode[]): string[] {
  const names = new Set(apps.map((a) => a.name));
  const problems: string[] = [];
  for (const app of apps) {
    for (const dep of Object.keys(app.depends_on)) {
      if (!names.has(dep)) problems.push(`"${app.name}" depends on unknown app "${dep}"`);
    }
  }
  const cycle = findCycle(apps);
  if (cycle) {
    problems.push(`dependency cycle: ${cycle.map((n) => `"${n}"`).join(" -> ")}`);
  }
  return problems;
}

/** A cycle as a path that ends where it starts, or null. Dependencies outside `apps` are skipped. */
export function findCycle(apps: readonly DependencyNode[]): string[] | null {
  const byName = new Map(apps.map((a) => [a.name, a]));
  const state = new Map<string, "open" | "done">();
  const path: string[] = [];
  const visit = (name: string): string[] | null => {
    if (state.get(name) === "done") return null;
    if (state.get(name) === "open") return [...path.slice(path.indexOf(name)), name];
    state.set(name, "open");
    path.push(name);
    for (const dep of Object.keys(byName.get(name)?.depends_on ?? {})) {
      if (!byName.has(dep)) continue;
      const found = visit(dep);
      if (found) return found;
    }
    path.pop();
    state.set(name, "done");
    return null;
  };
  for (const app of apps) {
    const found = visit(app.name);
    if (found) return found;
  }
  return null;
}

/**
 * Apps in levels: each level depends only on earlier ones (dependencies outside `apps` are
 * ignored). Stop in the reverse order. Caller must have rejected cycles; apps left in one
 * would come last.
 */
export function dependencyLevels<T extends DependencyNode>(apps: readonly T[]): T[][] {
  const names = new Set(apps.map((a) => a.name));
  const placed = new Set<string>();
  const levels: T[][] = [];
  let left = [...apps];
  while (left.length) {
    const level = left.filter((a) =>
      Object.keys(a.depends_on).every((d) => placed.has(d) || !names.has(d))
    );
    if (level.length === 0) {
      levels.push(left);
      break;
    }
    for (const a of level) placed.add(a.name);
    levels.push(level);
    left = left.filter((a) => !placed.has(a.name));
  }
  return levels;
}
