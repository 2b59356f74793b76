from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from embedrag.collection import Collection

DOCS = {
    "animals/cats.md": "# Cats\n\nCats purr, sleep most of the day and hunt mice at night.\n",
    "animals/dogs.md": "# Dogs\n\nDogs bark at strangers and love long walks in the park.\n",
    "finance/stocks.txt": "Stock markets fell sharply today as investors sold bank shares.\n",
    "finance/rates.txt": "The central bank raised interest rates to slow inflation.\n",
    "sport/football.txt": "The football team won the cup final after a late goal.\n",
    "sport/tennis.txt": "She won the tennis championship in straight sets.\n",
    "food/bread.txt": "Bake bread with flour, water, salt and yeast for forty minutes.\n",
}


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    root = tmp_path / "corpus"
    for name, text in DOCS.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


@pytest.fixture
def col(tmp_path: Path, corpus: Path) -> Iterator[Collection]:
    """A collection of :data:`DOCS`, all-MiniLM-L6-v2."""
    with Collection.open(tmp_path / "col") as collection:
        collection.ingest([corpus])
        yield collection
