/** "No app "apx"; did you mean "api"?": the app names come from the daemon, if one answers. */
import { AdasaError } from "../src/protocol/errors.ts";
import type { AdasaClient } from "../src/ipc/client.ts";
import { withSuggestion } from "./suggest.ts";

/** The NOT_FOUND error with the closest app name added, or the error itself. */
export async function suggestAppName(
  error: AdasaError,
  tryConnect: () => Promise<AdasaClient | null>,
): Promise<AdasaError> {
  const word = /^No app(?: or id)? "([^"]+)"/.exec(error.message)?.[1];
  if (word === undefined) return error;
  const client = await tryConnect();
  if (!client) return error;
  try {
    const rows = await client.request("list", {});
    const message = withSuggestion(error.message, word, new Set(rows.map((row) => row.name)));
    return message === error.message ? error : new AdasaError("NOT_FOUND", message);
  } catch {
    return error; // a suggestion is a courtesy: the original error is the answer
  } finally {
    client.close();
  }
}
