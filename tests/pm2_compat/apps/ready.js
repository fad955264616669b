// deno-lint-ignore-file -- a fixture program run by Node, as the corpus files expect it
// An HTTP server that tells its manager it is ready (pm2's wait_ready) once it listens.
// The harness reads what this process was given: a retitled process's /proc cmdline and
// environ are clobbered (pm2 retitles its workers), so the program reports them itself.
if (process.env.PM2C_REPORT) {
  const file = `${process.env.PM2C_REPORT}/${process.pid}.json`;
  const { env, argv, execArgv } = process;
  const report = { env, argv, execArgv, script: __filename };
  require("node:fs").writeFileSync(file, JSON.stringify(report));
}
const http = require("node:http");
const port = Number(process.env.PORT ?? 3000);
const server = http.createServer((_req, res) => res.end(JSON.stringify({ pid: process.pid })));
server.listen(port, () => {
  console.log(`ready on ${port}`);
  if (process.send) process.send("ready");
});
process.on("message", (message) => {
  if (message === "shutdown") {
    console.log("got shutdown message");
    server.close(() => process.exit(0));
  }
});
process.on("SIGINT", () => {
  console.log("got SIGINT");
  server.close(() => process.exit(0));
});
