import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { pm2FilesOf, type Pm2LogSettings } from "../../src/logs/mod.ts";
import { Pm2Framer } from "../../src/logs/pm2_files.ts";

const BASE: Pm2LogSettings = {
  out_file: null,
  error_file: null,
  log_file: null,
  merge_logs: false,
  log_date_format: null,
  time: false,
  instances: 1,
  exec_mode: "fork",
};

Deno.test("pm2FilesOf names files by pm2's rules: -<index> per instance unless merged, /dev/null none; time wins", () => {
  const cases: Array<[Partial<Pm2LogSettings>, number, ReturnType<typeof pm2FilesOf>]> = [
    [{}, 3, null],
    [{ out_file: "/l/a.log" }, 3, { out: "/l/a.log", err: null, both: null, dateFormat: null }],
    [{ out_file: "/l/a.log", instances: 2 }, 3, {
      out: "/l/a-3.log",
      err: null,
      both: null,
      dateFormat: null,
    }],
    [{ out_file: "/l/a-0.log", exec_mode: "cluster" }, 7, {
      out: "/l/a-7.log",
      err: null,
      both: null,
      dateFormat: null,
    }],
    [{ out_file: "/l/a.txt", instances: 2 }, 3, {
      out: "/l/a.txt",
      err: null,
      both: null,
      dateFormat: null,
    }],
    [{ out_file: "/l/a.log", instances: 2, merge_logs: true }, 3, {
      out: "/l/a.log",
      err: null,
      both: null,
      dateFormat: null,
    }],
    [{ out_file: "/dev/null", error_file: "/l/NULL" }, 1, null],
    [{ log_file: "/l/all.log", time: true }, 1, {
      out: null,
      err: null,
      both: "/l/all.log",
      dateFormat: "YYYY-MM-DDTHH:mm:ss",
    }],
    [{ error_file: "/l/e.log", log_date_format: "HH:mm" }, 1, {
      out: null,
      err: "/l/e.log",
      both: null,
      dateFormat: "HH:mm",
    }],
    [{ error_file: "/l/e.log", time: true, log_date_format: "HH:mm" }, 1, {
      out: null,
      err: "/l/e.log",
      both: null,
      dateFormat: "YYYY-MM-DDTHH:mm:ss",
    }],
  ];
  for (const [settings, id, want] of cases) {
    assertEquals(pm2FilesOf({ ...BASE, ...settings }, id), want, JSON.stringify(settings));
  }
});

Deno.test("Pm2Framer passes bytes unchanged, or dates each whole line, keeping a line's start until its end", () => {
  const enc = new TextEncoder(), dec = new TextDecoder();
  const raw = new Pm2Framer(null);
  assertEquals(dec.decode(raw.push(enc.encode("a\nb"), 0)), "a\nb");
  const dated = new Pm2Framer("[T]");
  const time = Date.UTC(2026, 0, 2, 3, 4, 5);
  assertEquals(dec.decode(dated.push(enc.encode("one\ntw"), time)), "T: one\n");
  assertEquals(dec.decode(dated.push(enc.encode("o\nthree\nfo"), time)), "T: two\nT: three\n");
  assertEquals(dec.decode(dated.end(time)), "T: fo\n");
  assertEquals(dec.decode(dated.end(time)), "");
});
