// Generated from kam's declarations (kam::model::docs::typescript); a test fails if this file differs.

/** An exact decimal as text ("2999999.99"): JS numbers would round it. */
export type DecimalString = string;

export interface CustomerResult {
  /** The record's id. */
  id: string;
  /** `active`, or `blacklisted` while a blacklisting lasts. */
  status: "active" | "blacklisted";
  /** One of the policy's tiers, or null (blacklisted). */
  tier: string | null;
  /** The record's `tier`: the previous evaluation's. */
  previous_tier: string | null;
  /** How the tier moved against the previous one. */
  change: "new" | "upgrade" | "downgrade" | "unchanged" | "blacklisted";
  /** When a downgrade must take effect, if there is one. */
  downgrade_deadline: string | null;
  /** Whether the customer is a key account (大客户). */
  key_account: boolean;
  /** Overlapping categories (premium, high value, group, strategic…). */
  categories: string[];
  /** The admission checks and approval chain. */
  admission: Admission;
  /** A proposal to blacklist, or null. */
  blacklist_proposal: BlacklistProposal | null;
  /** The visit cadence, or null when the tier has none. */
  visit: Visit | null;
  /** Every decision explained. */
  reasons: Reason[];
  /** The policy that decided. */
  policy: PolicyInfo;
}

export interface Admission {
  /** True when no check failed. */
  admitted: boolean;
  /** Failed checks, in the policy's order. */
  failed: string[];
  /** Who must approve, in order; empty when not admitted. */
  approvals: string[];
}

export interface BlacklistProposal {
  /** Proposed end of the blacklist. */
  until: string;
  /** Who must confirm it. */
  needs: string[];
}

export interface Visit {
  /** Days between visits (a whole number > 0). */
  interval_days: number;
  /** When the next visit is due. */
  next_due: string;
  /** Whether a visit is already late. */
  overdue: boolean;
}

export interface Reason {
  /** Dotted rule id, e.g. `tier.base`. */
  rule: string;
  /** The explanation, naming inputs and thresholds. */
  message: string;
}

export interface PolicyInfo {
  /** Declared policy name. */
  name: string;
  /** Declared policy version. */
  version: string;
  /** Content hash of every policy file. */
  digest: string;
}

export interface StaffResult {
  /** The record's id. */
  id: string;
  /** The record's month. */
  period: string;
  /** Each KPI as an exact fraction, or null (the reasons say why). */
  kpis: Record<string, DecimalString | null>;
  /** The 100-point scorecard. */
  scorecard: Scorecard;
  /** The grade of the scorecard's total. */
  grade: string;
  /** What the grade brings (a bonus, a warning…). */
  actions: string[];
  /** The composite of the reviews, or null. */
  composite: DecimalString | null;
  /** Every decision explained. */
  reasons: Reason[];
  /** The policy that decided. */
  policy: PolicyInfo;
}

export interface Scorecard {
  /** Sum of the item scores, exactly. */
  total: DecimalString;
  /** Items in the policy's order. */
  items: ScoreItem[];
}

export interface ScoreItem {
  /** Item id, e.g. `sales_completion`. */
  id: string;
  /** The item's maximum (bonus items may exceed it). */
  max: DecimalString;
  /** Points scored, never below 0. */
  score: DecimalString;
  /** What moved the score from its starting value. */
  adjustments: Adjustment[];
}

export interface Adjustment {
  /** Points added (positive) or deducted (negative). */
  points: DecimalString;
  /** Why, naming the inputs and the rule. */
  reason: string;
}

export interface StaffPeriodResult {
  /** The person. */
  id: string;
  /** `2026-Q3` or `2026`. */
  period: string;
  /** Months that had a record, in order. */
  months: string[];
  /** Months of the span without a record. */
  missing_months: string[];
  /** KPIs from the summed inputs of the months present. */
  kpis: Record<string, DecimalString | null>;
  /** Each month's scorecard total, in month order. */
  monthly_totals: DecimalString[];
  /** The period's total (the mean of the monthly totals by default). */
  total: DecimalString;
  /** Grade of the period's total. */
  grade: string;
  /** Actions the grade brings. */
  actions: string[];
  /** Explanations: KPI gaps, missing months, the grade. */
  reasons: Reason[];
  /** Which policy produced it. */
  policy: PolicyInfo;
}
