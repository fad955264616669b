/** Where a daemon's home and socket are. Shared by the daemon and every client. */

/** The home folder: `$ADASA_HOME`, else `~/.adasa`. */
export function resolveHome(env: { get(key: string): string | undefined } = Deno.env): string {
  const explicit = env.get("ADASA_HOME");
  if (explicit) return explicit;
  const home = env.get("HOME");
  if (!home) throw new Error("Cannot find the Adasa home: neither ADASA_HOME nor HOME is set");
  return `${home}/.adasa`;
}

/** The daemon's socket in a home folder. */
export function socketPath(home: string): string {
  return `${home}/adasa.sock`;
}
