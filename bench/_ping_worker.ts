/**
 * Pings a daemon every 10 ms from its own thread, so the latency measured is the daemon's, not
 * the time the benchmark's own thread spent decoding a big reply. Post `{ home }` to start and
 * `"stop"` to get the latencies (ms) back.
 */
import { AdasaClient } from "../src/ipc/client.ts";

const self = globalThis as unknown as Worker;
let stopped = false;

self.onmessage = async (event: MessageEvent<{ home: string } | "stop">) => {
  if (event.data === "stop") {
    stopped = true;
    return;
  }
  const client = await AdasaClient.connect({ home: event.data.home });
  const latencies: number[] = [];
  self.postMessage("ready");
  while (!stopped) {
    const t = performance.now();
    await client.request("ping");
    latencies.push(performance.now() - t);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  client.close();
  self.postMessage(latencies);
};
