/**
 * The Node runtime's own programs (preload, cluster worker, balancer), imported as text so
 * they live inside the daemon's module graph: the source tree and the bundled dist/adasad.js
 * carry the same bytes. They are written into `<home>/node/` (mode 0700) at the first spawn of
 * a Node app, under names carrying a hash of their content, so a daemon upgraded while old
 * apps run never changes a file under them.
 */
import balancerText from "./balancer.cjs" with { type: "text" };
import workerText from "./cluster_worker.cjs" with { type: "text" };
import preloadText from "./preload.cjs" with { type: "text" };

/** Where the runtime's files are on disk. */
export interface NodeFiles {
  dir: string;
  preload: string;
  worker: string;
  balancer: string;
}

const written = new Map<string, NodeFiles>();

/** Writes the files into `dir` once per daemon; later calls return the same paths. */
export function installNodeFiles(dir: string): NodeFiles {
  const known = written.get(dir);
  if (known) return known;
  Deno.mkdirSync(dir, { recursive: true, mode: 0o700 });
  Deno.chmodSync(dir, 0o700);
  const files: NodeFiles = {
    dir,
    preload: writeOnce(dir, "preload", preloadText),
    worker: writeOnce(dir, "cluster_worker", workerText),
    balancer: writeOnce(dir, "balancer", balancerText),
  };
  written.set(dir, files);
  return files;
}

function writeOnce(dir: string, stem: string, text: string): string {
  const path = `${dir}/${stem}-${fnv1a(text)}.cjs`;
  try {
    if (Deno.readTextFileSync(path) === text) return path;
  } catch {
    // not written yet
  }
  const temp = `${path}.${crypto.randomUUID().slice(0, 8)}.tmp`;
  Deno.writeTextFileSync(temp, text, { mode: 0o600 });
  Deno.renameSync(temp, path);
  return path;
}

/** A short content hash (FNV-1a, 32 bits): enough to tell versions apart. */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, "0");
}
