"""The README's Python example and the package docstring's example run as written, from the repository root."""

from __future__ import annotations

import doctest
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import kam


def test_readme_python_example_runs(root: Path) -> None:
    readme = (root / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Python", 1)[1]
    block = re.search(r"```python\n(.*?)```", section, re.S)
    assert block, "the README has a Python example"
    run = subprocess.run(
        [sys.executable, "-c", block.group(1)], cwd=root, capture_output=True, text=True, env=dict(os.environ)
    )
    assert run.returncode == 0, run.stderr
    assert "0 bad rows" in run.stdout
    lines = run.stdout.strip().splitlines()
    assert lines[-2] == "tier.base.reaches_b 2999999.99", lines
    assert lines[-1].startswith("B B类：年业务量2,999,999.99元，达到B类标准100万元"), lines


def test_package_docstring_example_runs(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(root)  # the example loads "rules", as from the repository root
    failed, attempted = doctest.testmod(kam, verbose=False, report=True)
    assert attempted >= 4, "the package docstring has its example"
    assert failed == 0, "the docstring example's failures are printed above"
