"""The README's Python example runs as written, from the repository root."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path


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
    assert run.stdout.strip().splitlines()[-1].startswith("B B: annual revenue 2,999,999.99")
