/**
 * Cron patterns, checked by croner itself (the one import of it): what is stored is what the
 * scheduler will accept. Kept out of mod.ts so the CLI never loads croner.
 */
import { Cron } from "croner";

export { Cron };

/** Why croner refuses `pattern`, or null when it accepts it. */
export function cronProblem(pattern: string): string | null {
  try {
    new Cron(pattern, { paused: true }).stop();
    return null;
  } catch (error) {
    return (error as Error).message.replace(/^CronPattern: /, "");
  }
}
