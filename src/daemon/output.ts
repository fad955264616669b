/**
 * Interim output capture: appends each instance's stdout and stderr to the app's files,
 * chunk by chunk, until the log module takes over. Reads with backpressure (pipeTo awaits
 * each write), so a fast writer is slowed by its pipe rather than buffered here.
 */
import type { Instance, SpawnedChild } from "../supervisor/mod.ts";
import { getLogger } from "../logger.ts";

export function attachOutputToFiles(logsDir: string) {
  return (instance: Instance, child: SpawnedChild): void => {
    const name = instance.spec.name;
    pipeToFile(child.stdout, `${logsDir}/${name}.out.log`);
    pipeToFile(child.stderr, `${logsDir}/${name}.err.log`);
  };
}

async function pipeToFile(stream: ReadableStream<Uint8Array>, path: string): Promise<void> {
  try {
    const file = await Deno.open(path, { append: true, create: true, mode: 0o600 });
    await stream.pipeTo(file.writable);
  } catch (error) {
    getLogger("logs").warn("Output to {path} stopped: {error}", { path, error: String(error) });
    await stream.cancel().catch(() => {});
  }
}
