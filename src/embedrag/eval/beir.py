"""Read retrieval data sets in the BEIR layout.

A folder holds ``corpus.jsonl`` (``_id``, ``title``, ``text``), ``queries.jsonl``
(``_id``, ``text``) and ``qrels/<split>.tsv`` (``query-id<TAB>corpus-id<TAB>score`` after
a header line). Each file may also be gzip-compressed (``corpus.jsonl.gz``). Any
malformed line is an :class:`~embedrag.errors.InputError` naming the file and line.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from embedrag.errors import InputError

__all__ = ["BeirDataset", "CorpusDoc", "find_file", "load_beir", "read_corpus", "read_qrels", "read_queries"]

Qrels = dict[str, dict[str, int]]


@dataclass(frozen=True)
class CorpusDoc:
    """One corpus document: a title (may be empty), its text, and optional metadata (a JSON object)."""

    title: str
    text: str
    metadata: Mapping[str, Any] = field(default_factory=dict)

    @property
    def full_text(self) -> str:
        """What is indexed: the title, a blank line, the text (just the text when untitled)."""
        return f"{self.title}\n\n{self.text}" if self.title.strip() else self.text


@dataclass(frozen=True)
class BeirDataset:
    """A BEIR data set for one split: only the queries judged in that split are kept."""

    name: str
    split: str
    corpus: dict[str, CorpusDoc]
    queries: dict[str, str]
    qrels: Qrels
    unknown_documents: int = 0
    """Judged (query, document) pairs whose document is not in the corpus (kept: they count as misses)."""


def find_file(folder: Path, name: str) -> Path:
    """``folder/name``, or ``folder/name.gz`` when only that exists."""
    for candidate in (folder / name, folder / f"{name}.gz"):
        if candidate.is_file():
            return candidate
    raise InputError(f"{folder / name}: no such file (nor {name}.gz); is {folder} a BEIR data set?")


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    opener: Any = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as fh:
            for number, raw in enumerate(fh, start=1):
                try:
                    yield number, raw.decode("utf-8")
                except UnicodeDecodeError as exc:
                    raise InputError(f"{path}: line {number}: not valid UTF-8") from exc
    except (OSError, EOFError) as exc:  # gzip.BadGzipFile is an OSError
        raise InputError(f"{path}: cannot read: {exc}") from exc


def _records(path: Path, fields: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str], dict[str, Any]]]:
    """JSON objects of a jsonl file, with their string ``fields`` (``_id`` may also be an integer)."""
    for number, line in _lines(path):
        if not line.strip():
            continue
        where = f"{path}: line {number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{where}: not valid JSON ({exc.msg})") from exc
        if not isinstance(record, dict):
            raise InputError(f"{where}: expected a JSON object")
        out: dict[str, str] = {}
        for name in fields:
            value = record.get(name, "" if name == "title" else None)
            if name == "_id" and isinstance(value, int) and not isinstance(value, bool):
                value = str(value)
            if not isinstance(value, str):
                raise InputError(f"{where}: '{name}' must be a string, got {json.dumps(value)}")
            out[name] = value
        if not out["_id"]:
            raise InputError(f"{where}: '_id' is empty")
        yield number, out, record


def read_corpus(path: Path) -> dict[str, CorpusDoc]:
    """``_id`` -> document (``metadata``, when present, must be an object); a repeated ``_id`` is an error."""
    corpus: dict[str, CorpusDoc] = {}
    for number, record, raw in _records(path, ("_id", "title", "text")):
        if record["_id"] in corpus:
            raise InputError(f"{path}: line {number}: _id {record['_id']!r} appears twice")
        metadata = raw.get("metadata", {})
        if not isinstance(metadata, dict):
            raise InputError(f"{path}: line {number}: 'metadata' must be a JSON object")
        corpus[record["_id"]] = CorpusDoc(record["title"], record["text"], metadata)
    if not corpus:
        raise InputError(f"{path}: no documents")
    return corpus


def read_queries(path: Path) -> dict[str, str]:
    """``_id`` -> query text; a repeated ``_id`` is an error."""
    queries: dict[str, str] = {}
    for number, record, _ in _records(path, ("_id", "text")):
        if record["_id"] in queries:
            raise InputError(f"{path}: line {number}: _id {record['_id']!r} appears twice")
        queries[record["_id"]] = record["text"]
    return queries


def read_qrels(path: Path) -> Qrels:
    """``query-id`` -> {``corpus-id``: integer score}, from a TSV file with a header line.

    A (query, document) pair judged twice is an error: which grade holds would be a guess.
    """
    qrels: Qrels = {}
    lines: dict[tuple[str, str], int] = {}
    for number, line in _lines(path):
        fields = line.rstrip("\r\n").split("\t")
        if number == 1 and fields[:1] == ["query-id"]:
            continue
        if not line.strip():
            continue
        if len(fields) != 3:
            raise InputError(
                f"{path}: line {number}: expected 'query-id<TAB>corpus-id<TAB>score', got {len(fields)} fields"
            )
        query_id, doc_id, score = fields
        try:
            value = int(score)
        except ValueError as exc:
            raise InputError(f"{path}: line {number}: score {score!r} is not an integer") from exc
        first = lines.setdefault((query_id, doc_id), number)
        if first != number:
            again = f"query {query_id!r} judges document {doc_id!r} again (line {first})"
            raise InputError(f"{path}: line {number}: {again}")
        qrels.setdefault(query_id, {})[doc_id] = value
    if not qrels:
        raise InputError(f"{path}: no judgements")
    return qrels


def load_beir(folder: str | Path, *, split: str = "test") -> BeirDataset:
    """Read a BEIR folder; queries without a judgement in ``split`` are left out.

    Judged documents missing from the corpus count as misses (:attr:`BeirDataset.unknown_documents`),
    but judgements none of whose relevant documents is in the corpus are an error.
    """
    root = Path(folder)
    if not root.is_dir():
        raise InputError(f"{root}: not a folder")
    corpus_path = find_file(root, "corpus.jsonl")
    corpus = read_corpus(corpus_path)
    queries_path = find_file(root, "queries.jsonl")
    all_queries = read_queries(queries_path)
    qrels_path = find_file(root / "qrels", f"{split}.tsv")
    qrels = read_qrels(qrels_path)
    missing = [q for q in qrels if q not in all_queries]
    if missing:
        raise InputError(f"{qrels_path}: query id {missing[0]!r} is not in {queries_path} ({len(missing)} such)")
    unknown = sum(doc not in corpus for judged in qrels.values() for doc in judged)
    relevant = {doc for judged in qrels.values() for doc, grade in judged.items() if grade > 0}
    if relevant and relevant.isdisjoint(corpus):
        example = min(relevant)
        raise InputError(
            f"{qrels_path}: none of the {len(relevant)} documents judged relevant is in {corpus_path}"
            f" (such as {example!r}): are these judgements for another corpus?"
        )
    queries = {q: all_queries[q] for q in qrels}
    return BeirDataset(root.name, split, corpus, queries, qrels, unknown_documents=unknown)
