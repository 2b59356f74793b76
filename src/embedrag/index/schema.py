"""The collection database: file layout, format version, tables and connection settings.

A collection is a directory holding ``collection.db`` (the truth) and derived files that can
always be rebuilt from it (``vectors.hnsw`` + ``vectors.json``).

Durability: WAL with ``synchronous=FULL``. NORMAL already keeps every committed transaction
through a SIGKILL (the WAL frames are in the OS before COMMIT returns), but may lose the last
transactions on a power cut or kernel crash; FULL fsyncs the WAL at each commit, which costs
one fsync per *batch* of documents, a small price for "nothing ever lost".
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

__all__ = ["DB_NAME", "FORMAT_VERSION", "SCHEMA", "connect", "deleted_since", "read_generation"]

DB_NAME = "collection.db"
FORMAT_VERSION = 1
"""Bumped whenever the tables below change incompatibly."""

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    id TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    metadata TEXT NOT NULL,
    generation INTEGER NOT NULL
);
-- AUTOINCREMENT: a deleted chunk's id is never reused, so derived indexes keyed by id stay correct.
CREATE TABLE IF NOT EXISTS chunks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    doc_id TEXT NOT NULL,
    position INTEGER NOT NULL,
    text TEXT NOT NULL,
    start_char INTEGER NOT NULL,
    end_char INTEGER NOT NULL,
    tokens INTEGER NOT NULL,
    metadata TEXT NOT NULL,
    vector BLOB NOT NULL,
    lex_len INTEGER NOT NULL,
    generation INTEGER NOT NULL,
    UNIQUE (doc_id, position)
);
CREATE INDEX IF NOT EXISTS chunks_generation ON chunks (generation);
CREATE INDEX IF NOT EXISTS documents_hash ON documents (content_hash);
CREATE TABLE IF NOT EXISTS terms (id INTEGER PRIMARY KEY, term TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS postings (
    chunk_id INTEGER NOT NULL,
    term_id INTEGER NOT NULL,
    tf INTEGER NOT NULL,
    PRIMARY KEY (chunk_id, term_id)
) WITHOUT ROWID;
-- Which chunks left at which generation, so derived indexes can catch up without a rebuild.
CREATE TABLE IF NOT EXISTS deleted_chunks (chunk_id INTEGER PRIMARY KEY, generation INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS deleted_generation ON deleted_chunks (generation);
"""


def connect(path: Path, *, timeout: float) -> sqlite3.Connection:
    """Open ``path`` in autocommit mode (we issue BEGIN ourselves) with WAL and FULL sync.

    ``timeout`` is how long a writer waits for another writer before giving up.
    Raises ``sqlite3.DatabaseError`` if the file is not a SQLite database.
    """
    conn = sqlite3.connect(path, isolation_level=None, timeout=timeout, check_same_thread=False)
    try:
        conn.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise sqlite3.DatabaseError(f"could not switch to WAL mode (got {mode!r})")
        conn.execute("PRAGMA synchronous = FULL")
    except BaseException:
        conn.close()
        raise
    return conn


def read_generation(conn: sqlite3.Connection) -> int:
    """The collection's generation: how many write transactions have committed."""
    return int(conn.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()[0])


def deleted_since(conn: sqlite3.Connection, generation: int) -> list[int]:
    """Ids of chunks deleted (or re-announced by a repair) after ``generation``."""
    return [r[0] for r in conn.execute("SELECT chunk_id FROM deleted_chunks WHERE generation > ?", (generation,))]
