// The Node package (pkg-node/, what `require` users get) through its real JS
// glue: every shared vector, exactly; errors as KamError objects; the module
// keeps working after hostile policies. Run by ../test.sh after ../build.sh.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import kam, { fromSources, engine } from "./kam.js";
import { checkVectors, thrownWire } from "./vectors.js";

const root = new URL("../../", import.meta.url);
const vectorDir = new URL("tests/vectors/", root);

const record = { id: "C-9", annual_revenue: 1200000 };
const defaults = () => kam.defaultPolicySources();
const withFile = (name, text) => ({ ...defaults(), [name]: text });

function stillWorks() {
  const p = fromSources(defaults());
  assert.equal(p.evaluateCustomer(record, "2026-11-01").tier, "B");
  p.free();
}

test("every shared vector gives the recorded answer, exactly", () => {
  const files = readdirSync(vectorDir)
    .filter((n) => n.endsWith(".json"))
    .sort()
    .map((name) => ({ name, text: readFileSync(new URL(name, vectorDir), "utf8") }));
  assert.ok(files.length >= 2);
  const { checked, mismatches } = checkVectors(kam, files, engine);
  assert.ok(checked >= 100, `only ${checked} vectors`);
  assert.deepEqual(mismatches, []);
});

test("withEngine chooses what runs the rules, never the answers", () => {
  const p = kam.Policy.fromSources(defaults());
  assert.equal(p.engine, "compiled");
  assert.equal(p.compileFallback, undefined);
  const interpreted = p.withEngine("interpreted");
  assert.equal(interpreted.engine, "interpreted");
  assert.equal(interpreted.withEngine("compiled").engine, "compiled");
  const records = [0, 1, 2, 3, 4].map((i) => ({ id: `C-${i}`, annual_revenue: 1000000 * i, tier: "B" }));
  assert.deepEqual(p.evaluateCustomers(records, "2026-11-01"), interpreted.evaluateCustomers(records, "2026-11-01"));
  assert.throws(() => p.withEngine("fast"), (e) => e.kind === "argument" && e.message.includes("interpreted"));
  // A construct the compiler does not cover keeps the interpreter and says where.
  const visit = "fn visit(c, tier, as_of, p) {\n    if tier == 'A' {\n        ()\n    }\n}\n";
  const fallback = kam.Policy.fromSources(withFile("customer_visit.rhai", visit));
  assert.equal(fallback.engine, "interpreted");
  assert.match(fallback.compileFallback, /^customer_visit\.rhai:2:16: /);
  for (const x of [p, interpreted, fallback]) x.free();
});

test("a KamError carries kind, record, field and location", () => {
  const p = fromSources(defaults());
  assert.throws(
    () => p.evaluateCustomer({ id: "C-7", annual_revenue: -1 }, "2026-11-01"),
    (e) =>
      e instanceof Error &&
      e.name === "KamError" &&
      e.kind === "record" &&
      e.code === "invalid" &&
      e.wire.record_id === "C-7" &&
      e.recordId === "C-7" &&
      e.field === "annual_revenue" &&
      e.file === null &&
      e.message.includes("annual_revenue") &&
      typeof e.detail === "string",
  );
  assert.throws(() => p.evaluateCustomer(record, "01/11/2026"), (e) => e.kind === "argument");
  assert.throws(() => p.evaluateCustomer(record, 20261101), (e) => e.kind === "argument");
  assert.throws(() => fromSources("rules"), (e) => e.kind === "argument");
  const broken = withFile("customer_visit.rhai", "fn visit(c, tier, as_of, p) {\n  let x = ;\n}\n");
  assert.throws(
    () => fromSources(broken),
    (e) =>
      e.kind === "policy" &&
      e.file === "customer_visit.rhai" &&
      e.line === 2 &&
      e.column === 11 &&
      e.diagnostics.length === 1 &&
      e.diagnostics[0].line === 2,
  );
  assert.deepEqual(kam.Policy.diagnose(broken), [
    { file: "customer_visit.rhai", line: 2, column: 11, message: kam.Policy.diagnose(broken)[0].message },
  ]);
  assert.deepEqual(kam.Policy.diagnose(defaults()), []);
  assert.deepEqual(p.check(), []);
  stillWorks();
});

// tests/vectors/errors/wire.json, which Rust and Python replay too: the same
// canonical JSON (keys sorted, compact) for every error code.
const canonical = (value) => {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value !== null && typeof value === "object") {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(",")}}`;
  }
  return JSON.stringify(value);
};

test("the error vectors give the recorded wire form, byte for byte", () => {
  const doc = JSON.parse(readFileSync(new URL("tests/vectors/errors/wire.json", root), "utf8"));
  const base = defaults();
  const policies = Object.fromEntries(
    Object.entries(doc.policies).map(([name, spec]) => {
      const sources = { ...base, ...(spec.files ?? {}) };
      for (const gone of spec.remove ?? []) delete sources[gone];
      return [name, fromSources(sources, spec.limits)];
    }),
  );
  const codes = new Set();
  for (const c of doc.cases) {
    const policy = policies[c.policy];
    // The few answers that differ by engine by design (a limit's line).
    const want = (policy.engine === "interpreted" && c.expect_error_interpreted) || c.expect_error;
    const customer = c.entry === "customer";
    const single = () => (customer ? policy.evaluateCustomer(c.record, doc.as_of) : policy.evaluateStaff(c.record));
    const batch = () => (customer ? policy.evaluateCustomers([c.record], doc.as_of) : policy.evaluateStaffBatch([c.record]));
    let thrown;
    try {
      single();
    } catch (e) {
      thrown = thrownWire(e);
    }
    assert.equal(canonical(thrown), canonical(want), `${c.name} (single call)`);
    if (want.kind === "policy") {
      // Thrown once by a batch, before any record is read.
      assert.throws(batch, (e) => canonical(thrownWire(e)) === canonical(want), `${c.name} (batch)`);
    } else {
      assert.equal(canonical(batch()), canonical([{ id: want.record_id, error: want }]), `${c.name} (batch)`);
    }
    codes.add(`${want.kind}/${want.code}`);
  }
  assert.equal(codes.size, 8, [...codes].join(", "));
  for (const p of Object.values(policies)) p.free();
});

test("asOf is optional: today's local date from JS", () => {
  const p = fromSources(defaults());
  const d = new Date();
  const today = `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
  assert.equal(p.evaluateCustomer(record).visit.next_due, today);
  assert.equal(p.evaluateCustomers([record])[0].visit.next_due, today);
});

test("an infinite loop and unbounded recursion are rule errors; the module keeps working", () => {
  for (const body of ["  let n = 0;\n  loop { n += 1; }", "  customer(c, as_of, p)"]) {
    const p = fromSources(withFile("customer.rhai", `fn customer(c, as_of, p) {\n${body}\n}\n`));
    for (let k = 0; k < 2; k++) {
      assert.throws(
        () => p.evaluateCustomer(record, "2026-11-01"),
        (e) => e.kind === "rule" && e.file === "customer.rhai" && e.recordId === "C-9" && /sandbox limit/.test(e.message),
      );
    }
    const out = p.evaluateCustomers([record, { id: "C-10", annual_revenue: 1 }], "2026-11-01");
    assert.deepEqual(out.map((r) => r.error?.kind), ["rule", "rule"]);
    p.free();
    stillWorks();
  }
});

test("the deepest program the limits allow ends as a rule error in the shipped module", () => {
  let p = null;
  let depth = 64;
  for (; depth > 1 && !p; depth--) {
    const nested = `${"(1 + ".repeat(depth)}r(n - 1)${")".repeat(depth)}`;
    const text = `fn customer(c, as_of, p) {\n  r(1000)\n}\nfn r(n) {\n  if n == 0 { return 0; }\n  ${nested}\n}\n`;
    try {
      p = fromSources(withFile("customer.rhai", text));
    } catch (e) {
      assert.equal(e.kind, "policy");
    }
  }
  assert.ok(p && depth > 1, `nesting allowed: ${depth}`);
  for (let k = 0; k < 3; k++) {
    assert.throws(() => p.evaluateCustomer(record, "2026-11-01"), (e) => e.kind === "rule");
  }
  stillWorks();
});

test("decimals are exact strings; integers stay numbers", () => {
  const p = fromSources(defaults());
  const staff = JSON.parse(readFileSync(new URL("data/staff.jsonl", root), "utf8").split("\n")[0]);
  const r = p.evaluateStaff(staff);
  assert.equal(r.kpis.archive_completeness, "0.9583333333333333333333333333");
  assert.equal(typeof r.scorecard.total, "string");
  const c = p.evaluateCustomer({ id: "C-1", annual_revenue: "3000000.00", credit_rating: "good", long_term_intent: true, last_visit: "2026-10-20" }, "2026-11-01");
  assert.equal(c.tier, "A");
  assert.equal(c.visit.interval_days, 30);
  // NaN is not silently "missing": the field is named.
  assert.throws(() => p.evaluateCustomer({ id: "C-2", annual_revenue: 1, late_payments: NaN }, "2026-11-01"), (e) => e.field === "late_payments");
});

// The adversarial corpus (tests/attacks/, also replayed from Rust and Python):
// each attack ends as the error its header names, and the module keeps serving.
test("every attack in tests/attacks is contained", () => {
  const dir = new URL("tests/attacks/", root);
  const files = readdirSync(dir).filter((n) => n.endsWith(".rhai")).sort();
  assert.ok(files.length >= 25, `only ${files.length} attacks`);
  const header = (text, key) => text.match(new RegExp(`^// ${key}: (.*)$`, "m"))?.[1];
  for (const name of files) {
    const text = readFileSync(new URL(name, dir), "utf8");
    const expect = header(text, "expect");
    const message = header(text, "message");
    const line = header(text, "line");
    let error;
    try {
      const attacked = fromSources(withFile("customer.rhai", text));
      try {
        attacked.evaluateCustomer({ id: "C-1", annual_revenue: 1200000 }, "2026-11-01");
        assert.fail(`${name}: expected a rule error`);
      } catch (e) {
        error = e;
      } finally {
        attacked.free();
      }
      assert.equal(error.kind, "rule", `${name}: ${error.message}`);
      const kind = error.message.includes("sandbox limit")
        ? "rule.limit"
        : error.field
          ? "rule.shape"
          : "rule.script";
      assert.equal(kind, expect, `${name}: ${error.message}`);
      assert.equal(error.recordId, "C-1", name);
    } catch (e) {
      if (expect !== "policy") throw e;
      error = e;
      assert.equal(error.kind, "policy", `${name}: ${error.message}`);
    }
    assert.equal(error.file, "customer.rhai", `${name}: ${error.message}`);
    if (message) assert.ok(error.message.includes(message), `${name}: ${error.message}`);
    if (line) assert.equal(error.line, Number(line), `${name}: ${error.message}`);
    stillWorks();
  }
});

test("explained() chooses how much of each reason and the language; decisions never change", () => {
  const p = fromSources(defaults());
  assert.equal(p.languages[0], "en");
  assert.ok(p.languages.includes("zh"));
  const records = [
    { id: "C-1", annual_revenue: "5000000", long_term_intent: true, business_need: true, aligned: true, strategic_fit: true },
    { id: "C-2", annual_revenue: "100", incidents: [{ date: "2026-10-20", kind: "late_payment" }], tier: "A" },
  ];
  const strip = (r) => ({ ...r, reasons: undefined });
  const full = p.evaluateCustomers(records, "2026-11-01");
  const zh = p.explained({ lang: "zh" }).evaluateCustomers(records, "2026-11-01");
  const codes = p.explained({ reasons: "codes" }).evaluateCustomers(records, "2026-11-01");
  const none = p.explained({ reasons: "none" }).evaluateCustomers(records, "2026-11-01");
  for (const other of [zh, codes, none]) assert.deepEqual(other.map(strip), full.map(strip));
  for (const [f, c, z] of full.map((r, i) => [r, codes[i], zh[i]])) {
    assert.ok(f.reasons.length > 0);
    assert.deepEqual(
      c.reasons.map((r) => [r.rule, r.code, r.facts]),
      f.reasons.map((r) => [r.rule, r.code, r.facts]),
    );
    assert.ok(c.reasons.every((r) => r.message === null));
    assert.ok(z.reasons.every((r) => /[\u4e00-\u9fff]/.test(r.message)), JSON.stringify(z.reasons));
  }
  assert.ok(none.every((r) => r.reasons.length === 0));
  assert.throws(
    () => p.explained({ lang: "fr" }),
    (e) => e.kind === "argument" && e.message.includes("it has en, zh"),
  );
  assert.throws(() => p.explained({ reasons: "some" }), (e) => e.kind === "argument");
  // The original keeps its settings.
  assert.ok(p.evaluateCustomer(records[0], "2026-11-01").reasons.every((r) => typeof r.message === "string"));
});
