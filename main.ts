/**
 * The daemon's entry: `deno task daemon` (or `adasa daemon run`) runs it in the foreground.
 * The only Deno.exit on the daemon side. `--background` (used by `adasa daemon start`) logs
 * to daemon.log only.
 */
import { runDaemon } from "./src/daemon/main.ts";
import { AdasaError } from "./src/protocol/mod.ts";

if (import.meta.main) {
  const background = Deno.args.includes("--background");
  try {
    // Beside this file: the repository's migrations, or dist/migrations for the bundle.
    const migrationsDir = new URL("./migrations/", import.meta.url);
    Deno.exit(await runDaemon({ stderr: !background, migrationsDir }));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // deno-lint-ignore no-console
    console.error(`adasa daemon: ${message}`);
    Deno.exit(error instanceof AdasaError && error.code === "ALREADY_EXISTS" ? 4 : 1);
  }
}
