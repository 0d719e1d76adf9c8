"""The paper index: papers -> chunks -> embeddings -> store, incremental, with BM25 kept in step."""

from __future__ import annotations

import fcntl
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from rag.bm25 import Bm25Index, build_main
from rag.catalog import Catalog
from rag.embedding import all_cores, load_embedder, load_tokenizer, local_model_path, model_tag
from rag.multilingual import AbstractVectors
from rag.names import NameIndex
from rag.papers import METADATA_FILE, load_metadata, load_papers, stamped
from rag.records import Records
from rag.settings import Settings
from rag.store import PaperStore, open_client
from rag.types import Paper, Skipped

if TYPE_CHECKING:
    from llama_index.core.schema import BaseNode

ProgressFn = Callable[[int, int], None]
EMBED_BATCH_PAPERS = 16
ENTRY_FIELDS = ("title", "authors", "year", "venue", "arxiv_id", "doi", "link", "bib_key")  # a BibTeX entry's
ADOPTED = "adopted_chroma"  # set once the catalog holds everything the store held when it was created


class IngestReport(BaseModel):
    """What one ingest did; the CLI prints it as a table."""

    files: int = 0
    blocks: int = 0
    papers: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    duplicates_merged: int = 0
    chunks: int = 0
    skipped: list[Skipped] = Field(default_factory=list)
    notes: list[Skipped] = Field(default_factory=list)
    seconds: float = 0.0
    embed_seconds: float = 0.0
    store_seconds: float = 0.0
    multilingual_papers: int = 0
    multilingual_seconds: float = 0.0


class PaperIndex:
    """Everything one process opens: settings, store, catalog, embedder (lazily), BM25 and the paper records.

    Several processes may share one data folder (and one Chroma server): ingests take turns through a file lock,
    and each process reloads what it caches when the catalog's version moves.
    """

    def __init__(self, settings: Settings | None = None):
        self.settings = settings or Settings()
        if not self.settings.embed_base_url:
            local_model_path(self.settings.embed_model)  # a hub name fails here, before any work
        self.tag = model_tag(self.settings)
        self.store = PaperStore(open_client(self.settings), self.tag, self.settings.embed_model)
        self.catalog = Catalog(self.settings.data_dir / f"catalog-{self.tag}.sqlite")
        self._records: Records | None = None
        self._names: NameIndex | None = None
        self._bm25: Bm25Index | None = None
        self._lock = threading.Lock()  # web handlers share one index: one reload at a time
        if self.catalog.get_flag(ADOPTED) is None:
            with self._ingest_lock():
                self._adopt()

    @cached_property
    def embedder(self):
        """The embedding model, loaded on first use."""
        return load_embedder(self.settings)

    @cached_property
    def splitter(self):
        """The chunker, counting the embedding model's word pieces."""
        from rag.chunking import make_splitter

        return make_splitter(self.settings.chunk_tokens, self.settings.chunk_overlap,
                             load_tokenizer(self.settings, self.embedder))

    @cached_property
    def abstract_vectors(self) -> AbstractVectors | None:
        """The multilingual (e5) vectors of the abstracts, or None when RAG_MULTILINGUAL is off."""
        if not self.settings.multilingual:
            return None
        return AbstractVectors(self.store.client, self.settings.embed_threads)

    @property
    def bm25_dir(self) -> Path:
        """Where the BM25 builds of this configuration are saved."""
        return self.settings.data_dir / f"bm25-{self.tag}"

    @property
    def papers(self) -> Records:
        """Every indexed paper by id, read on demand (reloaded when any process has changed the catalog)."""
        version = self.catalog.version
        records = self._records
        if records is None or records.version != version:
            with self._lock:
                records, self._names = Records(self.catalog, version), None
                self._records = records
        return records

    @property
    def names(self) -> NameIndex:
        """The papers' names, for questions that name a paper (rebuilt with `papers`)."""
        self.papers  # noqa: B018 (drops the names when the catalog has changed)
        names = self._names
        if names is None:
            names = self._names = NameIndex(self.catalog.names(), only_its_own=self._only_its_own,
                                            indexed=lambda word: self.bm25.knows(word))
        return names

    def _only_its_own(self, name: str, paper_id: str) -> bool:
        """Whether the name's words occur in no other paper's chunks (then its lower-case form is no common word)."""
        found = self.bm25.search(name, 50)
        return bool(found) and all(other == paper_id for _, other, _ in found)

    @property
    def bm25(self) -> Bm25Index:
        """The saved BM25 index with the chunks written since, reloaded when the catalog has changed."""
        version = self.catalog.version
        bm25 = self._bm25
        if bm25 is None or bm25.version != version:
            with self._lock:
                bm25 = self._bm25 = Bm25Index(self.bm25_dir, self.catalog, version)
        return bm25

    def embed_query(self, text: str) -> list[float]:
        """The query vector."""
        return self.embedder.get_query_embedding(text)

    def ingest(self, paths: list[Path] | None = None, prune: bool = False,
               progress: ProgressFn | None = None) -> IngestReport:
        """Bring the store in line with the given seed files; only new or changed papers are embedded."""
        with self._ingest_lock():  # questions go on meanwhile, each seeing the batches written so far
            return self._ingest(paths, prune, progress)

    @contextmanager
    def _ingest_lock(self) -> Iterator[None]:
        """One writer at a time across the threads and processes that share the data folder (flock)."""
        with open(self.settings.data_dir / f"ingest-{self.tag}.lock", "w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _ingest(self, paths: list[Path] | None, prune: bool, progress: ProgressFn | None) -> IngestReport:
        started = time.perf_counter()
        paths = paths or [self.settings.seeds_dir]
        loaded = load_papers(paths, self._metadata(paths))
        report = IngestReport(files=loaded.files, blocks=loaded.blocks, papers=len(loaded.papers),
                              duplicates_merged=loaded.duplicates_merged, skipped=loaded.skipped, notes=loaded.notes)
        if prune:
            existing = {p.paper_id: p for p in self.catalog.all_records()}
        else:
            existing = self.catalog.records([p.paper_id for p in loaded.papers])
            existing |= self.catalog.records_from(sorted(loaded.files_read))
        wanted, stale = plan_sources(existing, loaded.papers, set(loaded.files_read), prune)
        to_embed = [p for p in wanted.values() if _needs_embedding(existing.get(p.paper_id), p)]
        embedding = {p.paper_id for p in to_embed}
        to_update = [p for p in wanted.values() if p.paper_id not in embedding
                     and existing[p.paper_id].content_hash != p.content_hash]
        report.new = sum(p.paper_id not in existing for p in to_embed)
        report.updated = len(to_embed) - report.new + len(to_update)
        report.unchanged = len(wanted) - len(to_embed) - len(to_update)
        report.removed = len(stale)
        if to_embed or to_update or stale:
            self._write(to_embed, to_update, stale, report, progress)
            if self.bm25.needs_merge:  # the chunks added since the last build have outgrown their share
                self.rebuild_bm25()
        if self.abstract_vectors is not None:
            self._write_multilingual(list(wanted.values()), stale, report)
        report.chunks = self.catalog.count_chunks()
        report.seconds = time.perf_counter() - started
        return report

    def _write(self, to_embed: list[Paper], to_update: list[Paper], stale: list[str], report: IngestReport,
               progress: ProgressFn | None) -> None:
        from llama_index.core.schema import MetadataMode

        from rag.chunking import chunk_paper

        for paper_id in stale:
            self.store.delete_paper(paper_id)
        for paper in to_update:
            self.store.update_metadata(paper)
        if stale or to_update:
            with self.catalog.transaction() as db:
                self.catalog.delete(db, stale)
                self.catalog.put(db, to_update, {})
        for start in range(0, len(to_embed), EMBED_BATCH_PAPERS):
            batch = to_embed[start:start + EMBED_BATCH_PAPERS]
            nodes = {p.paper_id: chunk_paper(p, self.splitter) for p in batch}
            flat = [n for group in nodes.values() for n in group]
            t0 = time.perf_counter()
            with all_cores():
                vectors = self.embedder.get_text_embedding_batch([n.get_content(MetadataMode.EMBED) for n in flat])
            t1 = time.perf_counter()
            for node, vector in zip(flat, vectors):
                node.embedding = vector
            self.put(batch, nodes)
            report.embed_seconds += t1 - t0
            report.store_seconds += time.perf_counter() - t1
            if progress:
                progress(start + len(batch), len(to_embed))

    def put(self, papers: list[Paper], nodes: dict[str, list[BaseNode]]) -> None:
        """Write embedded papers: vectors to the store first, then the catalog, where a paper counts as indexed."""
        self.store.put_papers(papers, nodes)
        with self.catalog.transaction() as db:
            self.catalog.put(db, papers, {p: [(n.node_id, n.get_content()) for n in group]
                                          for p, group in nodes.items()})

    def rebuild_bm25(self) -> None:
        """Build the BM25 index of every chunk in the catalog and switch every process to it."""
        chunks = self.catalog.chunks_after(0)
        build_main(self.bm25_dir, chunks)
        self.catalog.forget_removed(chunks[-1].seq if chunks else self.catalog.last_seq())
        with self.catalog.transaction():
            pass  # moves the version: processes load the new build at their next question

    def _adopt(self) -> None:
        """Fill the catalog of a store written before there was one (read from Chroma once)."""
        if self.catalog.get_flag(ADOPTED) is not None:
            return  # another process did it while this one waited for the lock
        records, chunks = self.store.contents()
        if records:
            with self.catalog.transaction() as db:
                self.catalog.put(db, list(records.values()), chunks)
            self.rebuild_bm25()
        self.catalog.set_flag(ADOPTED, "1")

    def _write_multilingual(self, papers: list[Paper], stale: list[str], report: IngestReport) -> None:
        """Give every paper read an up-to-date e5 vector (also the papers of a store built before it was on)."""
        started = time.perf_counter()
        vectors = self.abstract_vectors
        vectors.delete(stale)
        missing = vectors.stale(papers)
        for start in range(0, len(missing), EMBED_BATCH_PAPERS):
            vectors.put(missing[start:start + EMBED_BATCH_PAPERS])
        report.multilingual_papers = len(missing)
        report.multilingual_seconds = time.perf_counter() - started

    def _metadata(self, paths: list[Path]) -> list[dict[str, str]]:
        tables = [self.settings.seeds_dir / METADATA_FILE] + [p / METADATA_FILE for p in paths if p.is_dir()]
        rows: list[dict[str, str]] = []
        for table in dict.fromkeys(t.resolve() for t in tables):
            rows.extend(load_metadata(table))
        return rows


def _needs_embedding(old: Paper | None, new: Paper) -> bool:
    return old is None or old.title != new.title


def _kept_sources(sources: list[str], files_read: set[str], prune: bool) -> list[str]:
    """Sources not re-read now (so still true), minus files that are gone when pruning."""
    resolved = [str(Path(s).resolve()) for s in sources]
    return [s for s in resolved if s not in files_read and not (prune and not Path(s).exists())]


def plan_sources(existing: dict[str, Paper], loaded: list[Paper], files_read: set[str], prune: bool
                 ) -> tuple[dict[str, Paper], list[str]]:
    """Merge what was read with what the store has: the files read are the truth for their papers.

    A paper still held by a BibTeX entry that was not re-read keeps the entry's metadata.
    Returns the papers to keep (with merged sources) and the ids of papers left without a source.
    """
    wanted: dict[str, Paper] = {}
    for paper in loaded:
        old = existing.get(paper.paper_id)
        if old:
            kept = _kept_sources(old.sources, files_read, prune)
            if old.bib_key and not paper.bib_key and any(s.lower().endswith(".bib") for s in kept):
                paper = paper.model_copy(update={f: getattr(old, f) for f in ENTRY_FIELDS if getattr(old, f)})
            paper = _with_sources(paper, kept + paper.sources, old.affiliations + paper.affiliations)
        wanted[paper.paper_id] = paper
    stale: list[str] = []
    for paper_id, old in existing.items():
        if paper_id in wanted:
            continue
        kept = _kept_sources(old.sources, files_read, prune)
        if not kept:
            stale.append(paper_id)
        elif len(kept) != len(old.sources):
            wanted[paper_id] = _with_sources(old, kept, old.affiliations)
    return wanted, stale


def _with_sources(paper: Paper, sources: list[str], affiliations: list[str]) -> Paper:
    return stamped(paper.model_copy(update={"sources": list(dict.fromkeys(sources)),
                                            "affiliations": list(dict.fromkeys(affiliations))}))
