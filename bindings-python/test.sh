#!/usr/bin/env bash
# Builds the Python package into a local virtualenv and runs its suites:
# pytest (vectors, tables, errors, threads, pickling, answers byte-identical
# to Rust's on generated records) and mypy's stubtest.
# Needs only Python 3.9+ with venv and a Rust toolchain; installs the rest.
set -euo pipefail
cd "$(dirname "$0")"

venv="${KAM_PY_VENV:-.venv}"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
export VIRTUAL_ENV="$PWD/$venv"
export PATH="$VIRTUAL_ENV/bin:$PATH"
python -m pip install --quiet --disable-pip-version-check \
  "maturin>=1.9.4,<2" pytest pyarrow pandas polars mypy
# `maturin develop` builds in the workspace's target dir, so reruns are incremental.
maturin develop --release --quiet
# Generated records and Rust's answers, a fresh seed each run (KAM_CROSS_SEED
# repeats one), for tests/test_cross_binding.py to compare Python's with.
export KAM_CROSS_DIR="$PWD/../target/cross-python"
cargo run -q -p kam-tests --bin cross-binding -- "$KAM_CROSS_DIR"
python -m pytest -q tests
python -m mypy.stubtest kam --allowlist stubtest-allowlist.txt
python -m mypy --strict tests/typed_usage.py
