#!/usr/bin/env bash
# Every test suite of the workspace. This is the README's test command and what
# .ci/run calls. On the base image (Rust, Python 3.9+ with venv, Node >= 20.19,
# gcc) it first installs what the suites need (tests/setup.sh: chromium, a CJK
# font, the wasm tools; the Python suite makes its own virtualenv).
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

step "setup (tests/setup.sh)";  tests/setup.sh

step "layers (ARCHITECTURE.md)"; tests/check-layers.py
step "format";                 cargo fmt --all -- --check
step "lint";                   cargo clippy --workspace --all-targets -- -D warnings
step "unit, vector, sandbox, CLI and doc tests"
cargo test --workspace
step "library without the CLI (what embedders compile)"
cargo build -p kam-core --no-default-features
step "policy check";           cargo run --quiet --release --bin kam -- check --policy rules
step "policy test cases";      cargo run --quiet --release --bin kam -- test --policy rules
step "main job on the sample data"
cargo run --quiet --release --bin kam -- customers --policy rules --as-of 2026-11-01 data/customers.jsonl > /dev/null
cargo run --quiet --release --bin kam -- staff --policy rules data/staff.jsonl > /dev/null
cargo run --quiet --release --bin kam -- staff --policy rules --aggregate quarter data/staff.jsonl > /dev/null
step "the README's embedding example (core/examples/embed.rs)"
cargo run --quiet --release -p kam-core --example embed > /dev/null
step "Python package: build into a virtualenv, pytest, stubtest"
bindings-python/test.sh
step "a new record field reaches every front end (tests/new-field.sh)"
tests/new-field.sh
step "WebAssembly package: build, wasm-bindgen-test, Node package, page in Chromium"
bindings-wasm/test.sh
# The compiler is the default engine; the interpreter is the reference. The
# same suites again with KAM_ENGINE=interpreted (every policy a test loads
# then runs interpreted) prove both engines give the same answers
# (tests/compile.rs compares them directly, on generated records and policies).
step "the same suites through the interpreter (KAM_ENGINE=interpreted): Rust, policy cases, Python, WebAssembly"
KAM_ENGINE=interpreted cargo test --workspace
KAM_ENGINE=interpreted cargo run --quiet --release --bin kam -- test --policy rules
KAM_ENGINE=interpreted bindings-python/test.sh
KAM_ENGINE=interpreted bindings-wasm/test.sh
step "benchmark peers agree with kam (bench/run.sh --quick --check: agreement only, no timing)"
bench/run.sh --quick --check
echo
echo "all suites passed"
