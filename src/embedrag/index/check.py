"""Verifying a collection: SQLite integrity, orphans, postings vs chunk texts, vector sizes, derived files."""

from __future__ import annotations

import json
import sqlite3
import zlib
from collections import Counter
from dataclasses import dataclass, field

from embedrag.index.hnsw import (
    HNSW_DTYPES,
    INDEX_FILE,
    HnswIndex,
    UnreadableGraph,
    graph_meta,
    lineage_problem,
    read_graph,
)
from embedrag.index.lexical import LexicalIndex
from embedrag.index.schema import read_generation
from embedrag.index.store import Store
from embedrag.index.text import term_counts

__all__ = ["CheckReport", "check"]


@dataclass
class CheckReport:
    """What :func:`check` found (``problems``), fixed (``repaired``) and merely noticed (``notes``)."""

    problems: list[str] = field(default_factory=list)
    repaired: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when nothing is wrong (or everything wrong was repaired)."""
        return len(self.problems) == len(self.repaired)


def check(store: Store, *, repair: bool = False) -> CheckReport:
    """Check ``store``; with ``repair``, fix what can be fixed from the database itself.

    Repairs: orphan chunks and postings are deleted; postings that disagree with their chunk's
    text are rewritten; documents with malformed vectors get an empty content hash so the next
    ingest re-embeds them; an HNSW file that is damaged, cannot be read or was built from another
    copy of the database (a restored backup) is rebuilt from the database.
    SQLite-level corruption is reported, not repaired.
    """
    report = CheckReport()
    with store.read() as conn:
        integrity = [r[0] for r in conn.execute("PRAGMA integrity_check")]
    if integrity != ["ok"]:
        report.problems.append("SQLite integrity check failed: " + "; ".join(integrity[:5]))
        return report
    if repair:
        with store.write() as w:
            _database_checks(w._conn, store, report, repair=True, generation=w.generation)
    else:
        with store.read() as conn:
            _database_checks(conn, store, report, repair=False, generation=0)
    _derived_checks(store, report, repair)
    return report


def _database_checks(
    conn: sqlite3.Connection, store: Store, report: CheckReport, *, repair: bool, generation: int
) -> None:
    orphans = [r[0] for r in conn.execute("SELECT id FROM chunks WHERE doc_id NOT IN (SELECT id FROM documents)")]
    if orphans:
        report.problems.append(f"{len(orphans)} chunks belong to no document")
        if repair:
            conn.executemany("DELETE FROM chunks WHERE id = ?", [(i,) for i in orphans])
            conn.executemany("DELETE FROM token_vectors WHERE chunk_id = ?", [(i,) for i in orphans])
            conn.executemany("INSERT OR REPLACE INTO deleted_chunks VALUES (?, ?)", [(i, generation) for i in orphans])
            report.repaired.append(f"deleted {len(orphans)} orphan chunks")
    stray = conn.execute("SELECT COUNT(*) FROM postings WHERE chunk_id NOT IN (SELECT id FROM chunks)").fetchone()[0]
    if stray:
        report.problems.append(f"{stray} postings point to missing chunks")
        if repair:
            conn.execute("DELETE FROM postings WHERE chunk_id NOT IN (SELECT id FROM chunks)")
            report.repaired.append(f"deleted {stray} stray postings")
    _vector_checks(conn, store, report, repair=repair)
    if store.token_vectors != "none":
        _token_vector_checks(conn, store, report, repair=repair)
    _postings_check(conn, store, report, repair=repair, generation=generation)


def _vector_checks(conn: sqlite3.Connection, store: Store, report: CheckReport, *, repair: bool) -> None:
    """Vectors of the wrong size, or whose bytes changed since they were written: re-ingest their documents."""
    size = store.spec.dims * 4
    bad = {r[0] for r in conn.execute("SELECT DISTINCT doc_id FROM chunks WHERE length(vector) != ?", (size,))}
    if bad:
        report.problems.append(f"{len(bad)} documents have vectors that are not {store.spec.dims} float32 values")
    rows = conn.execute("SELECT doc_id, vector, vector_crc FROM chunks")
    damaged = {doc_id for doc_id, blob, crc in rows if zlib.crc32(blob) != crc} - bad
    if damaged:
        report.problems.append(f"{len(damaged)} documents have vectors that do not match their checksum (damaged)")
    if repair and (bad or damaged):
        conn.executemany("UPDATE documents SET content_hash = '' WHERE id = ?", [(d,) for d in sorted(bad | damaged)])
        report.repaired.append(f"marked {len(bad | damaged)} documents for re-ingest")


def _token_vector_checks(conn: sqlite3.Connection, store: Store, report: CheckReport, *, repair: bool) -> None:
    """Token vectors of no chunk, or whose bytes are damaged; chunks without any are only noted.

    Late rerank already passes over damaged ones (it encodes those chunks at query time); a repair
    deletes them and marks their documents for re-ingest, which stores them again.
    """
    stray = [
        r[0] for r in conn.execute("SELECT chunk_id FROM token_vectors WHERE chunk_id NOT IN (SELECT id FROM chunks)")
    ]
    if stray:
        report.problems.append(f"{len(stray)} token-vector rows belong to no chunk")
        if repair:
            conn.executemany("DELETE FROM token_vectors WHERE chunk_id = ?", [(i,) for i in stray])
            report.repaired.append(f"deleted {len(stray)} stray token-vector rows")
    width = store.spec.dims + 4
    sql = "SELECT t.chunk_id, c.doc_id, t.tokens, t.data, t.crc FROM token_vectors t JOIN chunks c ON c.id = t.chunk_id"
    damaged = {
        (chunk, doc_id)
        for chunk, doc_id, tokens, data, crc in conn.execute(sql)
        if tokens < 1 or len(data) != tokens * width or zlib.crc32(data) != crc
    }
    if damaged:
        docs = sorted({doc_id for _, doc_id in damaged})
        report.problems.append(f"{len(damaged)} chunks of {len(docs)} documents have damaged token vectors")
        if repair:
            conn.executemany("DELETE FROM token_vectors WHERE chunk_id = ?", [(chunk,) for chunk, _ in damaged])
            conn.executemany("UPDATE documents SET content_hash = '' WHERE id = ?", [(d,) for d in docs])
            report.repaired.append(
                f"deleted {len(damaged)} damaged token-vector rows; marked {len(docs)} documents for re-ingest"
            )
    missing = conn.execute(
        "SELECT COUNT(*) FROM chunks WHERE id NOT IN (SELECT chunk_id FROM token_vectors)"
    ).fetchone()[0]
    if missing:
        report.notes.append(
            f"{missing} chunks have no stored token vectors (stored with vectors made elsewhere, or repaired): "
            "late rerank encodes them at query time"
        )


def _postings_check(
    conn: sqlite3.Connection, store: Store, report: CheckReport, *, repair: bool, generation: int
) -> None:
    terms = dict(conn.execute("SELECT id, term FROM terms").fetchall())
    stored: dict[int, dict[str, int]] = {}
    for chunk_id, term_id, tf in conn.execute("SELECT chunk_id, term_id, tf FROM postings"):
        stored.setdefault(chunk_id, {})[terms.get(term_id, "")] = tf
    wrong = []
    for chunk_id, text, length in conn.execute("SELECT id, text, lex_len FROM chunks"):
        counts, expected_len = term_counts(store.analyzer, text)
        if stored.get(chunk_id, {}) != dict(counts) or length != expected_len:
            wrong.append((chunk_id, counts, expected_len))
    if not wrong:
        return
    report.problems.append(f"{len(wrong)} chunks have postings that disagree with their text")
    if repair:
        for chunk_id, counts, expected_len in wrong:
            conn.execute("INSERT OR IGNORE INTO terms (term) SELECT value FROM json_each(?)", (_json_list(counts),))
            conn.execute("DELETE FROM postings WHERE chunk_id = ?", (chunk_id,))
            conn.executemany(
                "INSERT INTO postings (chunk_id, term_id, tf) SELECT ?, id, ? FROM terms WHERE term = ?",
                [(chunk_id, tf, t) for t, tf in counts.items()],
            )
            # Re-announce the chunk (deleted + added at this generation) so derived indexes reload it.
            conn.execute(
                "UPDATE chunks SET lex_len = ?, generation = ? WHERE id = ?", (expected_len, generation, chunk_id)
            )
            conn.execute("INSERT OR REPLACE INTO deleted_chunks VALUES (?, ?)", (chunk_id, generation))
        report.repaired.append(f"rewrote the postings of {len(wrong)} chunks")


def _json_list(counts: Counter[str]) -> str:
    return json.dumps(list(counts))


def _derived_checks(store: Store, report: CheckReport, repair: bool) -> None:
    problem, fixed = LexicalIndex(store).check(repair=repair)
    report.problems += [problem] if problem else []
    report.repaired += [fixed] if fixed else []
    problem, meta = None, None
    if (store.root / INDEX_FILE).exists():
        try:
            meta = read_graph(store.root, store.spec.dims, thorough=True)[3]
        except UnreadableGraph as e:
            problem = str(e)
    with store.read() as conn:
        generation = read_generation(conn)
        if meta is not None:
            problem = lineage_problem(conn, meta)
    if problem is not None:
        report.problems.append(problem)
        if repair:
            report.repaired.append(_rebuild_graph(store))
        return
    if meta is None:
        report.notes.append(f"no {INDEX_FILE} yet (built when the collection outgrows exact search)")
    elif meta.get("generation") != generation:
        report.notes.append(
            f"{INDEX_FILE} reflects generation {meta.get('generation')} of {generation}; caught up on use"
        )


def _rebuild_graph(store: Store) -> str:
    """Replace the unusable graph with one built from the database now, so readers need not rebuild it."""
    try:
        dtype = (graph_meta(store.root) or {}).get("dtype")
    except UnreadableGraph:
        dtype = None
    (store.root / INDEX_FILE).unlink(missing_ok=True)
    graph = HnswIndex(store, dtype=dtype if dtype in HNSW_DTYPES else "f32")
    graph.refresh()
    return f"rebuilt {INDEX_FILE} from the database ({len(graph)} vectors)"
