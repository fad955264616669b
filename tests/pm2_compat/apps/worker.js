// deno-lint-ignore-file -- a fixture program run by Node, as the corpus files expect it
// A worker printing numbered lines on stdout and stderr; exits 0 on SIGINT or SIGTERM.
// The harness reads what this process was given: a retitled process's /proc cmdline and
// environ are clobbered (pm2 retitles its workers), so the program reports them itself.
if (process.env.PM2C_REPORT) {
  const file = `${process.env.PM2C_REPORT}/${process.pid}.json`;
  const { env, argv, execArgv } = process;
  const report = { env, argv, execArgv, script: __filename };
  require("node:fs").writeFileSync(file, JSON.stringify(report));
}
let n = 0;
const timer = setInterval(() => {
  n++;
  console.log(`tick ${n}`);
  if (n % 2 === 0) console.error(`warn ${n}`);
}, 200);
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    console.log(`got ${signal}`);
    clearInterval(timer);
    process.exit(0);
  });
}
