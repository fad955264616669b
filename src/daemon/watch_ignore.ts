/**
 * `ignore_watch` globs, matched by picomatch (braces, extglobs and classes as in bash and pm2's
 * chokidar). A glob matches a whole run of path segments anywhere below the watched root, so
 * `*.log` ignores `logs/out.log` and `tmp` ignores everything under `tmp/`, as before.
 */
import picomatch from "picomatch";

// picomatch ships no types; this is the one call used.
const compile = picomatch as unknown as (
  globs: string[],
  options: { dot: boolean },
) => (path: string) => boolean;

/** A test of paths relative to the watched root (`logs/out.log`) against every glob. */
export function ignoreMatcher(globs: readonly string[]): (relative: string) => boolean {
  if (globs.length === 0) return () => false;
  // Dot files are files like others here: `*.tmp` ignores `.cache.tmp`.
  const match = compile([...globs], { dot: true });
  return (relative) => {
    const parts = relative.split("/").filter(Boolean);
    for (let start = 0; start < parts.length; start++) {
      for (let end = start + 1; end <= parts.length; end++) {
        if (match(parts.slice(start, end).join("/"))) return true;
      }
    }
    return false;
  };
}
