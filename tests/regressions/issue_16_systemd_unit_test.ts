/**
 * #16.6: `adasa startup` wrote values into the unit as they were, so a newline in `--user` or in
 * ADASA_HOME injected directives (`ExecStartPre=`), and `%` specifiers expanded. Control
 * characters are now refused, `%` is doubled and every path is quoted per systemd.syntax(7).
 * `systemd-analyze verify` (where installed) reads the unit back: it reports an ExecStart whose
 * executable does not exist, so a wrong unquoting of a path with blanks and `%` fails it.
 */
import { quote, renderUnit, type UnitOptions } from "../../cli/render/systemd_unit.ts";
import { AdasaError } from "../../src/protocol/errors.ts";
import { assert, assertEquals, assertMatch, assertThrows } from "../_helpers/assert.ts";
import { makeHome, runCli } from "../_helpers/daemon.ts";

const BASE: UnitOptions = {
  exec: ["/usr/bin/deno", "run", "main.ts"],
  home: "/home/u/.adasa",
  system: true,
  user: "bob",
  path: "/usr/bin:/bin",
};

function lines(text: string): string[] {
  return text.trim().split("\n");
}

Deno.test("startup refuses a newline in ADASA_HOME or --user instead of writing a directive", async () => {
  const home = makeHome();
  try {
    const injected = `${home}\nExecStartPre=/bin/touch /tmp/adasa-pwned`;
    const byHome = await runCli(injected, ["startup"]);
    assertEquals(byHome.code, 2, byHome.stdout + byHome.stderr);
    assertEquals(byHome.stdout, "");
    assertMatch(byHome.stderr.trim(), /^[^\n]*ADASA_HOME holds a control character \(\\x0a\)/);
    const byUser = await runCli(home, ["startup", "--system", "--user", "bob\nExecStartPre=/x"]);
    assertEquals(byUser.code, 2, byUser.stdout + byUser.stderr);
    assertEquals(byUser.stdout, "");
    assertMatch(byUser.stderr.trim(), /^[^\n]*--user: not a user name or uid/);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("renderUnit() refuses every control character in every value", () => {
  for (const bad of ["\n", "\r", "\t", "\0", "\x1b", "\x7f"]) {
    for (
      const options of [
        { ...BASE, home: `/h${bad}x` },
        { ...BASE, path: `/bin${bad}` },
        { ...BASE, exec: ["/usr/bin/deno", `a${bad}b`] },
        { ...BASE, user: `bob${bad}` },
      ]
    ) {
      assertThrows(
        () => renderUnit(options),
        (e: unknown) => e instanceof AdasaError && e.code === "INVALID_ARGUMENT",
      );
    }
  }
});

Deno.test("renderUnit() doubles % and quotes paths, so no specifier or blank changes them", () => {
  const unit = lines(renderUnit({
    ...BASE,
    home: `/home/a b/%h "q" \\ $X`,
    exec: ["/opt/my deno/%n", "run", "/srv/app's/main.ts"],
  }));
  assert(unit.includes(`Environment="ADASA_HOME=/home/a b/%%h \\"q\\" \\\\ $X"`), unit.join("\n"));
  assert(
    unit.includes(`ExecStart="/opt/my deno/%%n" "run" "/srv/app's/main.ts"`),
    unit.join("\n"),
  );
  assertEquals(quote("$HOME"), `"$HOME"`);
  const withDollar = lines(renderUnit({ ...BASE, exec: ["/bin/deno", "$HOME"] }));
  assert(withDollar.includes(`ExecStart="/bin/deno" "$$HOME"`), withDollar.join("\n"));
  for (const executable of [`/opt/a"b/deno`, "/opt/a\\b/deno", "/opt/it's/deno", "deno"]) {
    assertThrows(
      () => renderUnit({ ...BASE, exec: [executable, "run"] }),
      (e: unknown) => e instanceof AdasaError && /systemd runs no executable at/.test(e.message),
    );
  }
  // Every directive is on its own line: nothing a value holds adds one.
  const keys = unit.filter((l) => l.includes("=")).map((l) => l.slice(0, l.indexOf("=")));
  assertEquals(keys, [
    "Description",
    "After",
    "Type",
    "User",
    "Environment",
    "Environment",
    "ExecStart",
    "Restart",
    "RestartSec",
    "KillMode",
    "TimeoutStopSec",
    "WantedBy",
  ]);
});

async function analyzer(): Promise<string | null> {
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    const bin = `${dir}/systemd-analyze`;
    if (await Deno.stat(bin).then((s) => s.isFile, () => false)) return bin;
  }
  return null;
}

Deno.test("systemd-analyze verify accepts a unit whose paths hold blanks, quotes and %", async () => {
  const dir = await Deno.makeTempDir({ prefix: "adasa-unit-" });
  try {
    // The executable really exists at the tricky path, so verify fails if it is misread.
    const binDir = `${dir}/my deno %n $X`;
    await Deno.mkdir(binDir);
    const exec = `${binDir}/deno`;
    await Deno.symlink("/bin/true", exec);
    const text = renderUnit({
      ...BASE,
      user: "root",
      exec: [exec, "run", `${dir}/a b/%h/"main".ts`],
      home: `${dir}/home %i`,
    });
    const unitFile = `${dir}/adasa-verify-test.service`;
    await Deno.writeTextFile(unitFile, text);
    const bin = await analyzer();
    if (bin === null) return; // the escaping itself is checked by the tests above
    const out = await new Deno.Command(bin, { args: ["verify", unitFile], stdin: "null" })
      .output();
    const stderr = new TextDecoder().decode(out.stderr);
    const relevant = stderr.split("\n").filter((l) => l.includes("adasa-verify-test"));
    assertEquals(relevant, [], `${stderr}\n${text}`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
