"""Hybrid retrieval: dense (Chroma) and BM25 fused by reciprocal rank, collapsed to one hit per paper."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Literal

from rag.errors import StoreError
from rag.index import PaperIndex
from rag.multilingual import relevance as e5_relevance
from rag.text import initialisms, root, roots, stems
from rag.types import Hit, Paper

CAMEL_CASE = re.compile(r"(?<=[a-z])(?=[A-Z])")
Mode = Literal["hybrid", "dense", "bm25", "multilingual"]


def retrieve(index: PaperIndex, question: str, top_k: int | None = None, mode: Mode = "hybrid",
             paper_ids: list[str] | None = None) -> list[Hit]:
    """The papers that best match a question, best first, each once with its best chunk."""
    settings = index.settings
    top_k = top_k or settings.top_k
    papers = index.papers  # one snapshot of the records for the whole search
    if not papers:
        raise StoreError(_empty_message(index))
    if mode == "multilingual":
        return _multilingual(index, papers, question, top_k, paper_ids)
    n = settings.candidates
    allowed = set(paper_ids) if paper_ids else None
    texts: dict[str, str] = {}
    owner: dict[str, str] = {}
    dense_rank: dict[str, float] = {}
    if mode in ("hybrid", "dense"):
        for chunk_id, paper_id, text, cosine in index.store.dense_query(index.embed_query(question), n, paper_ids):
            texts[chunk_id], owner[chunk_id], dense_rank[chunk_id] = text, paper_id, cosine
    sparse: dict[str, float] = {}
    if mode in ("hybrid", "bm25"):
        for chunk_id, paper_id, score in index.bm25.search(question, n * (4 if allowed else 1)):
            if allowed is None or paper_id in allowed:
                sparse[chunk_id], owner[chunk_id] = score, paper_id
    dense_papers = _best_chunk_per_paper(sorted(dense_rank, key=dense_rank.get, reverse=True), owner)
    sparse_papers = _best_chunk_per_paper(list(sparse), owner)
    named = [p for p in index.names.named_in(question) if allowed is None or p in allowed]
    fused = fuse([list(dense_papers), list(sparse_papers), named if mode == "hybrid" else []], settings.rrf_k)
    ranked = [(p, dense_papers.get(p) or sparse_papers.get(p) or f"{p}:0")  # a named paper: its first chunk
              for p in sorted(fused, key=fused.get, reverse=True)][:top_k]
    missing = [c for _, c in ranked if c not in texts]
    texts.update(index.catalog.chunk_texts(missing) if missing else {})
    hits = [_hit(question, papers[paper_id], chunk_id, texts[chunk_id], fused[paper_id], owner, dense_rank, sparse,
                 paper_id in named) for paper_id, chunk_id in ranked if paper_id in papers and chunk_id in texts]
    return sorted(hits, key=lambda h: (-h.score, -h.relevance))  # a tie (first by one ranking, second by the other)
    # goes to the paper that shares more of the question's words


def _multilingual(index: PaperIndex, papers: Mapping[str, Paper], question: str, top_k: int,
                  paper_ids: list[str] | None) -> list[Hit]:
    """e5 over whole abstracts, fused with the papers the question names (names work in any language)."""
    if index.abstract_vectors is None:
        raise StoreError("The multilingual retriever is off (RAG_MULTILINGUAL=0).")
    allowed = set(paper_ids) if paper_ids else None
    cosines = dict(index.abstract_vectors.query(question, max(top_k, index.settings.top_k) * 2, paper_ids))
    named = [p for p in index.names.named_in(question) if allowed is None or p in allowed]
    fused = fuse([list(cosines), named], index.settings.rrf_k)
    ranked = [p for p in sorted(fused, key=fused.get, reverse=True) if p in papers][:top_k]
    texts = index.catalog.chunk_texts([f"{p}:0" for p in ranked])
    return [Hit(paper=papers[p], text=texts.get(f"{p}:0", papers[p].abstract), chunk_id=f"{p}:0",
                score=fused[p], dense=cosines.get(p, 0.0),
                relevance=1.0 if p in named else e5_relevance(cosines.get(p, 0.0))) for p in ranked]


def _best_chunk_per_paper(chunk_ids: list[str], owner: dict[str, str]) -> dict[str, str]:
    """Papers in the order of their best chunk, each with that chunk."""
    best: dict[str, str] = {}
    for chunk_id in chunk_ids:
        best.setdefault(owner[chunk_id], chunk_id)
    return best


def fuse(rankings: list[list[str]], k: int) -> dict[str, float]:
    """Reciprocal rank fusion of ranked id lists."""
    scores: dict[str, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + 1.0 / (k + rank)
    return scores


def _hit(question: str, paper: Paper, chunk_id: str, text: str, score: float, owner: dict[str, str],
         dense: dict[str, float], sparse: dict[str, float], is_named: bool) -> Hit:
    chunks = [c for c, p in owner.items() if p == paper.paper_id]
    best_dense = max((dense[c] for c in chunks if c in dense), default=0.0)
    best_bm25 = max((sparse[c] for c in chunks if c in sparse), default=0.0)
    return Hit(paper=paper, text=text, chunk_id=chunk_id, score=score, dense=best_dense, bm25=best_bm25,
               relevance=1.0 if is_named else relevance(question, paper, best_dense))


def relevance(question: str, paper: Paper, dense: float) -> float:
    """How well a paper answers a question: its dense similarity, raised towards the share of the question's
    content words the paper contains. A question in the paper's own words scores on both; one in a user's
    everyday words shares few of them and rests on the dense similarity."""
    asked = stems(question)
    covered = len(asked & stems(f"{paper.title} {paper.abstract}")) / len(asked) if asked else 0.0
    dense = max(dense, 0.0)
    return round(0.5 * dense + 0.5 * max(dense, covered), 4)


def topic_coverage(index: PaperIndex, topic: frozenset[str], paper: Paper) -> float:
    """Share of the question's topic words, weighted by how rare each is in the collection, that the paper's title
    and abstract contain: low when the paper matches the question's common words but not what it is about."""
    weights = {word: index.bm25.idf(word) for word in topic}
    total = sum(weights.values())
    text = f"{paper.title} {paper.abstract}"
    text += " " + CAMEL_CASE.sub(" ", paper.short_name or "")  # "the safety switch paper" meets "SafeSwitch"
    have, derived, acronyms = stems(text.replace("-", " ")), roots(text), initialisms(text)
    have |= stems(text.replace("-", ""))  # "finetuning" meets "fine-tuning", "multihop" meets "multi-hop"
    return sum(w for word, w in weights.items() if word in have or root(word) in derived or word in acronyms) / total \
        if total else 1.0


def best_coverage(index: PaperIndex, readings: Sequence[frozenset[str]], paper: Paper) -> float:
    """The paper's topic coverage under the reading of the question it meets best."""
    return max((topic_coverage(index, topic, paper) for topic in readings), default=1.0)


def _empty_message(index: PaperIndex) -> str:
    others = index.store.other_models()
    if others:
        return (f"The index has no papers embedded with {index.settings.embed_model!r} (RAG_EMBED_MODEL); it holds "
                f"vectors of {', '.join(others)}, which cannot be mixed. Run `rag ingest` to index with the "
                "configured model, or set RAG_EMBED_MODEL back.")
    return "The index is empty: run `rag ingest` first (it reads seeds/ by default)."

