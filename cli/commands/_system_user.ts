/**
 * Who a systemd unit runs as, from the user database: `getent passwd` (which also sees NSS
 * sources such as LDAP), or /etc/passwd where getent cannot run. Used by `adasa startup` only.
 */
import { AdasaError } from "../../src/protocol/errors.ts";
import { USER_NAME } from "../render/systemd_unit.ts";

export interface Account {
  name: string;
  uid: number;
  home: string;
}

/**
 * The account named `key` (a login name or a uid), or null when the user database has none.
 *
 * @throws {AdasaError} INVALID_ARGUMENT when `key` is not a user name or uid at all
 */
export async function lookupAccount(key: string): Promise<Account | null> {
  if (!USER_NAME.test(key)) {
    throw new AdasaError(
      "INVALID_ARGUMENT",
      `--user: not a user name or uid: ${JSON.stringify(key.slice(0, 64))}`,
    );
  }
  const out = await new Deno.Command("getent", { args: ["passwd", key], stdin: "null" })
    .output()
    .catch(() => null);
  if (out !== null) {
    // getent exits 2 when the key is not found; any other failure falls back to the file.
    if (out.code === 2) return null;
    if (out.success) return parseEntry(new TextDecoder().decode(out.stdout), key);
  }
  let text: string;
  try {
    text = await Deno.readTextFile("/etc/passwd");
  } catch (error) {
    throw new AdasaError("INTERNAL", `Cannot read /etc/passwd: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return parseEntry(text, key);
}

/** The first passwd(5) line whose name (or uid, for a number) is `key`. */
function parseEntry(text: string, key: string): Account | null {
  const byUid = /^\d+$/.test(key);
  for (const line of text.split("\n")) {
    const fields = line.split(":");
    if (fields.length < 7) continue;
    const [name, , uid, , , home] = fields as [string, string, string, string, string, string];
    if (byUid ? uid === key : name === key) return { name, uid: Number(uid), home };
  }
  return null;
}

/**
 * Whether systemd keeps `name`'s user manager running without a session (lingering), so a user
 * unit starts at boot: `loginctl show-user NAME -p Linger`, or, when loginctl knows no such
 * logged-in user or cannot run, the flag file /var/lib/systemd/linger/NAME.
 */
export async function lingerEnabled(name: string): Promise<boolean> {
  const bin = Deno.env.get("ADASA_LOGINCTL") ?? "loginctl";
  const out = await new Deno.Command(bin, {
    args: ["show-user", name, "-p", "Linger"],
    stdin: "null",
  }).output().catch(() => null);
  if (out?.success) {
    const value = new TextDecoder().decode(out.stdout).trim().match(/^Linger=(\w+)/m)?.[1];
    if (value !== undefined) return value === "yes";
  }
  const dir = Deno.env.get("ADASA_LINGER_DIR") ?? "/var/lib/systemd/linger";
  return await Deno.lstat(`${dir}/${name}`).then(() => true, () => false);
}
