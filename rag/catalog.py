"""The catalog: one SQLite file beside the vector store with every paper record, its chunk texts and the store
version, written by the ingest that writes the vectors. Records are read by id; lists and names come from the
compact `papers` table (the records, a few KB each, live in a table of their own so scans stay small); BM25 is
built from the chunk texts, so nothing reads the whole collection back out of Chroma."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from rag.names import paper_names
from rag.types import Paper

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS papers (
    paper_id TEXT PRIMARY KEY, content_hash TEXT NOT NULL, title TEXT NOT NULL, short_name TEXT, year INTEGER,
    venue TEXT, authors TEXT, arxiv_id TEXT, code_url TEXT, affiliations TEXT NOT NULL, sources TEXT NOT NULL,
    names TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS records (paper_id TEXT PRIMARY KEY, record TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sources (source TEXT NOT NULL, paper_id TEXT NOT NULL, PRIMARY KEY (source, paper_id));
CREATE TABLE IF NOT EXISTS chunks (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, chunk_id TEXT NOT NULL UNIQUE, paper_id TEXT NOT NULL,
    title TEXT NOT NULL, text TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS chunks_paper ON chunks (paper_id);
CREATE TABLE IF NOT EXISTS removed (seq INTEGER PRIMARY KEY);
"""
SCHEMA_VERSION = "2"  # a catalog of another layout (or of older name rules) is dropped and filled again from the store
ROW_COLUMNS = "paper_id, title, short_name, year, venue, authors, arxiv_id, code_url, affiliations, sources"
PAGE = 900  # ids per `IN (...)`: SQLite allows 999 variables per statement on old builds


@dataclass(slots=True)
class PaperRow:
    """A paper's metadata without its abstract: what tables, counts and metadata filters need."""

    paper_id: str
    title: str
    short_name: str | None
    year: int | None
    venue: str | None
    authors: str | None
    arxiv_id: str | None
    code_urls: list[str] = field(default_factory=list)
    affiliations: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)


@dataclass(slots=True)
class ChunkText:
    """A chunk as BM25 reads it: its position in the catalog (`seq`), ids and text."""

    seq: int
    chunk_id: str
    paper_id: str
    text: str


class Catalog:
    """The SQLite file; safe to share between threads and between processes (WAL, one writer at a time)."""

    def __init__(self, path: Path):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, timeout=60, check_same_thread=False, isolation_level=None)
        self._lock = threading.Lock()
        with self._lock:
            self._wal()
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("BEGIN IMMEDIATE")
            tables = {r[0] for r in self._db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            tables.discard("sqlite_sequence")
            if tables and self._schema(tables) != SCHEMA_VERSION:  # another layout: refilled from the store
                for table in tables:
                    self._db.execute(f"DROP TABLE {table}")
            self._db.execute("COMMIT")
            self._db.executescript(SCHEMA)
            self._db.execute("INSERT OR IGNORE INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))

    def _wal(self, wait_s: float = 60.0) -> None:
        """Switch to WAL, waiting while another process opening the file holds it (SQLite reports "database is
        locked" here without calling its busy handler)."""
        deadline = time.monotonic() + wait_s
        while True:
            try:
                self._db.execute("PRAGMA journal_mode=WAL")
                return
            except sqlite3.OperationalError as err:
                if "locked" not in str(err) or time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def _schema(self, tables: set[str]) -> str | None:
        got = self._db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchall() if "meta" in tables else []
        return got[0][0] if got else None

    def _query(self, sql: str, args: Iterable = ()) -> list[tuple]:
        with self._lock:
            return self._db.execute(sql, tuple(args)).fetchall()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction that also moves the version, so readers see all of it or none of it."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
                self._db.execute("INSERT INTO meta VALUES ('version', '1') ON CONFLICT(key) DO UPDATE "
                                 "SET value = CAST(value AS INTEGER) + 1")
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    @property
    def version(self) -> int:
        """A counter moved by every change: app processes reload what they cached when it moves."""
        got = self._query("SELECT value FROM meta WHERE key = 'version'")
        return int(got[0][0]) if got else 0

    def get_flag(self, key: str) -> str | None:
        """A value of the meta table."""
        got = self._query("SELECT value FROM meta WHERE key = ?", (key,))
        return got[0][0] if got else None

    def set_flag(self, key: str, value: str) -> None:
        """Set a value of the meta table."""
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    # ------------------------------------------------------------ writing

    def put(self, db: sqlite3.Connection, papers: list[Paper], chunks: dict[str, list[tuple[str, str]]]) -> None:
        """Write papers' records; for papers in `chunks` also replace their chunks, (chunk id, text) each."""
        for paper in papers:
            self._drop_sources(db, paper.paper_id)
            db.execute("INSERT OR REPLACE INTO papers VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", (
                paper.paper_id, paper.content_hash, paper.title, paper.short_name, paper.year, paper.venue,
                paper.authors, paper.arxiv_id, paper.code_urls[0] if paper.code_urls else None,
                json.dumps(paper.affiliations), json.dumps(paper.sources), json.dumps(paper_names(paper))))
            db.execute("INSERT OR REPLACE INTO records VALUES (?, ?)", (paper.paper_id, paper.model_dump_json()))
            db.executemany("INSERT OR IGNORE INTO sources VALUES (?, ?)", [(s, paper.paper_id) for s in paper.sources])
            if paper.paper_id in chunks:
                self._drop_chunks(db, paper.paper_id)
                db.executemany("INSERT INTO chunks (chunk_id, paper_id, title, text) VALUES (?, ?, ?, ?)",
                               [(cid, paper.paper_id, paper.title, text) for cid, text in chunks[paper.paper_id]])

    def delete(self, db: sqlite3.Connection, paper_ids: list[str]) -> None:
        """Remove papers, their sources and their chunks."""
        for paper_id in paper_ids:
            self._drop_sources(db, paper_id)
            self._drop_chunks(db, paper_id)
            db.execute("DELETE FROM papers WHERE paper_id = ?", (paper_id,))
            db.execute("DELETE FROM records WHERE paper_id = ?", (paper_id,))

    @staticmethod
    def _drop_sources(db: sqlite3.Connection, paper_id: str) -> None:
        db.execute("DELETE FROM sources WHERE paper_id = ?", (paper_id,))

    @staticmethod
    def _drop_chunks(db: sqlite3.Connection, paper_id: str) -> None:
        """Delete a paper's chunks, remembering their positions so an older BM25 index can skip them."""
        db.execute("INSERT OR IGNORE INTO removed SELECT seq FROM chunks WHERE paper_id = ?", (paper_id,))
        db.execute("DELETE FROM chunks WHERE paper_id = ?", (paper_id,))

    # ------------------------------------------------------------ reading

    def count(self) -> int:
        """How many papers."""
        return self._query("SELECT count(*) FROM papers")[0][0]

    def count_chunks(self) -> int:
        """How many chunks."""
        return self._query("SELECT count(*) FROM chunks")[0][0]

    def records(self, paper_ids: list[str]) -> dict[str, Paper]:
        """The records of the given papers that exist, by id."""
        found: dict[str, Paper] = {}
        for start in range(0, len(paper_ids), PAGE):
            page = paper_ids[start:start + PAGE]
            marks = ",".join("?" * len(page))
            for paper_id, record in self._query(f"SELECT paper_id, record FROM records WHERE paper_id IN ({marks})",
                                                page):
                found[paper_id] = Paper.model_validate_json(record)
        return found

    def records_from(self, sources: list[str]) -> dict[str, Paper]:
        """The records of every paper read from one of the given files."""
        ids: list[str] = []
        for start in range(0, len(sources), PAGE):
            page = sources[start:start + PAGE]
            marks = ",".join("?" * len(page))
            ids += [r[0] for r in self._query(f"SELECT DISTINCT paper_id FROM sources WHERE source IN ({marks})", page)]
        return self.records(list(dict.fromkeys(ids)))

    def all_records(self, limit: int = -1) -> Iterator[Paper]:
        """Every record, or the first `limit` (reads them all: for pruning and exports, not for answering)."""
        for (record,) in self._query("SELECT record FROM records LIMIT ?", (limit,)):
            yield Paper.model_validate_json(record)

    def ids(self) -> list[str]:
        """Every paper id."""
        return [r[0] for r in self._query("SELECT paper_id FROM papers")]

    def rows(self) -> list[PaperRow]:
        """Every paper's metadata columns, without abstracts."""
        return [PaperRow(pid, title, short, year, venue, authors, arxiv, [code] if code else [], json.loads(affs),
                         json.loads(srcs))
                for pid, title, short, year, venue, authors, arxiv, code, affs, srcs
                in self._query(f"SELECT {ROW_COLUMNS} FROM papers")]

    def names(self) -> list[tuple[str, list[str]]]:
        """Every paper's names (short name, title head, aliases), for finding papers named in a question."""
        return [(pid, json.loads(names)) for pid, names in self._query("SELECT paper_id, names FROM papers")]

    def chunk_texts(self, chunk_ids: list[str]) -> dict[str, str]:
        """The text of the given chunks, by id."""
        found: dict[str, str] = {}
        for start in range(0, len(chunk_ids), PAGE):
            page = chunk_ids[start:start + PAGE]
            marks = ",".join("?" * len(page))
            found.update(self._query(f"SELECT chunk_id, text FROM chunks WHERE chunk_id IN ({marks})", page))
        return found

    def chunks_after(self, seq: int) -> list[ChunkText]:
        """The chunks written after position `seq`, as BM25 indexes them (title, then text)."""
        return [ChunkText(*row) for row in self._query(
            "SELECT seq, chunk_id, paper_id, title || char(10) || text FROM chunks WHERE seq > ? ORDER BY seq", (seq,))]

    def removed_upto(self, seq: int) -> set[int]:
        """Positions up to `seq` whose chunks were deleted since."""
        return {r[0] for r in self._query("SELECT seq FROM removed WHERE seq <= ?", (seq,))}

    def last_seq(self) -> int:
        """The position of the newest chunk ever written."""
        got = self._query("SELECT seq FROM sqlite_sequence WHERE name = 'chunks'")
        return got[0][0] if got else 0

    def forget_removed(self, upto: int) -> None:
        """Drop deletion marks that no BM25 index still needs."""
        with self._lock:
            self._db.execute("DELETE FROM removed WHERE seq <= ?", (upto,))
