/**
 * The Host header check against DNS rebinding (#16.7): a page on evil.example whose name is
 * made to resolve to 127.0.0.1 reaches this server with `Host: evil.example`, so only names
 * that cannot be rebound are served: localhost names, IP literals, this machine's hostname and
 * the name the server was bound to. Pure.
 */

/** The hostname of a Host header value (`name`, `name:port`, `[v6]:port`), lower case. */
export function hostnameOf(header: string): string {
  const value = header.trim().toLowerCase();
  if (value.startsWith("[")) return value.slice(0, value.indexOf("]") + 1);
  const colon = value.lastIndexOf(":");
  const name = colon !== -1 && /^\d+$/.test(value.slice(colon + 1)) ? value.slice(0, colon) : value;
  return name.endsWith(".") ? name.slice(0, -1) : name;
}

function isIpLiteral(name: string): boolean {
  if (name.startsWith("[") && name.endsWith("]")) return /^[0-9a-f:.]+$/.test(name.slice(1, -1));
  return /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.test(name);
}

/**
 * Whether a request with this Host header may be served by a server bound to `boundHost`
 * on a machine called `machine`.
 */
export function hostAllowed(header: string | null, boundHost: string, machine: string): boolean {
  if (header === null || header.trim() === "") return false;
  const name = hostnameOf(header);
  if (name === "localhost" || name.endsWith(".localhost") || isIpLiteral(name)) return true;
  const bound = hostnameOf(boundHost);
  return name === bound || name === machine.toLowerCase();
}
