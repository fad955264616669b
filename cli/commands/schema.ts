/**
 * `adasa schema`: the JSON Schema of config files (adasa.json, process.json, the object an
 * ecosystem file exports), derived from the settings table, so an editor checks a file by the
 * same rules as `adasa start`. Needs no daemon.
 */
import { configJsonSchema } from "../../src/model/docs.ts";
import { print } from "../render/io.ts";
import type { CommandContext, Parsed } from "./mod.ts";

export function run(_parsed: Parsed, _ctx: CommandContext): Promise<number> {
  print(JSON.stringify(configJsonSchema(), null, 2));
  return Promise.resolve(0);
}
