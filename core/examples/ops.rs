fn main() {
    let p = kam::Policy::from_dir("rules").unwrap();
    let text = std::fs::read_to_string("data/customers.jsonl").unwrap();
    let as_of = chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
    for line in text.lines().take(6) {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let (mut lo, mut hi) = (1u64, 100_000u64);
        while lo < hi {
            let mid = (lo + hi) / 2;
            let mut l = kam::Limits::default();
            l.max_operations = mid;
            let q = kam::Policy::from_sources_with_limits(p.sources().clone(), l).unwrap();
            if q.evaluate_customer_json(&v, as_of).is_ok() {
                hi = mid
            } else {
                lo = mid + 1
            }
        }
        println!("{} ops: {}", v["id"], lo);
    }
}
