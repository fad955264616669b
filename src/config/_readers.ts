/**
 * The error and wording of a bad config value, shared by the readers of this folder: the value
 * types themselves are the settings table's (src/model), so a field reads the same in a config
 * file, on the wire and on the command line.
 */
export { describe, SettingError as FieldError } from "../model/mod.ts";
