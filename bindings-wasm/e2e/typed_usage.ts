// Type-checked (never run) against pkg-node/kam_wasm.d.ts by ../test.sh:
// the declarations generated from kam's record and result declarations must
// describe what a TypeScript caller writes and reads.
import * as kam from "../pkg-node/kam_wasm.js";

const policy: kam.Policy = kam.Policy.fromSources(kam.defaultPolicySources());
const record: kam.CustomerRecord = {
  id: "C-1",
  annual_revenue: "2999999.99",
  credit_rating: "good",
  incidents: [{ date: "2026-10-01", kind: "late_payment" }],
  last_visit: null,
};
const r: kam.CustomerResult = policy.evaluateCustomer(record, "2026-11-01");
const tier: string | null = r.tier;
const due: string | undefined = r.visit?.next_due;
const codes: string[] = r.reasons.map((x: kam.Reason) => x.code);
const message: string | null = r.reasons[0]?.message ?? null;
const fact: kam.Fact | undefined = r.reasons[0]?.facts["revenue"];

const zh: kam.Policy = policy.explained({ lang: "zh", reasons: "codes" });
const staff: kam.StaffRecord = {
  id: "S-1",
  role: "manager",
  period: "2026-09",
  sales_target: 1000000,
  sales_actual: "930000",
  days_present: 26,
  ratings: {
    market_info: 8,
    teamwork: "9.5",
    knowledge: ["products"],
    analysis: "strong",
    communication: "clear",
    responsibility: 5,
  },
};
const s: kam.StaffResult = zh.evaluateStaff(staff);
const total: kam.DecimalString = s.scorecard.total;
const points: kam.DecimalString[] = s.scorecard.items.flatMap((i) => i.adjustments.map((a) => a.points));

// @ts-expect-error: a choice field takes only its names.
const wrong: kam.CustomerRecord = { id: "C-2", annual_revenue: 1, credit_rating: "superb" };

export { tier, due, codes, message, fact, total, points, wrong };
