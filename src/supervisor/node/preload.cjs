// Adasa's preload, loaded into every Node app Adasa runs (`node --require <this file>`).
// pm2 runs Node apps inside its own container process; this file gives apps what they expect
// from it, and nothing more unless asked by the environment:
// - `process.send` exists even without an IPC channel (pm2 always gives one in fork mode);
//   `process.send("ready")` writes `ready` to ADASA_READY_FILE, Adasa's readiness file.
// - ADASA_SHUTDOWN_MESSAGE=1: the stop signal becomes `process.emit("message", "shutdown")`.
// - ADASA_CLUSTER=<socket>: cluster mode. `server.listen(port)` listens on a unix socket of
//   this process instead and registers it with the app's balancer, which owns the TCP port;
//   `server.address()` still reports the port, and an EADDRINUSE of the balancer's bind is
//   reported as Node reports its own.
"use strict";

(function adasaPreload() {
  const process = require("node:process");
  const env = process.env;

  definePmSend(process, env.ADASA_READY_FILE);
  // SIGKILL and SIGSTOP cannot be caught: with them, Adasa's stop is the signal itself.
  const requested = env.ADASA_STOP_SIGNAL || "SIGTERM";
  const stopSignal = requested === "SIGKILL" || requested === "SIGSTOP" ? null : requested;
  const withMessage = env.ADASA_SHUTDOWN_MESSAGE === "1" && stopSignal !== null;
  if (withMessage) {
    // pm2 sends "shutdown" instead of the signal; the kill timeout still applies after it.
    process.on(stopSignal, () => process.emit("message", "shutdown"));
  }
  if (env.ADASA_CLUSTER) {
    require(env.ADASA_CLUSTER_WORKER).install({
      controlPath: env.ADASA_CLUSTER,
      stopSignal,
      appHandlesStop: withMessage,
    });
  }

  function definePmSend(proc, readyFile) {
    if (typeof proc.send === "function") return;
    const fs = require("node:fs");
    proc.send = function send(message, ...rest) {
      if (message === "ready" && readyFile) {
        try {
          fs.appendFileSync(readyFile, "ready\n");
        } catch {
          // The instance was stopped meanwhile and its file removed.
        }
      }
      const callback = rest.find((arg) => typeof arg === "function");
      if (callback) proc.nextTick(callback, null);
      return true;
    };
    proc.connected = true;
    proc.disconnect = function disconnect() {};
  }
})();
