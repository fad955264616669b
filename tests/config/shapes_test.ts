/**
 * Every file shape pm2 accepts loads to the same apps, with paths resolved as pm2 7 resolves
 * them (checked against pm2 7.0.4 on Node 20): the file sits in `proj/conf/` and `adasa start`
 * runs in `proj/`, so relative `cwd` and a missing `cwd` are the shell's folder, `script` is
 * relative to the app's cwd, and `process.cwd()` in the file is the shell's folder.
 */
import { assertEquals } from "../_helpers/assert.ts";
import { loadConfigFile } from "../../src/config/mod.ts";

/** A temp project: `proj/` with scripts, `proj/conf/` for the config files; removed on dispose. */
async function project(files: Record<string, string>) {
  const root = await Deno.makeTempDir({ prefix: "adasa-shapes-" });
  const proj = `${root}/proj`;
  const all = { "s.js": "", "sub/s.js": "", "app/s.js": "", ...files };
  for (const [path, text] of Object.entries(all)) {
    await Deno.mkdir(`${proj}/${path}`.replace(/\/[^/]+$/, ""), { recursive: true });
    await Deno.writeTextFile(`${proj}/${path}`, text);
  }
  return { proj, [Symbol.asyncDispose]: () => Deno.remove(root, { recursive: true }) };
}

const ENV = { WORKERS: "3", PATH: "/usr/bin:/bin" };

/** Loads `file` (relative to proj) from proj; the apps as [name, command, cwd, args, env]. */
async function load(proj: string, file: string) {
  const result = await loadConfigFile(file, { cwd: proj, env: ENV, cpuCount: 2 });
  return {
    problems: result.problems,
    apps: result.apps.map((a) => [a.name, a.command, a.cwd, a.args ?? [], a.env ?? {}]),
  };
}

const ONE = [["api", "P/s.js", "P", [], {}]];

const SHAPES: Array<{ what: string; files: Record<string, string>; apps?: unknown[] }> = [
  {
    what: "module.exports = { apps: [...] }",
    files: {
      "conf/ecosystem.config.js": 'module.exports = { apps: [{ name: "api", script: "s.js" }] };',
    },
  },
  {
    what: "module.exports = one app (an object with script)",
    files: { "conf/ecosystem.config.js": 'module.exports = { name: "api", script: "s.js" };' },
  },
  {
    what: "apps as one object",
    files: {
      "conf/ecosystem.config.js": 'module.exports = { apps: { name: "api", script: "s.js" } };',
    },
  },
  {
    what: "pm2's other key, pm2: [...]",
    files: {
      "conf/ecosystem.config.js": 'module.exports = { pm2: [{ name: "api", script: "s.js" }] };',
    },
  },
  {
    what: "a .cjs file",
    files: {
      "conf/ecosystem.config.cjs": 'module.exports = { apps: [{ name: "api", script: "s.js" }] };',
    },
  },
  {
    what: "export default { apps } in .mjs",
    files: {
      "conf/ecosystem.config.mjs": 'export default { apps: [{ name: "api", script: "s.js" }] };',
    },
  },
  {
    what: "export const apps in .mjs",
    files: {
      "conf/ecosystem.config.mjs": 'export const apps = [{ name: "api", script: "s.js" }];',
    },
  },
  {
    what: 'export default in a .config.js of a "type": "module" package',
    files: {
      "conf/package.json": '{ "type": "module" }',
      "conf/ecosystem.config.js": 'export default { apps: [{ name: "api", script: "s.js" }] };',
    },
  },
  {
    what: 'export const apps in a .config.js of a "type": "module" package, with top-level await',
    files: {
      "conf/package.json": '{ "type": "module" }',
      "conf/ecosystem.config.js":
        'const name = await Promise.resolve("api");\nexport const apps = [{ name, script: "s.js" }];',
    },
  },
  {
    what: "a TypeScript-compiled CommonJS default export (__esModule)",
    files: {
      "conf/ecosystem.config.js":
        'Object.defineProperty(exports, "__esModule", { value: true });\nexports.default = { apps: [{ name: "api", script: "s.js" }] };',
    },
  },
  {
    what: "JSON with // and /* */ comments and trailing commas",
    files: {
      "conf/process.json":
        '// pm2 file\n{\n  /* the api */\n  "apps": [{ "name": "api", "script": "s.js", },],\n}\n',
    },
  },
  {
    what: "JSON5 single quotes and bare keys",
    files: { "conf/process.json": "{ apps: [{ name: 'api', script: 's.js' }] }" },
  },
  {
    what: "YAML (.yml)",
    files: { "conf/ecosystem.yml": "apps:\n  - name: api\n    script: s.js\n" },
  },
  {
    what: "YAML (.yaml), one app with args and env",
    files: {
      "conf/ecosystem.yaml":
        "apps:\n  name: api\n  script: s.js\n  args: --port 80\n  env:\n    MODE: prod\n",
    },
    apps: [["api", "P/s.js", "P", ["--port", "80"], { MODE: "prod" }]],
  },
  {
    what: "YAML merge keys (<<: *defaults), as js-yaml reads them",
    files: {
      "conf/ecosystem.yml":
        "defaults: &defaults\n  script: s.js\n  env:\n    MODE: prod\napps:\n  - <<: *defaults\n    name: api\n",
    },
    apps: [["api", "P/s.js", "P", [], { MODE: "prod" }]],
  },
  {
    what: "a name containing .json, as pm2 decides (process.json.prod)",
    files: { "conf/process.json.prod": '{"apps": [{"name": "api", "script": "s.js"}]}' },
  },
];

for (const shape of SHAPES) {
  Deno.test(`loadConfigFile() reads ${shape.what}`, async () => {
    await using p = await project(shape.files);
    const file = Object.keys(shape.files).find((f) => !f.endsWith("package.json"))!;
    const expected = (shape.apps ?? ONE).map((app) =>
      (app as unknown[]).map((v) => typeof v === "string" ? v.replace(/^P/, p.proj) : v)
    );
    assertEquals(await load(p.proj, file), { problems: [], apps: expected });
  });
}

Deno.test("relative cwd, script and a missing cwd resolve from where adasa runs, as in pm2", async () => {
  await using p = await project({
    "conf/ecosystem.config.js": `module.exports = { apps: [
      { name: "nocwd", script: "s.js" },
      { name: "relcwd", script: "s.js", cwd: "sub" },
      { name: "dotcwd", script: "./s.js", cwd: "./sub" },
      { name: "subscript", script: "app/s.js" },
      { name: "abscwd", script: "s.js", cwd: ${JSON.stringify("ABS")} },
    ]};`,
  });
  const text = await Deno.readTextFile(`${p.proj}/conf/ecosystem.config.js`);
  await Deno.writeTextFile(
    `${p.proj}/conf/ecosystem.config.js`,
    text.replace("ABS", `${p.proj}/app`),
  );
  const { problems, apps } = await load(p.proj, "conf/ecosystem.config.js");
  assertEquals(problems, []);
  assertEquals(apps.map((a) => a.slice(0, 3)), [
    ["nocwd", `${p.proj}/s.js`, p.proj],
    ["relcwd", `${p.proj}/sub/s.js`, `${p.proj}/sub`],
    ["dotcwd", `${p.proj}/sub/s.js`, `${p.proj}/sub`],
    ["subscript", `${p.proj}/app/s.js`, p.proj],
    ["abscwd", `${p.proj}/app/s.js`, `${p.proj}/app`],
  ]);
});

Deno.test("the same relative paths in JSON and YAML files resolve the same way", async () => {
  await using p = await project({
    "conf/process.json": '{"apps": [{"name": "a", "script": "s.js", "cwd": "sub"}]}',
    "conf/ecosystem.yml": "apps:\n  - name: a\n    script: app/s.js\n",
  });
  assertEquals((await load(p.proj, "conf/process.json")).apps.map((a) => a.slice(1, 3)), [
    [`${p.proj}/sub/s.js`, `${p.proj}/sub`],
  ]);
  assertEquals((await load(p.proj, "conf/ecosystem.yml")).apps.map((a) => a.slice(1, 3)), [
    [`${p.proj}/app/s.js`, p.proj],
  ]);
});

Deno.test("process.cwd() is where adasa runs, __dirname the file's folder, process.env the caller's", async () => {
  await using p = await project({
    "conf/ecosystem.config.js": `module.exports = { apps: [{ name: "api", script: "s.js", env: {
      PCWD: process.cwd(), DIR: __dirname, WORKERS: process.env.WORKERS,
      UNSET: String(process.env.ADASA_TEST_NOT_GIVEN),
    } }] };`,
  });
  Deno.env.set("ADASA_TEST_NOT_GIVEN", "the caller's own environment is not the file's");
  try {
    const { problems, apps } = await load(p.proj, "conf/ecosystem.config.js");
    assertEquals(problems, []);
    assertEquals(apps[0]![4], {
      PCWD: p.proj,
      DIR: `${p.proj}/conf`,
      WORKERS: "3",
      UNSET: "undefined",
    });
  } finally {
    Deno.env.delete("ADASA_TEST_NOT_GIVEN");
  }
});

/** A stand-in for the dotenv package: `import "dotenv/config"` loads `.env` of process.cwd(). */
const FAKE_DOTENV = {
  "conf/node_modules/dotenv/package.json": JSON.stringify({
    name: "dotenv",
    version: "16.0.0",
    main: "main.js",
    exports: { ".": "./main.js", "./config": "./config.js" },
  }),
  "conf/node_modules/dotenv/main.js": `const fs = require("node:fs");
exports.config = () => {
  for (const line of fs.readFileSync(process.cwd() + "/.env", "utf8").split("\\n")) {
    const m = /^(\\w+)=(.*)$/.exec(line);
    if (m) process.env[m[1]] = m[2];
  }
};`,
  "conf/node_modules/dotenv/config.js": 'require("./main.js").config();',
  ".env": "DB_URL=postgres://db/app\n",
};

Deno.test("an .mjs file imports a package installed beside it (import 'dotenv/config')", async () => {
  await using p = await project({
    ...FAKE_DOTENV,
    "conf/ecosystem.config.mjs": `import "dotenv/config";
export const apps = [{ name: "api", script: "s.js", env: { DB_URL: process.env.DB_URL } }];`,
  });
  assertEquals(await load(p.proj, "conf/ecosystem.config.mjs"), {
    problems: [],
    apps: [["api", `${p.proj}/s.js`, p.proj, [], { DB_URL: "postgres://db/app" }]],
  });
});

Deno.test("a .js file requires a package installed beside it", async () => {
  await using p = await project({
    ...FAKE_DOTENV,
    "conf/ecosystem.config.js": `require("dotenv").config();
module.exports = { apps: [{ name: "api", script: "s.js", env: { DB_URL: process.env.DB_URL } }] };`,
  });
  assertEquals((await load(p.proj, "conf/ecosystem.config.js")).apps[0]![4], {
    DB_URL: "postgres://db/app",
  });
});

const BAD: Array<{ what: string; file: string; text: string; problem: string }> = [
  {
    what: "a JSON syntax error, with line and column",
    file: "process.json",
    text: '{\n  "apps": [\n    { "name": "a" "script": "s.js" }\n  ]\n}\n',
    problem: `process.json:3:19: invalid JSON: invalid character '"'`,
  },
  {
    what: "a YAML syntax error, with line and column",
    file: "ecosystem.yml",
    text: "apps:\n  - name: a\n   script: s.js\n",
    problem: "ecosystem.yml:3:1: invalid YAML: Sequence item without - indicator",
  },
  {
    what: "a YAML alias bomb",
    file: "ecosystem.yml",
    text: [
      "a: &a [x,x,x,x,x,x,x,x,x]",
      ..."bcdef".split("").map((c, i) =>
        `${c}: &${c} [${Array(9).fill(`*${"abcdef"[i]}`).join(",")}]`
      ),
      "apps: [*f,*f,*f,*f,*f,*f,*f,*f,*f]",
    ].join("\n"),
    problem:
      "ecosystem.yml: invalid YAML: Excessive alias count indicates a resource exhaustion attack",
  },
  {
    what: "a CommonJS syntax error, with line and column",
    file: "ecosystem.config.js",
    text: 'module.exports = {\n  apps: [{ name: "a" }]\n  other: 1,\n};\n',
    problem:
      "ecosystem.config.js:3:3: evaluating the file failed: SyntaxError: Expected ',', got 'other'",
  },
  {
    what: "an ESM syntax error, with line and column",
    file: "ecosystem.config.mjs",
    text: 'export const apps = [\n  { name: "a" } }\n];\n',
    problem:
      "ecosystem.config.mjs:2:17: evaluating the file failed: SyntaxError: Expected ',', got '}'",
  },
  {
    what: "an exception, with the line and column of the throw",
    file: "ecosystem.config.js",
    text: 'const x = 1;\nthrow new Error("no config here");\n',
    problem: "ecosystem.config.js:2:7: evaluating the file failed: Error: no config here",
  },
  {
    what: "a file exporting nothing",
    file: "ecosystem.config.js",
    text: "const apps = [];\n",
    problem:
      'ecosystem.config.js: apps: missing; expected a list of apps (or one app with "script")',
  },
  {
    what: "a file exporting a number",
    file: "ecosystem.config.js",
    text: "module.exports = 42;\n",
    problem:
      "ecosystem.config.js: no apps: expected { apps: [...] }, a list of apps or one app, got 42",
  },
  {
    what: "an empty YAML file",
    file: "ecosystem.yaml",
    text: "# nothing yet\n",
    problem:
      "ecosystem.yaml: no apps: expected { apps: [...] }, a list of apps or one app, got null",
  },
  {
    what: "an app that is not an object",
    file: "ecosystem.yml",
    text: "apps:\n  - server.js\n",
    problem: 'ecosystem.yml: apps[0]: expected a map of fields, got "server.js"',
  },
  {
    what: "apps that is neither a list nor an app",
    file: "process.json",
    text: '{"apps": 5}',
    problem: "process.json: apps: expected a list of apps or one app, got 5",
  },
  {
    what: "an empty apps list",
    file: "ecosystem.config.mjs",
    text: "export const apps = [];\n",
    problem: "ecosystem.config.mjs: apps: the list is empty",
  },
  {
    what: "an import of a package that is not installed",
    file: "ecosystem.config.mjs",
    text: 'import "not-installed-anywhere";\nexport const apps = [];\n',
    problem: "ecosystem.config.mjs:1:8: evaluating the file failed: TypeError: ",
  },
];

for (const bad of BAD) {
  Deno.test(`loadConfigFile() names the file and place for ${bad.what}`, async () => {
    await using p = await project({ [`conf/${bad.file}`]: bad.text });
    const result = await loadConfigFile(`conf/${bad.file}`, { cwd: p.proj, env: ENV });
    assertEquals(result.apps, []);
    assertEquals(result.problems.length, 1, result.problems.join("\n"));
    const [line] = result.problems;
    const want = `conf/${bad.problem}`;
    assertEquals(bad.problem.endsWith(": ") ? line!.slice(0, want.length) : line, want);
    assertEquals(line!.includes("\n"), false, "one line");
  });
}

Deno.test("loadConfigFile() reads no more than 16 MiB of a file: a big one, or one that never ends", async () => {
  await using p = await project({
    "conf/big.json": `{"apps": [], "pad": "${"x".repeat(17 * 2 ** 20)}"}`,
  });
  await Deno.symlink("/dev/zero", `${p.proj}/conf/zero.json`);
  for (const name of ["big.json", "zero.json"]) {
    const result = await loadConfigFile(`conf/${name}`, { cwd: p.proj, env: ENV });
    assertEquals(result.problems, [
      `conf/${name}: cannot read "${p.proj}/conf/${name}": it is over the 16 MiB limit for config files`,
    ]);
  }
});
