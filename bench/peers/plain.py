"""The default kam policy as an analyst would write it: plain Python, one record at a time.

A benchmark peer, not product code. It duplicates rules/*.rhai on purpose, in
ordinary Python 3.11 with only the standard library, and gives exactly kam's
answers: the same tiers, scores and dates, and every reason's rule and English
message and every adjustment's message byte for byte (`bench/peers/agree.py`
judges that; kam's reasons also carry a code and facts, which this peer does not
compute: the comparison leaves them out).

    customer(rec, as_of) -> dict   kam's customer result, without "policy"
    staff(rec) -> dict             kam's staff result, without "policy"
    base_tier(rec) -> str          the four-branch tier rule alone

`rec` is one JSON line read with `json.loads(line, parse_float=Decimal,
parse_int=Decimal)`. Records are assumed valid (the benchmark feeds no broken
ones): defaults are filled here, nothing is validated.

Numbers: kam computes in rust_decimal (a 96-bit integer and a scale of at most
28); this file computes exactly, under the 120-digit context EXACT, and rounds
where rust_decimal does. Division is where that matters: rust_decimal keeps as
many decimals (at most 28) as fit in 96 bits, so 3100000/3000000 has 29
significant digits, 23/24 has 28 and 1/24 has 27. No one precision of a Python
context gives that; `rust_div` rounds the quotient to those decimals instead.
`rust_fit` does rust_decimal's rounding of a sum or product too long for 96
bits (a rate × 100 in `pct`; amounts or review scores with ~28 digits).
"""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_EVEN, Context, Decimal, localcontext
from functools import lru_cache

# ── Parameters (rules/parameters.rhai, tiers from rules/policy.rhai) ─────────

TIERS = ["A", "B", "C", "D"]                       # best first

# Customer grading (002 2.2)
a_min_revenue = 3_000_000
b_min_revenue = 1_000_000
c_min_revenue = 500_000
good_payment_ratings = ("excellent", "good")
b_excluded_ratings = ("poor", "bad")

# Evaluation period and downgrades (002 3.2)
period_months = 12
downgrade_kinds = ("late_payment", "contract_breach", "operating_crisis")
downgrade_cap = "B"
downgrade_severe_cap = "C"
downgrade_severe_kinds = ("operating_crisis",)
downgrade_severe_count = 2
downgrade_days = 5

# Blacklist (002 3.2, 3.5)
blacklist_kinds = ("major_loss", "reputation_damage")
blacklist_months = 6
blacklist_confirmed_by = ["general_manager_office"]
reentry_cap = "C"

# Categories (001 3.2.2)
premium_min_cumulative = 10_000_000
premium_min_referrals = 1
high_value_min_contract = 10_000_000

# Key account and admission (000 二(一), 四)
key_account_min_revenue = 1_000_000
credit_fail_ratings = ("poor", "bad")
admission_approvals = ["account_manager", "department_head", "company_leader"]

# Visits (002 7.2; 000 七, 004)
visit_interval_days = {"A": 30, "B": 60}

# Staff KPIs and the 100-point scorecard (001 2.1, 2.2)
completion_max = 25
completion_step = Decimal("0.05")
completion_bonus_cap = None
growth_max = 10
growth_step = 100_000
new_customers_max = 5
new_customers_shortfall = 2
new_customers_bonus_cap = None
market_info_max = 10
teamwork_max = 10
knowledge_max = 10
knowledge_points = {"products": 4, "industry": 3, "role": 2, "expert": 1}
analysis_max = 4
analysis_points = {"strong": 4, "fairly_strong": Decimal("3.5"), "average": 3, "weak": Decimal("2.5")}
communication_max = 6
communication_points = {"flexible": 6, "resolves_conflict": Decimal("5.5"), "persuasive": 5,
                        "clear": Decimal("4.5")}
attendance_max = 5
attendance_days_off = 4
late_arrivals_per_point = 3
unreported_penalties = [(9, 2), (6, 1)]           # (at least N days, points off)
conduct_max = 5
points_per_violation = 2
responsibility_max = 5
service_max = 5
points_per_complaint = 5

# Grades, actions, composite review (001 1.2; 004 六)
grade_bands = [("excellent", 90), ("good", 75), ("pass", 60)]
grade_below = "fail"
warning_below = 60
warning_action = "verbal_warning"
composite_weights = {"self": Decimal("0.2"), "supervisor": Decimal("0.5"), "customer": Decimal("0.3")}

# Python arithmetic under this context is exact for every value here. Where
# rust_decimal itself rounds (division; sums and products too long for 96 bits)
# the rust_* functions below round the same way. Scores and totals are added
# plainly: rust_decimal would round them only beyond 28 digits (ratings with
# 27 decimals), which no scorecard has.
EXACT = Context(prec=120, rounding=ROUND_HALF_EVEN)


# ── rust_decimal arithmetic ─────────────────────────────────────────────────

MANTISSA_LIMIT = 2 ** 96        # a rust_decimal is an integer below 2^96 ...
MAX_SCALE = 28                  # ... divided by 10^scale, scale at most 28
POW10 = [10 ** n for n in range(64)]
FOUR_PLACES = Decimal("0.0001")


def _round_half_even(num: int, den: int) -> int:
    """num / den (both > 0) rounded to the nearest integer, ties to even."""
    q, r = divmod(num, den)
    if 2 * r > den or (2 * r == den and q & 1):
        q += 1
    return q


def _decimal(mantissa: int, scale: int, negative: bool) -> Decimal:
    """mantissa / 10^scale, exactly."""
    d = EXACT.scaleb(Decimal(mantissa), -scale)
    return d.copy_negate() if negative else d


# A value fits at a scale when it is below MAX_AT_SCALE[scale] = 2^96 / 10^scale.
MAX_AT_SCALE = [EXACT.scaleb(Decimal(MANTISSA_LIMIT), -scale) for scale in range(MAX_SCALE + 1)]
PLACES = [Decimal(1).scaleb(-scale) for scale in range(MAX_SCALE + 1)]


def rust_div(a, b) -> Decimal:
    """a / b as rust_decimal divides: rounded (ties to even) to 28 decimals, or
    to fewer when the digits would not fit in 96 bits (29 digits for 1.0333…).

    The 120-digit quotient is exact or far longer than what kam keeps, and its
    own rounding cannot fake a tie at the 28th decimal: that would take over 60
    nines or zeros in a row, which a fraction with a denominator below 10^57
    (any two rust_decimal values) cannot have before it ends."""
    quotient = EXACT.divide(a, b)
    scale = MAX_SCALE
    while quotient.copy_abs() >= MAX_AT_SCALE[scale]:
        scale -= 1
    rounded = EXACT.quantize(quotient, PLACES[scale])
    if rounded.copy_abs() >= MAX_AT_SCALE[scale]:      # rounding up reached 2^96: one decimal fewer
        rounded = EXACT.quantize(quotient, PLACES[scale - 1])
    return rounded


def rust_fit(exact: Decimal) -> Decimal:
    """An exact sum or product as rust_decimal stores it: unchanged when its
    digits fit in 96 bits at a scale <= 28, otherwise rescaled down the way
    rust_decimal does it (a digit estimate from the bit length, then one digit
    at a time while still too long), rounding ties to even."""
    sign, digits, exponent = exact.as_tuple()
    scale = max(0, -exponent)
    if scale <= MAX_SCALE and len(digits) <= 28:       # 28 digits always fit in 96 bits
        return exact
    mantissa = int(EXACT.scaleb(exact.copy_abs(), scale))
    if mantissa < MANTISSA_LIMIT and scale <= MAX_SCALE:
        return exact
    drop = 0
    if mantissa >= MANTISSA_LIMIT:
        excess_bits = mantissa.bit_length() - 97
        drop = ((excess_bits * 77) >> 8) + 1
    drop = max(drop, scale - MAX_SCALE)
    while mantissa // POW10[drop] >= MANTISSA_LIMIT:
        drop += 1
    return _decimal(_round_half_even(mantissa, POW10[drop]), scale - drop, bool(sign))


def rust_mul(a, b) -> Decimal:
    return rust_fit(EXACT.multiply(a, b))


def rust_add(a, b) -> Decimal:
    return rust_fit(EXACT.add(a, b))


def rust_sub(a, b) -> Decimal:
    return rust_fit(EXACT.subtract(a, b))


# ── Explanation helpers (core/src/policy/sandbox.rs) ────────────────────────

def num(x) -> str:
    """A number as plain, normalised text: 80, 89.5."""
    if isinstance(x, int):
        return str(x)
    return format(EXACT.normalize(x), "f")


def money(x) -> str:
    """2999999.99 → 2,999,999.99; 3000000.00 → 3,000,000; 0.5 → 0.50."""
    whole = int(x)
    if x == whole:
        return f"{whole:,}"
    text = format(EXACT.normalize(x), ",f")
    return text + "0" if text[-2] == "." else text        # one decimal is shown as two


def pct(x) -> str:
    """0.93 → 93%; 1.0333… → 103.3333% (at most 4 decimals of a percent)."""
    percent = EXACT.quantize(rust_mul(x, 100), FOUR_PLACES)     # ties to even
    return f"{num(percent)}%"


def note(why: list, code: str, message: str) -> None:
    """A reason as kam writes it in English: its rule is the code up to the last dot."""
    why.append({"rule": code.rsplit(".", 1)[0], "message": message})


# How rules/messages/en.rhai names an incident kind (`{kind|term}`).
KIND = {"late_payment": "a late_payment", "contract_breach": "a contract_breach",
        "operating_crisis": "an operating_crisis", "major_loss": "a major_loss",
        "reputation_damage": "a reputation_damage"}


# ── Dates ───────────────────────────────────────────────────────────────────

def days_in_month(year: int, month: int) -> int:
    following = datetime.date(year + month // 12, month % 12 + 1, 1)
    return (following - datetime.date(year, month, 1)).days


def add_months(d: datetime.date, months: int) -> datetime.date:
    """Calendar months later (or earlier), clamped to the month's end:
    2026-08-31 + 6 months = 2027-02-28."""
    carry, month0 = divmod(d.month - 1 + months, 12)
    year, month = d.year + carry, month0 + 1
    return datetime.date(year, month, min(d.day, days_in_month(year, month)))


def add_days(d: datetime.date, days: int) -> datetime.date:
    return d + datetime.timedelta(days=days)


@lru_cache(maxsize=64)
def period_start(as_of: datetime.date) -> datetime.date:
    """Incidents count when period_start < date <= as_of."""
    return add_months(as_of, -period_months)


def to_date(value):
    return None if value is None else datetime.date.fromisoformat(value)


def iso(d):
    return None if d is None else d.isoformat()


# ── Reading a record (defaults: rules/CONTRACT.md) ──────────────────────────

def to_decimal(value):
    if value is None or isinstance(value, Decimal):
        return value
    return Decimal(str(value).strip())


def to_count(value):
    return None if value is None else int(value)


def to_flag(value) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1")
    return bool(value)


def read_customer(rec: dict) -> dict:
    annual = to_decimal(rec["annual_revenue"])
    cumulative = to_decimal(rec.get("cumulative_revenue"))
    incidents = [(datetime.date.fromisoformat(i["date"]), i["kind"]) for i in rec.get("incidents") or ()]
    return {
        "id": rec["id"],
        "annual_revenue": annual,
        "cumulative_revenue": annual if cumulative is None else cumulative,
        "largest_contract": to_decimal(rec.get("largest_contract")) or Decimal(0),
        "late_payments": to_count(rec.get("late_payments")) or 0,
        "overdue_pickups": to_count(rec.get("overdue_pickups")) or 0,
        "credit_rating": rec.get("credit_rating") or "fair",
        "legal_disputes": to_count(rec.get("legal_disputes")) or 0,
        "bad_credit_record": to_flag(rec.get("bad_credit_record")),
        "business_need": to_flag(rec.get("business_need")),
        "aligned": to_flag(rec.get("aligned")),
        "strategic_fit": to_flag(rec.get("strategic_fit")),
        "long_term_intent": to_flag(rec.get("long_term_intent")),
        "industry_influence": to_flag(rec.get("industry_influence")),
        "group_member": to_flag(rec.get("group_member")),
        "referrals_closed": to_count(rec.get("referrals_closed")) or 0,
        "tier": rec.get("tier"),
        "blacklisted_until": to_date(rec.get("blacklisted_until")),
        "incidents": incidents,
        "last_visit": to_date(rec.get("last_visit")),
    }


def read_staff(rec: dict) -> dict:
    ratings = rec["ratings"]
    knowledge = ratings["knowledge"]
    if isinstance(knowledge, str):      # a table cell: "products;industry"
        knowledge = [k.strip() for k in knowledge.replace(",", ";").split(";") if k.strip()]
    reviews = rec.get("reviews")
    return {
        "id": rec["id"],
        "period": rec["period"],
        "sales_target": to_decimal(rec["sales_target"]),
        "sales_actual": to_decimal(rec["sales_actual"]),
        "sales_previous": to_decimal(rec.get("sales_previous")),
        "new_customers_target": to_count(rec.get("new_customers_target")) or 0,
        "new_customers_actual": to_count(rec.get("new_customers_actual")) or 0,
        "days_present": to_count(rec["days_present"]),
        "late_arrivals": to_count(rec.get("late_arrivals")) or 0,
        "unreported_field_days": to_count(rec.get("unreported_field_days")) or 0,
        "violations": to_count(rec.get("violations")) or 0,
        "complaints": to_count(rec.get("complaints")) or 0,
        "market_info": to_decimal(ratings["market_info"]),
        "teamwork": to_decimal(ratings["teamwork"]),
        "knowledge": knowledge,
        "analysis": ratings["analysis"],
        "communication": ratings["communication"],
        "responsibility": to_decimal(ratings["responsibility"]),
        "contracts_settled": to_decimal(rec.get("contracts_settled")),
        "settlement_planned": to_decimal(rec.get("settlement_planned")),
        "collected": to_decimal(rec.get("collected")),
        "collectible": to_decimal(rec.get("collectible")),
        "expenses": to_decimal(rec.get("expenses")),
        "expense_budget": to_decimal(rec.get("expense_budget")),
        "accounts_start": to_count(rec.get("accounts_start")),
        "accounts_lost": to_count(rec.get("accounts_lost")),
        "archives_complete": to_count(rec.get("archives_complete")),
        "archives_total": to_count(rec.get("archives_total")),
        "reviews": None if reviews is None else {k: to_decimal(reviews[k])
                                                 for k in ("self", "supervisor", "customer")},
    }


# ── Customer decisions (rules/customer*.rhai, common.rhai) ──────────────────

def good_payment(c: dict) -> bool:
    return (c["late_payments"] == 0 and c["overdue_pickups"] == 0
            and c["credit_rating"] in good_payment_ratings)


def incidents_in_period(c: dict, kinds, as_of: datetime.date) -> list:
    """(date, kind) of the incidents of these kinds in the period, oldest first."""
    start = period_start(as_of)
    found = [i for i in c["incidents"] if i[1] in kinds and start < i[0] <= as_of]
    found.sort(key=lambda i: i[0])
    return found


def rank(tier: str) -> int:
    return TIERS.index(tier)


def worse(a: str, b: str) -> str:
    return a if rank(a) >= rank(b) else b


def is_blacklisted(c: dict, as_of: datetime.date) -> bool:
    return c["blacklisted_until"] is not None and c["blacklisted_until"] > as_of


def base_tier(rec: dict) -> str:
    """The four-branch tier rule (002 2.2), nothing else."""
    revenue = to_decimal(rec["annual_revenue"])
    credit = rec.get("credit_rating") or "fair"
    good = (not to_count(rec.get("late_payments")) and not to_count(rec.get("overdue_pickups"))
            and credit in good_payment_ratings)
    if revenue >= a_min_revenue and good and to_flag(rec.get("long_term_intent")):
        return TIERS[0]
    if revenue >= b_min_revenue and credit not in b_excluded_ratings and not to_count(rec.get("legal_disputes")):
        return TIERS[1]
    if revenue >= c_min_revenue:
        return TIERS[2]
    return TIERS[3]


def explain_base_tier(c: dict, why: list) -> str:
    """The base tier with its reasons: why each better tier is not reached, then the tier."""
    a, b, cc, d = TIERS
    revenue = c["annual_revenue"]
    if revenue < a_min_revenue:
        note(why, "tier.base.below_a_revenue", f"not {a}: annual revenue {money(revenue)} is below the {a} "
                                               f"threshold {money(a_min_revenue)}")
    elif not good_payment(c):
        note(why, "tier.base.below_a_payment",
             f"not {a}: annual revenue {money(revenue)} reaches the {a} threshold {money(a_min_revenue)} "
             f"but the payment record is not good (late payments {c['late_payments']}, overdue pickups "
             f"{c['overdue_pickups']}, credit {c['credit_rating']})")
    elif not c["long_term_intent"]:
        note(why, "tier.base.below_a_intent",
             f"not {a}: annual revenue {money(revenue)} reaches the {a} threshold {money(a_min_revenue)} "
             f"but no long-term partnership intent is recorded")
    else:
        note(why, "tier.base.reaches_a", f"{a}: annual revenue {money(revenue)} reaches the {a} threshold "
                                         f"{money(a_min_revenue)}, the payment record is good and the customer "
                                         f"intends a long-term partnership")
        return a

    if revenue < b_min_revenue:
        note(why, "tier.base.below_b_revenue", f"not {b}: annual revenue {money(revenue)} is below the {b} "
                                               f"threshold {money(b_min_revenue)}")
    elif c["credit_rating"] in b_excluded_ratings:
        note(why, "tier.base.below_b_credit", f"not {b}: credit {c['credit_rating']} rules out {b}")
    elif c["legal_disputes"] > 0:
        note(why, "tier.base.below_b_disputes", f"not {b}: {c['legal_disputes']} legal dispute(s) rule out {b}")
    else:
        note(why, "tier.base.reaches_b", f"{b}: annual revenue {money(revenue)} reaches the {b} threshold "
                                         f"{money(b_min_revenue)} with credit {c['credit_rating']} and no legal disputes")
        return b

    if revenue >= c_min_revenue:
        note(why, "tier.base.reaches_c", f"{cc}: annual revenue {money(revenue)} reaches the {cc} threshold "
                                         f"{money(c_min_revenue)}")
        return cc
    note(why, "tier.base.below_c", f"{d}: annual revenue {money(revenue)} is below the {cc} threshold "
                                   f"{money(c_min_revenue)}")
    return d


def a_downgrade(c: dict, tier: str, as_of: datetime.date, why: list):
    """A previous-A customer with late payments, breaches or a crisis in the
    period: (capped tier, deadline), or None when the rule does not apply."""
    if c["tier"] != TIERS[0]:
        return None
    found = incidents_in_period(c, downgrade_kinds, as_of)
    if not found:
        return None
    crisis = [i for i in found if i[1] in downgrade_severe_kinds]
    cap = downgrade_severe_cap if crisis or len(found) >= downgrade_severe_count else downgrade_cap
    capped = worse(tier, cap)
    deadline = add_days(found[0][0], downgrade_days)
    first_day, first_kind = found[0]
    note(why, "tier.downgrade.capped", f"{TIERS[0]} customer had {KIND[first_kind]} on {first_day}: "
                                       f"capped at {cap}, effective by {deadline}")
    for day, kind in found[1:]:
        note(why, "tier.downgrade.also", f"{TIERS[0]} customer also had {KIND[kind]} on {day}")
    if crisis:
        note(why, "tier.downgrade.severe_kind", f"{KIND[crisis[0][1]]} caps at {cap}")
    elif len(found) >= downgrade_severe_count:
        note(why, "tier.downgrade.severe_count",
             f"{len(found)} incidents: {downgrade_severe_count} or more cap at {cap}")
    if capped != cap:
        note(why, "tier.downgrade.already_lower", f"the base tier {tier} is already lower than {cap}")
    return capped, deadline


def reentry(c: dict, tier: str, as_of: datetime.date, why: list) -> str:
    """A customer back from a blacklist, with no previous tier, starts no better than C."""
    until = c["blacklisted_until"]
    if until is None or until > as_of or c["tier"] is not None:
        return tier
    capped = worse(tier, reentry_cap)
    if capped != tier:
        note(why, "tier.reentry.capped", f"blacklist ended on {until}: a returning customer starts no better "
                                  f"than {reentry_cap}, so {tier} becomes {capped}")
    return capped


def change(previous, tier: str, why: list) -> str:
    if previous is None:
        return "new"
    before, now = rank(previous), rank(tier)
    if now < before:
        note(why, "tier.change.upgrade", f"upgraded from {previous} to {tier}")
        return "upgrade"
    if now > before:
        note(why, "tier.change.downgrade", f"downgraded from {previous} to {tier}")
        return "downgrade"
    return "unchanged"


def blacklist_proposal(c: dict, as_of: datetime.date, why: list):
    found = incidents_in_period(c, blacklist_kinds, as_of)
    if not found:
        return None
    ends = add_months(as_of, blacklist_months)
    day, kind = found[-1]
    note(why, "blacklist.proposal.incident", f"{KIND[kind]} on {day}: blacklist proposed until {ends}, "
                                    f"to be confirmed by {', '.join(blacklist_confirmed_by)}")
    return {"until": ends.isoformat(), "needs": list(blacklist_confirmed_by)}


def categories(c: dict, why: list) -> list:
    found = []
    if c["cumulative_revenue"] > premium_min_cumulative and good_payment(c):
        note(why, "category.premium.cumulative", f"premium: cumulative business {money(c['cumulative_revenue'])} "
                                      f"exceeds {money(premium_min_cumulative)} with a good payment record")
        found.append("premium")
    elif c["referrals_closed"] >= premium_min_referrals:
        note(why, "category.premium.referrals", f"premium: {c['referrals_closed']} referred customer(s) signed")
        found.append("premium")
    if c["largest_contract"] > high_value_min_contract and good_payment(c):
        note(why, "category.high_value.contract", f"high value: a single contract of {money(c['largest_contract'])} "
                                         f"exceeds {money(high_value_min_contract)} with a good payment record")
        found.append("high_value")
    if c["group_member"]:
        note(why, "category.group.member", "group: member of a corporate group")
        found.append("group")
    if c["industry_influence"]:
        note(why, "category.strategic.influence", "strategic: influential in its industry")
        found.append("strategic")
    return found


def key_account(c: dict, why: list) -> bool:
    if c["annual_revenue"] >= key_account_min_revenue:
        note(why, "key_account.revenue", f"key account: annual revenue {money(c['annual_revenue'])} reaches the "
                                 f"key-account threshold {money(key_account_min_revenue)}")
        return True
    if c["business_need"] and c["long_term_intent"]:
        note(why, "key_account.need", "key account: a clear business need and a long-term partnership intent")
        return True
    if c["industry_influence"]:
        note(why, "key_account.influence", "key account: influential in its industry")
        return True
    return False


def admission(c: dict, as_of: datetime.date, why: list) -> dict:
    failed = []
    if is_blacklisted(c, as_of):
        note(why, "admission.blacklisted.active", f"not admitted: blacklisted until {c['blacklisted_until']}")
        failed.append("blacklisted")
    credit = 0
    if c["credit_rating"] in credit_fail_ratings:
        note(why, "admission.credit.rating", f"not admitted: credit {c['credit_rating']}")
        credit += 1
    if c["legal_disputes"] > 0:
        note(why, "admission.credit.disputes", f"not admitted: {c['legal_disputes']} major legal dispute(s)")
        credit += 1
    if c["bad_credit_record"]:
        note(why, "admission.credit.bad_record", "not admitted: a bad credit record")
        credit += 1
    if credit:
        failed.append("credit")
    if not c["business_need"]:
        note(why, "admission.need.missing", "not admitted: no clear business need and purchasing power recorded")
        failed.append("need")
    if not c["aligned"]:
        note(why, "admission.alignment.missing",
             "not admitted: not recorded as accepting our product and service philosophy")
        failed.append("alignment")
    if not c["strategic_fit"]:
        note(why, "admission.strategic_fit.missing", "not admitted: not recorded as fitting our market strategy")
        failed.append("strategic_fit")
    if not failed:
        note(why, "admission.admitted", f"admitted: credit, need, alignment and strategic fit all pass; "
                                        f"approvals, in order: {', '.join(admission_approvals)}")
    return {"admitted": not failed, "failed": failed,
            "approvals": list(admission_approvals) if not failed else []}


def visit(c: dict, tier: str, as_of: datetime.date, why: list):
    if tier not in visit_interval_days:
        return None
    interval = visit_interval_days[tier]
    last = c["last_visit"]
    if last is None:
        note(why, "visit.never", f"{tier} customers are visited every {interval} days; never visited, "
                           f"so a visit is due now")
        return {"interval_days": interval, "next_due": as_of.isoformat(), "overdue": True}
    due = add_days(last, interval)
    overdue = due < as_of
    if overdue:
        note(why, "visit.overdue", f"{tier} customers are visited every {interval} days; last visit {last}, "
                           f"so a visit was due on {due}")
    return {"interval_days": interval, "next_due": due.isoformat(), "overdue": overdue}


def customer(rec: dict, as_of: datetime.date) -> dict:
    """Every customer decision of docs/policy.md §Customers, in order, with its reasons."""
    with localcontext(EXACT):
        c = read_customer(rec)
        why = []
        result = {"id": c["id"]}

        # 1. Active blacklist: no tier, no visits; admission still fails visibly.
        if is_blacklisted(c, as_of):
            note(why, "blacklist.active", f"blacklisted until {c['blacklisted_until']}: no tier, no visits, "
                                   f"admission refused")
            result.update(
                status="blacklisted", tier=None, previous_tier=c["tier"], change="blacklisted",
                downgrade_deadline=None, key_account=key_account(c, why), categories=[],
                admission=admission(c, as_of, why), blacklist_proposal=None, visit=None, reasons=why)
            return result

        # 2-5. Tier: the base grade, then the downgrade and re-entry caps.
        tier = explain_base_tier(c, why)
        deadline = None
        downgrade = a_downgrade(c, tier, as_of, why)
        if downgrade is not None:
            tier, deadline = downgrade
        tier = reentry(c, tier, as_of, why)

        # 6-10.
        result.update(status="active", tier=tier, previous_tier=c["tier"])
        result["change"] = change(c["tier"], tier, why)
        result["downgrade_deadline"] = iso(deadline)
        result["key_account"] = key_account(c, why)
        result["categories"] = categories(c, why)
        result["admission"] = admission(c, as_of, why)
        result["blacklist_proposal"] = blacklist_proposal(c, as_of, why)
        result["visit"] = visit(c, tier, as_of, why)
        result["reasons"] = why
        return result


# ── Staff: KPIs (rules/staff_grading.rhai) ──────────────────────────────────

def ratio(kpi: str, top, bottom, top_name: str, bottom_name: str, why: list):
    """top / bottom as kam divides, or None with a reason."""
    if top is None or bottom is None:
        if top is None and bottom is None:
            note(why, "kpi.missing_both", f"{kpi} is not available: no {top_name} or {bottom_name} given")
        else:
            note(why, "kpi.missing", f"{kpi} is not available: no {bottom_name if bottom is None else top_name} given")
        return None
    if bottom == 0:
        note(why, "kpi.zero", f"{kpi} is not available: {bottom_name} is 0")
        return None
    return rust_div(top, bottom)


def staff_kpis(s: dict, why: list) -> dict:
    growth = None if s["sales_previous"] is None else rust_sub(s["sales_actual"], s["sales_previous"])
    return {
        "sales_completion_rate": ratio("sales_completion_rate", s["sales_actual"], s["sales_target"],
                                       "sales_actual", "sales_target", why),
        "sales_growth_rate": ratio("sales_growth_rate", 0 if growth is None else growth, s["sales_previous"],
                                   "sales growth", "sales_previous", why),
        "new_customer_completion_rate": ratio("new_customer_completion_rate", s["new_customers_actual"],
                                              s["new_customers_target"], "new_customers_actual",
                                              "new_customers_target", why),
        "settlement_rate": ratio("settlement_rate", s["contracts_settled"], s["settlement_planned"],
                                 "contracts_settled", "settlement_planned", why),
        "collection_rate": ratio("collection_rate", s["collected"], s["collectible"],
                                 "collected", "collectible", why),
        "expense_ratio": ratio("expense_ratio", s["expenses"], s["expense_budget"],
                               "expenses", "expense_budget", why),
        "churn_rate": ratio("churn_rate", s["accounts_lost"], s["accounts_start"],
                            "accounts_lost", "accounts_start", why),
        "archive_completeness": ratio("archive_completeness", s["archives_complete"], s["archives_total"],
                                      "archives_complete", "archives_total", why),
    }


# ── Staff: the 100-point scorecard (rules/staff.rhai) ───────────────────────

def adjustment(points, message: str) -> dict:
    """An adjustment as kam writes it in English (kam's code and facts left out)."""
    return {"points": points, "message": message}


def scored(item_id: str, item_max, base, adjustments: list) -> dict:
    """An item worth `base` plus its adjustments, never below 0; when the floor
    applies, a last adjustment says so, so the points add up."""
    score = base
    for a in adjustments:
        score += a["points"]
    if score < 0:
        adjustments.append(adjustment(-score, f"deductions exceed the item's {base} points: "
                                              f"the item stops at 0"))
        score = 0
    return {"id": item_id, "max": item_max, "score": score, "adjustments": adjustments}


def capped(value, cap):
    return cap if cap is not None and value > cap else value


def rated(item_id: str, item_max, score) -> dict:
    return scored(item_id, item_max, score, [])


def deducted(item_id: str, item_max, occurrences: int, per: int, what: str) -> dict:
    adjustments = []
    if occurrences > 0:
        adjustments.append(adjustment(-per * occurrences, f"{occurrences} {what}: −{per} each"))
    return scored(item_id, item_max, item_max, adjustments)


STEP_TEXT = pct(completion_step)      # "5%"


def sales_completion(s: dict, rate: Decimal) -> dict:
    """25 at 100%, −1 per full 5% below, +1 per full 5% above; steps counted on
    the amounts (shortfall ÷ (target × 5%)). `rate` is the completion KPI."""
    actual, target = s["sales_actual"], s["sales_target"]
    step = rust_mul(target, completion_step)
    adjustments = []
    if actual < target:
        steps = capped(int(rust_div(rust_sub(target, actual), step)), completion_max)
        if steps > 0:
            adjustments.append(adjustment(-steps, f"sales {money(actual)} of the target {money(target)} "
                                                  f"({pct(rate)}): {steps} full {STEP_TEXT} step(s) below 100%"))
    elif actual > target:
        steps = int(rust_div(rust_sub(actual, target), step))
        bonus = capped(capped(steps, completion_bonus_cap), 1000)   # staff.rhai's literal 1000
        if bonus > 0:
            cap_note = f" (bonus capped at {bonus})" if bonus < steps else ""
            adjustments.append(adjustment(bonus, f"sales {money(actual)} of the target {money(target)} "
                                                 f"({pct(rate)}): {steps} full {STEP_TEXT} step(s) "
                                                 f"above 100%{cap_note}"))
    return scored("sales_completion", completion_max, completion_max, adjustments)


def sales_growth(s: dict, why: list) -> dict:
    """+1 per full growth_step of growth over the previous period, at most growth_max."""
    adjustments = []
    previous = s["sales_previous"]
    if previous is None:
        note(why, "scorecard.sales_growth.no_previous", "no previous period's sales: no growth points")
    else:
        growth = rust_sub(s["sales_actual"], previous)
        if growth < 0:
            note(why, "scorecard.sales_growth.fell", f"sales fell {money(-growth)} below the previous "
                                                f"{money(previous)}: no growth points (never a deduction)")
        else:
            steps = int(rust_div(growth, growth_step))
            points = capped(steps, growth_max)
            if points > 0:
                cap_note = f", capped at {growth_max}" if points < steps else ""
                adjustments.append(adjustment(points, f"sales grew {money(growth)} over the previous "
                                                      f"{money(previous)}: {steps} full step(s) of "
                                                      f"{money(growth_step)}{cap_note}"))
            else:
                note(why, "scorecard.sales_growth.under_step", f"sales grew {money(growth)}, less than one step of "
                                                    f"{money(growth_step)}: no growth points")
    return scored("sales_growth", growth_max, 0, adjustments)


def new_customers(s: dict) -> dict:
    """5 at target, +1 per customer above, −1 per full 2 below."""
    target, actual = s["new_customers_target"], s["new_customers_actual"]
    adjustments = []
    if actual > target:
        bonus = capped(actual - target, new_customers_bonus_cap)
        cap_note = f" (bonus capped at {bonus})" if bonus < actual - target else ""
        adjustments.append(adjustment(bonus, f"{actual} new customers, {actual - target} above the "
                                             f"target {target}{cap_note}"))
    elif actual < target:
        steps = (target - actual) // new_customers_shortfall
        if steps > 0:
            adjustments.append(adjustment(-steps, f"{actual} new customers, {target - actual} below the "
                                                  f"target {target}: −1 per full {new_customers_shortfall}"))
    return scored("new_customers", new_customers_max, new_customers_max, adjustments)


def knowledge(s: dict) -> dict:
    adjustments = [adjustment(knowledge_points[k], f"knowledge criterion met: {k} (+{knowledge_points[k]})")
                   for k in s["knowledge"]]
    return scored("knowledge", knowledge_max, 0, adjustments)


def attendance(s: dict) -> dict:
    """5, minus days short of (days in month − 4), minus 1 per started 3 late
    arrivals, minus 1 or 2 for days in the field without reporting in."""
    adjustments = []
    period = s["period"]
    required = days_in_month(int(period[:4]), int(period[5:7])) - attendance_days_off
    short = required - s["days_present"]
    if short > 0:
        adjustments.append(adjustment(-short, f"present {s['days_present']} days, {short} short of the "
                                              f"{required} required in {period}"))
    late = s["late_arrivals"]
    if late > 0:
        per = late_arrivals_per_point
        points = (late + per - 1) // per
        adjustments.append(adjustment(-points, f"{late} late arrival(s): −1 per {per} or part of {per}"))
    unreported = s["unreported_field_days"]
    for at_least, points in unreported_penalties:
        if unreported >= at_least:
            adjustments.append(adjustment(-points, f"{unreported} day(s) in the field without reporting in "
                                                   f"({at_least} or more: −{points})"))
            break
    return scored("attendance", attendance_max, attendance_max, adjustments)


def composite(s: dict):
    """0.2 self + 0.5 supervisor + 0.3 customer, when reviews are given."""
    reviews = s["reviews"]
    if reviews is None:
        return None
    w = composite_weights
    weighted = rust_add(rust_mul(w["self"], reviews["self"]), rust_mul(w["supervisor"], reviews["supervisor"]))
    return rust_add(weighted, rust_mul(w["customer"], reviews["customer"]))


def staff_grade(total, why: list) -> tuple[str, list]:
    grade, band_note = grade_below, f"below {grade_bands[-1][1]}"
    for name, at_least in grade_bands:
        if total >= at_least:
            grade, band_note = name, f"at least {at_least}"
            break
    actions = []
    note(why, "grade.band" if band_note.startswith("at") else "grade.below", f"total {num(total)} is {band_note}: {grade}")
    if total < warning_below:
        actions.append(warning_action)
        note(why, "action.warning", f"total {num(total)} is below {warning_below}: {warning_action}")
    return grade, actions


def staff(rec: dict) -> dict:
    """One person's month (docs/policy.md §Staff): KPIs, scorecard, grade, actions, composite."""
    with localcontext(EXACT):
        s = read_staff(rec)
        why = []
        kpis = staff_kpis(s, why)
        items = [
            sales_completion(s, kpis["sales_completion_rate"]),
            sales_growth(s, why),
            new_customers(s),
            rated("market_info", market_info_max, s["market_info"]),
            rated("teamwork", teamwork_max, s["teamwork"]),
            knowledge(s),
            rated("analysis", analysis_max, analysis_points[s["analysis"]]),
            rated("communication", communication_max, communication_points[s["communication"]]),
            attendance(s),
            deducted("conduct", conduct_max, s["violations"], points_per_violation,
                     "violation(s) of company rules"),
            rated("responsibility", responsibility_max, s["responsibility"]),
            deducted("service", service_max, s["complaints"], points_per_complaint,
                     "valid customer complaint(s)"),
        ]
        total = sum(item["score"] for item in items)
        grade, actions = staff_grade(total, why)
        return {
            "id": s["id"],
            "period": s["period"],
            "kpis": kpis,
            "scorecard": {"total": total, "items": items},
            "grade": grade,
            "actions": actions,
            "composite": composite(s),
            "reasons": why,
        }
