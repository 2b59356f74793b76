from __future__ import annotations

import shutil
from pathlib import Path

import pytest

TINY = Path(__file__).parent / "fixtures" / "tiny"


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    """A copy of the committed tiny BEIR set (10 documents, one long, two with the same text; 6 judged queries)."""
    return Path(shutil.copytree(TINY, tmp_path / "tiny"))
