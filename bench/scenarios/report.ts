/** The results table (markdown), the goals and whether each is met. */
import type { MemoryFigures } from "../_util.ts";
import type { Measure, Row } from "./types.ts";

/** Peers' medians measured on 2 cores, used when a peer did not run here. */
export const REFERENCE = {
  pm2: { ping: 264, crash: 8.7 },
  supervisord: { ping: 178 },
} as const;

export interface Goal {
  text: string;
  met: boolean | null;
  detail: string;
}

function num(unit: Row["unit"], v: number): string {
  switch (unit) {
    case "ms":
      return v < 10
        ? `${v.toFixed(2)} ms`
        : v < 10_000
        ? `${v.toFixed(1)} ms`
        : `${(v / 1000).toFixed(2)} s`;
    case "MB":
      return `${v.toFixed(1)} MB`;
    case "%":
      return `${v.toFixed(2)} %`;
    case "MB/s":
      return `${v.toFixed(0)} MB/s`;
    case "s":
      return `${v.toFixed(2)} s`;
  }
}

function cell(row: Row, m: Measure | undefined): string {
  if (!m) return "–";
  let text = num(row.unit, m.value);
  if (m.stats && m.stats.n > 1 && row.unit === "ms" && !m.note) {
    text += ` (p95 ${num(row.unit, m.stats.p95)}, max ${
      num(row.unit, m.stats.max)
    }, n=${m.stats.n})`;
  } else if (m.stats && m.stats.n > 1 && row.unit === "MB/s") {
    text += ` (best ${num(row.unit, m.stats.max)}, n=${m.stats.n})`;
  }
  if (m.note) text += `; ${m.note}`;
  return text;
}

/** A markdown table: one row per scenario, a column per tool and a ratio per peer. */
export function table(rows: Row[], tools: string[]): string {
  const peers = tools.filter((t) => t !== "adasa");
  const head = ["Scenario", "adasa", ...peers.flatMap((p) => [p, `${p} ÷ adasa`])];
  const lines = [`| ${head.join(" | ")} |`, `|${head.map(() => " --- ").join("|")}|`];
  for (const row of rows) {
    const a = row.values.adasa;
    const cells = [row.title, cell(row, a)];
    for (const p of peers) {
      const m = row.values[p];
      cells.push(cell(row, m));
      cells.push(m && a && a.value > 0 ? `${(m.value / a.value).toFixed(2)}×` : "–");
    }
    lines.push(`| ${cells.map((c) => c.replaceAll("|", "\\|")).join(" | ")} |`);
  }
  return lines.join("\n");
}

/** How each tool was driven, where a scenario names commands. */
export function howList(rows: Row[]): string {
  const out: string[] = [];
  for (const row of rows) {
    if (!row.how) continue;
    const parts = Object.entries(row.how).map(([tool, how]) => `${tool}: \`${how}\``);
    out.push(`- ${row.title.replace(/^\d+\. /, "")}: ${parts.join("; ")}`);
  }
  return out.join("\n");
}

/** The goals of the issue, judged on this run's numbers. */
export function goals(
  rows: Row[],
  startFileIsStandIn: boolean,
  floors?: { idle: MemoryFigures; children: MemoryFigures },
): Goal[] {
  const get = (key: string, tool = "adasa") => rows.find((r) => r.key === key)?.values[tool];
  const out: Goal[] = [];
  const judge = (text: string, value: number | undefined, ok: (v: number) => boolean, d: string) =>
    out.push({
      text,
      met: value === undefined ? null : ok(value),
      detail: value === undefined ? "not measured" : d,
    });

  const ping = get("ping")?.value;
  const floor = get("pingFloor")?.value;
  judge(
    "CLI `ping` within 5 ms of an empty Deno script measured in the same run",
    ping,
    (v) => floor !== undefined && v - floor <= 5,
    `${ping?.toFixed(1)} ms; empty script ${floor?.toFixed(1)} ms; ${
      ping === undefined || floor === undefined
        ? "?"
        : `${Math.abs(ping - floor).toFixed(1)} ms ${ping >= floor ? "above" : "below"} it`
    }`,
  );
  const list = get("list")?.value;
  judge("`list` with 100 processes ≤ 40 ms", list, (v) => v <= 40, `${list?.toFixed(1)} ms`);
  const peersOf = (key: string) =>
    ["pm2", "supervisord"].map((t) => [t, get(key, t)?.value] as const)
      .filter(([, v]) => v !== undefined).map(([t, v]) => `; ${t} ${v!.toFixed(1)} ms`).join("");
  const standIn = startFileIsStandIn ? " (measured on the pipelined-socket stand-in)" : "";
  const alive = get("batchAlive")?.value;
  judge(
    `start 100 from a file: all alive within 300 ms of the command${standIn}`,
    alive,
    (v) => v <= 300,
    `${alive?.toFixed(1)} ms${peersOf("batchAlive")}`,
  );
  const back = get("batchBack")?.value;
  judge(
    "start 100 from a file with --no-wait: the CLI back within 400 ms",
    back,
    (v) => v <= 400,
    `${back?.toFixed(1)} ms${peersOf("batchBack")}`,
  );
  const crash = get("crash")?.value;
  const pm2Crash = get("crash", "pm2")?.value ?? REFERENCE.pm2.crash;
  judge(
    "crash to new child no slower than pm2",
    crash,
    (v) => v <= pm2Crash,
    `${crash?.toFixed(2)} ms vs pm2 ${pm2Crash.toFixed(2)} ms${
      get("crash", "pm2") ? "" : " (reference)"
    }`,
  );
  const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)}`;
  const floorText = (f: MemoryFigures | undefined, what: string) =>
    f ? `; bare Deno ${what}: RSS ${mb(f.rss)}, PSS ${mb(f.pss)}, anon ${mb(f.anon)} MB` : "";
  for (
    const [key, goal, what, floor] of [
      ["mem0", 45, "idle", floors?.idle] as const,
      ["mem100", 50, "with 100 processes", floors?.children] as const,
    ]
  ) {
    const rss = get(`${key}-rss`)?.value;
    judge(
      `daemon RSS ${what} ≤ ${goal} MB (PSS and anonymous memory reported)`,
      rss,
      (v) => v <= goal,
      `RSS ${rss?.toFixed(1)}, PSS ${get(`${key}-pss`)?.value.toFixed(1)}, anon ${
        get(`${key}-anon`)?.value.toFixed(1)
      } MB${floorText(floor, key === "mem0" ? "script" : "holding 100 piped children")}`,
    );
  }
  for (const key of ["churn-stop", "churn-delete", "churn-storm"]) {
    const row = rows.find((r) => r.key === key);
    const grew = row?.values.adasa?.value;
    judge(
      `daemon RSS flat within 5 MB after ${
        row?.title.replace(/^10\. Daemon RSS growth after /, "") ?? key
      }`,
      grew,
      (v) => v <= 5,
      `${grew === undefined ? "?" : `${grew >= 0 ? "+" : ""}${grew.toFixed(1)}`} MB; ${
        row?.values.adasa?.note ?? ""
      }`,
    );
  }
  const cpu = get("cpu")?.value;
  judge(
    "idle CPU ≤ 0.3 % of a core (sampling every 2 s, writing history)",
    cpu,
    (v) => v <= 0.3,
    `${cpu?.toFixed(2)} %`,
  );
  const cap = get("capture");
  const lost = cap?.note ? Number(/^(\d+) lines lost/.exec(cap.note)?.[1] ?? NaN) : NaN;
  const sup = get("capture", "supervisord")?.value;
  const pipeFloor = get("capture-floor")?.value;
  judge(
    "capture ≥ supervisord's rate and ≥ 90 % of the bare-Deno pipe floor (same run), every line's time recoverable, no line lost",
    cap?.value,
    (v) =>
      (sup === undefined || v >= sup) && pipeFloor !== undefined && v >= 0.9 * pipeFloor &&
      lost === 0 &&
      /times kept/.test(cap?.note ?? ""),
    `${cap?.value.toFixed(0)} MB/s; supervisord ${sup?.toFixed(0) ?? "not run"} MB/s; floor ${
      pipeFloor?.toFixed(0)
    } MB/s${
      pipeFloor !== undefined && sup !== undefined && pipeFloor < sup
        ? " (the floor is below supervisord)"
        : ""
    }; ${cap?.note ?? ""}`,
  );
  const capRss = get("capture-rss");
  const rssBefore = Number(/^([\d.]+) MB before/.exec(capRss?.note ?? "")?.[1] ?? NaN);
  judge(
    "daemon RSS after the 200 MB burst within 5 MB of before it",
    capRss?.value,
    (v) => v - rssBefore <= 5,
    `${capRss?.value.toFixed(1)} MB after, ${rssBefore.toFixed(1)} MB before`,
  );
  const sc = (k: string, n: number) => get(`scale-${k}-${n}`)?.value ?? NaN;
  judge(
    "Scale: 1,000 apps started, listed, sampled, stopped; idle CPU < 2 % of a core, and the " +
      "tick's and memory's cost per app at 1,000 no more than at 100",
    get("scale-cpu-1000")?.value,
    (v) =>
      v < 2 && sc("tick", 1000) / 1000 <= sc("tick", 100) / 100 &&
      sc("mem", 1000) <= sc("mem", 100),
    [10, 100, 1000].map((n) =>
      `${n}: CPU ${sc("cpu", n).toFixed(2)} %, tick ${sc("tick", n).toFixed(1)} ms, list ` +
      `${sc("list", n).toFixed(0)} ms, RSS/app ${(sc("mem", n) * 1e3).toFixed(0)} kB, start ` +
      `${(sc("start", n) / 1e3).toFixed(1)} s, stop ${(sc("stop", n) / 1e3).toFixed(1)} s`
    ).join("; "),
  );
  const stop = get("stop")?.value;
  judge("stopping 100 processes ≤ 300 ms", stop, (v) => v <= 300, `${stop?.toFixed(1)} ms`);
  for (
    const [key, goal, text] of [
      ["history-start", 300, "daemon start on a day of history for 100 apps, until it answers"],
      ["stats-all", 200, "`stats all --since 24h` for 100 apps"],
      ["logs-first", 100, "`logs --since` into 1 GiB, time to the first line"],
    ] as const
  ) {
    const v = get(key)?.value;
    judge(`${text} ≤ ${goal} ms`, v, (x) => x <= goal, `${v?.toFixed(1)} ms`);
  }
  return out;
}

export function goalsText(list: Goal[]): string {
  return list.map((g) =>
    `- ${g.met === null ? "NOT MEASURED" : g.met ? "MET" : "NOT MET"}: ${g.text}: ${g.detail}`
  ).join("\n");
}
