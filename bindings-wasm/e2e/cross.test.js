// Rust, Python and JS give byte-identical answers for the same records.
// `cross-binding DIR` (tests/cross_binding.rs, run by ../test.sh with a fresh
// seed each run) writes generated customers and staff-months, about one in ten
// with a broken field, and Rust's canonical answer for each. Here the Node
// package's answers are written in the same canonical form
// (tests/canonical.rs: compact JSON, keys sorted, decimals as the exact
// strings the binding already returns) and compared line by line.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import kam, { fromSources, engine } from "./kam.js";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));
const dir = process.env.KAM_CROSS_DIR ?? `${root}target/cross`;

/** Keys sorted at every depth; strings and numbers as JSON writes them. */
function canonical(value) {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** A batch entry as Rust writes it: the error entry is the wire form, unchanged. */
const entry = (result) => result;

function read(name) {
  const path = `${dir}/${name}`;
  assert.ok(existsSync(path), `${path} is missing: run \`cargo run -p kam-tests --bin cross-binding -- ${dir}\` first`);
  return readFileSync(path, "utf8").split("\n").filter((l) => l.length > 0);
}

for (const kind of ["customers", "staff"]) {
  test(`${kind}: the Node package's answers are byte-identical to Rust's`, () => {
    const lines = read(`${kind}.jsonl`);
    const expected = read(`${kind}.expected`);
    const records = lines.map((l) => JSON.parse(l));
    const policy = fromSources(kam.defaultPolicySources());
    const results = kind === "customers"
      ? policy.evaluateCustomers(records, "2026-11-01")
      : policy.evaluateStaffBatch(records);
    policy.free();
    const got = results.map((r) => canonical(entry(r)));
    assert.equal(got.length, expected.length);
    assert.equal(got.length, records.length);
    const differ = got.flatMap((g, i) => (g === expected[i] ? [] : [i]));
    const seed = readFileSync(`${dir}/seed`, "utf8").trim();
    const shown = differ.slice(0, 3)
      .map((i) => `record ${lines[i]}\n  node ${got[i]}\n  rust ${expected[i]}`).join("\n");
    assert.equal(differ.length, 0, `${differ.length} of ${got.length} differ (KAM_CROSS_SEED=${seed}):\n${shown}`);
    // The comparison means something: good and bad records were both generated.
    assert.ok(expected.some((l) => l.includes('"error":')) && expected.some((l) => l.includes('"policy":')));
  });
}
