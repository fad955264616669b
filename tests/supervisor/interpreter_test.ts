// deno-lint-ignore-file no-sync-fn-in-async-fn -- fixtures are written synchronously
/** interpreterFor: by extension, and by a Node shebang for scripts without one. */
import { interpreterFor } from "../../src/supervisor/interpreter.ts";
import { assertEquals } from "../_helpers/assert.ts";

Deno.test("interpreterFor picks node for .js, .mjs and .cjs and deno for .ts", () => {
  for (const script of ["a.js", "b.mjs", "dir/c.cjs"]) {
    assertEquals(interpreterFor(script)?.interpreter, "node");
  }
  assertEquals(interpreterFor("d.ts"), { interpreter: "deno", args: ["run", "--allow-all"] });
  assertEquals(interpreterFor("sleep"), null);
});

Deno.test("interpreterFor runs a script without extension by node only when its shebang says node", async () => {
  const dir = await Deno.makeTempDir({ prefix: "adasa-interp-" });
  try {
    const cases: Array<[string, string | Uint8Array, string | null]> = [
      ["bin/www", "#!/usr/bin/env node\nrequire('../app');\n", "node"],
      ["bin/direct", "#!/usr/bin/node\n", "node"],
      ["bin/flags", "#!/usr/bin/env -S node --max-old-space-size=100\n", "node"],
      ["bin/shell", "#!/bin/sh\necho hi\n", null],
      ["bin/nodemon-ish", "#!/usr/bin/env nodemon\n", null],
      ["bin/elf", new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), null],
    ];
    Deno.mkdirSync(`${dir}/bin`);
    for (const [path, body] of cases) {
      if (typeof body === "string") Deno.writeTextFileSync(`${dir}/${path}`, body);
      else Deno.writeFileSync(`${dir}/${path}`, body);
    }
    for (const [path, , want] of cases) {
      assertEquals(interpreterFor(path, dir)?.interpreter ?? null, want, path);
      assertEquals(interpreterFor(`${dir}/${path}`, "/")?.interpreter ?? null, want, path);
    }
    assertEquals(interpreterFor("bin/missing", dir), null);
    assertEquals(interpreterFor("bin/www"), null, "without a cwd nothing is read");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
