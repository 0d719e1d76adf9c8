"""The keyword side of hybrid retrieval: a saved bm25s index of the catalog's chunks, loaded memory-mapped, plus
a small in-memory index of the chunks written since it was built, scored with the same statistics.

Layout of the folder: `main-<seq>/` holds an index of every chunk up to catalog position `seq`; `CURRENT` names
the one in use. A build writes a new folder and then replaces `CURRENT` (an atomic rename), so a crash mid-build
leaves the previous index serving, and every process switches at its next question.
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import time
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import bm25s
import numpy as np
import Stemmer

from rag.catalog import Catalog, ChunkText

BRITISH = [(re.compile(pattern), american) for pattern, american in [
    (r"(?<=\w\w\w)is(e|es|ed|ing|ation|ations|er|ers)$", r"iz\1"),  # minimise, organisation
    (r"(?<=\w)ys(e|es|ed|ing)$", r"yz\1"),  # analyse
    (r"(?<=\w\w\w)our(s|ed|ing|al|able|ite|ites)?$", r"or\1"),  # behaviour, favourite
    (r"(?<=\w\w\w)ell(ing|ed|er|ers)$", r"el\1"),  # modelling, labelled
    (r"(?<=\w\w)ogue(s)?$", r"og\1")]]  # dialogue, catalogue


class SpellingStemmer:
    """English stems that spell British and American words alike ("minimise" and "minimize" are "minim"); a word
    merged with another by mistake is merged on both sides, so matching stays consistent."""

    def __init__(self) -> None:
        self._stemmer = Stemmer.Stemmer("english")

    def stemWord(self, word: str) -> str:  # noqa: N802 - PyStemmer's name, which bm25s calls
        return self._stemmer.stemWord(american(word))

    def stemWords(self, words: list[str]) -> list[str]:  # noqa: N802
        return self._stemmer.stemWords([american(w) for w in words])


@lru_cache(maxsize=100_000)
def american(word: str) -> str:
    """The word in American spelling, where a regular British ending says how."""
    for pattern, spelling in BRITISH:
        word = pattern.sub(spelling, word)
    return word


STEMMER = SpellingStemmer()
POINTER = "CURRENT"
MERGE_SHARE = 0.1  # the delta is merged into a new main index when it outgrows this share of it...
MERGE_MIN_CHUNKS = 2000  # ...and holds at least this many chunks (or deletions)
KEEP_BUILDS = 2  # the newest builds kept on disk: a process may still be reading the one before


def tokenize(texts: list[str]) -> list[list[str]]:
    """Lower-cased, stemmed, English stop words removed."""
    return bm25s.tokenize(texts, stopwords="en", stemmer=STEMMER, return_ids=False, show_progress=False)


@dataclass
class MainIndex:
    """A saved bm25s index with the catalog position of each of its documents."""

    retriever: bm25s.BM25
    seqs: np.ndarray
    ids: list[str]
    paper_ids: list[str]
    upto: int
    avg_len: float

    @property
    def size(self) -> int:
        return len(self.ids)

    def df(self, token: str) -> int:
        """In how many documents the token occurs."""
        token_id = self.retriever.vocab_dict.get(token)
        if token_id is None:
            return 0
        indptr = self.retriever.scores["indptr"]
        return int(indptr[token_id + 1] - indptr[token_id])


def build_main(folder: Path, chunks: list[ChunkText]) -> Path:
    """Index the chunks into a new build folder and point `CURRENT` at it; returns the folder."""
    upto = chunks[-1].seq if chunks else 0
    target = folder / f"main-{upto}-{time.time_ns()}"
    partial = target.with_name(target.name + ".partial")
    partial.mkdir(parents=True)
    tokens = tokenize([c.text for c in chunks])
    if chunks:
        retriever = bm25s.BM25()
        retriever.index(tokens, show_progress=False)
        retriever.save(str(partial / "bm25s"))
    np.save(partial / "seqs.npy", np.array([c.seq for c in chunks], dtype=np.int64))
    (partial / "ids.json").write_text(json.dumps({
        "upto": upto, "ids": [c.chunk_id for c in chunks], "paper_ids": [c.paper_id for c in chunks],
        "avg_len": float(np.mean([len(t) for t in tokens])) if chunks else 0.0}))
    partial.rename(target)
    pointer = folder / f"{POINTER}.{os.getpid()}.tmp"
    pointer.write_text(target.name)
    os.replace(pointer, folder / POINTER)
    _clean(folder, keep=target.name)
    return target


def _clean(folder: Path, keep: str) -> None:
    """Remove unfinished builds and all but the newest finished ones."""
    builds = sorted((p for p in folder.iterdir() if p.is_dir() and p.name.startswith("main-")),
                    key=lambda p: p.stat().st_mtime, reverse=True)
    finished = [p for p in builds if not p.name.endswith(".partial")]
    for path in finished[KEEP_BUILDS:] + [p for p in builds if p.name.endswith(".partial")
                                         and time.time() - p.stat().st_mtime > 3600]:
        if path.name != keep:
            shutil.rmtree(path, ignore_errors=True)


def load_main(folder: Path) -> MainIndex | None:
    """The build `CURRENT` points at, memory-mapped; None when there is none or it cannot be read."""
    try:
        target = folder / (folder / POINTER).read_text().strip()
        meta = json.loads((target / "ids.json").read_text())
        retriever = bm25s.BM25.load(str(target / "bm25s"), mmap=True) if meta["ids"] else bm25s.BM25()
        return MainIndex(retriever, np.load(target / "seqs.npy"), meta["ids"], meta["paper_ids"], meta["upto"],
                         meta["avg_len"])
    except (OSError, ValueError, KeyError):
        return None


class DeltaIndex:
    """The chunks written after the main index, scored by BM25 with the statistics of main and delta together."""

    def __init__(self, chunks: list[ChunkText], main: MainIndex | None, k1: float = 1.5, b: float = 0.75):
        self.chunks, self.main, self.k1, self.b = chunks, main, k1, b
        self.counts = [Counter(tokens) for tokens in tokenize([c.text for c in chunks])] if chunks else []
        self.lengths = [sum(c.values()) for c in self.counts]
        self.postings: dict[str, list[int]] = {}
        for doc, counts in enumerate(self.counts):
            for token in counts:
                self.postings.setdefault(token, []).append(doc)
        main_size = main.size if main else 0
        self.n_docs = main_size + len(chunks)
        total_len = (main.avg_len * main_size if main else 0.0) + sum(self.lengths)
        self.avg_len = total_len / self.n_docs if self.n_docs else 1.0

    def search(self, tokens: list[str], n: int) -> list[tuple[str, str, float]]:
        """Top chunks as (chunk id, paper id, score)."""
        scores: dict[int, float] = {}
        for token in set(tokens):
            docs = self.postings.get(token, [])
            if not docs:
                continue
            df = len(docs) + (self.main.df(token) if self.main else 0)
            idf = math.log(1 + (self.n_docs - df + 0.5) / (df + 0.5))
            for doc in docs:
                tf = self.counts[doc][token]
                norm = self.k1 * (1 - self.b + self.b * self.lengths[doc] / self.avg_len)
                scores[doc] = scores.get(doc, 0.0) + idf * tf / (tf + norm)
        best = sorted(scores, key=scores.get, reverse=True)[:n]
        return [(self.chunks[d].chunk_id, self.chunks[d].paper_id, scores[d]) for d in best]


class Bm25Index:
    """What a process searches: the current main index (minus deleted chunks) and the delta after it."""

    def __init__(self, folder: Path, catalog: Catalog, version: int):
        self.folder, self.version = folder, version
        self.main = load_main(folder)
        upto = self.main.upto if self.main else 0
        self.delta = DeltaIndex(catalog.chunks_after(upto), self.main)
        removed = catalog.removed_upto(upto) if self.main else set()
        self.mask: np.ndarray | None = None
        if self.main and removed:
            self.mask = (~np.isin(self.main.seqs, np.fromiter(removed, dtype=np.int64))).astype(np.float32)
        self.removed = len(removed)

    def df(self, token: str) -> int:
        """In how many chunks a stemmed word occurs."""
        return len(self.delta.postings.get(token, ())) + (self.main.df(token) if self.main else 0)

    def knows(self, text: str) -> bool:
        """Whether some chunk has every word of the text (stop words aside): "MCTS" is known, a misspelling is not."""
        return all(self.df(token) for token in tokenize([text])[0])

    def idf(self, token: str) -> float:
        """How rare a stemmed word is among all chunks, as BM25 weighs it (highest for a word no chunk has)."""
        df = self.df(token)
        return math.log(1 + (self.delta.n_docs - df + 0.5) / (df + 0.5))

    @property
    def needs_merge(self) -> bool:
        """Whether the delta (with the deletions) has outgrown its share of the main index."""
        pending = len(self.delta.chunks) + self.removed
        return pending >= max(MERGE_MIN_CHUNKS, MERGE_SHARE * (self.main.size if self.main else 0))

    def search(self, query: str, n: int) -> list[tuple[str, str, float]]:
        """Top chunks as (chunk id, paper id, BM25 score); only chunks that share a term with the query."""
        tokens = tokenize([query])[0]
        if not tokens:
            return []
        found = self.delta.search(tokens, n)
        if self.main and self.main.size:
            main_tokens = [t for t in tokens if t in self.main.retriever.vocab_dict]
            if main_tokens:
                docs, scores = self.main.retriever.retrieve([main_tokens], k=min(n, self.main.size),
                                                            weight_mask=self.mask, show_progress=False)
                found += [(self.main.ids[d], self.main.paper_ids[d], float(s))
                          for d, s in zip(docs[0], scores[0]) if s > 0]
        return sorted(found, key=lambda hit: hit[2], reverse=True)[:n]
