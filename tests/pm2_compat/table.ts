// deno-lint-ignore-file no-console -- a report tool run by hand
/**
 * Runs every recorded corpus file under Adasa and prints the table file → same / differs
 * (how) / refused, against what pm2 gave it (expected.json).
 *
 *   deno run -A tests/pm2_compat/table.ts [case...]
 */
import { findCase, listCases } from "./_corpus.ts";
import { readExpected, runUnderAdasa } from "./_adasa_side.ts";

const cases = Deno.args.length ? Deno.args.map(findCase) : listCases();
console.log("| case | file | under Adasa | differences |");
console.log("| --- | --- | --- | --- |");
for (const c of cases) {
  const expected = readExpected(c);
  const { facts, differences } = await runUnderAdasa(c, expected, { timeoutMs: 12_000 });
  const verdict = differences.length === 0
    ? (facts.refused ? "refused (as by pm2)" : "same")
    : facts.refused
    ? "refused"
    : "differs";
  const how = differences.map((d) => d.replaceAll("|", "\\|")).join("; ");
  console.log(`| ${c.name} | ${c.file} | ${verdict} | ${how} |`);
}
