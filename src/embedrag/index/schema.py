"""The collection database: file layout, format version, tables and connection settings.

A collection is a directory holding ``collection.db`` (the truth) and derived files that can
always be rebuilt from it (``vectors.hnsw``).

Every write transaction bumps the *generation* and records a random *token* for it in ``commits``.
A derived file names the generation and token it reflects: a database restored from a backup
repeats generation numbers (and chunk ids) but never a token, so a file built from another copy
of the database is recognised and rebuilt instead of pointing at other passages.

Durability: WAL with ``synchronous=FULL``. NORMAL already keeps every committed transaction
through a SIGKILL (the WAL frames are in the OS before COMMIT returns), but may lose the last
transactions on a power cut or kernel crash; FULL fsyncs the WAL at each commit, which costs
one fsync per *batch* of documents, a small price for "nothing ever lost".
"""

from __future__ import annotations

import json
import os
import secrets
import sqlite3
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "DB_NAME",
    "FORMAT_VERSION",
    "SCHEMA",
    "TOKEN_VECTORS_TABLE",
    "UPGRADES",
    "Version",
    "connect",
    "deleted_since",
    "new_token",
    "read_generation",
    "read_version",
    "token_at",
]

DB_NAME = "collection.db"
FORMAT_VERSION = 4
"""Bumped whenever the tables below change; :data:`UPGRADES` brings an older file up to date in place."""

TOKEN_VECTORS_TABLE = """
-- Format 4: each chunk's contextual token vectors, for late-interaction rerank, only in a collection
-- created to keep them (meta 'token_vectors'). Written and deleted in the transaction of their chunk.
CREATE TABLE IF NOT EXISTS token_vectors (
    chunk_id INTEGER PRIMARY KEY, -- chunks.id
    tokens INTEGER NOT NULL,      -- rows: the chunk's word pieces, special tokens left out
    data BLOB NOT NULL,           -- tokens * dims int8 values, then tokens float32 scales (little-endian)
    crc INTEGER NOT NULL          -- zlib.crc32 of data
);
"""

SCHEMA = (
    """
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
    vector_crc INTEGER NOT NULL, -- zlib.crc32 of vector: SQLite does not checksum what a page holds
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
-- One random token per committed generation: which database, exactly, a derived file was built from.
CREATE TABLE IF NOT EXISTS commits (generation INTEGER PRIMARY KEY, token TEXT NOT NULL);
"""
    + TOKEN_VECTORS_TABLE
)


@dataclass(frozen=True)
class Version:
    """Which state of which database: a generation and the token its transaction recorded (None: unknown)."""

    generation: int
    token: str | None


def new_token() -> str:
    """A fresh random token for a commit (64 bits: two copies of a database never draw the same)."""
    return secrets.token_hex(8)


def _upgrade_1_to_2(conn: sqlite3.Connection) -> None:
    # Format 1 had no tokens: record one for the current generation; older derived files get rebuilt.
    conn.execute("CREATE TABLE IF NOT EXISTS commits (generation INTEGER PRIMARY KEY, token TEXT NOT NULL)")
    conn.execute("INSERT OR REPLACE INTO commits VALUES (?, ?)", (read_generation(conn), new_token()))
    # Nor vector checksums: take them from the vectors as they are now.
    conn.execute("ALTER TABLE chunks ADD COLUMN vector_crc INTEGER NOT NULL DEFAULT -1")
    conn.create_function("embedrag_crc32", 1, zlib.crc32, deterministic=True)
    conn.execute("UPDATE chunks SET vector_crc = embedrag_crc32(vector)")


def _upgrade_2_to_3(conn: sqlite3.Connection) -> None:
    # Format 3 specs name the query and passage prompts; a format-2 collection was built without any.
    spec = json.loads(conn.execute("SELECT value FROM meta WHERE key = 'spec'").fetchone()[0])
    spec = {"query_prompt": "", "passage_prompt": "", **spec}
    conn.execute("UPDATE meta SET value = ? WHERE key = 'spec'", (json.dumps(spec, sort_keys=True),))


def _upgrade_3_to_4(conn: sqlite3.Connection) -> None:
    # Format 4 can keep token vectors; a format-3 collection was created without them.
    conn.execute(TOKEN_VECTORS_TABLE)
    conn.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('token_vectors', 'none')")


UPGRADES: dict[int, Callable[[sqlite3.Connection], None]] = {
    1: _upgrade_1_to_2,
    2: _upgrade_2_to_3,
    3: _upgrade_3_to_4,
}
"""Format version -> the step that turns it into the next version, inside a write transaction."""


def connect(path: Path, *, timeout: float, read_only: bool = False) -> sqlite3.Connection:
    """Open ``path`` in autocommit mode (we issue BEGIN ourselves) with WAL and FULL sync.

    ``timeout`` is how long a writer waits for another writer before giving up. ``read_only``
    opens the file for reading only (``mode=ro``); when its folder cannot be written either, SQLite
    could not create the WAL's shared-memory file, so the file is opened as immutable: nobody who
    cannot write beside it can change it. Raises ``sqlite3.DatabaseError`` if the file is not a
    SQLite database.
    """
    if read_only:
        immutable = not os.access(path.parent, os.W_OK) and not path.with_name(path.name + "-wal").exists()
        uri = f"{path.resolve().as_uri()}?mode=ro" + ("&immutable=1" if immutable else "")
        conn = sqlite3.connect(uri, uri=True, isolation_level=None, timeout=timeout, check_same_thread=False)
    else:
        conn = sqlite3.connect(path, isolation_level=None, timeout=timeout, check_same_thread=False)
    try:
        conn.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
        if not read_only:
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


def token_at(conn: sqlite3.Connection, generation: int) -> str | None:
    """The token recorded by the transaction that made ``generation`` (None if none was recorded)."""
    try:
        row = conn.execute("SELECT token FROM commits WHERE generation = ?", (generation,)).fetchone()
    except sqlite3.OperationalError:  # a format-1 file opened read-only, not upgraded: no tokens
        return None
    return None if row is None else str(row[0])


def read_version(conn: sqlite3.Connection) -> Version:
    """The database's current generation and its token, read in the caller's transaction."""
    generation = read_generation(conn)
    return Version(generation, token_at(conn, generation))


def deleted_since(conn: sqlite3.Connection, generation: int) -> list[int]:
    """Ids of chunks deleted (or re-announced by a repair) after ``generation``."""
    return [r[0] for r in conn.execute("SELECT chunk_id FROM deleted_chunks WHERE generation > ?", (generation,))]
