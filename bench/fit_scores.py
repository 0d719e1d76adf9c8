"""Refit the three learned scores on eval sets and print their constants, with held-out figures file by file.

The scores are logistic fits on features the product computes (list membership `member_features`, English
answerability `AnswerEngine.answerable_features`, the e5 one-paper gate `AnswerEngine.stands_out_features`). Their
scale is the embedding model's: after changing a model or a feature, refit on development sets, never on a set kept
for a blind reading.

Usage: python bench/fit_scores.py tests/data/answers_dev*.jsonl tests/data/multilingual_dev*.jsonl
Reads the index of the configured settings (RAG_DATA_DIR; seeds/ ingested into a temporary folder if unset).
"""

from __future__ import annotations

import argparse
import math
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from rag import answer, extractive, multilingual
from rag.answer import AnswerEngine
from rag.evaluate import load_eval
from rag.extractive import Scorer, member_features
from rag.index import PaperIndex
from rag.intent import Kind
from rag.settings import Settings

Rows = list[tuple[str, list[float], int]]  # (file, features, label)


def fit(x: np.ndarray, y: np.ndarray, l2: float = 1.0) -> tuple[np.ndarray, float]:
    """Logistic regression by Newton's method on standardised features, with an L2 penalty on the weights (not the
    intercept); returned on the features' own scale."""
    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-9
    weights, bias = _newton((x - mean) / scale, y, l2)
    return weights / scale, bias - float(np.dot(weights / scale, mean))


def _newton(x: np.ndarray, y: np.ndarray, l2: float) -> tuple[np.ndarray, float]:
    design = np.hstack([x, np.ones((len(x), 1))])
    beta = np.zeros(design.shape[1])
    penalty = np.eye(design.shape[1]) * l2
    penalty[-1, -1] = 0.0
    for _ in range(50):
        p = 1 / (1 + np.exp(-design @ beta))
        gradient = design.T @ (p - y) + penalty @ beta
        hessian = design.T @ (design * (p * (1 - p))[:, None]) + penalty
        step = np.linalg.solve(hessian, gradient)
        beta -= step
        if np.abs(step).max() < 1e-8:
            break
    return beta[:-1], float(beta[-1])


def rounded(weights: np.ndarray) -> tuple[float, ...]:
    return tuple(round(float(w), 2) for w in weights)


def logit(p: float) -> float:
    return math.log(p / (1 - p))


def held_out(rows: Rows, threshold: float, l2: float) -> Iterator[tuple[int, bool]]:
    """(label, predicted) for every row, each file predicted by a fit on the other files."""
    for name in sorted({f for f, _, _ in rows}):
        train = [(x, y) for f, x, y in rows if f != name]
        weights, bias = fit(np.array([x for x, _ in train]), np.array([y for _, y in train]), l2)
        for f, x, y in rows:
            if f == name:
                yield y, float(np.dot(weights, x)) + bias >= logit(threshold)


def collect(engine: AnswerEngine, files: list[Path]) -> tuple[Rows, Rows, Rows]:
    """Feature rows of list members, of English answerability, and of the e5 one-paper gate."""
    members, answerable, leads = [], [], []
    by_arxiv = {p.arxiv_id: p.paper_id for p in engine.index.papers.values() if p.arxiv_id}
    floor = engine.index.settings.min_relevance
    for path in files:
        for item in load_eval(path):
            plan = engine.plan(item["question"])
            if plan.kind == Kind.COLLECTION or plan.papers:
                continue
            expected = {by_arxiv.get(a) for a in item["expected"]}
            hits = engine._retrieve(plan, None)  # the hits the answer would read
            if not hits:
                continue
            scorer = Scorer(plan, engine.bank)
            best = max(h.relevance for h in hits)
            if plan.language == "en" and not plan.terms:
                if item["kind"] == "list" and not plan.introduces and plan.kind == Kind.LIST:
                    fitting = list(enumerate(hits, start=1))
                    for n, features in member_features(plan, fitting, scorer).items():
                        members.append((path.name, list(features), int(hits[n - 1].paper.paper_id in expected)))
                bar = floor * (extractive.LIST_FLOOR if plan.kind == Kind.LIST else 1.0)
                if best >= bar:
                    features = engine.answerable_features(plan, hits, scorer)
                    answerable.append((path.name, list(features), int(item["kind"] != "unanswerable")))
            elif plan.language != "en" and plan.kind == Kind.FACT and best >= floor and scorer.multilingual:
                leads.append((path.name, list(engine.stands_out_features(hits, scorer)), int(bool(item["expected"]))))
    return members, answerable, leads


def rates(outcomes: list[tuple[int, bool]]) -> str:
    """The share of positives kept and of negatives dropped."""
    kept = np.mean([p for y, p in outcomes if y])
    dropped = 1 - np.mean([p for y, p in outcomes if not y])
    return f"kept {kept:.3f} of positives, dropped {dropped:.3f} of negatives"


def report(name: str, rows: Rows, threshold: float, current: tuple[tuple[float, ...], float], l2: float
           ) -> tuple[np.ndarray, float]:
    """Print the fit on all rows, its held-out rates and the product's constants' rates on the same rows; return the
    weights and intercept. `current`: the product's weights and the bar their sum must reach."""
    if len({y for _, _, y in rows}) < 2:
        print(f"{name}: needs rows of both labels, got {len(rows)}")
        return np.array([]), 0.0
    weights, bias = fit(np.array([x for _, x, _ in rows]), np.array([y for _, _, y in rows]), l2)
    product = [(y, float(np.dot(current[0], x)) >= current[1]) for _, x, y in rows]
    print(f"{name}: {len(rows)} rows ({sum(1 - y for _, _, y in rows)} negative), threshold {threshold}")
    print(f"  weights {rounded(weights)}, intercept {bias:.2f}")
    print(f"  held out file by file: {rates(list(held_out(rows, threshold, l2)))}")
    print(f"  the product's constants {current[0]} on these rows: {rates(product)}")
    return weights, bias


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", type=Path, nargs="+", help="eval sets (JSON Lines) to fit on")
    parser.add_argument("--member-threshold", type=float, default=0.33)
    parser.add_argument("--answerable-threshold", type=float, default=0.15)
    parser.add_argument("--lead-threshold", type=float, default=0.55)
    parser.add_argument("--l2", type=float, default=1.0, help="penalty on the standardised weights")
    args = parser.parse_args()
    data_dir = os.environ.get("RAG_DATA_DIR") or tempfile.mkdtemp(prefix="rag-fit-")
    index = PaperIndex(Settings(data_dir=Path(data_dir)))
    index.ingest()
    engine = AnswerEngine.build(index)
    members, answerable, leads = collect(engine, args.files)

    weights, bias = report("list membership", members, args.member_threshold,
                           (extractive.MEMBER_WEIGHTS, extractive.MEMBER_BAR), args.l2)
    if weights.size:
        print(f"  MEMBER_WEIGHTS = {rounded(weights)}; MEMBER_BAR = "
              f"{logit(args.member_threshold) - bias:.2f}")
    weights, bias = report("English answerability", answerable, args.answerable_threshold,
                           (answer.ANSWERABLE_WEIGHTS, answer.ANSWERABLE_BAR - answer.ANSWERABLE_BIAS), args.l2)
    if weights.size:
        print(f"  ANSWERABLE_WEIGHTS = {rounded(weights)}; ANSWERABLE_BIAS = {bias:.2f}; "
              f"ANSWERABLE_BAR = {logit(args.answerable_threshold):.2f}")
    weights, bias = report("e5 one-paper gate", leads, args.lead_threshold,
                           (multilingual.STANDS_OUT_WEIGHTS, -multilingual.STANDS_OUT_BIAS), args.l2)
    if weights.size:
        print(f"  STANDS_OUT_WEIGHTS = {rounded(weights)}; STANDS_OUT_BIAS = "
              f"{bias - logit(args.lead_threshold):.2f}")


if __name__ == "__main__":
    main()
