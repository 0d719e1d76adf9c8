"""The project's own evaluation: retrieval quality (and answers, in evaluate_answers)."""

from __future__ import annotations

import json
from pathlib import Path

from rag.errors import RagError
from rag.index import PaperIndex
from rag.retrieve import retrieve
from rag.types import Answer

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


ANSWERABLE = {"fact", "named", "paraphrase", "multi", "list", "compare", "metadata", "instruction"}


def has_fact(answer: Answer, fact: str) -> bool:
    """True when the answer (or what it cites) contains the fact, ignoring case and white space."""
    folded = " ".join(fact.lower().split())
    return folded in " ".join(answer.answer.lower().split())


def answered(answer: Answer) -> bool:
    """True when the answer gives an answer: not a refusal, not "the abstract does not state it"."""
    return not answer.abstained and not answer.not_stated


def score_answer(index: PaperIndex, item: dict, answer: Answer) -> dict:
    """One answer against its expected papers and facts."""
    expected = expected_ids(index, item["expected"])
    cited = {c.paper_id for c in answer.citations}
    facts = item.get("facts") or []
    return {"kind": item.get("kind", "fact"), "expected": len(expected), "answered": answered(answer),
            "precision": len(cited & expected) / len(cited) if cited and expected else None,
            "recall": len(cited & expected) / len(expected) if expected else None,
            "facts": sum(has_fact(answer, f) for f in facts) / len(facts) if facts else None,
            "latency": answer.timings_ms["total"], "supported": [s.supported for s in answer.sentences]}


def summarize(rows: list[dict], backend: str, model: str | None) -> dict:
    """The figures of a list of scored answers, overall and per question kind."""
    from statistics import quantiles

    def mean(values) -> float | None:
        values = [float(v) for v in values if v is not None]
        return round(sum(values) / len(values), 3) if values else None

    answerable = [r for r in rows if r["expected"] and r["kind"] in ANSWERABLE]
    near_misses = [r for r in rows if r["kind"] == "not_stated"]
    unanswerable = [r for r in rows if not r["expected"]]
    lists = [r for r in rows if r["kind"] in ("list", "multi")]
    latency = [r["latency"] for r in rows]
    cuts = quantiles(latency, n=20) if len(latency) > 1 else latency * 19
    by_kind = {}
    for kind in dict.fromkeys(r["kind"] for r in rows):
        mine = [r for r in rows if r["kind"] == kind]
        by_kind[kind] = {"questions": len(mine), "fact recall": mean(r["facts"] for r in mine),
                         "citation precision": mean(r["precision"] for r in mine if r["answered"]),
                         "citation recall": mean(r["recall"] for r in mine),
                         "answered": mean(r["answered"] for r in mine)}
    return {"backend": backend, "model": model, "questions": len(rows),
            "citation precision": mean(r["precision"] for r in answerable if r["answered"]),
            "recall (single-paper)": mean(r["recall"] for r in answerable if r["expected"] == 1),
            "recall (multi-paper)": mean(r["recall"] for r in answerable if r["expected"] > 1),
            "fact recall (single-paper)": mean(r["facts"] for r in answerable if r["expected"] == 1),
            "list precision": mean(r["precision"] for r in lists if r["answered"]),
            "list recall": mean(r["recall"] for r in lists),
            "compare cites all": mean(r["recall"] == 1.0 for r in rows if r["kind"] == "compare"),
            "not stated right (near misses)": mean(not r["answered"] for r in near_misses),
            "wrongly not stated (answerable)": mean(not r["answered"] for r in answerable),
            "refusals right (unanswerable)": mean(not r["answered"] for r in unanswerable),
            "support rate": mean(s for r in rows for s in r["supported"]),
            "p50 ms": round(cuts[9], 1), "p95 ms": round(cuts[18], 1), "by kind": by_kind}


def evaluate_answers(engine, path: Path) -> dict:
    """Citations, facts, "not stated" and refusals of the engine's answers, overall and per question kind."""
    rows = [score_answer(engine.index, item, engine.ask(item["question"])) for item in load_eval(path)]
    return summarize(rows, engine.backend, engine.index.settings.llm_model)


def evaluate_conversations(engine, path: Path) -> dict:
    """Each turn of each conversation answered with the turns before it as history, scored like a question."""
    rows = []
    conversations = load_eval(path)
    for conversation in conversations:
        history: list[Answer] = []
        for turn, item in enumerate(conversation["turns"]):
            answer = engine.ask(item["question"], history)
            history.append(answer)
            row = score_answer(engine.index, item, answer) | {"kind": "first turn" if turn == 0 else "follow-up"}
            row["right"] = row["recall"] == 1.0 and (row["precision"] or 0) >= 0.5 if row["expected"] else \
                not row["answered"]
            rows.append(row)
    summary = summarize(rows, engine.backend, engine.index.settings.llm_model)
    follow = [r for r in rows if r["kind"] == "follow-up"]
    facts = [r["facts"] for r in rows if r["facts"] is not None]
    return {"conversations": len(conversations), "turns": len(rows),
            "follow-ups right paper": round(sum(r["right"] for r in follow) / max(len(follow), 1), 3),
            "first turns right paper": round(sum(r["right"] for r in rows if r["kind"] == "first turn")
                                             / max(len(rows) - len(follow), 1), 3),
            "fact recall": round(sum(facts) / max(len(facts), 1), 3)} | {k: summary[k] for k in ("p95 ms", "by kind")}
