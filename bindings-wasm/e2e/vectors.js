// Replays the shared vectors (tests/vectors/*.json) through the JS API, in
// Node (node.test.js) and in Chromium (page.test.js), comparing exactly.
//
// JSON.parse would round the vectors' 28-digit decimals, so the files are
// read with a small parser that keeps every number's text; a result's
// decimal strings must equal that text exactly. Plain ES module, no
// dependencies, so a browser can import it as is.

/** A JSON number kept as its exact text. */
export class Num {
  constructor(text) {
    this.text = text;
  }
}

/** JSON.parse, except that numbers become `Num`s holding their exact text. */
export function parseExact(text) {
  let i = 0;
  const fail = (what) => {
    throw new SyntaxError(`${what} at offset ${i}`);
  };
  const ws = () => {
    while (i < text.length && " \t\n\r".includes(text[i])) i++;
  };
  const value = () => {
    ws();
    const c = text[i];
    if (c === "{") {
      i++;
      const obj = {};
      ws();
      if (text[i] === "}") return i++, obj;
      for (;;) {
        ws();
        const key = string();
        ws();
        if (text[i++] !== ":") fail("expected ':'");
        obj[key] = value();
        ws();
        if (text[i] === ",") i++;
        else if (text[i] === "}") return i++, obj;
        else fail("expected ',' or '}'");
      }
    }
    if (c === "[") {
      i++;
      const arr = [];
      ws();
      if (text[i] === "]") return i++, arr;
      for (;;) {
        arr.push(value());
        ws();
        if (text[i] === ",") i++;
        else if (text[i] === "]") return i++, arr;
        else fail("expected ',' or ']'");
      }
    }
    if (c === '"') return string();
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (m) return (i += m[0].length), new Num(m[0]);
    for (const [word, v] of [["true", true], ["false", false], ["null", null]]) {
      if (text.startsWith(word, i)) return (i += word.length), v;
    }
    fail("unexpected character");
  };
  const string = () => {
    if (text[i] !== '"') fail("expected a string");
    const start = i++;
    while (text[i] !== '"') {
      if (i >= text.length) fail("unterminated string");
      i += text[i] === "\\" ? 2 : 1;
    }
    i++;
    return JSON.parse(text.slice(start, i));
  };
  const v = value();
  ws();
  if (i !== text.length) fail("trailing text");
  return v;
}

/** A parsed vector record as a JS object; throws if JS cannot hold a number exactly. */
export function toJs(v) {
  if (v instanceof Num) {
    const n = Number(v.text);
    if (String(n) !== v.text) throw new Error(`${v.text} is not exact as a JS number`);
    return n;
  }
  if (Array.isArray(v)) return v.map(toJs);
  if (v && typeof v === "object") {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toJs(x)]));
  }
  return v;
}

/**
 * Exact equality of an expectation (numbers as `Num`) and a binding value
 * (decimals as strings, integers as numbers): the same keys, and every
 * number's text equal to the string or number given.
 */
export function same(want, got) {
  if (want instanceof Num) {
    return (typeof got === "string" || typeof got === "number") && String(got) === want.text;
  }
  if (Array.isArray(want)) {
    return Array.isArray(got) && got.length === want.length && want.every((w, k) => same(w, got[k]));
  }
  if (want && typeof want === "object") {
    if (!got || typeof got !== "object" || Array.isArray(got)) return false;
    const keys = Object.keys(want);
    return keys.length === Object.keys(got).length && keys.every((k) => k in got && same(want[k], got[k]));
  }
  return want === got;
}

/**
 * A thrown KamError's wire form (`e.wire`, the shape of a vector's
 * `expect_error`), after checking that its own properties say the same:
 * `kind`, `code`, `recordId`, `field`, `detail` and, where the wire form has
 * them, `file`, `line`, `column`.
 */
export function thrownWire(e) {
  if (!(e instanceof Error) || e.name !== "KamError") throw e;
  const w = e.wire;
  if (!w || typeof w !== "object") throw new Error(`KamError without wire: ${e.message}`);
  const props = { kind: "kind", code: "code", recordId: "record_id", field: "field", detail: "message" };
  for (const k of ["file", "line", "column"]) if (k in w) props[k] = k;
  for (const [prop, key] of Object.entries(props)) {
    if (e[prop] !== w[key]) throw new Error(`KamError.${prop} is ${e[prop]} but wire.${key} is ${w[key]}`);
  }
  return w;
}

/**
 * Runs every case of every vector file through `kam` (the module's exports)
 * one by one and in batches, with `engine` (default: the module's default,
 * the compiler). `files` is `[{name, text}]`. Returns
 * `{checked, mismatches}`; a mismatch is a string saying want and got.
 */
export function checkVectors(kam, files, engine) {
  const loaded = kam.Policy.fromSources(kam.defaultPolicySources());
  const policy = engine ? loaded.withEngine(engine) : loaded;
  if (policy !== loaded) loaded.free();
  if (policy.engine !== (engine ?? "compiled")) throw new Error(`the vectors run ${policy.engine}, not ${engine}`);
  const mismatches = [];
  let checked = 0;
  const show = (v) => JSON.stringify(v, (_k, x) => (x instanceof Num ? x.text : x));
  try {
    for (const { name, text } of files) {
      const doc = parseExact(text);
      const batches = new Map();
      for (const c of doc.cases) {
        const asOf = c.as_of ?? doc.as_of;
        const record = toJs(c.record);
        const isError = "expect_error" in c;
        const want = isError ? c.expect_error : c.expect;
        let got;
        try {
          got =
            doc.entry === "customer" ? policy.evaluateCustomer(record, asOf) : policy.evaluateStaff(record);
          if (got.policy?.digest !== policy.digest) mismatches.push(`${name}: ${c.name}: wrong policy digest`);
          delete got.policy;
        } catch (e) {
          got = { thrown: thrownWire(e) };
        }
        const ok = isError
          ? got.thrown !== undefined && same(want, got.thrown)
          : got.thrown === undefined && same(want, got);
        if (!ok) mismatches.push(`${name}: ${c.name}\n  want ${show(want)}\n  got  ${show(got)}`);
        checked++;
        const key = doc.entry === "customer" ? asOf : "";
        if (!batches.has(key)) batches.set(key, []);
        batches.get(key).push({ c, record, want, isError });
      }
      for (const [asOf, group] of batches) {
        const records = group.map((g) => g.record);
        const out =
          doc.entry === "customer" ? policy.evaluateCustomers(records, asOf) : policy.evaluateStaffBatch(records);
        group.forEach(({ c, record, want, isError }, k) => {
          const got = out[k];
          let ok;
          if (isError) {
            ok = got.error !== undefined && same(want, got.error) && got.id === want.record_id;
          } else {
            const { policy: _p, ...rest } = got;
            ok = got.error === undefined && same(want, rest);
          }
          if (!ok) mismatches.push(`${name} (batch): ${c.name}\n  want ${show(want)}\n  got  ${show(got)}`);
        });
      }
    }
  } finally {
    policy.free();
  }
  return { checked, mismatches };
}
