/** A third of the corpus files Adasa runs as pm2 does (see _suite.ts). */
import { registerCases } from "./_suite.ts";

registerCases(0, 3);
