#!/usr/bin/env bash
# Builds the Python package into a local virtualenv and runs its suites:
# pytest (vectors, tables, errors, threads, pickling) and mypy's stubtest.
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
python -m pytest -q tests
python -m mypy.stubtest kam --allowlist stubtest-allowlist.txt
python -m mypy --strict tests/typed_usage.py
