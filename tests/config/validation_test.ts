/**
 * Bad config files: each problem is one line naming the file, the app and the field path, and
 * a file with any problem yields no apps at all, so nothing starts.
 */
import { assertEquals } from "../_helpers/assert.ts";
import { loadConfigFile } from "../../src/config/mod.ts";
import type { LoadOptions } from "../../src/config/mod.ts";
import { normalizeAppSpec } from "../../src/protocol/mod.ts";

interface BadFile {
  what: string;
  file: string;
  text: string;
  options?: Partial<LoadOptions>;
  problems: string[];
}

const CASES: BadFile[] = [
  {
    what: "unparseable JSON names line and column",
    file: "adasa.json",
    text: '{\n  "apps": [\n    { "script": "a.js", } }\n  ]\n}\n',
    problems: ["adasa.json:3:27: invalid JSON: invalid character '}'"],
  },
  {
    what: "unparseable TOML names line and column",
    file: "adasa.toml",
    text: '[[apps]]\nname = "api"\nscript = \n',
    problems: [
      "adasa.toml:3:10: invalid TOML: invalid value",
    ],
  },
  {
    what: "a JavaScript file that throws names the error and its line",
    file: "ecosystem.config.js",
    text: "const x = 1;\nmodule.exports = { apps: [nope] };\n",
    problems: [
      "ecosystem.config.js:2:27: evaluating the file failed: ReferenceError: nope is not defined",
    ],
  },
  {
    what: "a JavaScript file that never ends is stopped after the timeout",
    file: "ecosystem.config.cjs",
    text: "while (true) {}\n",
    options: { timeoutMs: 500 },
    problems: ["ecosystem.config.cjs: evaluating the file took longer than 500 ms"],
  },
  {
    what: "a missing script",
    file: "adasa.json",
    text: JSON.stringify({ apps: [{ name: "api", script: "sleep" }, { name: "web" }] }),
    problems: ['adasa.json: apps[1].script: missing; name the program to run (or use "command")'],
  },
  {
    what: "instances of the wrong type",
    file: "ecosystem.config.js",
    text: 'module.exports = { apps: [{ script: "sleep" }, { script: "cat", instances: "four" }] };',
    problems: [
      'ecosystem.config.js: apps[1].instances: expected an integer from 1 to 1024, "max", 0 or -1, got "four"',
    ],
  },
  {
    what: "negative instances",
    file: "adasa.toml",
    text: '[[apps]]\nscript = "sleep"\ninstances = -3\n',
    problems: [
      'adasa.toml: apps[0].instances: expected an integer from 1 to 1024, "max", 0 or -1, got -3',
    ],
  },
  {
    what: "duplicate names, including a defaulted one",
    file: "adasa.json",
    text: JSON.stringify({ apps: [{ script: "sleep" }, { name: "sleep", script: "cat" }] }),
    problems: ['adasa.json: apps[1].name: duplicate name "sleep" (also apps[0])'],
  },
  {
    what: "an invalid name",
    file: "adasa.json",
    text: JSON.stringify({ apps: [{ name: "all", script: "sleep" }] }),
    problems: ['adasa.json: apps[0].name: invalid app name "all": "all" means every app'],
  },
  {
    what: "a profile that no app defines",
    file: "adasa.json",
    text: JSON.stringify({ apps: [{ script: "sleep", env_production: { A: "1" } }] }),
    options: { profile: "staging" },
    problems: ["adasa.json: env_staging: no app defines it (selected with --env staging)"],
  },
  {
    what: "an env value of the wrong type",
    file: "adasa.json",
    text: JSON.stringify({ apps: [{ script: "sleep", env: { PORT: 80, DB: null } }] }),
    problems: ["adasa.json: apps[0].env.DB: expected a string, number or boolean, got null"],
  },
  {
    what: "a bad ${VAR reference",
    file: "adasa.toml",
    text: '[[apps]]\nscript = "sleep"\nargs = ["${HOME", "${1X}"]\n',
    problems: [
      'adasa.toml: apps[0].args[0]: unterminated "${" at character 1',
      'adasa.toml: apps[0].args[1]: expected ${NAME} or ${NAME:-default}, got "${1X}"',
    ],
  },
  {
    what: "an env_file that cannot be read",
    file: "adasa.json",
    text: JSON.stringify({ apps: [{ script: "sleep", env_file: "missing.env" }] }),
    problems: ['adasa.json: apps[0].env_file: cannot read "DIR/missing.env": no such file'],
  },
  {
    what: "an unsupported field under --strict",
    file: "ecosystem.config.js",
    text: 'module.exports = { apps: [{ script: "sleep", exec_mode: "cluster", vizion: false }] };',
    options: { strict: true },
    problems: [
      "ecosystem.config.js: apps[0].vizion: not supported by Adasa; ignored",
    ],
  },
  {
    what: "several problems in one file, one line each",
    file: "adasa.json",
    text: JSON.stringify({
      apps: [{ script: "sleep", min_uptime: "soon", kill_timeout: 5, kill_timeout_ms: 7 }, 42],
    }),
    problems: [
      'adasa.json: apps[0].min_uptime: expected milliseconds or a duration like "5s", got "soon"',
      "adasa.json: apps[0].kill_timeout_ms: conflicts with kill_timeout; give only one of them",
      "adasa.json: apps[1]: expected a map of fields, got 42",
    ],
  },
  {
    what: "a file without apps",
    file: "adasa.toml",
    text: 'title = "x"\n',
    problems: ['adasa.toml: apps: missing; expected a list of apps (or one app with "script")'],
  },
  {
    what: "an unknown extension",
    file: "adasa.ini",
    text: "[apps]\n",
    problems: [
      'adasa.ini: unknown config format ".ini"; use .json, .json5, .jsonc, .yml, .yaml, .toml, .js, .cjs, .mjs, .pm2',
    ],
  },
  {
    what: "a stop signal that does not exist",
    file: "adasa.toml",
    text: '[[processes]]\nscript = "sleep"\nstop_signal = "SIGFOO"\n',
    problems: [
      'adasa.toml: processes[0].stop_signal: unknown signal "SIGFOO"; use one of SIGHUP, SIGINT, SIGQUIT, SIGKILL, SIGUSR1, SIGUSR2, SIGTERM, SIGCONT, SIGSTOP, SIGTSTP, SIGWINCH, SIGALRM, SIGPWR',
    ],
  },
];

for (const c of CASES) {
  Deno.test(`loadConfigFile() rejects ${c.what}`, async () => {
    const dir = await Deno.makeTempDir({ prefix: "adasa-bad-" });
    try {
      await Deno.writeTextFile(`${dir}/${c.file}`, c.text);
      const result = await loadConfigFile(c.file, { cwd: dir, env: {}, cpuCount: 2, ...c.options });
      assertEquals(result.problems, c.problems.map((p) => p.replace("DIR", dir)));
      assertEquals(result.apps, []);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test("loadConfigFile() warns about unsupported and unknown fields, and still loads", async () => {
  const dir = await Deno.makeTempDir({ prefix: "adasa-warn-" });
  try {
    await Deno.writeTextFile(
      `${dir}/ecosystem.config.js`,
      'module.exports = { apps: [{ name: "api", script: "sleep", exec_mode: "cluster", vizion: true, colour: "red", args: "${UNSET_VAR}" }], extra: 1 };',
    );
    const result = await loadConfigFile("ecosystem.config.js", { cwd: dir, env: {} });
    assertEquals(result.problems, []);
    assertEquals(result.warnings, [
      "ecosystem.config.js: extra: unknown top-level field; ignored",
      'ecosystem.config.js: apps[0].args: ${UNSET_VAR} is not set; using ""',
      "ecosystem.config.js: apps[0].vizion: not supported by Adasa; ignored",
      "ecosystem.config.js: apps[0].colour: unknown field; ignored",
    ]);
    assertEquals(result.apps.map((a) => [a.name, a.args]), [["api", []]]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
Deno.test("loadConfigFile() reads pm2's spellings of the log, instance and readiness settings", async () => {
  const dir = await Deno.makeTempDir({ prefix: "adasa-pm2-fields-" });
  try {
    const app = {
      name: "api",
      script: "sleep",
      execMode: "cluster_mode",
      instances: "2",
      instance_var: "INSTANCE_ID",
      increment_var: "PORT",
      port: 3000,
      out: "logs/out.log",
      err: "/dev/null",
      log: "logs/all.log",
      combine_logs: true,
      log_date_format: "YYYY-MM-DD HH:mm:ss Z",
      time: true,
      wait_ready: true,
      listen_timeout: 5000,
      shutdown_with_message: true,
    };
    await Deno.writeTextFile(`${dir}/process.json`, JSON.stringify({ apps: [app] }));
    const result = await loadConfigFile("process.json", { cwd: dir, env: {}, cpuCount: 2 });
    assertEquals([result.problems, result.warnings], [[], []]);
    const spec = normalizeAppSpec(result.apps[0]);
    assertEquals(
      {
        exec_mode: spec.exec_mode,
        instances: spec.instances,
        instance_var: spec.instance_var,
        increment_var: spec.increment_var,
        port: spec.port,
        out_file: spec.out_file,
        error_file: spec.error_file,
        log_file: spec.log_file,
        merge_logs: spec.merge_logs,
        log_date_format: spec.log_date_format,
        time: spec.time,
        readiness: spec.readiness,
        ready_timeout_ms: spec.ready_timeout_ms,
        shutdown_with_message: spec.shutdown_with_message,
      },
      {
        exec_mode: "cluster",
        instances: 2,
        instance_var: "INSTANCE_ID",
        increment_var: "PORT",
        port: 3000,
        out_file: `${dir}/logs/out.log`,
        error_file: "/dev/null",
        log_file: `${dir}/logs/all.log`,
        merge_logs: true,
        log_date_format: "YYYY-MM-DD HH:mm:ss Z",
        time: true,
        readiness: { kind: "message" },
        ready_timeout_ms: 5000,
        shutdown_with_message: true,
      },
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loadConfigFile() runs pm2's script forms as pm2 does, and refuses a missing script", async () => {
  const dir = await Deno.makeTempDir({ prefix: "adasa-pm2-script-" });
  try {
    const apps = [
      { name: "line", script: "npm run start" },
      { name: "lineargs", script: "node server.js", args: ["--port", "1"] },
      { name: "npm", script: "npm", args: "start" },
      { name: "gone", script: "./missing.js" },
      { name: "nowhere", script: "no-such-program-anywhere" },
    ];
    await Deno.writeTextFile(
      `${dir}/ecosystem.config.js`,
      `module.exports = ${JSON.stringify({ apps, deploy: { production: {} } })};`,
    );
    const result = await loadConfigFile("ecosystem.config.js", {
      cwd: dir,
      env: { PATH: Deno.env.get("PATH")! },
    });
    assertEquals(result.problems, [
      `ecosystem.config.js: apps[3].script: script not found: ${dir}/missing.js`,
      `ecosystem.config.js: apps[4].script: script not found: ${dir}/no-such-program-anywhere (nor "no-such-program-anywhere" in PATH)`,
    ]);
    await Deno.writeTextFile(
      `${dir}/ecosystem.config.js`,
      `module.exports = ${JSON.stringify({ apps: apps.slice(0, 3), deploy: {} })};`,
    );
    const ok = await loadConfigFile("ecosystem.config.js", {
      cwd: dir,
      env: { PATH: Deno.env.get("PATH")! },
    });
    assertEquals(ok.problems, []);
    assertEquals(ok.warnings, [
      "ecosystem.config.js: deploy: pm2's deploy section is not supported by Adasa; ignored",
      "ecosystem.config.js: apps[1].args: ignored: a command line in script runs alone, as in pm2",
    ]);
    assertEquals(ok.apps.map((a) => [a.name, a.command, a.shell ?? false, a.args]), [
      ["line", "bash", false, ["-c", "npm run start"]],
      ["lineargs", "bash", false, ["-c", "node server.js"]],
      ["npm", "npm", false, ["start"]],
    ]);
    const strict = await loadConfigFile("ecosystem.config.js", {
      cwd: dir,
      env: { PATH: Deno.env.get("PATH")! },
      strict: true,
    });
    assertEquals(strict.apps, []);
    assertEquals(strict.problems.length, 2);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
