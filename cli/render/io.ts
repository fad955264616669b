/** Where the CLI writes: the only console use outside the entry point. */

/** Prints to stdout. */
export function print(text: string): void {
  // deno-lint-ignore no-console
  console.log(text);
}

/** Prints a notice or an error line to stderr. */
export function printError(text: string): void {
  // deno-lint-ignore no-console
  console.error(text);
}

/** Whether to colour: a TTY, NO_COLOR unset, and no --no-color. */
export function useColor(noColorFlag: boolean): boolean {
  if (noColorFlag) return false;
  const noColor = Deno.env.get("NO_COLOR");
  if (noColor !== undefined && noColor !== "") return false;
  return Deno.stdout.isTerminal();
}
