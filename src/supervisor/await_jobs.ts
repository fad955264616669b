/**
 * Waiting for the jobs of one command: every outcome is awaited, a closed connection stops the
 * wait (never the job: it goes on, as a systemd job does when its client leaves), and any
 * outcome other than `done` becomes the command's error, typed by its code.
 */
import { AdasaError } from "../protocol/mod.ts";
import type { Instance } from "./instance.ts";
import type { CommandKind, Job, JobOutcome } from "./jobs.ts";

/** What a command waits with. */
export interface WaitOptions {
  /** The request's cancellation (aborted when the client disconnects). */
  signal?: AbortSignal;
}

/** Resolves with `promise`, or rejects once `signal` aborts; the promise itself goes on. */
export function unlessCancelled<T>(promise: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(cancelled());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(cancelled());
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

function cancelled(): AdasaError {
  return new AdasaError("UNAVAILABLE", "The request was cancelled: its connection closed");
}

/**
 * Awaits each job; throws one AdasaError for those not done, with the first one's code.
 *
 * @throws {AdasaError} SUPERSEDED, SPAWN_FAILED, START_FAILED or RELOAD_FAILED
 */
export async function awaitJobs(
  jobs: ReadonlyArray<readonly [Instance, Job]>,
  options: WaitOptions = {},
): Promise<void> {
  const outcomes = await unlessCancelled(
    Promise.all(jobs.map(([, job]) => job.outcome)),
    options.signal,
  );
  const problems: Array<{ code: AdasaError["code"]; text: string }> = [];
  outcomes.forEach((outcome, k) => {
    const [instance, job] = jobs[k]!;
    const problem = describe(job.kind, instance, outcome);
    if (problem) problems.push(problem);
  });
  if (problems.length === 0) return;
  throw new AdasaError(problems[0]!.code, problems.map((p) => p.text).join("; "));
}

function describe(
  kind: CommandKind,
  instance: Instance,
  outcome: JobOutcome,
): { code: AdasaError["code"]; text: string } | null {
  const who = `"${instance.spec.name}" (instance ${instance.id})`;
  switch (outcome.status) {
    case "done":
      return null;
    case "superseded":
      return { code: "SUPERSEDED", text: `${capital(kind)} of ${who} superseded by ${outcome.by}` };
    case "failed":
      return { code: outcome.code, text: `Cannot ${kind} ${who}: ${outcome.message}` };
  }
}

function capital(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}
