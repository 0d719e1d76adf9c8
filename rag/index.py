"""The paper index: papers -> chunks -> embeddings -> store, incremental, with BM25 kept in step."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from functools import cached_property
from pathlib import Path

from pydantic import BaseModel, Field

from rag.bm25 import Bm25Index
from rag.embedding import load_embedder, load_tokenizer, local_model_path, model_tag
from rag.multilingual import AbstractVectors
from rag.names import NameIndex
from rag.papers import METADATA_FILE, load_metadata, load_papers, stamped
from rag.settings import Settings
from rag.store import PaperStore, open_client
from rag.types import Paper, Skipped

ProgressFn = Callable[[int, int], None]
EMBED_BATCH_PAPERS = 16


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
    seconds: float = 0.0
    embed_seconds: float = 0.0
    store_seconds: float = 0.0
    multilingual_papers: int = 0
    multilingual_seconds: float = 0.0


class PaperIndex:
    """Everything loaded once per process: settings, store, embedder (lazily) and BM25."""

    def __init__(self, settings: Settings | None = None):
        self.settings = settings or Settings()
        if not self.settings.embed_base_url:
            local_model_path(self.settings.embed_model)  # a hub name fails here, before any work
        self.tag = model_tag(self.settings)
        self.store = PaperStore(open_client(self.settings), self.tag, self.settings.embed_model)
        self._bm25: Bm25Index | None = None
        self._papers: dict[str, Paper] | None = None
        self._names: NameIndex | None = None
        self._lock = threading.RLock()  # web handlers share one index: one rebuild or ingest at a time

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
        """Where the BM25 index of this configuration is saved."""
        return self.settings.data_dir / f"bm25-{self.tag}"

    @property
    def papers(self) -> dict[str, Paper]:
        """Every indexed paper by id (cached until the next ingest)."""
        if self._papers is None:
            self._papers, self._names = self.store.paper_records(), None
        return self._papers

    @property
    def names(self) -> NameIndex:
        """The papers' names, for questions that name a paper (rebuilt with `papers`)."""
        papers = self.papers
        if self._names is None:
            self._names = NameIndex(papers)
        return self._names

    @property
    def bm25(self) -> Bm25Index:
        """The BM25 index, rebuilt from the store whenever the store has changed since it was saved."""
        version = self.store.version
        if self._bm25 is not None and self._bm25.version == version:
            return self._bm25
        with self._lock:
            self._papers = None
            saved = Bm25Index.load(self.bm25_dir)
            if saved is None or saved.version != version:
                saved = Bm25Index(*self.store.all_chunks(), version=version)
                saved.save(self.bm25_dir)
            self._bm25 = saved
            return self._bm25

    def embed_query(self, text: str) -> list[float]:
        """The query vector."""
        return self.embedder.get_query_embedding(text)

    def ingest(self, paths: list[Path] | None = None, prune: bool = False,
               progress: ProgressFn | None = None) -> IngestReport:
        """Bring the store in line with the given seed files; only new or changed papers are embedded."""
        with self._lock:
            return self._ingest(paths, prune, progress)

    def _ingest(self, paths: list[Path] | None, prune: bool, progress: ProgressFn | None) -> IngestReport:
        started = time.perf_counter()
        paths = paths or [self.settings.seeds_dir]
        loaded = load_papers(paths, self._metadata(paths))
        report = IngestReport(files=loaded.files, blocks=loaded.blocks, papers=len(loaded.papers),
                              duplicates_merged=loaded.duplicates_merged, skipped=loaded.skipped)
        self.store.index_sources()
        existing = (self.store.paper_records() if prune else
                    self.store.records_of([p.paper_id for p in loaded.papers], sorted(loaded.files_read)))
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
            self.store.bump_version()  # first, so a crash mid-way leaves the BM25 index marked stale
            self._write(to_embed, to_update, stale, report, progress)
            self._papers = None
            _ = self.bm25
        if self.abstract_vectors is not None:
            self._write_multilingual(list(wanted.values()), stale, report)
        report.chunks = self.store.count_chunks()
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
        for start in range(0, len(to_embed), EMBED_BATCH_PAPERS):
            batch = to_embed[start:start + EMBED_BATCH_PAPERS]
            nodes = {p.paper_id: chunk_paper(p, self.splitter) for p in batch}
            flat = [n for group in nodes.values() for n in group]
            t0 = time.perf_counter()
            vectors = self.embedder.get_text_embedding_batch([n.get_content(MetadataMode.EMBED) for n in flat])
            t1 = time.perf_counter()
            for node, vector in zip(flat, vectors):
                node.embedding = vector
            self.store.put_papers(batch, nodes)
            report.embed_seconds += t1 - t0
            report.store_seconds += time.perf_counter() - t1
            if progress:
                progress(start + len(batch), len(to_embed))

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

    Returns the papers to keep (with merged sources) and the ids of papers left without a source.
    """
    wanted: dict[str, Paper] = {}
    for paper in loaded:
        old = existing.get(paper.paper_id)
        if old:
            kept = _kept_sources(old.sources, files_read, prune)
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
