#!/usr/bin/env bash
# The benchmark: kam beside its peers and beside the hand-written limit, on one
# seeded population, in one run. See BENCHMARKS.md for what it measures.
#
#   bench/run.sh            1,000,000 customers, 200,000 staff-months, a 10,000,000-customer stream
#   bench/run.sh --quick    50,000 customers, 10,000 staff-months (a developer's loop, < 3 minutes once built)
#   bench/run.sh --check    agreement only (every peer against kam), no stream; CI runs --quick --check
#
# Needs only the base image (Rust, Python 3.11, Node); installs the Python
# peers into bench/.venv and builds the WebAssembly package if it is missing.
# A peer that cannot be installed is reported as `not run: <why>`, and the run
# still finishes. It never asserts a speed: it exits 1 only when a peer
# disagrees with kam (or kam itself cannot run).
set -euo pipefail
cd "$(dirname "$0")/.."

export CARGO_TERM_COLOR=never
not_run=()

step() { printf '\n==> %s\n' "$*"; }

step "build kam and the benchmark's Rust side (release)"
cargo build --quiet --release -p kam-core --bin kam
cargo build --quiet --release -p kam-bench

step "Python peers and kam's Python package in bench/.venv"
venv=bench/.venv
python=python3
if { [ -x "$venv/bin/python" ] || python3 -m venv "$venv"; } &&
   "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r bench/requirements.txt; then
  python="$venv/bin/python"
  # The extension is built as a wheel in the workspace's target dir, so reruns are incremental.
  if "$venv/bin/maturin" build --quiet --release -m bindings-python/Cargo.toml -o target/bench-wheels &&
     "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --force-reinstall --no-deps \
       "$(ls -t target/bench-wheels/kam-*.whl | head -1)"; then
    :
  else
    not_run+=("python.kam=the kam wheel could not be built or installed (maturin)")
  fi
else
  not_run+=("python=bench/.venv could not be made or its packages installed from PyPI")
fi

step "WebAssembly package for Node"
# build.sh is incremental: cargo's, and a stamp for wasm-bindgen and wasm-opt.
if ! bindings-wasm/build.sh > target/bench-wasm-build.log 2>&1; then
  tail -5 target/bench-wasm-build.log
  not_run+=("wasm=bindings-wasm/build.sh failed (see target/bench-wasm-build.log)")
fi

step "run"
KAM_BENCH_NOT_RUN="$(IFS=';'; echo "${not_run[*]:-}")" "$python" bench/driver.py "$@"

# With --check, the peers' own tests too: the edge records (exactly at and a
# cent below every threshold, period and blacklist edges) and the samples.
case " $* " in
  *" --check "*)
    step "peers' edge-case tests"
    "$python" bench/peers/test_agree.py
    "$python" bench/peers/test_plain.py --no-generate
    if [ "$python" != python3 ]; then "$python" bench/peers/test_peers.py; fi
    ;;
esac
