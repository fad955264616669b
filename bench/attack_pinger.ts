// deno-lint-ignore-file no-console
/**
 * The bystander of bench/attacks_bench.ts, in its own process so the attacker's work does not
 * delay it: pings the daemon every 10 ms and samples its RSS until stdin closes, then prints
 * `{ times, peak }` as JSON.
 *
 * Run by the bench: deno run --allow-all bench/attack_pinger.ts HOME PID
 */
import { AdasaClient } from "../src/ipc/client.ts";

const [home, pidText] = Deno.args;
const pid = Number(pidText);

function rss(): number {
  const text = Deno.readTextFileSync(`/proc/${pid}/status`);
  return Number(text.match(/^VmRSS:\s+(\d+) kB$/m)![1]) * 1024;
}

await using client = await AdasaClient.connect({ home: home! });
let running = true;
const stdinClosed = (async () => {
  for await (const _ of Deno.stdin.readable) { /* the bench writes nothing */ }
  running = false;
})();
await client.request("ping");
console.log("ready");
const times: number[] = [];
let peak = rss();
while (running) {
  const started = performance.now();
  await client.request("ping");
  times.push(performance.now() - started);
  peak = Math.max(peak, rss());
  await new Promise((resolve) => setTimeout(resolve, 10));
}
await stdinClosed;
console.log(JSON.stringify({ times, peak }));
