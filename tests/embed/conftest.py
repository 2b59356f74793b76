from __future__ import annotations

import re

import pytest


@pytest.fixture(scope="session")
def real_sentences() -> list[str]:
    """120 real texts of varied length: sentences and whole documents of the Lee corpus."""
    from gensim.test.utils import datapath

    with open(datapath("lee_background.cor"), encoding="utf-8") as fh:
        docs = fh.read().splitlines()
    sentences = [s for d in docs[:40] for s in re.split(r"(?<=[.!?])\s+", d) if len(s.split()) > 2]
    return sentences[:100] + docs[100:120]


@pytest.fixture(scope="session")
def embedder():  # type: ignore[no-untyped-def]
    from embedrag.embed import Embedder

    return Embedder("all-MiniLM-L6-v2")
