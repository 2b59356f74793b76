"""Writing a retrieval set in the BEIR layout, and cutting its queries into splits: shared by every builder."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

__all__ = ["CorpusRow", "Row", "by_text", "splits", "write_beir"]

Row = tuple[str, str, int]
"""One judgement: query id, document id, relevance."""
CorpusRow = tuple[str, str, str, dict[str, Any]]
"""One document: id, title, text, metadata."""


def write_beir(
    out: Path,
    corpus: Iterable[CorpusRow],
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


def splits(groups: dict[str, list[str]], *, test_every: int, dev_every: int) -> dict[str, list[Row]]:
    """Queries (in order) to test (every ``test_every``-th), dev (every ``dev_every``-th of the rest) or train."""
    out: dict[str, list[Row]] = {"test": [], "dev": [], "train": []}
    for n, (query_id, doc_ids) in enumerate(groups.items()):
        split = "test" if n % test_every == 0 else "dev" if n % dev_every == 1 else "train"
        out[split] += [(query_id, doc_id, 1) for doc_id in doc_ids]
    return out


def by_text(pairs: Iterable[tuple[str, str]]) -> tuple[list[tuple[str, str]], dict[str, list[str]]]:
    """Queries ``q0, q1, ...`` from (query text, document id) pairs, and the documents each judges:
    one query per distinct text (case and a final full stop ignored), judging every document it was
    written for."""
    grouped: dict[str, tuple[str, list[str]]] = {}
    for text, doc_id in pairs:
        judged = grouped.setdefault(text.lower().rstrip("."), (text, []))[1]
        if doc_id not in judged:
            judged.append(doc_id)
    queries = [(f"q{n}", text) for n, (text, _) in enumerate(grouped.values())]
    return queries, {f"q{n}": docs for n, (_, docs) in enumerate(grouped.values())}
