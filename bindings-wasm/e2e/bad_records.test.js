// The bad-record corpus (tests/bad-records/*.jsonl) through the Node package.
// A JS caller holds objects, not lines, so each line is read as a JS program
// would: UTF-8 decoded strictly, a trailing CR and a leading BOM dropped,
// JSON.parse'd. Lines no JS value can come from (malformed JSON, NaN and
// Infinity literals, invalid UTF-8) are counted as skipped; every other line
// must get the answer the Rust CLI gives it (tests/bad-records/*.expect.jsonl):
// a result for the same id, or a record error naming the same id and field,
// with one entry per record and the batch going on.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import kam, { fromSources, engine } from "./kam.js";

const dir = new URL("../../tests/bad-records/", import.meta.url);
const AS_OF = "2026-11-01";

// JSON.parse keeps the last of two equal keys, so a JS object cannot carry
// the duplicate that the file readers refuse.
const NOT_FOR_JS = new Set(["duplicate_keys.jsonl"]);

/** Each line of `bytes` as the JS value a caller would have, or a reason it has none. */
function jsValues(bytes) {
  const decoder = new TextDecoder("utf-8", { fatal: true });
  let start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  const out = [];
  for (let i = start; i <= bytes.length; i++) {
    if (i < bytes.length && bytes[i] !== 0x0a) continue;
    let line = bytes.subarray(start, i);
    start = i + 1;
    if (i === bytes.length && line.length === 0) break; // no line after the final newline
    if (line.at(-1) === 0x0d) line = line.subarray(0, -1);
    try {
      out.push({ value: JSON.parse(decoder.decode(line)) });
    } catch (e) {
      out.push({ skipped: e.message });
    }
  }
  return out;
}

test("every line a JS caller could hold gets the Rust CLI's answer", () => {
  const policy = fromSources(kam.defaultPolicySources());
  const files = readdirSync(dir).filter((n) => n.endsWith(".jsonl") && !n.endsWith(".expect.jsonl")).sort();
  assert.ok(files.length >= 6, files.join(", "));
  let checked = 0, skipped = 0;
  for (const name of files.filter((n) => !NOT_FOR_JS.has(n))) {
    const lines = jsValues(readFileSync(new URL(name, dir)));
    const expected = readFileSync(new URL(name.replace(".jsonl", ".expect.jsonl"), dir), "utf8")
      .split("\n").filter((l) => l).map((l) => JSON.parse(l));
    assert.equal(lines.length, expected.length, `${name}: one expectation per line`);
    const usable = lines.flatMap((l, i) => ("value" in l ? [{ value: l.value, want: expected[i], line: i + 1 }] : []));
    skipped += lines.length - usable.length;
    const got = policy.evaluateCustomers(usable.map((u) => u.value), AS_OF);
    assert.equal(got.length, usable.length, `${name}: one entry per record`);
    usable.forEach(({ want, line }, k) => {
      const entry = got[k];
      const where = `${name}:${line}: ${JSON.stringify(entry).slice(0, 300)}`;
      if ("ok" in want) {
        assert.equal(entry.error, undefined, where);
        assert.equal(entry.id, want.ok, where);
      } else {
        assert.equal(entry.error?.kind, "record", where);
        assert.equal(entry.error.field, want.field, where);
        assert.equal(entry.id, want.id, where);
        assert.equal(entry.error.record_id, want.id, where);
        if ("code" in want) assert.equal(entry.error.code, want.code, where);
        assert.ok(entry.error.message.length > 0, where);
      }
      checked++;
    });
  }
  // Most lines reach kam; the skipped ones are the JSON-level defects.
  assert.ok(checked >= 30 && skipped >= 5 && skipped <= 12, `checked ${checked}, skipped ${skipped}`);
  console.log(`bad-record corpus in Node: ${checked} lines checked, ${skipped} skipped (no JS value)`);
  policy.free();
});

test("values only JS can hold, huge and deep records: record errors, and the batch goes on", () => {
  const policy = fromSources(kam.defaultPolicySources());
  let deep = 1;
  for (let i = 0; i < 10_000; i++) deep = { a: deep };
  const cycle = { id: "J-6", annual_revenue: 1 };
  cycle.attributes = { self: cycle };
  const records = [
    { id: "J-1", annual_revenue: NaN },
    { id: "J-2", annual_revenue: Infinity },
    { id: "J-3", annual_revenue: 1, late_payments: -Infinity },
    { id: "J-4", annual_revenue: 10n },
    { id: "J-5", annual_revenue: 1, attributes: deep },
    cycle,
    { id: "J-7", annual_revenue: 1, name: "x".repeat(10_000_000) },
    { id: "J-8", annual_revenue: 1, tier: undefined },
    "J-9",
    { id: "J-10", annual_revenue: "2999999.99" },
  ];
  const got = policy.evaluateCustomers(records, AS_OF);
  assert.equal(got.length, records.length);
  const fields = got.map((g) => g.error?.field ?? null);
  const kinds = got.map((g) => g.error?.kind ?? "ok");
  assert.deepEqual(kinds, ["record", "record", "record", "record", "record", "record", "record", "ok", "record", "ok"]);
  assert.deepEqual(fields.slice(0, 3), ["annual_revenue", "annual_revenue", "late_payments"]);
  assert.equal(fields[6], "name");
  assert.deepEqual(got.map((g) => g.id), ["J-1", "J-2", "J-3", "J-4", "J-5", "J-6", "J-7", "J-8", null, "J-10"]);
  assert.equal(got[9].tier, "B");
  policy.free();
});
