"""What the multilingual (e5) retriever costs: ingest rate, query time, and search at 23 and 10k papers.

    .venv/bin/python bench/bench_multilingual.py [--papers 10000] [--queries 100]

23 = the seed abstracts embedded for real. The larger store holds the real vectors plus perturbed copies
(e5 vectors of 10k abstracts take about an hour to compute on 2 cores); the ingest time for it is the
measured rate times the count. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

import chromadb
import numpy as np

from rag.e5_embedding import E5Embedding
from rag.multilingual import AbstractVectors, passage_text
from rag.papers import load_metadata, load_papers

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
QUESTIONS = ["LightThinker 是如何压缩推理过程的？", "¿Qué benchmark usa juegos de escape?",
             "Quels articles portent sur le désapprentissage ?", "Welche Arbeiten nutzen Monte-Carlo-Baumsuche?",
             "ゲーム環境で評価している論文はどれですか？"]


def percentiles(values: list[float]) -> dict[str, float]:
    cuts = statistics.quantiles(values, n=20)
    return {"p50 ms": round(cuts[9] * 1000, 1), "p95 ms": round(cuts[18] * 1000, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--papers", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=100)
    args = parser.parse_args()
    papers = load_papers([SEEDS], load_metadata(SEEDS / "papers.tsv")).papers
    result: dict[str, object] = {}
    for threads in (1, 2):
        model = E5Embedding(threads=threads)
        model.passages(["warm up"])
        started = time.perf_counter()
        vectors = model.passages([passage_text(p) for p in papers])
        result[f"ingest papers/s, {threads} thread(s)"] = round(len(papers) / (time.perf_counter() - started), 2)
    query_times = []
    for i in range(args.queries):
        started = time.perf_counter()
        model.queries([QUESTIONS[i % len(QUESTIONS)]])
        query_times.append(time.perf_counter() - started)
    result["query embedding"] = percentiles(query_times)
    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory() as folder:
        client = chromadb.PersistentClient(folder)
        store = AbstractVectors(client)
        store.__dict__["embedder"] = model
        for size in (len(papers), args.papers):
            base = np.tile(vectors, (size // len(papers) + 1, 1))[:size]
            noisy = base + rng.normal(0, 0.02, base.shape).astype(np.float32)
            noisy /= np.linalg.norm(noisy, axis=1, keepdims=True)
            ids = [f"p{i}" for i in range(size)]
            for start in range(0, size, 5000):
                store.collection.upsert(ids=ids[start:start + 5000], embeddings=noisy[start:start + 5000].tolist(),
                                        metadatas=[{"content_hash": "x"}] * len(ids[start:start + 5000]))
            times = []
            for i in range(args.queries):
                started = time.perf_counter()
                store.query(QUESTIONS[i % len(QUESTIONS)], 5)
                times.append(time.perf_counter() - started)
            result[f"multilingual search at {size} papers"] = percentiles(times)
            rate = result["ingest papers/s, 1 thread(s)"]
            result[f"e5 ingest time at {size} papers, 1 thread (estimated)"] = f"{size / rate / 60:.1f} min"
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
