// deno-lint-ignore-file -- a fixture program run by Node, as the corpus files expect it
// An HTTP server as ecosystem files run it: the port from PORT (or NODE_PORT, or --port N).
// The harness reads what this process was given: a retitled process's /proc cmdline and
// environ are clobbered (pm2 retitles its workers), so the program reports them itself.
if (process.env.PM2C_REPORT) {
  const file = `${process.env.PM2C_REPORT}/${process.pid}.json`;
  const { env, argv, execArgv } = process;
  const report = { env, argv, execArgv, script: __filename };
  require("node:fs").writeFileSync(file, JSON.stringify(report));
}
const http = require("node:http");
const flag = process.argv.indexOf("--port");
const port = Number(
  flag === -1
    ? (process.env.PORT ?? process.env.NODE_PORT ?? process.env.port ?? 3000)
    : process.argv[flag + 1],
);
const server = http.createServer((_req, res) => {
  res.setHeader("content-type", "application/json");
  res.end(JSON.stringify({ pid: process.pid, instance: process.env.NODE_APP_INSTANCE ?? null }));
});
server.listen(port, () => {
  console.log(`listening on ${port}`);
  console.error(`server warning on ${port}`);
  if (process.send && process.env.SEND_READY === "1") process.send("ready");
});
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    console.log(`got ${signal}`);
    server.close(() => process.exit(0));
  });
}
