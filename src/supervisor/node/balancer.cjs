// The balancer of one clustered app: `node balancer.cjs <control socket>`, started by the
// daemon. Workers (daemon-spawned instances running the preload) connect to the control
// socket and ask it to bind TCP ports ("bind"), then offer a unix socket of their own for each
// ("serve"). Connections to a port go round-robin to the workers serving it, each starting
// with a PROXY v1 line naming the client; a worker that refuses is skipped, and while no worker
// serves a port its new connections wait (up to HOLD_MS), so a restart or reload loses none.
// A port no worker wants for PORT_GRACE_MS is closed; the balancer exits when no worker has
// been connected for IDLE_EXIT_MS, or at once when the daemon that started it is gone.
"use strict";

const net = require("node:net");
const fs = require("node:fs");
const process = require("node:process");

const HOLD_MS = 10_000;
const MAX_HELD = 1_024; // per port: past this, a flood while no worker serves is refused
const PORT_GRACE_MS = 1_500;
const IDLE_EXIT_MS = 3_000;
const WATCH_MS = 500;

const controlPath = process.argv[2];
const parentPid = process.ppid;
const ports = new Map(); // key -> Port
const workers = new Set(); // control connections
let idleSince = Date.now();

class Port {
  constructor(key) {
    this.key = key;
    this.server = null;
    this.address = null;
    this.ready = null; // Promise of the bind reply
    this.backends = []; // { socket, owner }
    this.next = 0;
    this.held = new Set();
    this.binders = new Set(); // control connections that bound it and have not left
    this.closeTimer = null;
  }

  bind(port, host) {
    this.ready = new Promise((resolve) => {
      // Half-open both ways, so each side's end reaches the other through the pipes.
      const options = { pauseOnConnect: true, allowHalfOpen: true };
      const server = net.createServer(options, (client) => this.accept(client));
      server.once("error", (error) => {
        ports.delete(this.key);
        resolve({ ok: false, ...errorFields(error), message: error.message });
      });
      server.listen(host === null ? { port } : { port, host }, () => {
        this.server = server;
        this.address = server.address();
        resolve({ ok: true, key: this.key, address: this.address });
      });
    });
    return this.ready;
  }

  accept(client) {
    client.on("error", () => {});
    this.forward(client, 0);
  }

  forward(client, tried) {
    if (client.destroyed) return;
    if (this.backends.length === 0 || tried >= this.backends.length) return this.hold(client);
    const backend = this.backends[this.next++ % this.backends.length];
    const upstream = net.connect({ path: backend.socket, allowHalfOpen: true });
    upstream.once("error", () => {
      upstream.destroy();
      if (connected) return client.destroy();
      // Gone or refusing: out of the rotation until it serves again.
      this.remove((b) => b === backend);
      this.forward(client, tried);
    });
    let connected = false;
    upstream.once("connect", () => {
      connected = true;
      upstream.write(proxyLine(client));
      // A clean end travels through the pipes (end() flushes first); only a broken side
      // breaks the other, so a response is never cut by the worker closing after it.
      client.pipe(upstream);
      upstream.pipe(client);
      client.once("close", (broken) => broken && upstream.destroy());
      upstream.once("close", (broken) => broken && client.destroy());
      client.resume();
    });
  }

  hold(client) {
    if (this.held.size >= MAX_HELD) return client.destroy();
    const timer = setTimeout(() => {
      this.held.delete(entry);
      client.destroy();
    }, HOLD_MS);
    const entry = { client, timer };
    this.held.add(entry);
    client.once("close", () => {
      clearTimeout(timer);
      this.held.delete(entry);
    });
  }

  add(backend) {
    this.remove((b) => b.socket === backend.socket);
    this.backends.push(backend);
    this.cancelClose();
    for (const entry of [...this.held]) {
      this.held.delete(entry);
      clearTimeout(entry.timer);
      this.forward(entry.client, 0);
    }
  }

  remove(predicate) {
    this.backends = this.backends.filter((b) => !predicate(b));
    this.closeIfUnwanted();
  }

  cancelClose() {
    clearTimeout(this.closeTimer);
    this.closeTimer = null;
  }

  closeIfUnwanted() {
    if (this.backends.length > 0 || this.binders.size > 0 || this.closeTimer) return;
    this.closeTimer = setTimeout(() => {
      if (this.backends.length > 0 || this.binders.size > 0) return (this.closeTimer = null);
      ports.delete(this.key);
      this.server?.close();
      for (const entry of this.held) entry.client.destroy();
      noteIdle();
    }, PORT_GRACE_MS);
  }
}

function errorFields(error) {
  const fields = {};
  for (const name of ["code", "errno", "syscall", "address", "port"]) {
    if (error[name] !== undefined) fields[name] = error[name];
  }
  return fields;
}

function proxyLine(client) {
  const family = client.remoteFamily === "IPv4" ? "TCP4" : "TCP6";
  return `PROXY ${family} ${client.remoteAddress} ${client.localAddress} ` +
    `${client.remotePort} ${client.localPort}\r\n`;
}

function keyOf(port, host) {
  return `${host ?? ""}|${port}`;
}

async function onMessage(conn, message) {
  if (message.op === "bind") {
    const key = keyOf(message.port, message.host ?? null);
    let entry = ports.get(key);
    if (!entry) {
      entry = new Port(key);
      ports.set(key, entry);
      entry.bind(message.port, message.host ?? null);
    }
    entry.binders.add(conn);
    entry.cancelClose();
    const reply = await entry.ready;
    if (!reply.ok) entry.binders.delete(conn);
    else conn.bound.add(entry);
    return conn.write(JSON.stringify({ ...reply, seq: message.seq }) + "\n");
  }
  if (message.op === "serve") {
    const entry = ports.get(message.key);
    if (!entry) return;
    entry.add({ socket: message.socket, owner: conn });
    return;
  }
  if (message.op === "unserve") {
    const sockets = new Set(message.sockets);
    for (const entry of ports.values()) entry.remove((b) => sockets.has(b.socket));
    if (message.seq !== undefined) {
      conn.write(JSON.stringify({ ok: true, seq: message.seq }) + "\n");
    }
  }
}

function onWorker(conn) {
  workers.add(conn);
  conn.bound = new Set();
  conn.setEncoding("utf8");
  let text = "";
  conn.on("data", (chunk) => {
    text += chunk;
    for (let end = text.indexOf("\n"); end !== -1; end = text.indexOf("\n")) {
      const line = text.slice(0, end);
      text = text.slice(end + 1);
      let message;
      try {
        message = JSON.parse(line);
      } catch {
        return conn.destroy();
      }
      onMessage(conn, message).catch(() => conn.destroy());
    }
  });
  conn.on("error", () => {});
  conn.on("close", () => {
    workers.delete(conn);
    for (const entry of conn.bound) {
      entry.binders.delete(conn);
      entry.remove((b) => b.owner === conn);
    }
    noteIdle();
  });
}

function noteIdle() {
  if (workers.size === 0 && ports.size === 0) idleSince = Date.now();
}

function main() {
  try {
    fs.unlinkSync(controlPath);
  } catch {
    // no stale socket
  }
  const control = net.createServer(onWorker);
  control.listen(controlPath, () => fs.chmodSync(controlPath, 0o600));
  setInterval(() => {
    if (process.ppid !== parentPid) process.exit(0);
    if (workers.size > 0 || ports.size > 0) return;
    if (Date.now() - idleSince >= IDLE_EXIT_MS) process.exit(0);
  }, WATCH_MS);
  process.on("SIGTERM", () => process.exit(0));
  process.on("exit", () => {
    try {
      if (fs.statSync(controlPath).isSocket()) fs.unlinkSync(controlPath);
    } catch {
      // removed already
    }
  });
}

main();
