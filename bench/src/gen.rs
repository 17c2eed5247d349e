//! The benchmark's seeded population: customers spread around every threshold
//! of the default policy, and staff-months over twelve months with every KPI
//! input. The same seed always writes the same bytes, so every path of a run
//! (and every run) scores the same records.
//!
//! Records are valid: the benchmark measures decisions, and every peer must
//! agree with kam on every record (broken records are the tests' business).

use std::fmt::Write as _;
use std::io::{self, Write};

use chrono::{Months, NaiveDate};

/// splitmix64: small, fast and good enough to spread records; no dependency.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `lo..hi` (hi exclusive).
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.next() % (hi - lo) as u64) as i64
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[(self.next() % items.len() as u64) as usize]
    }
}

/// Which file format to write.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Format {
    JsonLines,
    Csv,
}

const CITIES: &[&str] = &[
    "华东", "苏州", "宁波", "广州", "天津", "重庆", "成都", "武汉", "西安", "青岛", "厦门", "深圳",
];
const WORDS: &[&str] = &[
    "精密", "恒通", "海联", "华南", "渤海", "长江", "蓝海", "瑞丰", "中科", "鼎盛", "新元", "宏图",
];
const INDUSTRIES: &[&str] = &[
    "机械制造",
    "电子",
    "贸易",
    "新材料",
    "重工",
    "汽车零部件",
    "医药",
    "食品",
    "物流",
    "软件",
];
const REGIONS: &[&str] = &["华东", "华南", "华北", "西南", "华中", "西北"];
const SURNAMES: &[&str] = &["王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴"];
const GIVEN: &[&str] = &[
    "芳", "强", "伟", "洋", "静", "磊", "敏", "军", "丽", "涛", "婷", "杰",
];
const RATINGS: &[&str] = &["excellent", "good", "fair", "poor", "bad"];
const KINDS: &[&str] = &[
    "late_payment",
    "contract_breach",
    "operating_crisis",
    "major_loss",
    "reputation_damage",
];
const TIERS: &[Option<&str>] = &[Some("A"), Some("B"), Some("C"), Some("D"), None];

/// Writes `n` customers.
pub fn customers(n: u64, seed: u64, format: Format, out: &mut impl Write) -> io::Result<()> {
    let mut rng = Rng::new(seed);
    let as_of = as_of();
    let period_start = as_of - Months::new(12);
    let mut line = String::with_capacity(1024);
    if format == Format::Csv {
        writeln!(out, "{}", CUSTOMER_COLUMNS.join(","))?;
    }
    for i in 0..n {
        line.clear();
        let c = Customer::draw(&mut rng, i, as_of, period_start);
        match format {
            Format::JsonLines => c.json(&mut line),
            Format::Csv => c.csv(&mut line),
        }
        line.push('\n');
        out.write_all(line.as_bytes())?;
    }
    out.flush()
}

/// Writes `n` staff-months: people in id order, each with twelve months.
pub fn staff(n: u64, seed: u64, format: Format, out: &mut impl Write) -> io::Result<()> {
    let mut rng = Rng::new(seed.wrapping_add(1));
    let mut line = String::with_capacity(1024);
    if format == Format::Csv {
        writeln!(out, "{}", STAFF_COLUMNS.join(","))?;
    }
    let mut previous_actual = None;
    let mut person = Person::draw(&mut rng, 0);
    for i in 0..n {
        let month = (i % 12) as u32 + 1;
        if month == 1 && i > 0 {
            person = Person::draw(&mut rng, i / 12);
            previous_actual = None;
        }
        line.clear();
        let s = StaffMonth::draw(&mut rng, &person, month, previous_actual);
        previous_actual = Some(s.sales_actual);
        match format {
            Format::JsonLines => s.json(&mut line),
            Format::Csv => s.csv(&mut line),
        }
        line.push('\n');
        out.write_all(line.as_bytes())?;
    }
    out.flush()
}

/// The evaluation date of every benchmark run (kept in step with driver.py).
pub fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 1).unwrap_or_default()
}

/// An amount in cents, written as an exact JSON number (`2999999.99`, `3000000`).
fn money(out: &mut String, cents: i64) {
    let _ = if cents % 100 == 0 {
        write!(out, "{}", cents / 100)
    } else {
        write!(out, "{}.{:02}", cents / 100, cents % 100)
    };
}

/// An amount near one of the thresholds (in yuan): exactly at it, a cent
/// below or above, or within ±5%.
fn near(rng: &mut Rng, threshold: i64) -> i64 {
    let t = threshold * 100;
    match rng.range(0, 5) {
        0 => t,
        1 => t - 1,
        2 => t + 1,
        _ => t + rng.range(-t / 20, t / 20),
    }
}

struct Customer {
    id: u64,
    name: String,
    industry: &'static str,
    scale: Option<&'static str>,
    relationship: Option<&'static str>,
    annual: i64,
    cumulative: Option<i64>,
    largest: i64,
    late_payments: i64,
    overdue_pickups: i64,
    credit: Option<&'static str>,
    legal_disputes: i64,
    flags: [(&'static str, bool); 7],
    referrals: i64,
    tier: Option<&'static str>,
    blacklisted_until: Option<NaiveDate>,
    incidents: Vec<(NaiveDate, &'static str)>,
    last_visit: Option<NaiveDate>,
    region: &'static str,
    owner: String,
}

const CUSTOMER_COLUMNS: &[&str] = &[
    "id",
    "name",
    "industry",
    "scale",
    "relationship",
    "annual_revenue",
    "cumulative_revenue",
    "largest_contract",
    "late_payments",
    "overdue_pickups",
    "credit_rating",
    "legal_disputes",
    "bad_credit_record",
    "business_need",
    "aligned",
    "strategic_fit",
    "long_term_intent",
    "industry_influence",
    "group_member",
    "referrals_closed",
    "tier",
    "blacklisted_until",
    "last_visit",
    "incidents",
    "attributes",
];

impl Customer {
    fn draw(rng: &mut Rng, i: u64, as_of: NaiveDate, period_start: NaiveDate) -> Customer {
        let annual = match rng.range(0, 10) {
            0 => near(rng, 500_000),
            1 => near(rng, 1_000_000),
            2 | 3 => near(rng, 3_000_000),
            4 => rng.range(0, 50_000_000),
            5 => rng.range(50_000_000, 100_000_000),
            6 | 7 => rng.range(100_000_000, 300_000_000),
            _ => rng.range(300_000_000, 2_000_000_000),
        };
        let cumulative = match rng.range(0, 6) {
            0 => None,
            1 => Some(near(rng, 10_000_000)),
            _ => Some(annual * rng.range(1, 8)),
        };
        let largest = if rng.chance(10) {
            near(rng, 10_000_000)
        } else {
            annual / rng.range(2, 6)
        };
        let incidents = (0..rng.pick(&[0, 0, 0, 0, 1, 1, 2, 3]))
            .map(|_| {
                // Around the period's start and end as well as inside it.
                let date = match rng.range(0, 6) {
                    0 => period_start + chrono::Days::new(rng.range(0, 2) as u64),
                    1 => as_of - chrono::Days::new(rng.range(0, 2) as u64),
                    _ => as_of - chrono::Days::new(rng.range(0, 420) as u64),
                };
                (date, rng.pick(KINDS))
            })
            .collect();
        let tier = rng.pick(TIERS);
        let blacklisted_until = match rng.range(0, 20) {
            0 => Some(shift(as_of, rng.range(1, 200))),
            1 => Some(shift(as_of, -rng.range(1, 200))),
            2 if rng.chance(30) => Some(as_of),
            _ => None,
        };
        let last_visit = match rng.range(0, 10) {
            0..=2 => None,
            3 => Some(shift(as_of, -rng.pick(&[29, 30, 31, 59, 60, 61]))),
            _ => Some(shift(as_of, -rng.range(0, 120))),
        };
        let credit = if rng.chance(5) {
            None
        } else {
            Some(rng.pick(RATINGS))
        };
        let small = |rng: &mut Rng, weights: &[i64]| rng.pick(weights);
        Customer {
            id: i,
            name: format!(
                "{}{}{}有限公司",
                rng.pick(CITIES),
                rng.pick(WORDS),
                rng.pick(INDUSTRIES)
            ),
            industry: rng.pick(INDUSTRIES),
            scale: rng.pick(&[Some("large"), Some("medium"), Some("small"), None]),
            relationship: rng.pick(&[
                Some("vendor"),
                Some("preferred_supplier"),
                Some("partner"),
                Some("strategic_alliance"),
                None,
            ]),
            annual,
            cumulative,
            largest,
            late_payments: small(rng, &[0, 0, 0, 0, 0, 1, 3]),
            overdue_pickups: small(rng, &[0, 0, 0, 0, 0, 0, 1]),
            credit,
            legal_disputes: small(rng, &[0, 0, 0, 0, 0, 0, 0, 1, 2]),
            flags: [
                ("bad_credit_record", rng.chance(5)),
                ("business_need", rng.chance(80)),
                ("aligned", rng.chance(80)),
                ("strategic_fit", rng.chance(70)),
                ("long_term_intent", rng.chance(70)),
                ("industry_influence", rng.chance(10)),
                ("group_member", rng.chance(15)),
            ],
            referrals: small(rng, &[0, 0, 0, 0, 1, 2]),
            tier,
            blacklisted_until,
            incidents,
            last_visit,
            region: rng.pick(REGIONS),
            owner: format!("{}{}", rng.pick(SURNAMES), rng.pick(GIVEN)),
        }
    }

    fn json(&self, out: &mut String) {
        let _ = write!(
            out,
            r#"{{"id":"C-{:07}","name":"{}","industry":"{}""#,
            self.id, self.name, self.industry
        );
        opt_text(out, "scale", self.scale);
        opt_text(out, "relationship", self.relationship);
        out.push_str(r#","annual_revenue":"#);
        money(out, self.annual);
        if let Some(c) = self.cumulative {
            out.push_str(r#","cumulative_revenue":"#);
            money(out, c);
        }
        out.push_str(r#","largest_contract":"#);
        money(out, self.largest);
        let _ = write!(
            out,
            r#","late_payments":{},"overdue_pickups":{}"#,
            self.late_payments, self.overdue_pickups
        );
        if let Some(c) = self.credit {
            let _ = write!(out, r#","credit_rating":"{c}""#);
        }
        let _ = write!(out, r#","legal_disputes":{}"#, self.legal_disputes);
        for (name, value) in self.flags {
            let _ = write!(out, r#","{name}":{value}"#);
        }
        let _ = write!(out, r#","referrals_closed":{}"#, self.referrals);
        opt_text(out, "tier", self.tier);
        opt_date(out, "blacklisted_until", self.blacklisted_until);
        opt_date(out, "last_visit", self.last_visit);
        out.push_str(r#","incidents":"#);
        self.incidents_json(out);
        let _ = write!(
            out,
            r#","attributes":{{"region":"{}","owner":"{}"}}}}"#,
            self.region, self.owner
        );
    }

    fn incidents_json(&self, out: &mut String) {
        out.push('[');
        for (k, (date, kind)) in self.incidents.iter().enumerate() {
            if k > 0 {
                out.push(',');
            }
            let _ = write!(out, r#"{{"date":"{date}","kind":"{kind}"}}"#);
        }
        out.push(']');
    }

    /// The same record as a CSV row (the columns of `CUSTOMER_COLUMNS`;
    /// incidents and attributes as JSON text, as a CRM export has them).
    fn csv(&self, out: &mut String) {
        let _ = write!(
            out,
            "C-{:07},{},{},{},{},",
            self.id,
            self.name,
            self.industry,
            self.scale.unwrap_or(""),
            self.relationship.unwrap_or("")
        );
        money(out, self.annual);
        out.push(',');
        if let Some(c) = self.cumulative {
            money(out, c);
        }
        out.push(',');
        money(out, self.largest);
        let _ = write!(
            out,
            ",{},{},{},{}",
            self.late_payments,
            self.overdue_pickups,
            self.credit.unwrap_or(""),
            self.legal_disputes
        );
        for (_, value) in self.flags {
            let _ = write!(out, ",{value}");
        }
        let _ = write!(
            out,
            ",{},{},{},{},",
            self.referrals,
            self.tier.unwrap_or(""),
            self.blacklisted_until
                .map(|d| d.to_string())
                .unwrap_or_default(),
            self.last_visit.map(|d| d.to_string()).unwrap_or_default()
        );
        if !self.incidents.is_empty() {
            let mut json = String::new();
            self.incidents_json(&mut json);
            csv_quoted(out, &json);
        }
        out.push(',');
        csv_quoted(
            out,
            &format!(r#"{{"region":"{}","owner":"{}"}}"#, self.region, self.owner),
        );
    }
}

fn shift(date: NaiveDate, days: i64) -> NaiveDate {
    date + chrono::TimeDelta::days(days)
}

fn opt_text(out: &mut String, name: &str, value: Option<&str>) {
    match value {
        Some(v) => {
            let _ = write!(out, r#","{name}":"{v}""#);
        }
        None => {
            let _ = write!(out, r#","{name}":null"#);
        }
    }
}

fn opt_date(out: &mut String, name: &str, value: Option<NaiveDate>) {
    match value {
        Some(v) => {
            let _ = write!(out, r#","{name}":"{v}""#);
        }
        None => {
            let _ = write!(out, r#","{name}":null"#);
        }
    }
}

fn csv_quoted(out: &mut String, text: &str) {
    out.push('"');
    out.push_str(&text.replace('"', "\"\""));
    out.push('"');
}

struct Person {
    id: u64,
    name: String,
    role: &'static str,
    region: &'static str,
    /// The person's usual monthly target, in cents.
    target: i64,
}

impl Person {
    fn draw(rng: &mut Rng, id: u64) -> Person {
        Person {
            id,
            name: format!("{}{}", rng.pick(SURNAMES), rng.pick(GIVEN)),
            role: rng.pick(&["director", "manager", "specialist", "representative"]),
            region: rng.pick(REGIONS),
            target: rng.range(50, 500) * 1_000_000,
        }
    }
}

struct StaffMonth<'a> {
    person: &'a Person,
    month: u32,
    sales_target: i64,
    sales_actual: i64,
    sales_previous: Option<i64>,
    counts: [(&'static str, i64); 7],
    market_info: &'static str,
    teamwork: &'static str,
    knowledge: Vec<&'static str>,
    analysis: &'static str,
    communication: &'static str,
    responsibility: &'static str,
    inputs: [(&'static str, Option<i64>); 10],
    reviews: Option<[i64; 3]>,
}

const STAFF_COLUMNS: &[&str] = &[
    "id",
    "name",
    "role",
    "period",
    "sales_target",
    "sales_actual",
    "sales_previous",
    "new_customers_target",
    "new_customers_actual",
    "days_present",
    "late_arrivals",
    "unreported_field_days",
    "violations",
    "complaints",
    "ratings",
    "contracts_settled",
    "settlement_planned",
    "collected",
    "collectible",
    "expenses",
    "expense_budget",
    "accounts_start",
    "accounts_lost",
    "archives_complete",
    "archives_total",
    "reviews",
    "attributes",
];

/// Scores on the 0-10 scale, halves included.
const TEN: &[&str] = &["10", "9.5", "9", "8.5", "8", "7", "6", "5", "3", "0"];

impl<'a> StaffMonth<'a> {
    fn draw(
        rng: &mut Rng,
        person: &'a Person,
        month: u32,
        previous: Option<i64>,
    ) -> StaffMonth<'a> {
        let target = person.target + rng.range(-10, 11) * 100_000;
        // Completion around every 5% step, exactly on some.
        let actual = if rng.chance(30) {
            target * rng.range(12, 29) / 20
        } else {
            target * rng.range(600, 1400) / 1000 + rng.range(-99, 100)
        };
        let days = days_in_month(2026, month);
        let days_present = (days - 4 - rng.pick(&[0, 0, 0, 0, 1, 2, 3]) + rng.range(0, 3)).max(0);
        let new_target = rng.range(0, 6);
        let planned = rng.range(0, 20) * 10_000_000;
        let collectible = rng.range(0, 20) * 10_000_000;
        let budget = rng.range(0, 30) * 1_000_000;
        let accounts = rng.range(0, 40);
        let archives = rng.range(0, 40);
        let settled = planned * rng.range(70, 110) / 100;
        let collected = collectible * rng.range(60, 101) / 100;
        let expenses = budget * rng.range(80, 120) / 100;
        let lost = rng.range(0, accounts / 5 + 1);
        let complete = archives - rng.range(0, archives / 4 + 1);
        // About one input in twelve is not reported (its KPI is null with a reason).
        let mut maybe = |v: i64| if rng.chance(8) { None } else { Some(v) };
        let inputs = [
            ("contracts_settled", maybe(settled)),
            ("settlement_planned", maybe(planned)),
            ("collected", maybe(collected)),
            ("collectible", maybe(collectible)),
            ("expenses", maybe(expenses)),
            ("expense_budget", maybe(budget)),
            ("accounts_start", maybe(accounts)),
            ("accounts_lost", maybe(lost)),
            ("archives_complete", maybe(complete)),
            ("archives_total", maybe(archives)),
        ];
        let knowledge = ["products", "industry", "role", "expert"]
            .into_iter()
            .filter(|_| rng.chance(65))
            .collect();
        StaffMonth {
            person,
            month,
            sales_target: target,
            sales_actual: actual.max(0),
            sales_previous: previous,
            counts: [
                ("new_customers_target", new_target),
                ("new_customers_actual", rng.range(0, 9)),
                ("days_present", days_present.min(days)),
                ("late_arrivals", rng.pick(&[0, 0, 0, 1, 2, 3, 4, 7])),
                (
                    "unreported_field_days",
                    rng.pick(&[0, 0, 0, 0, 2, 5, 6, 8, 9, 12]),
                ),
                ("violations", rng.pick(&[0, 0, 0, 0, 0, 0, 1, 3])),
                ("complaints", rng.pick(&[0, 0, 0, 0, 0, 0, 0, 1, 2])),
            ],
            market_info: rng.pick(TEN),
            teamwork: rng.pick(TEN),
            knowledge,
            analysis: rng.pick(&["strong", "fairly_strong", "average", "weak"]),
            communication: rng.pick(&["flexible", "resolves_conflict", "persuasive", "clear"]),
            responsibility: rng.pick(&["5", "4.5", "3", "2.5", "2", "1", "0"]),
            inputs,
            reviews: if rng.chance(50) {
                Some([rng.range(50, 101), rng.range(40, 101), rng.range(30, 101)])
            } else {
                None
            },
        }
    }

    fn ratings_json(&self, out: &mut String) {
        let _ = write!(
            out,
            r#"{{"market_info":{},"teamwork":{},"knowledge":["#,
            self.market_info, self.teamwork
        );
        for (k, item) in self.knowledge.iter().enumerate() {
            let _ = write!(out, r#"{}"{item}""#, if k > 0 { "," } else { "" });
        }
        let _ = write!(
            out,
            r#"],"analysis":"{}","communication":"{}","responsibility":{}}}"#,
            self.analysis, self.communication, self.responsibility
        );
    }

    fn reviews_json(&self, out: &mut String) {
        if let Some([a, b, c]) = self.reviews {
            let _ = write!(out, r#"{{"self":{a},"supervisor":{b},"customer":{c}}}"#);
        }
    }

    fn amount(out: &mut String, name: &str, value: Option<i64>) {
        match value {
            Some(v) if name.starts_with("accounts") || name.starts_with("archives") => {
                let _ = write!(out, "{v}");
            }
            Some(v) => money(out, v),
            None if out.ends_with(':') => out.push_str("null"),
            None => {}
        }
    }

    fn json(&self, out: &mut String) {
        let p = self.person;
        let _ = write!(
            out,
            r#"{{"id":"S-{:06}","name":"{}","role":"{}","period":"2026-{:02}","sales_target":"#,
            p.id, p.name, p.role, self.month
        );
        money(out, self.sales_target);
        out.push_str(r#","sales_actual":"#);
        money(out, self.sales_actual);
        out.push_str(r#","sales_previous":"#);
        Self::amount(out, "sales_previous", self.sales_previous);
        for (name, v) in self.counts {
            let _ = write!(out, r#","{name}":{v}"#);
        }
        out.push_str(r#","ratings":"#);
        self.ratings_json(out);
        for (name, v) in self.inputs {
            let _ = write!(out, r#","{name}":"#);
            Self::amount(out, name, v);
        }
        out.push_str(r#","reviews":"#);
        if self.reviews.is_some() {
            self.reviews_json(out);
        } else {
            out.push_str("null");
        }
        let _ = write!(
            out,
            r#","attributes":{{"region":"{}","team":"KA{}组"}}}}"#,
            p.region,
            p.id % 9 + 1
        );
    }

    fn csv(&self, out: &mut String) {
        let p = self.person;
        let _ = write!(
            out,
            "S-{:06},{},{},2026-{:02},",
            p.id, p.name, p.role, self.month
        );
        money(out, self.sales_target);
        out.push(',');
        money(out, self.sales_actual);
        out.push(',');
        Self::amount(out, "sales_previous", self.sales_previous);
        for (_, v) in self.counts {
            let _ = write!(out, ",{v}");
        }
        out.push(',');
        let mut json = String::new();
        self.ratings_json(&mut json);
        csv_quoted(out, &json);
        for (name, v) in self.inputs {
            out.push(',');
            Self::amount(out, name, v);
        }
        out.push(',');
        if self.reviews.is_some() {
            json.clear();
            self.reviews_json(&mut json);
            csv_quoted(out, &json);
        }
        out.push(',');
        csv_quoted(
            out,
            &format!(
                r#"{{"region":"{}","team":"KA{}组"}}"#,
                p.region,
                p.id % 9 + 1
            ),
        );
    }
}

fn days_in_month(year: i32, month: u32) -> i64 {
    let first = NaiveDate::from_ymd_opt(year, month, 1).unwrap_or_default();
    let next = first + Months::new(1);
    (next - first).num_days()
}
