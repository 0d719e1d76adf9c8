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


def evaluate_answers(engine, path: Path) -> dict:
    """Citation precision and recall, support rate, refusal accuracy and latency of the engine's answers."""
    from statistics import quantiles

    items = load_eval(path)
    precision: list[float] = []
    recall_single: list[float] = []
    recall_multi: list[float] = []
    refusals_right: list[bool] = []
    supported: list[bool] = []
    latency: list[float] = []
    for item in items:
        answer = engine.ask(item["question"])
        latency.append(answer.timings_ms["total"])
        expected = expected_ids(engine.index, item["expected"])
        refusals_right.append(answer.abstained == (not expected))
        cited = {c.paper_id for c in answer.citations}
        supported.extend(s.supported for s in answer.sentences)
        if not expected:
            continue
        if cited:
            precision.append(len(cited & expected) / len(cited))
        (recall_single if len(expected) == 1 else recall_multi).append(len(cited & expected) / len(expected))
    cuts = quantiles(latency, n=20) if len(latency) > 1 else latency * 19

    def mean(values: list) -> float:
        return sum(values) / len(values) if values else 0.0

    return {"backend": engine.backend, "model": engine.index.settings.llm_model, "questions": len(items),
            "citation precision": mean(precision), "recall (single-paper)": mean(recall_single),
            "recall (multi-paper)": mean(recall_multi), "support rate": mean(supported),
            "refusals right": mean(refusals_right), "p50 ms": cuts[9], "p95 ms": cuts[18]}
