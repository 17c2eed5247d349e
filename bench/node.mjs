// The WebAssembly package in Node, for bench/run.sh: compiles the default
// policy, scores the first N customers and M staff-months of the benchmark
// population, prints one JSON line of timings and writes the answers (JSON
// Lines, decimals as the package's exact strings) for the driver to compare
// with kam's.
//   node bench/node.mjs PKG_JS CUSTOMERS.jsonl N STAFF.jsonl M OUT_DIR ROUNDS
import { closeSync, openSync, readSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { StringDecoder } from "node:string_decoder";

const [pkg, customersFile, n, staffFile, m, outDir, roundsArg] = process.argv.slice(2);
const kam = createRequire(import.meta.url)(pkg);
const rounds = Math.max(1, Number(roundsArg ?? 1));
// The first `count` lines only: the full population's file is larger than
// the longest string V8 can hold, so it is read in chunks.
const head = (file, count) => {
  const fd = openSync(file, "r");
  const buf = Buffer.alloc(1 << 20);
  const text = new StringDecoder("utf8"); // keeps a character split between chunks whole
  const rows = [];
  let rest = "";
  try {
    while (rows.length < count) {
      const got = readSync(fd, buf, 0, buf.length, null);
      const lines = (rest + (got === 0 ? text.end() : text.write(buf.subarray(0, got)))).split("\n");
      rest = got === 0 ? "" : lines.pop();
      for (const l of lines) if (l.trim() && rows.length < count) rows.push(JSON.parse(l));
      if (got === 0) break;
    }
  } finally {
    closeSync(fd);
  }
  return rows;
};
const customers = head(customersFile, Number(n));
const staff = head(staffFile, Number(m));
const sources = kam.defaultPolicySources();

const compiles = [];
for (let i = 0; i < 11; i++) {
  const t = performance.now();
  kam.Policy.fromSources(sources).free();
  compiles.push(performance.now() - t);
}
compiles.sort((a, b) => a - b);

const policy = kam.Policy.fromSources(sources);
const best = (f) => {
  let seconds = Infinity;
  let out;
  for (let r = 0; r < rounds; r++) {
    const t = performance.now();
    out = f();
    seconds = Math.min(seconds, (performance.now() - t) / 1000);
  }
  return [seconds, out];
};
const [cs, cOut] = best(() => policy.evaluateCustomers(customers, "2026-11-01"));
const [ss, sOut] = best(() => policy.evaluateStaffBatch(staff));
const lines = (rows) => rows.map((r) => JSON.stringify(r)).join("\n") + "\n";
writeFileSync(`${outDir}/customers.node.jsonl`, lines(cOut));
writeFileSync(`${outDir}/staff.node.jsonl`, lines(sOut));
console.log(
  JSON.stringify({
    compile_default_policy_seconds: compiles[Math.floor(compiles.length / 2)] / 1000,
    paths: [
      { path: "node.wasm.customers", records: customers.length, threads: 1, seconds: cs },
      { path: "node.wasm.staff", records: staff.length, threads: 1, seconds: ss },
    ],
  }),
);
