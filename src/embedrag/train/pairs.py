"""Training pairs (query, passage, label): read from a file or a BEIR split, and negatives for them.

A pairs file is JSON lines ``{"query": ..., "passage": ..., "label": 1, "doc_id": ...}`` (``label``
in [0, 1], default 1; ``doc_id`` optional) or tab-separated ``query<TAB>passage<TAB>label`` lines.
A BEIR folder gives one positive pair per judged (query, document) of a split.

Negatives teach a model what does *not* answer a query. Hard negatives are the passages a search
ranks high that are not judged relevant: the mistakes a reranker exists to fix. Random negatives
(passages of other queries) are the easy baseline.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from embedrag.errors import InputError
from embedrag.tokenize.textfile import Utf8Lines

if TYPE_CHECKING:
    from embedrag.collection import Collection

__all__ = ["Pair", "hard_negatives", "random_negatives", "read_pairs"]


@dataclass(frozen=True)
class Pair:
    query: str
    passage: str
    label: float
    """1.0: the passage answers the query; 0.0: it does not (values between are soft labels)."""
    doc_id: str | None = None
    """The document the passage comes from, when known: its other chunks are never negatives."""


def read_pairs(source: str | Path, *, split: str = "train") -> list[Pair]:
    """The pairs of a JSON-lines or TSV file, or the positives of ``split`` of a BEIR folder."""
    path = Path(source)
    if path.is_dir():
        return _beir_pairs(path, split)
    if not path.is_file():
        raise InputError(f"{path}: no such file or folder")
    parse = _json_pair if path.suffix in {".jsonl", ".json"} else _tsv_pair
    pairs = []
    for number, line in enumerate(Utf8Lines(path), start=1):
        if not line.strip() or (number == 1 and line.lower().startswith("query\tpassage")):
            continue
        try:
            pair = parse(line)
        except ValueError as exc:
            raise InputError(f"{path}: line {number}: {exc}") from exc
        pairs.append(_checked(pair, f"{path}: line {number}"))
    if not any(p.label > 0 for p in pairs):
        raise InputError(f"{path} has no positive pair (label > 0) to learn from")
    return pairs


def _json_pair(line: str) -> Pair:
    try:
        row = json.loads(line)
        return Pair(row["query"], row["passage"], float(row.get("label", 1)), row.get("doc_id"))
    except (json.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ValueError('not a JSON object with "query", "passage" and a numeric "label"') from exc


def _tsv_pair(line: str) -> Pair:
    fields = line.rstrip("\n").split("\t")
    if len(fields) not in (2, 3):
        raise ValueError(f"{len(fields)} tab-separated fields; give query, passage and an optional label")
    try:
        return Pair(fields[0], fields[1], float(fields[2]) if len(fields) == 3 else 1.0)
    except ValueError as exc:
        raise ValueError(f"label {fields[2]!r} is not a number") from exc


def _checked(pair: Pair, where: str) -> Pair:
    if not isinstance(pair.query, str) or not isinstance(pair.passage, str):
        raise InputError(f"{where}: query and passage must be strings")
    if not pair.query.strip() or not pair.passage.strip():
        raise InputError(f"{where}: empty query or passage")
    if not 0.0 <= pair.label <= 1.0:
        raise InputError(f"{where}: label {pair.label} is outside [0, 1]")
    return pair


def _beir_pairs(folder: Path, split: str) -> list[Pair]:
    from embedrag.eval.beir import load_beir

    data = load_beir(folder, split=split)
    pairs = [
        Pair(data.queries[query_id], data.corpus[doc_id].full_text, 1.0, doc_id)
        for query_id, judged in data.qrels.items()
        for doc_id, grade in judged.items()
        if grade > 0 and doc_id in data.corpus
    ]
    if not pairs:
        raise InputError(f"{folder}: split {split!r} judges no document of the corpus relevant")
    return pairs


def _positives(pairs: Sequence[Pair]) -> dict[str, list[Pair]]:
    by_query: dict[str, list[Pair]] = {}
    for pair in pairs:
        if pair.label > 0:
            by_query.setdefault(pair.query, []).append(pair)
    return by_query


def _squash(text: str) -> str:
    return " ".join(text.split())


def hard_negatives(
    pairs: Sequence[Pair],
    collection: Collection,
    *,
    per_query: int = 3,
    mode: str = "hybrid",
    documents: Mapping[str, str] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[Pair]:
    """Up to ``per_query`` label-0 pairs per query: the best hits of ``collection`` that are not positives.

    A hit is a positive, and skipped, when it comes from a positive's ``doc_id`` or when its text
    and a positive passage contain one another (a chunk of the answer is not a negative).

    With ``documents`` (doc_id -> text), a negative is the whole text of the hit's document, once
    per document. Give it when the positives are whole documents (a BEIR folder's), so that
    positives and negatives differ in relevance, not in length: against chunk negatives, a
    cross-encoder learns to tell whole documents from chunks, and then ranks chunks at random.
    """
    if per_query <= 0:
        raise InputError(f"per_query must be positive, got {per_query}")
    by_query = _positives(pairs)
    out: list[Pair] = []
    for done, (query, positives) in enumerate(by_query.items(), start=1):
        docs = {p.doc_id for p in positives if p.doc_id is not None}
        texts = [_squash(p.passage) for p in positives]
        hits = collection.search(query, k=4 * (per_query + len(positives)) + 10, mode=mode)
        found = 0
        for hit in hits:
            squashed = _squash(hit.text)
            if hit.doc_id in docs or any(squashed in t or t in squashed for t in texts):
                continue
            if documents is not None:
                if hit.doc_id not in documents:
                    continue
                docs.add(hit.doc_id)  # once per document
            out.append(Pair(query, hit.text if documents is None else documents[hit.doc_id], 0.0, hit.doc_id))
            found += 1
            if found == per_query:
                break
        if progress is not None:
            progress(done, len(by_query))
    return out


def random_negatives(pairs: Sequence[Pair], *, per_query: int = 3, seed: int = 0) -> list[Pair]:
    """Up to ``per_query`` label-0 pairs per query, drawn from the positive passages of other queries."""
    if per_query <= 0:
        raise InputError(f"per_query must be positive, got {per_query}")
    by_query = _positives(pairs)
    passages = sorted({p.passage for group in by_query.values() for p in group})
    rng = np.random.default_rng(seed)
    out: list[Pair] = []
    for query, positives in by_query.items():
        own = {p.passage for p in positives}
        others = [passages[i] for i in rng.permutation(len(passages))[: per_query + len(own)]]
        out += [Pair(query, text, 0.0) for text in others if text not in own][:per_query]
    return out
