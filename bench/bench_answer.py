"""Answer latency (retrieve, generate, total) p50/p95 with models loaded, and the process's peak memory.

Usage: python bench/bench_answer.py [--rounds 3] [--data tests/data/retrieval_eval.jsonl]
Uses the configured settings (extractive default unless RAG_LLM_MODEL is set) and ingests seeds/ into
a temporary data folder unless RAG_DATA_DIR is set.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import tempfile
import time
from pathlib import Path

from rag.answer import AnswerEngine
from rag.index import PaperIndex
from rag.settings import Settings


def percentile(values: list[float], q: int) -> float:
    """The q-th percentile."""
    return statistics.quantiles(values, n=100)[q - 1] if len(values) > 1 else values[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="passes over the question set")
    parser.add_argument("--data", type=Path, default=Path("tests/data/retrieval_eval.jsonl"))
    args = parser.parse_args()
    questions = [json.loads(line)["question"] for line in args.data.read_text().splitlines() if line.strip()]
    data_dir = os.environ.get("RAG_DATA_DIR") or tempfile.mkdtemp(prefix="rag-bench-")
    settings = Settings(data_dir=Path(data_dir))
    started = time.perf_counter()
    index = PaperIndex(settings)
    index.ingest()
    engine = AnswerEngine.build(index)
    engine.warm_up()
    ready = time.perf_counter() - started
    timings: dict[str, list[float]] = {"retrieve": [], "generate": [], "total": []}
    for _ in range(args.rounds):
        for question in questions:
            answer = engine.ask(question)
            for key in timings:
                timings[key].append(answer.timings_ms[key])
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"backend: {engine.backend} ({settings.llm_model or 'no LLM'}); {len(timings['total'])} answers; "
          f"models loaded and seeds ingested in {ready:.1f} s")
    print("| stage | p50 ms | p95 ms |\n|---|---|---|")
    for key, values in timings.items():
        print(f"| {key} | {percentile(values, 50):.1f} | {percentile(values, 95):.1f} |")
    print(f"\npeak memory (ru_maxrss): {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
