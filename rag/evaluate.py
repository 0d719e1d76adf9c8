"""The project's own evaluation: retrieval quality (and answers, in evaluate_answers)."""

from __future__ import annotations

import json
from pathlib import Path

from rag.errors import RagError
from rag.index import PaperIndex
from rag.retrieve import retrieve

RETRIEVAL_KINDS = {"named", "paraphrase", "multi"}


def load_eval(path: Path) -> list[dict]:
    """The eval questions: {"question", "expected": [arXiv ids], "kind"} per line."""
    if not path.is_file():
        raise RagError(f"No eval set at {path}.")
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def expected_ids(index: PaperIndex, arxiv_ids: list[str]) -> set[str]:
    """Paper ids of the expected arXiv ids."""
    by_arxiv = {p.arxiv_id: p.paper_id for p in index.papers.values() if p.arxiv_id}
    return {by_arxiv[a] for a in arxiv_ids if a in by_arxiv}


def evaluate_retrieval(index: PaperIndex, path: Path) -> list[dict]:
    """One row per retrieval mode with hit@1, hit@5, MRR and recall@10 of multi-paper questions."""
    items = [i for i in load_eval(path) if i["kind"] in RETRIEVAL_KINDS]
    rows = []
    for mode in ("dense", "bm25", "hybrid"):
        hit1 = hit5 = rr = 0.0
        recalls = []
        for item in items:
            expected = expected_ids(index, item["expected"])
            ranked = [h.paper.paper_id for h in retrieve(index, item["question"], 10, mode=mode)]
            first = next((r for r, pid in enumerate(ranked, start=1) if pid in expected), None)
            hit1 += first == 1
            hit5 += first is not None and first <= 5
            rr += 1.0 / first if first else 0.0
            if item["kind"] == "multi":
                recalls.append(len(expected & set(ranked)) / len(expected))
        n = len(items)
        rows.append({"mode": mode, "questions": n, "hit@1": hit1 / n, "hit@5": hit5 / n, "MRR": rr / n,
                     "recall@10 (multi)": sum(recalls) / max(len(recalls), 1)})
    return rows
