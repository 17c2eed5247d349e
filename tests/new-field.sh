#!/usr/bin/env bash
# A new customer field is one line in its declaration plus the rule that uses
# it, and every front end then reads it: the CLI, Python (a dict and an Arrow
# table) and JavaScript.
#
# The check edits a copy of the tree (target/new-field/src): one line adding
# `region` to the customer record declaration, and one rule line noting it.
# It then builds the copy's CLI, Python wheel and Node package in their own
# target dir (the workspace's artifacts stay untouched) and sends each the same
# record with a region. Before the edit, the same record is an unknown-field
# error (the first check below), so the test cannot pass by accident.
#
#   tests/new-field.sh        run by tests/run-all.sh after the Python suite
#                             (it reuses its virtualenv)
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
work="$root/target/new-field"
src="$work/src"
export CARGO_TARGET_DIR="$work/target"

step() { printf '\n==> %s\n' "$*"; }
fail() { echo "new-field: $*" >&2; exit 1; }

record='{"id": "C-1", "annual_revenue": "1200000", "region": "华东"}'

step "before the edit: region is an unknown field"
before="$(echo "$record" | cargo run --quiet --release --bin kam -- customers --policy rules --as-of 2026-11-01 || true)"
echo "$before" | grep -q '"code":"unknown_field"' || fail "expected an unknown_field error before the edit, got: $before"

step "copy the tree and add the field"
rm -rf "$src"
mkdir -p "$src"
git ls-files -z | (cd "$root" && xargs -0 cp --parents -t "$src")
decl="$src/core/src/model/customer.rs"
anchor='        name: String = default(kind::Text),'
grep -qxF "$anchor" "$decl" || fail "the anchor line is gone from core/src/model/customer.rs: update this test"
# The one declaration line.
sed -i "/^$anchor\$/a\\        #[doc = \"Sales region.\"] region: Option<String> = optional(kind::Text)," "$decl"
# The one rule line: the customer entry point notes the region it read.
rule="$src/rules/customer.rhai"
grep -q '^    let why = \[\];$' "$rule" || fail "the anchor line is gone from rules/customer.rhai: update this test"
sed -i 's/^    let why = \[\];$/    let why = []; if c.region != () { why.note("region", `region ${c.region}`); }/' "$rule"
[ "$(git -C "$root" diff --no-index --numstat "$root/core/src/model/customer.rs" "$decl" | awk '{print $1 "+" $2 "-"}')" = "1+0-" ] ||
  fail "the declaration edit is not exactly one added line"

step "CLI"
cargo build --quiet --release --manifest-path "$src/Cargo.toml" -p kam-core --bin kam
out="$(echo "$record" | "$CARGO_TARGET_DIR/release/kam" customers --policy "$src/rules" --as-of 2026-11-01)"
echo "$out" | grep -q '"rule":"region","code":"region","facts":{},"message":"region 华东"' || fail "CLI: no region reason in $out"

step "Python: dict and Arrow"
python="$root/bindings-python/.venv/bin/python"
[ -x "$python" ] || fail "run bindings-python/test.sh first (its virtualenv has maturin and pyarrow)"
rm -rf "$work/wheels" "$work/py"
"$root/bindings-python/.venv/bin/maturin" build --quiet -m "$src/bindings-python/Cargo.toml" -o "$work/wheels"
"$python" -m pip install --quiet --disable-pip-version-check --no-deps --target "$work/py" "$work"/wheels/kam-*.whl
PYTHONPATH="$work/py" KAM_RULES="$src/rules" "$python" - <<'EOF'
import datetime, os
import pyarrow as pa
import kam

policy = kam.Policy.from_dir(os.environ["KAM_RULES"])
as_of = datetime.date(2026, 11, 1)
r = policy.evaluate_customer({"id": "C-1", "annual_revenue": "1200000", "region": "华东"}, as_of)
assert any(x["rule"] == "region" and x["message"] == "region 华东" for x in r["reasons"]), r["reasons"]
table = pa.table({"id": ["C-1"], "annual_revenue": [1200000], "region": ["华东"]})
out = policy.score_customers(table, as_of=as_of)
reasons = pa.table(out).column("reasons").to_pylist()[0]
assert any(x["rule"] == "region" and x["message"] == "region 华东" for x in reasons), reasons
print("python: dict and Arrow see the region")
EOF

step "JavaScript (Node package)"
# Without wasm-opt: the module's size is not what this checks.
KAM_WASM_OPT=0 "$src/bindings-wasm/build.sh" > "$work/wasm-build.log" 2>&1 || { tail -20 "$work/wasm-build.log"; fail "the copy's WASM build failed"; }
KAM_PKG="$src/bindings-wasm/pkg-node/kam_wasm.js" node - <<'EOF'
const kam = require(process.env.KAM_PKG);
const policy = kam.Policy.fromSources(kam.defaultPolicySources());
const r = policy.evaluateCustomer({ id: "C-1", annual_revenue: "1200000", region: "华东" }, "2026-11-01");
if (!r.reasons.some((x) => x.rule === "region" && x.message === "region 华东")) {
  throw new Error("JS: no region reason in " + JSON.stringify(r.reasons));
}
console.log("js: the region reaches the rules");
EOF
echo
echo "new-field: one declaration line reached the CLI, Python (dict, Arrow) and JavaScript"
