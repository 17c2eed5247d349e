// Generated from kam's declarations (kam::model::docs::typescript); a test fails if this file differs.

/** An exact decimal as text ("2999999.99"): JS numbers would round it. */
export type DecimalString = string;

/** A fact of a reason: text (a date is `YYYY-MM-DD`), a number (a decimal is exact text), true/false, null or a list. */
export type Fact = string | number | boolean | null | Fact[];

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
  /** Which outcome, stable across languages and policy edits, e.g. `tier.base.reaches`. */
  code: string;
  /** The exact values that decided it (revenue, threshold, dates…). */
  facts: Record<string, Fact>;
  /** The code's template rendered with the facts in the chosen language; null when the output asks for codes only. */
  message: string | null;
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
  /** Which adjustment, e.g. `scorecard.attendance.late`. */
  code: string;
  /** The exact values that decided it. */
  facts: Record<string, Fact>;
  /** The code's template rendered with the facts; null for codes only. */
  message: string | null;
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

export interface CustomerRecord {
  /** The CRM's customer id. Accepts string, non-empty, no surrounding spaces. */
  id: string;
  /** Company name. Accepts string. */
  name?: string | null;
  /** 行业: the industry, free text. Accepts string. */
  industry?: string | null;
  /** 规模: company size. Accepts `large`/`medium`/`small`. */
  scale?: "large" | "medium" | "small" | null;
  /** Which of the four relationship types the customer has with us. Accepts `vendor`/`preferred_supplier`/`partner`/`strategic_alliance`. */
  relationship?: "vendor" | "preferred_supplier" | "partner" | "strategic_alliance" | null;
  /** 业务量: business with us over the last 12 months, in yuan. Accepts money ≥ 0. */
  annual_revenue: DecimalString | number;
  /** 累计消耗: all business with us so far. Accepts money ≥ 0. */
  cumulative_revenue?: DecimalString | number | null;
  /** 单一合同: the largest single contract. Accepts money ≥ 0. */
  largest_contract?: DecimalString | number | null;
  /** 滞期付款: late payments in the evaluation period. Accepts int ≥ 0. */
  late_payments?: number | null;
  /** 逾期未提货: goods not collected on time in the evaluation period. Accepts int ≥ 0. */
  overdue_pickups?: number | null;
  /** 信用: 很好/好/一般/差/很差. Accepts `excellent`/`good`/`fair`/`poor`/`bad`. */
  credit_rating?: "excellent" | "good" | "fair" | "poor" | "bad" | null;
  /** 重大法律纠纷: major legal disputes. Accepts int ≥ 0. */
  legal_disputes?: number | null;
  /** 不良信用记录: a bad credit record on file. Accepts bool. */
  bad_credit_record?: boolean | null;
  /** A clear need for what we sell, and the means to buy it. Accepts bool. */
  business_need?: boolean | null;
  /** Accepts our product and service philosophy. Accepts bool. */
  aligned?: boolean | null;
  /** Fits our market strategy and has potential. Accepts bool. */
  strategic_fit?: boolean | null;
  /** Wants a long-term partnership. Accepts bool. */
  long_term_intent?: boolean | null;
  /** 行业影响力: influence in its industry, a reference for others. Accepts bool. */
  industry_influence?: boolean | null;
  /** 集团客户: part of a group account. Accepts bool. */
  group_member?: boolean | null;
  /** Customers it referred to us who signed. Accepts int ≥ 0. */
  referrals_closed?: number | null;
  /** The tier from the previous evaluation (one of the policy's tiers); null for a new customer. Accepts string. */
  tier?: string | null;
  /** 黑名单: when the customer's blacklisting ends. Accepts date. */
  blacklisted_until?: string | null;
  /** Dated incidents (late payments, breaches, losses…) that drive downgrades and blacklisting. Accepts list of `{date, kind}`. */
  incidents?: Incident[] | null;
  /** 拜访: the last visit. Accepts date. */
  last_visit?: string | null;
  /** Free-form fields a CRM adds, visible to rules as `c.attributes`. Accepts object. */
  attributes?: Record<string, unknown> | null;
}

export interface Incident {
  /** When it happened. Accepts date. */
  date: string;
  /** What happened. Accepts `late_payment`/`contract_breach`/`operating_crisis`/`major_loss`/`reputation_damage`. */
  kind: "late_payment" | "contract_breach" | "operating_crisis" | "major_loss" | "reputation_damage";
}

export interface StaffRecord {
  /** The person's id. Accepts string, non-empty, no surrounding spaces. */
  id: string;
  /** The person's name. Accepts string. */
  name?: string | null;
  /** 大客户总监/经理/专员, KA 业务代表. Accepts `director`/`manager`/`specialist`/`representative`. */
  role: "director" | "manager" | "specialist" | "representative";
  /** The month scored. Accepts month `YYYY-MM`. */
  period: string;
  /** 计划完成销售额: the month's sales target. Accepts money > 0. */
  sales_target: DecimalString | number;
  /** 实际完成销售额: sales achieved. Accepts money ≥ 0. */
  sales_actual: DecimalString | number;
  /** The previous period's sales (for growth), or null. Accepts money ≥ 0. */
  sales_previous?: DecimalString | number | null;
  /** 新客户开发: new customers planned. Accepts int ≥ 0. */
  new_customers_target?: number | null;
  /** New customers won. Accepts int ≥ 0. */
  new_customers_actual?: number | null;
  /** Days at work this month (at most the month's days). Accepts int ≥ 0. */
  days_present: number;
  /** 迟到: late arrivals. Accepts int ≥ 0. */
  late_arrivals?: number | null;
  /** 不来公司报道直接下市场: days in the field without reporting in first. Accepts int ≥ 0. */
  unreported_field_days?: number | null;
  /** 违反公司管理制度: breaches of company rules. Accepts int ≥ 0. */
  violations?: number | null;
  /** 客户投诉: valid customer complaints. Accepts int ≥ 0. */
  complaints?: number | null;
  /** The supervisor's ratings. Accepts `{market_info, teamwork, knowledge, analysis, communication, responsibility}`. */
  ratings: Ratings;
  /** Contracts settled (department KPI input). Accepts money ≥ 0. */
  contracts_settled?: DecimalString | number | null;
  /** Settlements planned (department KPI input). Accepts money ≥ 0. */
  settlement_planned?: DecimalString | number | null;
  /** Money collected (department KPI input). Accepts money ≥ 0. */
  collected?: DecimalString | number | null;
  /** Money due to be collected (department KPI input). Accepts money ≥ 0. */
  collectible?: DecimalString | number | null;
  /** Expenses (department KPI input). Accepts money ≥ 0. */
  expenses?: DecimalString | number | null;
  /** The expense budget (department KPI input). Accepts money ≥ 0. */
  expense_budget?: DecimalString | number | null;
  /** Accounts at the start of the month (department KPI input). Accepts int ≥ 0. */
  accounts_start?: number | null;
  /** Accounts lost (department KPI input). Accepts int ≥ 0. */
  accounts_lost?: number | null;
  /** Customer archives complete (department KPI input). Accepts int ≥ 0. */
  archives_complete?: number | null;
  /** Customer archives in all (department KPI input). Accepts int ≥ 0. */
  archives_total?: number | null;
  /** 自评 / 上级评价 / 客户评价, or null. Accepts `{self, supervisor, customer}`. */
  reviews?: Reviews | null;
  /** Free-form fields a CRM adds, visible to rules as `s.attributes`. Accepts object. */
  attributes?: Record<string, unknown> | null;
}

export interface Ratings {
  /** 市场信息收集: gathering market information. Accepts number 0–10. */
  market_info: DecimalString | number;
  /** 团队协作: teamwork. Accepts number 0–10. */
  teamwork: DecimalString | number;
  /** 专业知识: the knowledge criteria met. Accepts list of `products`/`industry`/`role`/`expert`, no repeats. */
  knowledge: ("products" | "industry" | "role" | "expert")[];
  /** 分析判断能力: analysis and judgement. Accepts `strong`/`fairly_strong`/`average`/`weak`. */
  analysis: "strong" | "fairly_strong" | "average" | "weak";
  /** 沟通能力: communication. Accepts `flexible`/`resolves_conflict`/`persuasive`/`clear`. */
  communication: "flexible" | "resolves_conflict" | "persuasive" | "clear";
  /** 责任感: sense of responsibility. Accepts 5, 4.5, or number 0–3. */
  responsibility: DecimalString | number;
}

export interface Reviews {
  /** 自评: the person's own review. Accepts number 0–100. */
  self: DecimalString | number;
  /** 上级评价: the supervisor's review. Accepts number 0–100. */
  supervisor: DecimalString | number;
  /** 客户评价: the customers' review. Accepts number 0–100. */
  customer: DecimalString | number;
}
