"""The keyword side of hybrid retrieval: a bm25s index saved beside the vector store."""

from __future__ import annotations

import json
from pathlib import Path

import bm25s
import Stemmer

STEMMER = Stemmer.Stemmer("english")


class Bm25Index:
    """BM25 over chunk texts; `version` is the store version it was built from."""

    def __init__(self, ids: list[str], paper_ids: list[str], texts: list[str], version: int):
        self.ids, self.paper_ids, self.version = ids, paper_ids, version
        self.retriever = bm25s.BM25()
        if texts:
            self.retriever.index(tokenize(texts), show_progress=False)

    def search(self, query: str, n: int) -> list[tuple[str, str, float]]:
        """Top chunks as (chunk id, paper id, BM25 score); only chunks that share a term with the query."""
        if not self.ids:
            return []
        tokens = bm25s.tokenize([query], stopwords="en", stemmer=STEMMER, return_ids=False, show_progress=False)
        if not tokens[0]:
            return []
        docs, scores = self.retriever.retrieve(tokens, k=min(n, len(self.ids)), show_progress=False)
        return [(self.ids[d], self.paper_ids[d], float(s)) for d, s in zip(docs[0], scores[0]) if s > 0]

    def save(self, folder: Path) -> None:
        """Write the index and its ids."""
        folder.mkdir(parents=True, exist_ok=True)
        if self.ids:
            self.retriever.save(str(folder / "bm25s"))
        (folder / "ids.json").write_text(json.dumps(
            {"version": self.version, "ids": self.ids, "paper_ids": self.paper_ids}))

    @classmethod
    def load(cls, folder: Path) -> Bm25Index | None:
        """The saved index, or None when there is none or it cannot be read."""
        try:
            meta = json.loads((folder / "ids.json").read_text())
            index = cls([], [], [], meta["version"])
            index.ids, index.paper_ids = meta["ids"], meta["paper_ids"]
            if index.ids:
                index.retriever = bm25s.BM25.load(str(folder / "bm25s"))
            return index
        except (OSError, ValueError, KeyError):
            return None


def tokenize(texts: list[str]):
    """Lower-cased, stemmed, English stop words removed."""
    return bm25s.tokenize(texts, stopwords="en", stemmer=STEMMER, show_progress=False)
