import { assertEquals } from "../_helpers/assert.ts";
import { expandString } from "../../src/config/expand.ts";
import { parseEnvFile } from "../../src/config/env_file.ts";
import { splitWords } from "../../src/model/shell_words.ts";
import { loadConfigFile } from "../../src/config/mod.ts";

const ENV = { HOME: "/home/u", EMPTY: "", PORT: "8080" };

Deno.test("expandString() follows the documented rules", () => {
  const table: Array<[string, string, string[], string[]]> = [
    ["${HOME}/app", "/home/u/app", [], []],
    ["${PORT:-3000}", "8080", [], []],
    ["${MISSING:-3000}", "3000", [], []],
    ["${EMPTY:-fallback}", "fallback", [], []],
    ["${MISSING:-}", "", [], []],
    ["${MISSING}", "", [], ["MISSING"]],
    ["cost: $$5 and $$${HOME}", "cost: $5 and $/home/u", [], []],
    ["echo $1 $HOME $", "echo $1 $HOME $", [], []],
    ["${HOME", "${HOME", ['unterminated "${" at character 1'], []],
    ["a ${}", "a ${}", ['expected ${NAME} or ${NAME:-default}, got "${}"'], []],
    ["${A-b}", "${A-b}", ['expected ${NAME} or ${NAME:-default}, got "${A-b}"'], []],
  ];
  for (const [input, value, errors, unset] of table) {
    assertEquals(expandString(input, ENV), { value, errors, unset }, input);
  }
});

Deno.test("parseEnvFile() reads KEY=value lines, quotes, export and comments", () => {
  const text = [
    "# a comment",
    "",
    "export A=1",
    "B = two words # trailing comment",
    "C='single $HOME # kept'",
    'D="line\\nbreak \\"q\\""',
    "E=",
    "F=a#b",
  ].join("\n");
  assertEquals(parseEnvFile(text), {
    ok: true,
    vars: {
      A: "1",
      B: "two words",
      C: "single $HOME # kept",
      D: 'line\nbreak "q"',
      E: "",
      F: "a#b",
    },
  });
  assertEquals(parseEnvFile("A=1\nnot a line\n"), {
    ok: false,
    line: 2,
    message: "expected KEY=value",
  });
  assertEquals(parseEnvFile("A='open\n"), { ok: false, line: 1, message: "unterminated quote" });
});

Deno.test("splitWords() splits pm2 args strings like a shell with simple quoting", () => {
  assertEquals(splitWords(`-a 13  --name 'my app' "say \\"hi\\"" x\\ y ''`), {
    words: ["-a", "13", "--name", "my app", 'say "hi"', "x y", ""],
  });
  assertEquals(splitWords("--title 'open"), { error: `unterminated ' in "--title 'open"` });
});

Deno.test("env layers: env_file < env < env_<profile>, and ${VAR} sees env_file over the caller's env", async () => {
  const dir = await Deno.makeTempDir({ prefix: "adasa-env-" });
  try {
    await Deno.writeTextFile(
      `${dir}/.env`,
      "DB_PASSWORD=s3cret\nLEVEL=file\nONLY_FILE=yes\nPORT=9000\n",
    );
    await Deno.writeTextFile(
      `${dir}/adasa.json`,
      JSON.stringify({
        apps: [{
          name: "api",
          command: "sleep",
          env_file: "${CONF_DIR:-.}/.env",
          env: { LEVEL: "env", URL: "postgres://u:${DB_PASSWORD}@db:${PORT}/x" },
          env_production: { LEVEL: "production" },
        }],
      }),
    );
    const result = await loadConfigFile("adasa.json", {
      cwd: dir,
      env: { PORT: "1234", DB_PASSWORD: "from-shell" },
      profile: "production",
    });
    assertEquals(result.problems, []);
    assertEquals(result.apps[0]!.env, {
      DB_PASSWORD: "s3cret",
      LEVEL: "production",
      ONLY_FILE: "yes",
      PORT: "9000",
      URL: "postgres://u:s3cret@db:9000/x",
    });
    assertEquals(result.apps[0]!.base_env, { PORT: "1234", DB_PASSWORD: "from-shell" });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("an env_file with a bad line names the file and the line", async () => {
  const dir = await Deno.makeTempDir({ prefix: "adasa-env-" });
  try {
    await Deno.writeTextFile(`${dir}/bad.env`, "A=1\n2BAD\n");
    await Deno.writeTextFile(
      `${dir}/adasa.json`,
      JSON.stringify({ apps: [{ command: "sleep", env_file: ["bad.env"] }] }),
    );
    const result = await loadConfigFile("adasa.json", { cwd: dir, env: {} });
    assertEquals(result.problems, [
      `adasa.json: apps[0].env_file[0]: ${dir}/bad.env line 2: expected KEY=value`,
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
