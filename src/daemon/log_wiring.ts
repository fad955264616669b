/**
 * Wires log capture into the daemon: each spawn's pipes go to the app's log files, the time
 * index is written in one transaction per sampling tick (readers scan past the last indexed
 * position to the end of the file, so lines are never missed in between, and a read flushes
 * it first), and an exit event gets the run's last stderr
 * lines once its pipes are drained (the event itself is recorded at once, so a restart is not
 * held up by a child's slow output).
 */
import { getLogger } from "../logger.ts";
import { LogCapture, pm2FilesOf } from "../logs/mod.ts";
import type { Store } from "../store/mod.ts";
import { PipeGrower } from "./pipe_size.ts";
import type { Instance, SpawnedChild } from "../supervisor/mod.ts";

export interface LogWiring {
  capture: LogCapture;
  attach(instance: Instance, child: SpawnedChild): void;
  /** Writes pending index rows: every tick, and before a read. */
  flushIndex(): void;
  close(): Promise<void>;
}

/**
 * Passes a pipe through unchanged, handing each line to `onLine` until it returns false
 * (log_line readiness matched); from then on chunks are not decoded.
 */
function tapLines(
  stream: ReadableStream<Uint8Array>,
  onLine: (line: string) => boolean,
): ReadableStream<Uint8Array> {
  const decoder = new TextDecoder();
  let carry = "";
  let wanted = true;
  return stream.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        controller.enqueue(chunk);
        if (!wanted) return;
        const lines = (carry + decoder.decode(chunk, { stream: true })).split("\n");
        carry = (lines.pop() ?? "").slice(-64 * 1024);
        for (const line of lines) {
          wanted = onLine(line.replace(/\r$/, ""));
          if (!wanted) return;
        }
      },
    }),
  );
}

export function startLogWiring(options: { store: Store; dir: string }): LogWiring {
  const { store } = options;
  const capture = new LogCapture({ dir: options.dir });
  const grower = new PipeGrower();
  const log = getLogger("logs");
  const flushIndex = () => {
    const batch = capture.takePendingIndex();
    if (batch.rows.length === 0 && batch.removed.length === 0) return;
    try {
      store.transaction(() => store.logIndex.apply(batch));
    } catch (error) {
      log.warn("Could not write the log index: {error}", { error: String(error) });
    }
  };
  return {
    capture,
    flushIndex,
    attach(instance, child) {
      const spec = instance.spec;
      const name = spec.name;
      const id = instance.id;
      capture.setPolicy(name, {
        rotateBytes: spec.log_rotate_bytes,
        retainFiles: spec.log_retain_files,
        retainBytes: spec.log_retain_bytes,
      });
      let grown = 0;
      const onBusy = (stream: "out" | "err") => {
        if (grower.grow(child.pid, stream === "out" ? 1 : 2)) grown++;
      };
      const pipes = spec.readiness.kind === "log_line"
        ? {
          stdout: tapLines(child.stdout, (line) => instance.noteOutputLine(child.pid, line)),
          stderr: tapLines(child.stderr, (line) => instance.noteOutputLine(child.pid, line)),
        }
        : { stdout: child.stdout, stderr: child.stderr, onBusy };
      const run = capture.capture(name, id, pipes, { pm2: pm2FilesOf(spec, instance.appIndex) });
      Promise.all([run, child.status]).then(([tail]) => {
        grower.release(grown);
        if (tail.length === 0) return;
        try {
          store.transaction(() => store.events.annotateExit(id, child.pid, tail.join("\n")));
        } catch (error) {
          log.warn("Could not keep the stderr of instance {id}: {error}", {
            id,
            error: String(error),
          });
        }
      });
    },
    async close() {
      await capture.close();
      flushIndex();
    },
  };
}
