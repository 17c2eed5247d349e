// The Node package (pkg-node) as the suites load policies from it.
// KAM_ENGINE=interpreted runs every suite through rhai's interpreter instead
// of the compiler (tests/run-all.sh does both), so one set of tests proves
// the engines give the same answers; the browser has no environment, so the
// page test passes the engine on.
import { createRequire } from "node:module";

const kam = createRequire(import.meta.url)("../pkg-node/kam_wasm.js");

/** The engine the suites run: `KAM_ENGINE`, or the default, `"compiled"`. */
export const engine = process.env.KAM_ENGINE === "interpreted" ? "interpreted" : "compiled";

/** `kam.Policy.fromSources`, then the suites' engine. */
export function fromSources(sources, limits) {
  const policy = kam.Policy.fromSources(sources, limits);
  return engine === "compiled" ? policy : policy.withEngine(engine);
}

export default kam;
