"""The Python examples in docs/*.md run, in a scratch directory, and print what they say."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

DOCS = sorted((Path(__file__).parent.parent / "docs").glob("*.md"))
BLOCK = re.compile(r"```python\n(.*?)```", re.S)


def _examples() -> list[tuple[str, str]]:
    return [(f"{doc.name}:{n}", code) for doc in DOCS for n, code in enumerate(BLOCK.findall(doc.read_text()))]


@pytest.mark.parametrize(("name", "code"), _examples())
def test_doc_example_runs_and_prints_what_it_claims(name: str, code: str, tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    claimed = [line.split("# ", 1)[1].strip() for line in code.splitlines() if "print(" in line and "# " in line]
    assert done.stdout.split("\n")[: len(claimed)] == claimed
