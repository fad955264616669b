/**
 * The dashboard's files, imported as text so they live inside the daemon's module graph: the
 * source tree, `deno bundle` (dist/adasad.js inlines them) and `deno compile` all serve the same
 * bytes, with no path resolved at run time. uPlot comes from the npm registry through the import
 * map and the lockfile, the only way in on machines that cannot reach a CDN; this is the one
 * file that imports it.
 */
import uplotCss from "uplot/dist/uPlot.min.css" with { type: "text" };
import uplotJs from "uplot/dist/uPlot.esm.js" with { type: "text" };
import apiJs from "./static/api.js" with { type: "text" };
import appJs from "./static/app.js" with { type: "text" };
import chartJs from "./static/chart.js" with { type: "text" };
import indexHtml from "./static/index.html" with { type: "text" };
import panelsJs from "./static/panels.js" with { type: "text" };
import styleCss from "./static/style.css" with { type: "text" };
import { formatPercent, formatSize } from "../model/units.ts";

/** A static file: its body and content type. */
export interface Asset {
  body: string;
  type: string;
}

const JS = "text/javascript; charset=utf-8";

/**
 * The page's sizes and percents are the CLI's: the module is the source text of the same
 * functions (JavaScript once loaded, since the runtime strips the types), so they cannot drift.
 */
export const UNITS_JS = [formatSize, formatPercent].map((f) => `export ${f.toString()}\n`).join("");
const CSS = "text/css; charset=utf-8";

/** Static files by URL path. */
export const ASSETS: Readonly<Record<string, Asset>> = {
  "/": { body: indexHtml, type: "text/html; charset=utf-8" },
  "/api.js": { body: apiJs, type: JS },
  "/app.js": { body: appJs, type: JS },
  "/chart.js": { body: chartJs, type: JS },
  "/panels.js": { body: panelsJs, type: JS },
  "/style.css": { body: styleCss, type: CSS },
  "/units.js": { body: UNITS_JS, type: JS },
  "/vendor/uPlot.esm.js": { body: uplotJs, type: JS },
  "/vendor/uPlot.min.css": { body: uplotCss, type: CSS },
};
