#!/usr/bin/env python
"""Benchmark of a big collection as an app process sees it: adding papers, a fresh process's first answer, its
memory, search latency, re-ingest of unchanged seeds.

Usage (from the repository root; build once, then measure on an idle machine):

    .venv/bin/python bench/bench_scale.py build --size 100000 --mode embedded --dir /tmp/scale-100k
    .venv/bin/python bench/bench_scale.py measure --dir /tmp/scale-100k --queries 100

`build` fills an embedded store with generated abstracts exactly as bench_store.py does (real chunking, chunk
vectors that are mixtures of real MiniLM sentence embeddings, written through the product's `PaperIndex.put`),
then builds BM25 with the product's `rebuild_bm25()`.

`measure` works on a copy of the built folder (so it can be run again); with `--mode server` the copy's Chroma
folder is served by `chroma run` on 127.0.0.1 (the same files: embedded and server stores share the format)
and every process reaches the store through it. It runs each figure in a fresh process (`probe`):
  add      `PaperIndex.ingest(seeds/)` of the 23 real seed papers, not yet in the store, in a process that has
           answered a question before (as an app process has when someone uploads): real MiniLM embedding,
           real writes, BM25 kept in step. With RAG_MULTILINGUAL off; the e5 vectors are timed apart.
  reingest `rag ingest` of the unchanged seeds, as a whole process (wall time).
  answer   three times, a fresh app process each (the first one right after the folder was copied): open the
           index, load the models, then the first answer (`AnswerEngine.ask`)
           is timed; then --queries hybrid searches (the question mix of bench_store.py: named methods, topic
           phrases, sentence fragments; p50/p95) and five answers; RSS at the end and its peak.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_store import ROOT, SEEDS, ChromaServer, Corpus, pct, run_generated  # noqa: E402

QUESTIONS = ["What is LightThinker?", "Which papers study knowledge editing?", "How does LightThinker compress thoughts?",
             "Which datasets does KnowSelf use?", "Compare SMART and ERPO."]


def settings_for(folder: Path, port: int | None, multilingual: bool):
    from rag.settings import Settings

    extra = {"chroma_host": "127.0.0.1", "chroma_port": port} if port else {}
    return Settings(data_dir=folder / "data", seeds_dir=SEEDS, multilingual=multilingual, **extra)


def working_copy(built: Path, mode: str) -> tuple[Path, ChromaServer | None]:
    """A fresh copy of the built folder, and the Chroma server over it in server mode."""
    folder = built.with_name(built.name + f"-{mode}-run")
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(built, folder)
    if mode == "embedded":
        return folder, None
    (folder / "data" / "chroma").rename(folder / "chroma-server")
    server = ChromaServer(folder / "chroma-server", folder / "chroma-server.log")
    server.start()
    return folder, server


def build(args) -> None:
    import numpy as np
    from llama_index.core.schema import MetadataMode

    from rag.chunking import chunk_paper
    from rag.index import PaperIndex
    from rag.papers import load_papers

    folder = args.dir
    folder.mkdir(parents=True, exist_ok=True)
    index = PaperIndex(settings_for(folder, None, multilingual=False))
    res: dict = {"size": args.size}
    seed_papers = load_papers([SEEDS]).papers
    run_generated(index, Corpus(seed_papers, args.seed), argparse.Namespace(
        size=args.size, seed=args.seed, embed_sample=args.embed_sample, put_sample=args.put_sample,
        noise=0.35), res, np, MetadataMode, chunk_paper)
    started = time.perf_counter()
    index.rebuild_bm25()
    res["bm25_build_s"] = time.perf_counter() - started
    res["chunks"] = index.catalog.count_chunks()
    (folder / "build.json").write_text(json.dumps(res, default=float, indent=1))
    print(json.dumps({k: res[k] for k in ("size", "chunks", "bm25_build_s", "embed_pps", "put_pps")}))


def memory_mb() -> tuple[float, float]:
    """This process's resident memory now and at its peak, in MB."""
    status = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines() if ":" in line)
    return int(status["VmRSS"].split()[0]) / 1024, int(status["VmHWM"].split()[0]) / 1024


def probe(args) -> None:
    """One measurement in this (fresh) process; prints a JSON object."""
    from rag.index import PaperIndex
    from rag.papers import load_papers

    folder, out = args.dir, {}
    if args.what == "add":
        from rag.retrieve import retrieve

        index = PaperIndex(settings_for(folder, args.port, multilingual=False))
        _ = index.embedder, index.splitter
        retrieve(index, QUESTIONS[1])  # an app process has answered before someone uploads
        started = time.perf_counter()
        report = index.ingest([SEEDS])
        out = {"add_s": time.perf_counter() - started, "new": report.new, "embed_s": report.embed_seconds,
               "store_s": report.store_seconds, "delta_chunks": len(index.bm25.delta.chunks)}
        e5 = PaperIndex(settings_for(folder, args.port, multilingual=True))
        _ = e5.abstract_vectors.embedder
        started = time.perf_counter()
        out["e5_papers"] = e5.ingest([SEEDS]).multilingual_papers
        out["e5_s"] = time.perf_counter() - started
    elif args.what == "answer":
        from rag.answer import AnswerEngine
        from rag.retrieve import retrieve

        started = time.perf_counter()
        index = PaperIndex(settings_for(folder, args.port, multilingual=False))
        engine = AnswerEngine.build(index)
        _ = index.embedder
        out["open_and_load_s"] = time.perf_counter() - started
        started = time.perf_counter()
        first = engine.ask(QUESTIONS[0])
        out["first_answer_s"] = time.perf_counter() - started
        out["first_answer_cites"] = len(first.citations)
        names = [row.short_name for row in index.papers.rows()[:400] if row.short_name]
        questions = [q for q, _ in Corpus(load_papers([SEEDS]).papers, 1234).questions(args.queries, names)]
        latencies = []
        for question in questions:
            t0 = time.perf_counter()
            retrieve(index, question)
            latencies.append((time.perf_counter() - t0) * 1000)
        out["search_ms"] = {"p50": pct(latencies, 50), "p95": pct(latencies, 95)}
        answers = []
        for question in QUESTIONS:
            t0 = time.perf_counter()
            engine.ask(question)
            answers.append((time.perf_counter() - t0) * 1000)
        out["answer_ms"] = {"p50": pct(answers, 50), "max": max(answers)}
        out["rss_mb"], out["peak_rss_mb"] = memory_mb()
        out["papers"] = len(index.papers)
    print(json.dumps(out, default=float))


def run_probe(folder: Path, what: str, port: int | None, queries: int) -> dict:
    command = [sys.executable, __file__, "probe", "--dir", str(folder), "--what", what, "--queries", str(queries)]
    done = subprocess.run(command + (["--port", str(port)] if port else []), cwd=ROOT, capture_output=True,
                          text=True, timeout=3600)
    if done.returncode:
        raise RuntimeError(f"probe {what} failed: {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure(args) -> None:
    folder, server = working_copy(args.dir, args.mode)
    port = server.port if server else None
    try:
        results = {"mode": args.mode, "build": json.loads((folder / "build.json").read_text()),
                   "load_before": os.getloadavg()[0]}
        results["add"] = run_probe(folder, "add", port, args.queries)
        env = dict(os.environ, RAG_DATA_DIR=str(folder / "data"), RAG_MULTILINGUAL="0")
        if port:
            env |= {"CHROMA_HOST": "127.0.0.1", "CHROMA_PORT": str(port)}
        walls = []
        for _ in range(3):
            started = time.perf_counter()
            subprocess.run([str(Path(sys.executable).parent / "rag"), "ingest"], cwd=ROOT, env=env, check=True,
                           capture_output=True, timeout=600)
            walls.append(time.perf_counter() - started)
        results["reingest_s"] = sorted(walls)[1]
        results["answer"] = [run_probe(folder, "answer", port, args.queries) for _ in range(3)]  # cold cache first
        results["load_after"] = os.getloadavg()[0]
        if server:
            results["server_rss_mb"] = server_rss(server)
    finally:
        if server:
            server.stop()
        shutil.rmtree(folder, ignore_errors=True)
    print(json.dumps(results, default=float, indent=1))


def server_rss(server: ChromaServer) -> float:
    status = Path(f"/proc/{server.proc.pid}/status").read_text()
    return int(next(line for line in status.splitlines() if line.startswith("VmRSS")).split()[1]) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build")
    b.add_argument("--size", type=int, required=True)
    b.add_argument("--dir", type=Path, required=True)
    b.add_argument("--seed", type=int, default=1234)
    b.add_argument("--embed-sample", type=int, default=50)
    b.add_argument("--put-sample", type=int, default=64)
    m = sub.add_parser("measure")
    m.add_argument("--dir", type=Path, required=True)
    m.add_argument("--mode", choices=["embedded", "server"], default="embedded")
    m.add_argument("--queries", type=int, default=100)
    p = sub.add_parser("probe")
    p.add_argument("--dir", type=Path, required=True)
    p.add_argument("--what", choices=["add", "answer"], required=True)
    p.add_argument("--port", type=int)
    p.add_argument("--queries", type=int, default=100)
    args = parser.parse_args()
    {"build": build, "measure": measure, "probe": probe}[args.command](args)


if __name__ == "__main__":
    main()
