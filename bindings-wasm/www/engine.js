// The scoring engine of the preview page, in a worker: compiling a policy and
// scoring a population never blocks typing, and a rule that runs too long
// (each record may use the sandbox's million operations) is stopped by ending
// the worker. Holds the population, the unedited policy and the latest good
// policy; answers one request at a time, in order.
import init, { Policy, defaultPolicySources } from "../pkg/kam_wasm.js";

let customers = [];
let staff = [];
let unedited = null; // the default policy, for "old" results
let current = null; // the latest policy that compiled

/** A thrown KamError's diagnostics, or one diagnostic made from it. */
function diagnosticsOf(e) {
  if (e && e.name === "KamError") {
    if (Array.isArray(e.diagnostics)) return e.diagnostics;
    return [{ file: e.file ?? "", line: e.line ?? null, column: e.column ?? null, message: e.detail ?? e.message }];
  }
  return [{ file: "", line: null, column: null, message: String(e) }];
}

// The tables show decisions, not reasons: score them without rendering any
// (decisions never depend on it), which is most of the time saved per edit.
function scoreAll(full, asOf) {
  const policy = full.explained({ reasons: "none" });
  try {
    const t0 = performance.now();
    const c = policy.evaluateCustomers(customers, asOf);
    const t1 = performance.now();
    const s = policy.evaluateStaffBatch(staff);
    const t2 = performance.now();
    return { customers: c, staff: s, timings: { customers: t1 - t0, staff: t2 - t1 } };
  } finally {
    policy.free();
  }
}

/** `policy` explaining in `lang`, or in its default language if it has no `lang`. */
function inLanguage(policy, lang) {
  return policy.explained({ lang: policy.languages.includes(lang) ? lang : undefined });
}

const handlers = {
  async init({ module }) {
    await init({ module_or_path: module });
    unedited = Policy.fromSources(defaultPolicySources());
    current = unedited;
    return { sources: defaultPolicySources(), digest: unedited.digest, languages: unedited.languages };
  },

  population(msg) {
    customers = msg.customers;
    staff = msg.staff;
    return { customers: customers.length, staff: staff.length };
  },

  // The unedited policy's results: what edits are compared against.
  baseline({ asOf }) {
    return scoreAll(unedited, asOf);
  },

  // Compile `sources`; if they compile, score the population with them.
  score({ sources, asOf }) {
    const t0 = performance.now();
    let policy;
    try {
      policy = Policy.fromSources(sources);
    } catch (e) {
      return { ok: false, diagnostics: diagnosticsOf(e), timings: { compile: performance.now() - t0 } };
    }
    const compile = performance.now() - t0;
    if (current !== unedited) current.free();
    current = policy;
    const out = scoreAll(policy, asOf);
    return { ok: true, digest: policy.digest, ...out, timings: { compile, ...out.timings } };
  },

  // One customer with the latest good policy, and with the unedited one.
  one({ record, asOf, lang }) {
    const run = (full) => {
      const policy = inLanguage(full, lang);
      try {
        return { result: policy.evaluateCustomer(record, asOf) };
      } catch (e) {
        return { error: { kind: e.kind, message: e.message, field: e.field ?? null } };
      } finally {
        policy.free();
      }
    };
    return { now: run(current), before: run(unedited) };
  },
};

self.onmessage = async ({ data }) => {
  const { id, type } = data;
  try {
    const result = await handlers[type](data);
    self.postMessage({ id, result });
  } catch (e) {
    self.postMessage({ id, failure: String(e && e.stack ? e.stack : e) });
  }
};
