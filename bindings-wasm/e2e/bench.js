// Times the Node package on the benchmark population of the page:
// data/customers.jsonl cycled to 1,000 and data/staff.jsonl to 200 (distinct
// ids). Reported in BENCHMARKS.md, never asserted.
//   node bindings-wasm/e2e/bench.js [path/to/kam_wasm.js] [rounds]
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const kam = require(process.argv[2] ?? "../pkg-node/kam_wasm.js");
const rounds = Number(process.argv[3] ?? 7);
const lines = (file) =>
  readFileSync(new URL(`../../data/${file}`, import.meta.url), "utf8")
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l));
const cycle = (samples, n) =>
  Array.from({ length: n }, (_, i) => ({ ...samples[i % samples.length], id: `${samples[i % samples.length].id}#${i}` }));
const customers = cycle(lines("customers.jsonl"), 1000);
const staff = cycle(lines("staff.jsonl"), 200);
const sources = kam.defaultPolicySources();

const runs = [];
for (let r = 0; r < rounds; r++) {
  const t0 = performance.now();
  const policy = kam.Policy.fromSources(sources);
  const t1 = performance.now();
  const c = policy.evaluateCustomers(customers, "2026-11-01");
  const t2 = performance.now();
  const s = policy.evaluateStaffBatch(staff);
  const t3 = performance.now();
  if (c.some((x) => x.error) || s.some((x) => x.error)) throw new Error("unexpected errors");
  policy.free();
  runs.push({ compile: t1 - t0, customers: t2 - t1, staff: t3 - t2 });
}
// The first round also pays V8's compilation of the module: left out.
const median = (k) => {
  const v = runs.slice(1).map((x) => x[k]).sort((a, b) => a - b);
  return v[Math.floor(v.length / 2)].toFixed(1);
};
console.log(
  `median of ${rounds - 1} rounds: compile ${median("compile")} ms, 1,000 customers ${median("customers")} ms, ` +
    `200 staff-months ${median("staff")} ms`,
);
