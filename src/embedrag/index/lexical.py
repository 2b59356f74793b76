"""BM25 search over a store: postings segments mapped from a derived file, caught up from the database.

The postings in SQLite are the truth (written in the chunk's own transaction). This module keeps
them as *segments* (:mod:`embedrag.index.postings`), Lucene-style: a write costs only its own
size, because the next query loads the newer postings as a new segment and marks deleted chunks
dead. Segments merge (dropping the dead) once the newer ones hold a quarter of the postings.

The segments are saved in ``postings.bm25`` (a derived file, :mod:`embedrag.index.derived`), so a
new process maps them instead of reading every posting back from SQLite (45 s at a million
chunks). Like the HNSW file, it names the generation and commit token it reflects; a missing,
damaged or foreign one is rebuilt from the database, a stale one is caught up in memory, and only
writers publish it (:meth:`LexicalIndex.save`).

A query gathers its terms' rows from every segment and scores them exactly:
``idf * tf / (tf + k1 * (1 - b + b * len / avgdl))``. The corpus statistics (chunk count, average
length, each term's document frequency) come from the segments, or are passed in as a
:class:`~embedrag.index.bm25.CorpusStats` value (a sharded collection scores with the statistics
of all its shards).
"""

from __future__ import annotations

import sqlite3
from typing import Any

import numpy as np
from numpy.typing import NDArray

from embedrag._linalg import top_k
from embedrag.index.bm25 import Bm25Params, CorpusStats, idf, length_norms
from embedrag.index.derived import (
    UnreadableFile,
    lineage_problem,
    open_arrays,
    verify_arrays,
    warn_unusable,
    write_arrays,
)
from embedrag.index.postings import Segment, from_arrays, to_arrays
from embedrag.index.schema import deleted_since, read_version
from embedrag.index.store import Store

__all__ = ["POSTINGS_FILE", "LexicalIndex"]

IntArray = NDArray[np.int64]
POSTINGS_FILE = "postings.bm25"
KIND = "bm25-postings"
MERGE_FRACTION = 0.25
"""Merge the segments when the newer ones (or the dead postings) reach this share of all postings."""
SAVE_AFTER_CHANGES = 1000
"""A writer re-publishes the file once this many chunks were added or deleted since it was written."""


class LexicalIndex:
    """BM25 over a :class:`Store`; :meth:`search` always reflects the latest committed generation."""

    def __init__(self, store: Store, params: Bm25Params | None = None) -> None:
        self.store = store
        self.params = params or Bm25Params()
        self.generation = -1
        self.token: str | None = None
        self._segments: list[Segment] = []
        self._dead_postings = 0
        self.chunk_ids: IntArray = np.zeros(0, np.int64)
        """Chunk id of each score column (segment after segment; dead columns score 0)."""
        self._alive_columns = np.zeros(0, np.bool_)
        self._lengths = np.zeros(0, np.float64)
        self._alive = 0
        self._total_length = 0.0
        self._loaded = False
        self._unsaved = 0
        self._file_generation: int | None = None
        self.problem: str | None = None
        """Why the saved file could not be used, when the last load rebuilt from the database."""

    @property
    def path(self) -> Any:
        return self.store.root / POSTINGS_FILE

    def refresh(self, *, reader: bool = True) -> None:
        """Catch up with the store: map the saved segments once, load newer postings as a segment,
        mark deleted chunks dead. In memory only; ``reader=False`` (a writer) is not warned."""
        if not self._loaded:
            self._load(reader=reader)
        with self.store.read() as conn:
            version = read_version(conn)
            if version.generation == self.generation:
                return
            self._unsaved += self._load_changes(conn, self.generation)
        self.generation, self.token = version.generation, version.token
        self._maybe_merge()
        self._columns()

    def _load(self, *, reader: bool) -> None:
        self._loaded = True
        self.problem = self._load_problem()
        if self.problem is not None and reader and self.path.exists():
            warn_unusable(self.problem, "postings read from the database", stacklevel=5)

    def _load_problem(self, *, thorough: bool = False) -> str | None:
        """Map the saved segments if they are whole and built from this database; else say why not.

        ``thorough`` also verifies every byte's sha256 (``embedrag check``), not only the checks at open.
        """
        try:
            opened = open_arrays(self.path, KIND)
            segments = from_arrays(opened.arrays, int(opened.meta.get("segments", -1)))
        except UnreadableFile as e:
            return str(e)
        except (KeyError, ValueError) as e:
            return f"{POSTINGS_FILE} is damaged: {e}"
        with self.store.read() as conn:
            problem = lineage_problem(conn, opened.meta, POSTINGS_FILE)
        if problem is None and thorough:
            problem = verify_arrays(opened)
        if problem is not None:
            return problem
        self._segments = segments
        self._dead_postings = sum(int(s.counts[~s.alive].sum()) for s in segments if s.dead)
        self.generation, self.token = int(opened.meta["generation"]), opened.meta["token"]
        self._file_generation = self.generation
        self._columns()
        return None

    def _load_changes(self, conn: sqlite3.Connection, since: int) -> int:
        """Load the postings written after ``since`` as a segment, kill deleted chunks; how many chunks changed."""
        new = np.array(
            conn.execute("SELECT id, lex_len FROM chunks WHERE generation > ?", (since,)).fetchall(),
            dtype=np.int64,
        ).reshape(-1, 2)
        # A replaced chunk is deleted and re-added under a new id; a repair may re-announce an old id.
        gone = np.union1d(np.array(deleted_since(conn, since), dtype=np.int64), new[:, 0])
        for segment in self._segments:
            self._dead_postings += segment.kill(gone)
        if len(new):
            posts = np.array(
                conn.execute(
                    "SELECT p.term_id, p.chunk_id, p.tf FROM postings p JOIN chunks c ON c.id = p.chunk_id"
                    " WHERE c.generation > ?",
                    (since,),
                ).fetchall(),
                dtype=np.int64,
            ).reshape(-1, 3)
            self._segments.append(Segment.build(new[:, 0], new[:, 1], posts[:, 0], posts[:, 1], posts[:, 2]))
        return len(gone) + len(new)

    def _maybe_merge(self) -> None:
        """Merge all segments into one without the dead when the newer or the dead postings grew."""
        if not self._segments:
            return
        total = sum(s.postings for s in self._segments)
        newer = total - self._segments[0].postings
        if len(self._segments) == 1 and self._dead_postings == 0:
            return
        if max(newer, self._dead_postings) < MERGE_FRACTION * total and len(self._segments) <= 16:
            return
        parts = [s.coo() for s in self._segments]
        ids = np.concatenate([s.ids[s.alive] for s in self._segments])
        lengths = np.concatenate([s.lengths[s.alive] for s in self._segments]).astype(np.int64)
        terms, chunks, tf = (np.concatenate(column) for column in zip(*parts, strict=True))
        self._segments = [Segment.build(ids, lengths, terms, chunks, tf)] if len(ids) else []
        self._dead_postings = 0

    def _columns(self) -> None:
        segments = self._segments
        self.chunk_ids = np.concatenate([s.ids for s in segments]) if segments else np.zeros(0, np.int64)
        self._lengths = np.concatenate([s.lengths for s in segments]).astype(np.float64) if segments else np.zeros(0)
        self._alive_columns = np.concatenate([s.alive for s in segments]) if segments else np.zeros(0, np.bool_)
        self._alive = int(self._alive_columns.sum())
        self._total_length = float(self._lengths[self._alive_columns].sum())

    def save(self) -> None:
        """Publish the segments as :data:`POSTINGS_FILE` atomically, unless the file is already current."""
        if self._file_generation == self.generation or self.generation < 0:
            return
        meta = {"generation": self.generation, "token": self.token, "segments": len(self._segments)}
        meta["params"] = "none baked in: k1, b and idf are applied at query time"
        write_arrays(self.path, KIND, meta, to_arrays(self._segments))
        self._unsaved, self._file_generation = 0, self.generation

    def publish(self) -> None:
        """A writer's call after its writes: catch up, and publish the file when it is missing,
        was unusable, or lags :data:`SAVE_AFTER_CHANGES` changed chunks."""
        self.refresh(reader=False)
        if self._file_generation is None or self._unsaved >= SAVE_AFTER_CHANGES:
            self.save()

    def check(self, *, repair: bool) -> tuple[str | None, str | None]:
        """(Why the saved file is unusable, what a ``repair`` did), each None when there is nothing to say.

        A missing file is no problem (it is written by the next writer); with ``repair`` an unusable
        one is rebuilt from the database and published.
        """
        if not self.path.exists():
            return None, None
        problem = self._load_problem(thorough=True)
        if problem is None or not repair:
            return problem, None
        self._segments, self.generation, self._loaded, self._file_generation = [], -1, True, None
        self.publish()
        return problem, f"rebuilt {POSTINGS_FILE} from the database ({self._alive} chunks)"

    def corpus_stats(self, terms: list[str]) -> CorpusStats:
        """The statistics BM25 needs for ``terms``, over this index's live chunks (a shard's share of them)."""
        self.refresh()
        ids = self._term_ids(terms)
        rows = sorted(set(ids.values()))
        df = self._document_frequencies(rows)
        return CorpusStats(self._alive, self._total_length, {t: int(df[rows.index(i)]) for t, i in ids.items()})

    def _term_ids(self, terms: list[str]) -> dict[str, int]:
        """Term -> term id, for those of ``terms`` the collection has seen."""
        distinct = sorted(set(terms))
        if not distinct:
            return {}
        with self.store.read() as conn:
            marks = ",".join("?" * len(distinct))
            return dict(conn.execute(f"SELECT term, id FROM terms WHERE term IN ({marks})", distinct).fetchall())

    def _gathered(self, rows: list[int]) -> tuple[IntArray, NDArray[np.float32], IntArray]:
        parts, offset = [], 0
        for segment in self._segments:
            cols, tf, term = segment.gather(rows)
            parts.append((cols.astype(np.int64) + offset, tf, term))
            offset += len(segment.ids)
        cols, tf, term = (np.concatenate(column) for column in zip(*parts, strict=True))
        return cols.astype(np.int64, copy=False), tf, term

    def _document_frequencies(self, rows: list[int]) -> NDArray[np.float64]:
        if not rows or not self._segments:
            return np.zeros(len(rows))
        return np.bincount(self._gathered(rows)[2], minlength=len(rows)).astype(np.float64)

    def scores(self, query: str, stats: CorpusStats | None = None) -> NDArray[np.float32]:
        """BM25 score of every column of :attr:`chunk_ids` for ``query``'s distinct terms.

        ``stats``: the corpus statistics to score with (default: this index's own).
        """
        self.refresh()
        ids = self._term_ids(self.store.analyzer.terms(query))
        rows = sorted(set(ids.values()))
        if not rows or not self._segments:
            return np.zeros(len(self.chunk_ids), np.float32)
        cols, tf, term = self._gathered(rows)
        if stats is None:
            n, df = self._alive, np.bincount(term, minlength=len(rows)).astype(np.float64)
            avgdl = self._total_length / max(self._alive, 1)
        else:
            by_row = {i: t for t, i in ids.items()}
            n, avgdl = stats.chunks, stats.average_length
            df = np.array([stats.document_frequencies.get(by_row[r], 0) for r in rows], dtype=np.float64)
        norms = length_norms(self.params, self._lengths[cols], avgdl)
        weights = idf(self.params, df, n)[term] * (tf / (tf + norms))
        return np.bincount(cols, weights=weights, minlength=len(self.chunk_ids)).astype(np.float32)

    def search(
        self, query: str, k: int, candidates: IntArray | None = None, *, stats: CorpusStats | None = None
    ) -> list[tuple[int, float]]:
        """The ``k`` best ``(chunk id, score)`` with a positive score, best first.

        ``candidates`` (sorted chunk ids, e.g. from a filter) restricts the search to those chunks;
        ``stats`` are the corpus statistics to score with (default: this index's own).
        """
        scores = self.scores(query, stats)
        cols = np.flatnonzero(scores > 0)
        if candidates is not None:
            cols = cols[np.isin(self.chunk_ids[cols], candidates)]
        best = top_k(scores[cols], k)
        return [(int(self.chunk_ids[cols[i]]), float(scores[cols[i]])) for i in best]
