use std::time::Instant;
fn time(label: &str, p: &kam::Policy, recs: &[kam::CustomerRecord]) {
    let as_of = chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
    let t = Instant::now();
    let n = 20;
    for _ in 0..n {
        for r in recs {
            let _ = p.evaluate_customer(r, as_of);
        }
    }
    println!(
        "{label}: {:.1} us/customer",
        t.elapsed().as_secs_f64() * 1e6 / (n * recs.len()) as f64
    );
}
fn main() {
    let p = kam::Policy::from_dir("rules").unwrap();
    let text = std::fs::read_to_string("data/customers.jsonl").unwrap();
    let recs: Vec<kam::CustomerRecord> = text
        .lines()
        .map(|l| kam::CustomerRecord::from_json(&serde_json::from_str(l).unwrap()).unwrap())
        .collect();
    let mode = std::env::args().nth(1).unwrap_or_default();
    if mode == "batch" {
        let as_of = chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
        let big: Vec<_> = recs.iter().cycle().take(20_000).cloned().collect();
        for threads in [1, 2] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let t = Instant::now();
            pool.install(|| p.evaluate_customers(&big, as_of));
            println!(
                "batch {threads} threads: {:.1} us/customer",
                t.elapsed().as_secs_f64() * 1e6 / big.len() as f64
            );
        }
        return;
    }
    if mode == "full" {
        for _ in 0..5 {
            time("full", &p, &recs);
        }
        return;
    }
    time("full", &p, &recs);
    let mut files = p.sources().clone();
    let orig = files["customer.rhai"].clone();
    let constant = "fn customer(c, as_of, p) { #{status: \"active\", tier: \"A\", change: \"new\", downgrade_deadline: (), key_account: true, categories: [], admission: #{admitted: true, failed: [], approvals: []}, blacklist_proposal: (), visit: (), reasons: []} }\nfn note(rule, message) { this.push(#{ rule: rule, message: message }); }";
    files.insert("customer.rhai".into(), constant.into());
    if mode == "constant" {
        let c = kam::Policy::from_sources(files.clone()).unwrap();
        for _ in 0..50 {
            time("constant", &c, &recs);
        }
        return;
    }
    time(
        "constant",
        &kam::Policy::from_sources(files.clone()).unwrap(),
        &recs,
    );
    if mode == "loop" {
        for n in [0, 1, 10, 100] {
            let mut f = p.sources().clone();
            let body = format!("let z = 0; for i in 0..{n} {{ z = why.reentry_cap(c, \"B\", as_of, p); }}\n    let tier = why.base_tier(c, p);");
            f.insert(
                "customer.rhai".into(),
                orig.replace("let tier = why.base_tier(c, p);", &body),
            );
            time(
                &format!("{n} reentry calls"),
                &kam::Policy::from_sources(f).unwrap(),
                &recs,
            );
        }
        return;
    }
    if mode == "probe" {
        let probes = "fn p0() { 1 }\nfn p1(x) { x }\nfn p2(c, t, a, p) { t }\nfn p3(c, t, a, p) { if c.blacklisted_until == () { return t; } t }\nfn p4(t) { this.len() }\nfn p5(c) { c.late_payments }\nfn p6(c) { c.late_payments == 0 }\n";
        for call in [
            "rank(\"B\", p)",
            "p.tiers",
            "p.tiers.position(\"B\")",
            "`x ${i} y`",
            "money(c.annual_revenue)",
            "why.len()",
            "c.incidents",
            "c.credit_rating in p.good_payment_ratings",
            "good_payment(c, p)",
            "as_of.add_months(-12)",
            "c.incidents.filter(|i| i.kind == \"x\")",
            "p0()",
            "p1(1)",
            "p2(c, \"B\", as_of, p)",
            "p3(c, \"B\", as_of, p)",
            "why.p4(1)",
            "p5(c)",
            "p6(c)",
            "c.late_payments",
            "1 + 1",
            "1.5 >= 2",
        ] {
            let mut f = p.sources().clone();
            f.insert("probe.rhai".into(), probes.into());
            let body = format!(
                "let z = 0; for i in 0..100 {{ z = {call}; }}\n    let tier = why.base_tier(c, p);"
            );
            f.insert(
                "customer.rhai".into(),
                orig.replace("let tier = why.base_tier(c, p);", &body),
            );
            time(call, &kam::Policy::from_sources(f).unwrap(), &recs);
        }
        return;
    }
    if mode == "twice" {
        for n in [1, 2, 4] {
            let mut f = p.sources().clone();
            let inner = orig.replace("fn customer(c, as_of, p) {", "fn inner(c, as_of, p) {");
            let calls = "let r = (); for i in 0..N { r = inner(c, as_of, p); } r"
                .replace("N", &n.to_string());
            f.insert(
                "customer.rhai".into(),
                format!("{inner}\nfn customer(c, as_of, p) {{ {calls} }}"),
            );
            time(
                &format!("{n} evaluations per call"),
                &kam::Policy::from_sources(f).unwrap(),
                &recs,
            );
        }
        return;
    }
    if mode == "each" {
        for (from, to) in [
            ("why.base_tier(c, p)", "\"B\""),
            ("why.a_downgrade(c, as_of, p)", "()"),
            ("why.reentry_cap(c, tier, as_of, p)", "tier"),
            ("why.change(c.tier, tier, p)", "\"new\""),
            ("key_account: why.key_account(c, p)", "key_account: true"),
            ("why.categories(c, p)", "[]"),
            (
                "admission: why.admission(c, as_of, p)",
                "admission: #{admitted: true, failed: [], approvals: []}",
            ),
            ("why.blacklist_proposal(c, as_of, p)", "()"),
            ("why.visit(c, tier, as_of, p)", "()"),
        ] {
            let mut f = p.sources().clone();
            f.insert("customer.rhai".into(), orig.replace(from, to));
            time(from, &kam::Policy::from_sources(f).unwrap(), &recs);
        }
        return;
    }
    let only_base = orig.replace("let tier = why.base_tier(c, p);", "let tier = \"B\";");
    files.insert("customer.rhai".into(), only_base);
    time(
        "no base_tier",
        &kam::Policy::from_sources(files.clone()).unwrap(),
        &recs,
    );
    let no_adm = orig.replace(
        "admission: why.admission(c, as_of, p),\n        blacklist_proposal",
        "admission: #{admitted: true, failed: [], approvals: []},\n        blacklist_proposal",
    );
    files.insert("customer.rhai".into(), no_adm);
    time(
        "no admission",
        &kam::Policy::from_sources(files.clone()).unwrap(),
        &recs,
    );
}
#[allow(dead_code)]
fn batch_probe() {}
