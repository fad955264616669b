/**
 * What the supervisor needs from persistence, implemented by the daemon over the store.
 * Every method is synchronous and atomic (one transaction), and throws when the write fails;
 * a registry change is then rejected, never acknowledged and lost.
 */
import type { AppSpec, Desired, State } from "../protocol/mod.ts";
import type { TransitionRecord } from "./instance.ts";

/** An app event that is not a transition (created, deleted, scaled, updated). */
export interface AppEvent {
  at: number;
  app: string;
  instance_id: number | null;
  event: string;
  reason: string | null;
}

export interface RegistryPort {
  createApp(
    spec: AppSpec,
    instances: Array<{ instance: number; state: State; desired: Desired }>,
    at: number,
  ): { appId: number; instanceIds: number[] };
  updateApp(appId: number, spec: AppSpec, at: number): void;
  addInstances(
    appId: number,
    instances: Array<{ instance: number; state: State; desired: Desired }>,
    at: number,
  ): number[];
  removeInstances(ids: number[]): void;
  deleteApp(appId: number): void;
  recordTransition(record: TransitionRecord): void;
  recordEvent(event: AppEvent): void;
}
