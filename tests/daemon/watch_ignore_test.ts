/** `ignore_watch` globs through picomatch: braces, classes, extglobs and `**`, segment by segment. */
import { assertEquals } from "../_helpers/assert.ts";
import { ignoreMatcher } from "../../src/daemon/watch_ignore.ts";

function ignored(globs: string[], paths: string[]): string[] {
  const match = ignoreMatcher(globs);
  return paths.filter((path) => match(path));
}

Deno.test("braces match each alternative (*.{log,tmp} matched nothing before picomatch)", () => {
  assertEquals(
    ignored(["*.{log,tmp}"], [
      "/out.log",
      "/logs/err.log",
      "/a/b/c.tmp",
      "/app.js",
      "/log",
      "/x.logs",
    ]),
    ["/out.log", "/logs/err.log", "/a/b/c.tmp"],
  );
});

Deno.test("a folder's name ignores the folder and everything under it, but not a longer name", () => {
  assertEquals(
    ignored(["tmp"], ["/tmp", "/tmp/scratch.txt", "/src/tmp/x.js", "/tmpfile", "/src/mytmp/x"]),
    ["/tmp", "/tmp/scratch.txt", "/src/tmp/x.js"],
  );
});

Deno.test("** crosses folders, * and ? stay within one, classes and extglobs work", () => {
  assertEquals(
    ignored(["**/*.map"], ["/dist/a/b.js.map", "/b.map", "/dist/b.js"]),
    ["/dist/a/b.js.map", "/b.map"],
  );
  assertEquals(ignored(["build/**"], ["/build/x/y.js", "/src/build.js"]), ["/build/x/y.js"]);
  assertEquals(ignored(["src/*.gen.ts"], ["/src/a.gen.ts", "/src/deep/a.gen.ts"]), [
    "/src/a.gen.ts",
  ]);
  assertEquals(ignored(["[ab].txt", "?.md"], ["/a.txt", "/c.txt", "/x.md", "/xy.md"]), [
    "/a.txt",
    "/x.md",
  ]);
  assertEquals(ignored(["+(cache|tmp).db"], ["/cache.db", "/tmp.db", "/main.db"]), [
    "/cache.db",
    "/tmp.db",
  ]);
});

Deno.test("dot files are matched like other files; no globs ignore nothing", () => {
  assertEquals(ignored(["*.tmp"], ["/.cache.tmp", "/.env"]), ["/.cache.tmp"]);
  assertEquals(ignored([], ["/a.log", "/tmp/x"]), []);
});
