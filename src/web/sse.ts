/**
 * Server-sent events over a stream op: each item becomes `event: <name>` with its data as JSON;
 * an error ends the stream with an `error` event carrying `{ code, message }`. A comment line
 * is sent at once (so the client knows the stream is live) and then every 15 s, so proxies and
 * browsers keep an idle follow open.
 */
import type { StreamItem } from "../ipc/server.ts";
import { AdasaError } from "../protocol/mod.ts";
import { SECURITY_HEADERS } from "./responses.ts";

const HEARTBEAT_MS = 15_000;

function frame(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/**
 * A response that relays `items` until they end, the client goes away, or `abort` fires.
 * Caller must abort `abort` when the server stops; the response aborts it when the client leaves.
 */
export function sseResponse(items: AsyncIterable<StreamItem>, abort: AbortController): Response {
  const encoder = new TextEncoder();
  const iterator = items[Symbol.asyncIterator]();
  let heartbeat: ReturnType<typeof setInterval> | undefined;
  const finish = () => {
    clearInterval(heartbeat);
    if (!abort.signal.aborted) abort.abort();
  };
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(": stream open\n\n"));
      heartbeat = setInterval(
        () => controller.enqueue(encoder.encode(": keep-alive\n\n")),
        HEARTBEAT_MS,
      );
      abort.signal.addEventListener("abort", () => {
        clearInterval(heartbeat);
        try {
          controller.close();
        } catch {
          // already closed
        }
      }, { once: true });
    },
    async pull(controller) {
      try {
        const next = await iterator.next();
        if (abort.signal.aborted) return;
        if (next.done) {
          controller.enqueue(encoder.encode(frame("end", null)));
          controller.close();
          finish();
          return;
        }
        controller.enqueue(encoder.encode(frame(next.value.event, next.value.data)));
      } catch (error) {
        if (abort.signal.aborted) return;
        const wire = error instanceof AdasaError
          ? { code: error.code, message: error.message }
          : { code: "INTERNAL", message: "Internal error; see daemon.log" };
        controller.enqueue(encoder.encode(frame("error", { error: wire })));
        controller.close();
        finish();
      }
    },
    async cancel() {
      finish();
      await iterator.return?.();
    },
  });
  return new Response(body, {
    headers: {
      ...SECURITY_HEADERS,
      "content-type": "text/event-stream; charset=utf-8",
      "x-accel-buffering": "no",
    },
  });
}
