// The worker side of Adasa's cluster mode, required by the preload when ADASA_CLUSTER is set.
// A TCP `listen` asks the app's balancer to bind the port (its answer, or its EADDRINUSE, is
// what the app sees), then listens on a unix socket of this process that the balancer forwards
// connections to. Each forwarded connection starts with a PROXY protocol v1 line, consumed
// here, so `socket.remoteAddress` is the client's. On the stop signal the worker leaves the
// rotation first; when the app has no handler of its own for that signal, its servers finish
// the requests in flight and then the process dies of the signal, as it would have.
"use strict";

const net = require("node:net");
const fs = require("node:fs");
const path = require("node:path");
const process = require("node:process");

const CONNECT_RETRY_MS = 25;
const CONNECT_GIVE_UP_MS = 15_000;
const MAX_HEADER = 108; // the PROXY v1 limit
const ACCEPT_LINGER_MS = 50;
const FIRST_REQUEST_WAIT_MS = 1_000;
const kSockets = Symbol("adasa.sockets");
const kAccepted = Symbol("adasa.accepted");
const kAnswered = Symbol("adasa.answered");

const originalListen = net.Server.prototype.listen;
const served = new Set(); // { server, key, socketPath }
let control = null;
let socketCount = 0;

exports.install = function install(options) {
  control = new Control(options.controlPath);
  countAnswers();
  net.Server.prototype.listen = function listen(...args) {
    const request = tcpRequest(args);
    if (!request) return originalListen.apply(this, args);
    redirect(this, request, options);
    return this;
  };
  process.on("exit", () => {
    for (const entry of served) unlinkQuietly(entry.socketPath);
  });
  if (options.stopSignal === null) return;
  process.on(options.stopSignal, function onStop() {
    const left = leaveRotation();
    if (options.appHandlesStop || process.listenerCount(options.stopSignal) > 1) return;
    left.then(() => drainThenDie(options.stopSignal, onStop));
  });
};

/** Counts the responses finished on each connection, so a drain knows which ones sit idle. */
function countAnswers() {
  const http = require("node:http");
  const detach = http.ServerResponse.prototype.detachSocket;
  http.ServerResponse.prototype.detachSocket = function detachSocket(socket) {
    socket[kAnswered] = (socket[kAnswered] ?? 0) + 1;
    return detach.call(this, socket);
  };
}

/** The port, host and callback of a TCP listen, or null for a pipe, a handle or `exclusive`. */
function tcpRequest(args) {
  let [first, ...rest] = args;
  if (Array.isArray(first)) [first, ...rest] = [...first, ...rest];
  const callback = [...rest].reverse().find((a) => typeof a === "function") ?? null;
  if (typeof first === "function" || first === undefined) {
    return { port: 0, host: null, callback: typeof first === "function" ? first : callback };
  }
  if (first !== null && typeof first === "object") {
    if (first.path !== undefined || first.fd !== undefined || first._handle || first.handle) {
      return null;
    }
    if (first.exclusive === true) return null;
    return portRequest(first.port ?? 0, first.host ?? null, callback);
  }
  if (typeof first === "number" || (typeof first === "string" && /^\d+$/.test(first))) {
    const host = typeof rest[0] === "string" ? rest[0] : null;
    return portRequest(first, host, callback);
  }
  return null;
}

function portRequest(port, host, callback) {
  const n = Number(port);
  // Node's own listen throws the right error for a bad port.
  if (!Number.isInteger(n) || n < 0 || n > 65535) return null;
  return { port: n, host, callback };
}

function redirect(server, request, options) {
  if (request.callback) server.once("listening", request.callback);
  control.call({ op: "bind", port: request.port, host: request.host }).then((reply) => {
    if (!reply.ok) return server.emit("error", listenError(reply));
    const socketPath = path.join(
      path.dirname(options.controlPath),
      `w-${process.pid}-${++socketCount}.sock`,
    );
    unlinkQuietly(socketPath);
    const entry = {
      server,
      key: reply.key,
      host: request.host,
      socketPath,
      address: reply.address,
    };
    server.address = function address() {
      return this.listening ? { ...entry.address } : null;
    };
    acceptProxyHeaders(server);
    server.once("listening", () => {
      served.add(entry);
      control.send({ op: "serve", key: entry.key, socket: socketPath });
    });
    server.once("close", () => {
      if (served.delete(entry)) control.send({ op: "unserve", sockets: [socketPath] });
      unlinkQuietly(socketPath);
    });
    originalListen.call(server, socketPath);
  }, (error) => server.emit("error", error));
}

function listenError(reply) {
  const error = new Error(reply.message);
  for (const field of ["code", "errno", "syscall", "address", "port"]) {
    if (reply[field] !== undefined) error[field] = reply[field];
  }
  return error;
}

/** Reads the PROXY line of each connection before the server's own handlers see it. */
function acceptProxyHeaders(server) {
  if (server instanceof require("node:tls").Server) {
    // A TLS socket asks its own handle, which wraps the unix socket: give it the client's.
    server.prependListener("secureConnection", (secure) => {
      if (secure._parent) copyAddresses(secure._parent, secure);
    });
  }
  const emit = server.emit;
  const sockets = server[kSockets] = new Set();
  server.emit = function patchedEmit(event, ...args) {
    if (event !== "connection") return emit.call(this, event, ...args);
    const socket = args[0];
    socket[kAccepted] = Date.now();
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
    readHeader(socket, () => emit.call(server, "connection", socket));
    return true;
  };
}

function readHeader(socket, done) {
  let buffered = Buffer.alloc(0);
  const onReadable = () => {
    for (let chunk = socket.read(); chunk !== null; chunk = socket.read()) {
      buffered = Buffer.concat([buffered, chunk]);
      const end = buffered.indexOf("\r\n");
      if (end === -1 && buffered.length <= MAX_HEADER) continue;
      socket.removeListener("readable", onReadable);
      socket.removeListener("end", onEnd);
      if (end === -1) return socket.destroy();
      applyHeader(socket, buffered.subarray(0, end).toString("latin1"));
      const rest = buffered.subarray(end + 2);
      if (rest.length) socket.unshift(rest);
      return done();
    }
  };
  const onEnd = () => socket.destroy();
  socket.on("readable", onReadable);
  socket.once("end", onEnd);
}

function applyHeader(socket, line) {
  const [magic, proto, source, destination, sourcePort, destinationPort] = line.split(" ");
  if (magic !== "PROXY" || (proto !== "TCP4" && proto !== "TCP6")) return;
  setAddresses(socket, {
    remoteAddress: source,
    remotePort: Number(sourcePort),
    remoteFamily: proto === "TCP4" ? "IPv4" : "IPv6",
    localAddress: destination,
    localPort: Number(destinationPort),
  });
}

const ADDRESS_FIELDS = ["remoteAddress", "remotePort", "remoteFamily", "localAddress", "localPort"];

function setAddresses(socket, values) {
  for (const name of ADDRESS_FIELDS) {
    const value = values[name];
    Object.defineProperty(socket, name, { value, configurable: true, enumerable: true });
  }
}

function copyAddresses(from, to) {
  if (Object.hasOwn(from, "remoteAddress")) setAddresses(to, from);
}

/**
 * Asks the balancer to send no more connections here; resolves once it has answered and the
 * connections it forwarded before are accepted (closing the listener would reset them).
 */
function leaveRotation() {
  const sockets = [...served].map((entry) => entry.socketPath);
  // No balancer to tell (it is being restarted): nothing is forwarded here meanwhile.
  if (sockets.length === 0 || !control.socket) return Promise.resolve();
  const answered = control.call({ op: "unserve", sockets }).catch(() => {});
  return answered.then(() => new Promise((resolve) => setTimeout(resolve, ACCEPT_LINGER_MS)));
}

/** The default action of the signal, after the servers have answered what they accepted. */
function drainThenDie(signal, handler) {
  const servers = [...served].map((entry) => entry.server);
  let open = servers.length;
  const die = () => {
    process.removeListener(signal, handler);
    process.kill(process.pid, signal);
  };
  if (open === 0) return die();
  const sweep = () => {
    for (const server of servers) {
      // HTTP only: a plain TCP server's connections are the app's to end.
      if (typeof server.closeIdleConnections !== "function") continue;
      for (const socket of server[kSockets] ?? []) endIfIdle(socket);
    }
  };
  const timer = setInterval(sweep, 20);
  for (const server of servers) {
    // net's close, not http's: http's also closes connections whose first request is still
    // on its way (forwarded just before the worker left the rotation), failing that request.
    net.Server.prototype.close.call(server, () => {
      if (--open > 0) return;
      clearInterval(timer);
      die();
    });
  }
  sweep();
}

/** Ends a connection that is between requests, or that brought none for a while. */
function endIfIdle(socket) {
  if (socket.destroyed || socket._httpMessage) return; // a response is under way
  // end(), not destroy(): the last response may still be on its way out.
  if ((socket[kAnswered] ?? 0) > 0) return void socket.end();
  if (Date.now() - socket[kAccepted] > FIRST_REQUEST_WAIT_MS) socket.destroy();
}

function unlinkQuietly(file) {
  try {
    fs.unlinkSync(file);
  } catch {
    // already gone
  }
}

/**
 * The connection to the balancer: JSON lines, requests numbered. Connected at start (so the
 * balancer knows a worker is alive), kept unreferenced while nothing waits on it, reconnected
 * if the balancer is restarted, and then every served socket is bound and registered again.
 */
class Control {
  constructor(controlPath) {
    this.controlPath = controlPath;
    this.seq = 0;
    this.callers = 0;
    this.retry = null;
    this.waiting = new Map();
    this.socket = null;
    this.connecting = null;
    this.connect();
  }

  connect() {
    if (this.connecting) return this.connecting;
    const started = Date.now();
    this.connecting = new Promise((resolve, reject) => {
      const attempt = () => {
        const socket = net.connect(this.controlPath);
        socket.once("connect", () => {
          this.attach(socket);
          resolve(socket);
        });
        socket.once("error", (error) => {
          if (this.socket === socket) return;
          socket.destroy();
          if (Date.now() - started > CONNECT_GIVE_UP_MS) {
            const failure = new Error(
              `listen ECONNREFUSED: the Adasa cluster balancer does not answer at ${this.controlPath}`,
            );
            failure.code = "ECONNREFUSED";
            failure.cause = error;
            this.connecting = null;
            return reject(failure);
          }
          // Only a pending listen keeps the process alive while the balancer is away.
          this.retry = setTimeout(attempt, CONNECT_RETRY_MS);
          if (this.callers === 0) this.retry.unref();
        });
      };
      attempt();
    });
    this.connecting.catch(() => {});
    return this.connecting;
  }

  attach(socket) {
    this.socket = socket;
    this.updateRef();
    let text = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk) => {
      text += chunk;
      for (let end = text.indexOf("\n"); end !== -1; end = text.indexOf("\n")) {
        let reply;
        try {
          reply = JSON.parse(text.slice(0, end));
        } catch {
          return socket.destroy(); // never the app's problem: reconnect instead
        }
        text = text.slice(end + 1);
        const waiter = this.waiting.get(reply.seq);
        this.waiting.delete(reply.seq);
        this.updateRef();
        if (waiter) waiter(reply);
      }
    });
    socket.on("error", () => {});
    socket.on("close", () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.connecting = null;
      this.rejoin();
    });
  }

  /** The balancer went away (it is restarted by the daemon): bind and serve again. */
  rejoin() {
    for (const [seq, waiter] of this.waiting) {
      this.waiting.delete(seq);
      waiter({ ok: false, code: "ECONNRESET", message: "listen ECONNRESET: balancer restarted" });
    }
    if (served.size === 0) return this.connect();
    for (const entry of served) {
      const again = { op: "bind", port: entry.address.port, host: entry.host };
      this.call(again).then((reply) => {
        if (reply.ok) this.send({ op: "serve", key: reply.key, socket: entry.socketPath });
      }, () => {});
    }
  }

  call(message) {
    this.callers++;
    this.retry?.ref();
    return this.connect().finally(() => this.callers--).then((socket) => {
      const seq = ++this.seq;
      const reply = new Promise((resolve) => this.waiting.set(seq, resolve));
      this.updateRef();
      socket.write(JSON.stringify({ ...message, seq }) + "\n");
      return reply;
    });
  }

  send(message) {
    if (this.socket) this.socket.write(JSON.stringify(message) + "\n");
  }

  updateRef() {
    if (!this.socket) return;
    if (this.waiting.size > 0) this.socket.ref();
    else this.socket.unref();
  }
}
