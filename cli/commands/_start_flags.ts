/**
 * The flags of `adasa start`: one per setting flag of the settings table (each names its field
 * and how its text is read), plus those that are not settings (`--env`, `--strict`, `--no-wait`). Help,
 * parsing and the app definition all come from this one list.
 */
import { type Flag, type Setting, SETTINGS } from "../../src/model/settings.ts";
import type { FlagSpec } from "./mod.ts";

/** A setting flag with the setting it sets. */
export interface SettingFlag {
  flag: Flag;
  setting: Setting;
}

/** Every setting flag, in table order. */
export const SETTING_FLAGS: readonly SettingFlag[] = SETTINGS.flatMap((setting) =>
  (setting.flags ?? []).map((flag) => ({ flag, setting }))
);

function specOf(flag: Flag): FlagSpec {
  return {
    type: flag.value === undefined ? "boolean" : "string",
    help: flag.help,
    ...(flag.short ? { short: flag.short } : {}),
    ...(flag.value ? { value: flag.value } : {}),
    ...(flag.multiple ? { multiple: true } : {}),
    ...(flag.optional ? { optional: true } : {}),
  };
}

/** The flags of `adasa start`, for the command table. */
export const START_FLAGS: Record<string, FlagSpec> = {
  ...Object.fromEntries(SETTING_FLAGS.map(({ flag }) => [flag.name, specOf(flag)])),
  env: {
    type: "string",
    multiple: true,
    value: "KEY=VALUE",
    help: "Set a variable (repeatable); with a config file: the env_<profile> to use",
  },
  strict: { type: "boolean", help: "With a config file: warnings are errors" },
  "no-wait": {
    type: "boolean",
    help: "With a config file: return once every app is spawned, not once it is ready",
  },
};
