/** The real path of a file, or the path itself where it cannot be resolved (a compiled binary). */
export function realPath(path: string): string {
  try {
    return Deno.realPathSync(path);
  } catch {
    return path; // a compiled binary's virtual path, or a file removed meanwhile
  }
}
