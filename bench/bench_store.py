#!/usr/bin/env python
"""Benchmark of the paper store: ingest, BM25 build, hybrid search latency, re-ingest, memory.

Usage (from the repository root):

    .venv/bin/python bench/bench_store.py --sizes 23,10000 --modes embedded,server --queries 200
    .venv/bin/python bench/bench_store.py --sizes 100000 --modes embedded --out bench/results/100k.json

Every (mode, size) pair runs in its own worker process (this script with --worker), so that peak memory
(ru_maxrss) is per run and a run that overruns --timeout can be stopped with everything it started.
The results are printed as Markdown tables on stdout; progress goes to stderr.

Sizes
  23 (the number of distinct papers in seeds/) means the real seeds: `index.ingest([Path("seeds")])`, with
  real MiniLM embeddings, measured exactly as `rag ingest` does it (the model is loaded before the clock
  starts; its load time is reported separately).
  Any other size means generated abstracts (150-250 words, sentences of the real seed abstracts mixed with
  template sentences built from phrases of the seeds, random method names and numbers; seeded RNG).

What is real and what is projected for generated sizes
  * Chunking is real (`rag.chunking.chunk_paper` with the product's MiniLM word-piece splitter) for every paper.
  * Embedding 100k abstracts with MiniLM on 2 cores would take hours, so the embedding rate is measured on a
    sample (--embed-sample generated papers through `index.embedder.get_text_embedding_batch` on their chunks,
    exactly what `PaperIndex._write` does) and the embedding time of N papers is extrapolated.
  * The chunk vectors written to the store are synthetic but realistically distributed: a few hundred real
    MiniLM sentence embeddings (seed sentences and template sentences) form a basis; each chunk's vector is a
    normalised random (Dirichlet) mixture of the basis vectors of the sentences the chunk contains, plus noise.
  * Writing goes through the product's `PaperIndex.put(papers, nodes)` (a delete, an add of the chunks through
    LlamaIndex's ChromaVectorStore, an upsert of the records: three Chroma transactions per call; then one
    transaction of the SQLite catalog). `PaperIndex._write` calls it once per embedding batch of EMBED_BATCH_PAPERS (16) papers; each
    call costs ~0.1 s of fsync-bound Chroma commits on this disk whatever its size, so filling 100k papers
    16 at a time would take most of an hour. The bulk of the store is therefore written with the same method
    in calls of BULK_PAPERS (500) papers, and the product's real granularity is measured on the last
    --put-sample papers, written 16 per call into the full-size store; that rate is the "store" rate of the
    ingest projection.
  * BM25 is built by the product (`index.rebuild_bm25()`, from the catalog's chunk texts).
  * Queries are run through the real `rag.retrieve.retrieve()` (hybrid, query embedding by real MiniLM).

Re-ingest of unchanged seeds
  For every size the 23 real seeds are ingested into the store (for generated sizes on top of the N generated
  papers), then `index.ingest([Path("seeds")])` is repeated in-process, and `rag ingest` is run as a separate
  process (RAG_DATA_DIR, and CHROMA_HOST/CHROMA_PORT in server mode) and its wall time measured.

Server mode starts `chroma run --path TMP --host 127.0.0.1 --port FREE_PORT`, waits for /api/v2/heartbeat and
always stops it at the end of the run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.request
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = Path("seeds")  # relative, like the CLI's default RAG_SEEDS_DIR, so source paths match `rag ingest`
EMBED_BATCH_PAPERS = 16  # replaced by rag.index.EMBED_BATCH_PAPERS in the worker
BULK_PAPERS = 500  # papers per batched write (~1000 chunk rows; Chroma's embedded max batch is 5461 rows)
STARTED = time.perf_counter()
LABEL = ""


def log(message: str) -> None:
    print(f"[{time.perf_counter() - STARTED:7.1f}s]{LABEL} {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------------------------
# Synthetic corpus
# --------------------------------------------------------------------------------------------------------

STOPWORDS = set("""a an the and or of to in on for with by from as at is are was were be been being that this these
those which who whom whose it its their our we they them than then such can could may might will would should into
over under via about across between through while also both each other more most less many much not no only own
same so very just how what when where why all any some first second third two three new based using without their
has have had do does did""".split())
PREFIXES = ["Syn", "Know", "Graph", "Agent", "Reason", "Retro", "Meta", "Auto", "Deep", "Chain", "Tool", "Plan",
            "Self", "Multi", "Hyper", "Neuro", "Opti", "Lex", "Sem", "Cogni", "Quant", "Sparse", "Flash", "Omni"]
SUFFIXES = ["World", "Mind", "RAG", "Bench", "Net", "Former", "Search", "Align", "Tune", "Flow", "Gen", "Coder",
            "Eval", "Agent", "Critic", "Prompt", "Memo", "Pilot", "Verse", "Zero"]
TAILS = ["", "", "", "-2", "++", "-XL", "v3", "-R1", "-Lite"]
DATASETS = ["HotpotQA", "GSM8K", "MATH", "MMLU", "ALFWorld", "WebShop", "HumanEval", "TriviaQA", "NQ", "MuSiQue",
            "ScienceWorld", "BBH", "ARC", "TruthfulQA", "AIME 2024", "LiveCodeBench", "SciQ", "PubMedQA"]
ADJECTIVES = ["novel", "simple yet effective", "unified", "scalable", "lightweight", "general", "data-efficient",
              "training-free", "modular", "robust"]
SURNAMES = ["Wang", "Li", "Zhang", "Chen", "Liu", "Smith", "Garcia", "Müller", "Kim", "Singh", "Rossi", "Tanaka",
            "Novak", "Okafor", "Silva", "Dubois", "Ivanova", "Haddad", "Nguyen", "Cohen"]
ORGS = ["zjunlp", "openlab", "nlp-group", "ai-research", "ml-lab", "reasoning-team"]
INTRO_TEMPLATES = [
    "We propose {M}, a {adj} framework for {p} that leverages {q}.",
    "In this paper, we introduce {M}, which combines {p} with {q} to address {r}.",
    "To this end, we present {M}, a {adj} approach that learns {p} from {q}.",
]
BODY_TEMPLATES = [
    "Experiments on {k} benchmarks show that {M} outperforms {B} by {x}% on {p}.",
    "{M} reduces the cost of {p} by {x}% while improving {q} by {y} points.",
    "We construct a dataset of {n}K examples covering {p} and {q}.",
    "Compared with strong baselines such as {B}, our method achieves {y} accuracy on {D} with only {s}B parameters.",
    "Ablation studies confirm that {p} and {q} are both essential for {r}.",
    "Existing approaches to {p} often ignore {q}, which limits {r}.",
    "We further analyze how {p} affects {q} across {k} model families.",
    "Code and data are available at https://github.com/{org}/{M}.",
    "Our results suggest that {p} is a promising direction for {q}.",
    "{M} achieves state-of-the-art results on {D}, improving {p} by {x}% over {B}.",
]
QUESTION_TEMPLATES = [
    "How can {p} improve {q}?",
    "What methods use {p} for {q}?",
    "Which papers study {p} and {q}?",
    "Is there work on {p} for large language models?",
    "What is a good approach to {p}?",
    "How do recent papers evaluate {p}?",
]


def split_sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+(?=[A-Z])", text) if s.strip()]


def method_name(r: random.Random) -> str:
    return r.choice(PREFIXES) + r.choice(SUFFIXES) + r.choice(TAILS)


class Corpus:
    """Deterministic generator of realistic abstracts and questions from the real seed abstracts."""

    def __init__(self, seed_papers, seed: int):
        self.seed = seed
        self.seed_papers = seed_papers
        r = random.Random(seed)
        self.seed_sentences: list[tuple[str, int]] = []  # (sentence, seed paper index)
        phrases: dict[str, None] = {}
        for k, paper in enumerate(seed_papers):
            for s in split_sentences(paper.abstract):
                if 6 <= len(s.split()) <= 60:
                    self.seed_sentences.append((s, k))
            words = re.findall(r"[A-Za-z][A-Za-z-]+", paper.abstract)
            for n in (2, 3):
                for i in range(len(words) - n + 1):
                    gram = words[i:i + n]
                    if all(w.islower() and len(w) >= 4 and w not in STOPWORDS for w in gram):
                        phrases[" ".join(gram)] = None
        self.phrases = list(phrases)
        self.affiliations = sorted({a for p in seed_papers for a in p.affiliations}) or ["University"]
        # Sentence skeletons: topic phrases fixed, names and numbers drawn per use. Each skeleton and each seed
        # sentence is one basis vector for the synthetic chunk embeddings.
        self.intro: list[tuple[str, dict]] = []
        self.body: list[tuple[str, dict]] = []
        for i in range(150):
            templates, bucket = (INTRO_TEMPLATES, self.intro) if i < 40 else (BODY_TEMPLATES, self.body)
            slots = {"p": r.choice(self.phrases), "q": r.choice(self.phrases), "r": r.choice(self.phrases),
                     "adj": r.choice(ADJECTIVES), "D": r.choice(DATASETS)}
            bucket.append((r.choice(templates), slots))
        self.by_seed: dict[int, list[int]] = {}
        for j, (_, k) in enumerate(self.seed_sentences):
            self.by_seed.setdefault(k, []).append(j)

    # basis sentences: seed sentences first, then intro skeletons, then body skeletons
    def basis_sentences(self) -> list[str]:
        fixed = {"M": "the proposed method", "B": "the baseline", "x": "10", "y": "70.0", "n": "50", "k": "5",
                 "s": "7", "org": "lab"}
        return ([s for s, _ in self.seed_sentences] + [t.format(**fixed, **slots) for t, slots in self.intro]
                + [t.format(**fixed, **slots) for t, slots in self.body])

    def _fill(self, template: str, slots: dict, name: str, r: random.Random) -> str:
        return template.format(M=name, B=method_name(r), x=f"{r.uniform(1, 40):.1f}", y=f"{r.uniform(30, 95):.1f}",
                               n=r.randint(2, 500), k=r.randint(2, 12), s=r.choice([1, 3, 7, 8, 13, 70]),
                               org=r.choice(ORGS), **slots)

    def paper(self, i: int):
        """Paper number i, and its sentences as (text, basis index)."""
        from rag.papers import paper_id_for, stamped
        from rag.types import Paper

        r = random.Random(self.seed * 1_000_003 + i)
        name = method_name(r)
        theme = r.sample(sorted(self.by_seed), min(2, len(self.by_seed)))
        n_seed, n_intro = len(self.seed_sentences), len(self.intro)
        sents: list[tuple[str, int]] = []
        if r.random() < 0.5:
            j = r.choice(self.by_seed[theme[0]])
            sents.append((self.seed_sentences[j][0], j))
        k = r.randrange(n_intro)
        sents.append((self._fill(*self.intro[k], name, r), n_seed + k))
        target = r.randint(150, 250)
        words = sum(len(s.split()) for s, _ in sents)
        while words < target:
            if r.random() < 0.6:
                pool = self.by_seed[r.choice(theme)] if r.random() < 0.7 else range(n_seed)
                j = r.choice(list(pool))
                text, b = self.seed_sentences[j][0], j
            else:
                k = r.randrange(len(self.body))
                text, b = self._fill(*self.body[k], name, r), n_seed + n_intro + k
            if words + len(text.split()) > 250:
                if words >= 150:
                    break
                text = " ".join(text.split()[:250 - words]).rstrip(".,;") + "."
            sents.append((text, b))
            words += len(text.split())
        abstract = " ".join(s for s, _ in sents)
        p1, p2 = r.sample(self.phrases, 2)
        paper = Paper(
            paper_id=paper_id_for(abstract), abstract=abstract, title=f"{name}: {p1.capitalize()} for {p2}",
            short_name=name, authors=", ".join(r.sample(SURNAMES, 3)) + ", et al.", year=r.randint(2018, 2025),
            venue=r.choice(["ACL", "EMNLP", "NeurIPS", "ICLR", "ICML", "NAACL", ""]) or None,
            arxiv_id=f"{r.randint(20, 25)}{r.randint(1, 12):02d}.{r.randint(0, 99999):05d}",
            affiliations=[r.choice(self.affiliations)], sources=[f"bench/generated/batch_{i // 1000:04d}.txt"])
        return stamped(paper), sents

    def questions(self, count: int, names: list[str]) -> list[tuple[str, str | None]]:
        """(question, method name the question asks about or None)."""
        r = random.Random(self.seed + 7)
        out: list[tuple[str, str | None]] = []
        for i in range(count):
            kind = i % 3
            if kind == 0 and names:
                name = r.choice(names)
                out.append((r.choice([f"Which paper proposes {name}?", f"What is {name} and how does it work?",
                                      f"How does {name} perform compared with baselines?"]), name))
            elif kind == 1:
                p, q = r.sample(self.phrases, 2)
                out.append((r.choice(QUESTION_TEMPLATES).format(p=p, q=q), None))
            else:
                words = r.choice(self.seed_sentences)[0].rstrip(".").split()
                start = r.randrange(max(1, len(words) - 8))
                fragment = " ".join(words[start:start + r.randint(6, 12)])
                out.append((r.choice(["Which work says that {f}?", "Find papers where {f}", "{f}?"]).format(
                    f=fragment[0].lower() + fragment[1:] if fragment else fragment), None))
        return out


# --------------------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------------------


def pct(values: list[float], q: float) -> float:
    import numpy as np

    return float(np.percentile(np.asarray(values), q)) if values else float("nan")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tree_hwm_mb(pid: int) -> float:
    """Peak resident memory (VmHWM) of a process and its descendants, in MB."""
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1])
            for task in Path(f"/proc/{p}/task").iterdir():
                stack.extend(int(c) for c in (task / "children").read_text().split())
        except OSError:
            pass
    return total / 1024


class ChromaServer:
    """`chroma run` as a subprocess on a free port."""

    def __init__(self, path: Path, log_path: Path):
        self.path, self.log_path = path, log_path
        self.port = free_port()
        self.proc: subprocess.Popen | None = None
        self.peak_mb = 0.0

    def start(self, timeout: float = 120) -> None:
        chroma = Path(sys.executable).parent / "chroma"
        self.path.mkdir(parents=True, exist_ok=True)
        self._log = self.log_path.open("wb")
        self.proc = subprocess.Popen([str(chroma), "run", "--path", str(self.path), "--host", "127.0.0.1",
                                      "--port", str(self.port)], stdout=self._log, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{self.port}/api/v2/heartbeat"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"chroma run exited with {self.proc.returncode}: {self.tail()}")
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.25)
        raise RuntimeError(f"chroma server not up after {timeout}s: {self.tail()}")

    def tail(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-2000:]
        except OSError:
            return ""

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.peak_mb = tree_hwm_mb(self.proc.pid)
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=20)
        self._log.close()
        self.proc = None


def cli_env(data_dir: Path, server: ChromaServer | None) -> dict[str, str]:
    env = dict(os.environ, RAG_DATA_DIR=str(data_dir))
    env.pop("CHROMA_HOST", None)
    if server:
        env.update(CHROMA_HOST="127.0.0.1", CHROMA_PORT=str(server.port))
    return env


def run_cli_ingest(data_dir: Path, server: ChromaServer | None) -> tuple[float, dict]:
    """Wall time of a whole `rag ingest` process (default seeds/), and its report counts."""
    rag = Path(sys.executable).parent / "rag"
    t0 = time.perf_counter()
    done = subprocess.run([str(rag), "ingest"], cwd=ROOT, env=cli_env(data_dir, server), capture_output=True,
                          text=True, timeout=900)
    wall = time.perf_counter() - t0
    if done.returncode != 0:
        lines = [ln for ln in done.stderr.strip().splitlines() if ln.strip()]
        raise RuntimeError(f"rag ingest exited {done.returncode} after {wall:.1f}s: {lines[-1] if lines else ''}")
    counts = {k: int(v) for k, v in re.findall(r"(new|updated|unchanged|removed)\s*│\s*(\d+)", done.stdout)}
    return wall, counts


# --------------------------------------------------------------------------------------------------------
# Worker: one (mode, size) run
# --------------------------------------------------------------------------------------------------------


def worker(args) -> None:
    global LABEL
    LABEL = f" [{args.mode} {args.size}]"
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run the finally blocks when the parent stops us
    os.chdir(ROOT)
    workdir = Path(args.workdir)
    data_dir = workdir / "data"
    res: dict = {"mode": args.mode, "size": args.size, "load_before": os.getloadavg()[0], "phases_s": {}}
    server: ChromaServer | None = None
    phase_t = time.perf_counter()

    def phase(name: str) -> None:
        nonlocal phase_t
        now = time.perf_counter()
        res["phases_s"][name] = round(now - phase_t, 2)
        phase_t = now

    try:
        settings_kw: dict = {"data_dir": data_dir}
        if args.mode == "server":
            server = ChromaServer(workdir / "chroma-server", workdir / "chroma-server.log")
            log(f"starting chroma server on port {server.port}")
            server.start()
            settings_kw.update(chroma_host="127.0.0.1", chroma_port=server.port)
            phase("server_start")

        import numpy as np
        from llama_index.core.schema import MetadataMode

        from rag.chunking import chunk_paper
        from rag.index import PaperIndex
        from rag.papers import load_papers
        from rag.retrieve import retrieve
        from rag.settings import Settings

        phase("imports")
        settings = Settings(**settings_kw)
        index = PaperIndex(settings)
        t0 = time.perf_counter()
        _ = index.embedder, index.splitter
        res["model_load_s"] = time.perf_counter() - t0
        log(f"model loaded in {res['model_load_s']:.1f}s")
        phase("model_load")

        seed_papers = load_papers([SEEDS]).papers
        corpus = Corpus(seed_papers, args.seed)
        generated = args.size != len(seed_papers)
        names: list[str] = []
        if not generated:
            run_seeds(index, res, log)
            names = [p.short_name for p in index.papers.values() if p.short_name]
            phase("seeds_ingest")
        else:
            names = run_generated(index, corpus, args, res, np, MetadataMode, chunk_paper)
            phase("generated_load")

        # ---- paper metadata rows and the BM25 build, through the product code (both read the catalog) ----
        store = index.store
        res["product_failures"] = []
        t0 = time.perf_counter()
        rows = index.catalog.rows()
        res["records_load_s"] = time.perf_counter() - t0
        log(f"Catalog.rows(): {len(rows)} rows in {res['records_load_s']:.2f}s")
        del rows
        t0 = time.perf_counter()
        index.catalog.chunks_after(0)
        res["bm25_fetch_s"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        index.rebuild_bm25()
        res["bm25_build_s"] = time.perf_counter() - t0
        bm = index.bm25
        res["chunks"] = index.catalog.count_chunks()
        res["papers"] = len(index.papers) if not generated else args.size
        log(f"BM25 built in {res['bm25_build_s']:.1f}s (reading the chunk texts {res['bm25_fetch_s']:.1f}s) over "
            f"{bm.main.size} chunks")
        phase("bm25")

        # ---- queries ----
        questions = corpus.questions(args.queries, names)
        # cold: a fresh PaperIndex on the same store (model shared, as it is already in memory): the first
        # query pays for loading every paper record and the saved BM25 index
        cold = PaperIndex(settings)
        cold.__dict__["embedder"] = index.embedder
        t0 = time.perf_counter()
        retrieve(cold, questions[0][0])
        res["cold_first_query_ms"] = (time.perf_counter() - t0) * 1000
        del cold
        for q, _ in questions[:5]:
            retrieve(index, q)  # warm-up
        lat, hits_ok, name_qs = [], 0, 0
        empty = 0
        for q, name in questions:
            t0 = time.perf_counter()
            hits = retrieve(index, q)
            lat.append((time.perf_counter() - t0) * 1000)
            empty += not hits
            if name:
                name_qs += 1
                hits_ok += any(name.lower() in (h.paper.title + " " + h.paper.abstract).lower() for h in hits)
        res["search_ms"] = {"p50": pct(lat, 50), "p95": pct(lat, 95), "max": max(lat), "mean": sum(lat) / len(lat)}
        res["search_ms_raw"] = [round(x, 2) for x in lat]
        res["name_hit_at_5"] = hits_ok / name_qs if name_qs else None
        res["empty_results"] = empty
        log(f"search p50 {res['search_ms']['p50']:.1f} ms p95 {res['search_ms']['p95']:.1f} ms")
        vecs, qemb = [], []
        for q, _ in questions:
            t0 = time.perf_counter()
            vecs.append(index.embed_query(q))
            qemb.append((time.perf_counter() - t0) * 1000)
        res["query_embed_ms"] = {"p50": pct(qemb, 50), "p95": pct(qemb, 95)}
        dense = []
        for v in vecs:
            t0 = time.perf_counter()
            store.dense_query(v, settings.candidates)
            dense.append((time.perf_counter() - t0) * 1000)
        res["store_query_ms"] = {"p50": pct(dense, 50), "p95": pct(dense, 95), "max": max(dense)}
        # the one call every query makes besides the searches: the catalog version read of index.bm25
        versions = []
        for _ in range(50):
            t0 = time.perf_counter()
            index.catalog.version  # noqa: B018
            versions.append((time.perf_counter() - t0) * 1000)
        res["version_ms"] = {"p50": pct(versions, 50), "p95": pct(versions, 95)}
        # hybrid retrieve() again with the query vectors precomputed: the store + BM25 + fusion part alone
        by_text = dict(zip((q for q, _ in questions), vecs))
        index.embed_query = by_text.__getitem__  # instance attribute: this bench's object only
        lat_noemb = []
        for q, _ in questions:
            t0 = time.perf_counter()
            retrieve(index, q)
            lat_noemb.append((time.perf_counter() - t0) * 1000)
        del index.embed_query
        res["search_no_embed_ms"] = {"p50": pct(lat_noemb, 50), "p95": pct(lat_noemb, 95)}
        sparse = []
        for q, _ in questions:
            t0 = time.perf_counter()
            index.bm25.search(q, settings.candidates)
            sparse.append((time.perf_counter() - t0) * 1000)
        res["bm25_search_ms"] = {"p50": pct(sparse, 50), "p95": pct(sparse, 95)}
        log(f"store-only dense_query p50 {res['store_query_ms']['p50']:.1f} ms, "
            f"p95 {res['store_query_ms']['p95']:.1f} ms")
        # The same query embeddings with the product's torch thread count (RAG_EMBED_THREADS, or torch's
        # default of one per core on older checkouts) against the alternative (1 <-> all cores), in
        # alternating blocks of 20 questions so both see the same background load; the first call after a
        # switch is not timed.
        import torch

        threads = torch.get_num_threads()
        other = 1 if threads > 1 else (os.cpu_count() or 2)
        mine, alt = [], []
        try:
            for b in range(0, len(questions), 20):
                block = [q for q, _ in questions[b:b + 20]]
                for n, out in ((threads, mine), (other, alt)):
                    torch.set_num_threads(n)
                    index.embed_query(block[0])
                    for q in block[1:]:
                        t0 = time.perf_counter()
                        index.embed_query(q)
                        out.append((time.perf_counter() - t0) * 1000)
        finally:
            torch.set_num_threads(threads)
        res["torch_threads"], res["torch_threads_alt"] = threads, other
        res["query_embed_product_threads_ms"] = {"p50": pct(mine, 50), "p95": pct(mine, 95)}
        res["query_embed_alt_threads_ms"] = {"p50": pct(alt, 50), "p95": pct(alt, 95)}
        log(f"query embedding p50/p95 {pct(mine, 50):.1f}/{pct(mine, 95):.1f} ms with {threads} torch "
            f"thread(s) (product), {pct(alt, 50):.1f}/{pct(alt, 95):.1f} ms with {other} (alternating blocks)")
        # a second end-to-end pass, to show how much of the spread is background noise
        lat2 = []
        for q, _ in questions:
            t0 = time.perf_counter()
            retrieve(index, q)
            lat2.append((time.perf_counter() - t0) * 1000)
        res["search2_ms"] = {"p50": pct(lat2, 50), "p95": pct(lat2, 95)}
        log(f"search, second pass: p50 {pct(lat2, 50):.1f} ms p95 {pct(lat2, 95):.1f} ms")
        phase("queries")

        # ---- re-ingest of unchanged seeds ----
        if generated:
            t0 = time.perf_counter()
            report = index.ingest([SEEDS])
            res["seeds_first_ingest_s"] = time.perf_counter() - t0
            log(f"seeds ingested on top of {args.size} papers in {res['seeds_first_ingest_s']:.1f}s")
        again = []
        for _ in range(args.repeats):
            report = index.ingest([SEEDS])
            again.append(report.seconds)
            if report.new or report.updated or report.removed:
                res["reingest_warning"] = f"not unchanged: {report.model_dump(exclude={'skipped'})}"
        res["reingest_inproc_s"] = sorted(again)[len(again) // 2]
        log(f"in-process re-ingest {res['reingest_inproc_s']:.3f}s (median of {args.repeats})")
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import rag.cli, rag.index"], cwd=ROOT, check=True, timeout=300)
        res["cli_import_s"] = time.perf_counter() - t0
        walls = []
        try:
            for _ in range(args.repeats):
                wall, counts = run_cli_ingest(data_dir, server)
                walls.append(wall)
                if counts.get("unchanged") != 23 or any(counts.get(k) for k in ("new", "updated", "removed")):
                    res["cli_warning"] = f"rag ingest did not report all seeds unchanged: {counts}"
            res["reingest_cli_s"] = sorted(walls)[len(walls) // 2]
            res["reingest_cli_min_s"] = min(walls)
            log(f"`rag ingest` wall {res['reingest_cli_s']:.2f}s (median of {args.repeats}; python + imports "
                f"alone {res['cli_import_s']:.2f}s)")
        except RuntimeError as err:
            res["product_failures"].append(f"`rag ingest` (unchanged seeds) on {args.size} papers: {err}")
            log(f"PRODUCT FAILURE: {res['product_failures'][-1]}")
        phase("reingest")
    except BaseException as err:  # record what failed; the parent reports it
        res["error"] = f"{type(err).__name__}: {err}"
        res["traceback"] = traceback.format_exc()
        log(f"FAILED: {res['error']}\n{res['traceback']}")
        if server:
            log(f"server log tail: {server.tail()[-800:]}")
    finally:
        if server:
            server.stop()
            res["server_peak_rss_mb"] = server.peak_mb
        res["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        res["load_after"] = os.getloadavg()[0]
        res["wall_s"] = time.perf_counter() - STARTED
        Path(args.result_file).write_text(json.dumps(res, default=float))


def run_seeds(index, res: dict, log) -> None:
    """Size 23: the real seeds, embedded and written by the product's own ingest."""
    report = index.ingest([SEEDS])
    res["ingest_s"] = report.seconds
    res["embed_s"] = report.embed_seconds
    res["store_s"] = report.store_seconds
    res["ingest_pps"] = report.papers / report.seconds
    res["embed_pps"] = report.new / report.embed_seconds if report.embed_seconds else None
    res["put_pps"] = report.new / report.store_seconds if report.store_seconds else None
    log(f"ingested {report.papers} seed papers / {report.chunks} chunks in {report.seconds:.2f}s "
        f"(embed {report.embed_seconds:.2f}s, store {report.store_seconds:.2f}s)")


def run_generated(index, corpus: Corpus, args, res: dict, np, MetadataMode, chunk_paper) -> list[str]:
    """Fill the store with args.size generated papers; returns method names for name questions."""
    global EMBED_BATCH_PAPERS
    import rag.index

    EMBED_BATCH_PAPERS = getattr(rag.index, "EMBED_BATCH_PAPERS", EMBED_BATCH_PAPERS)
    store, splitter, size = index.store, index.splitter, args.size

    # basis of real MiniLM sentence embeddings
    basis_text = corpus.basis_sentences()
    t0 = time.perf_counter()
    basis = np.asarray(index.embedder.get_text_embedding_batch(basis_text), dtype=np.float64)
    basis /= np.linalg.norm(basis, axis=1, keepdims=True)
    log(f"embedded {len(basis_text)} basis sentences in {time.perf_counter() - t0:.1f}s")

    # embedding rate on a sample of generated papers (ids beyond the store's, so they are never stored)
    sample = [corpus.paper(10_000_000 + j)[0] for j in range(args.embed_sample)]
    nodes = [n for p in sample for n in chunk_paper(p, splitter)]
    texts = [n.get_content(MetadataMode.EMBED) for n in nodes]
    t0 = time.perf_counter()
    index.embedder.get_text_embedding_batch(texts)
    dt = time.perf_counter() - t0
    res["embed_pps"] = len(sample) / dt
    res["embed_sample"] = {"papers": len(sample), "chunks": len(nodes), "seconds": dt}
    log(f"embedding sample: {len(sample)} papers / {len(nodes)} chunks in {dt:.1f}s = {res['embed_pps']:.2f} papers/s")

    rng = np.random.default_rng(args.seed)

    def vectorise(paper, sents, chunks) -> None:
        for node in chunks:
            idx = [b for s, b in sents if s[:40] in node.text or s[-40:] in node.text] or [b for _, b in sents]
            w = rng.dirichlet(np.full(len(idx), 2.0))
            v = w @ basis[idx]
            v /= np.linalg.norm(v)
            v += rng.normal(size=v.shape[0]) * (args.noise / np.sqrt(v.shape[0]))
            node.embedding = (v / np.linalg.norm(v)).tolist()

    def write_range(first: int, end: int, per_call: int, after_batch=None) -> tuple[float, float, int]:
        """Generate, chunk, vectorise and store papers first..end-1, `per_call` per `index.put` call.

        Returns the seconds spent chunking, the seconds spent writing, and the chunks written.
        """
        chunking = writing = 0.0
        written = 0
        for start in range(first, end, per_call):
            batch = [corpus.paper(i) for i in range(start, min(start + per_call, end))]
            t0 = time.perf_counter()
            groups = [chunk_paper(p, splitter) for p, _ in batch]
            chunking += time.perf_counter() - t0
            for (p, sents), chunks in zip(batch, groups):
                vectorise(p, sents, chunks)
            written += sum(len(g) for g in groups)
            t0 = time.perf_counter()
            index.put([p for p, _ in batch], {p.paper_id: g for (p, _), g in zip(batch, groups)})
            writing += time.perf_counter() - t0
            if after_batch:
                after_batch(start, batch, chunking, writing, written)
        return chunking, writing, written

    names: list[str] = []
    name_every = max(1, size // 400)
    put_n = min(args.put_sample, size)
    bulk_n = size - put_n
    last_log = [time.perf_counter()]

    def bulk_progress(start: int, batch: list, chunking: float, writing: float, written: int) -> None:
        names.extend(p.short_name for i, (p, _) in enumerate(batch, start) if i % name_every == 0)
        done = start + len(batch)
        if time.perf_counter() - last_log[0] > 20 or done == bulk_n:
            last_log[0] = time.perf_counter()
            log(f"bulk {done}/{bulk_n} papers ({written} chunks): chunking {done / chunking:.0f} papers/s, "
                f"batched writes {done / writing:.0f} papers/s")

    chunk_s, bulk_write_s, total_chunks = write_range(0, bulk_n, BULK_PAPERS, bulk_progress)
    # the product's write granularity (one index.put call per embedding batch), into the full-size store
    put_chunk_s, put_s, put_chunks = write_range(bulk_n, size, EMBED_BATCH_PAPERS)
    chunk_s += put_chunk_s
    total_chunks += put_chunks
    res["chunk_pps"] = size / chunk_s
    res["chunks_per_paper"] = total_chunks / size
    res["chunks_written"] = total_chunks
    res["bulk_pps"] = bulk_n / bulk_write_s if bulk_write_s else None
    res["bulk_write_s"] = bulk_write_s
    res["put_pps"] = put_n / put_s if put_s else None
    res["put_sample"] = put_n
    per_paper = 1 / res["chunk_pps"] + 1 / res["embed_pps"] + (1 / res["put_pps"] if res["put_pps"] else 0)
    res["ingest_pps"] = 1 / per_paper  # projected for the product's ingest path (chunk + embed + write)
    res["embed_s"] = size / res["embed_pps"]
    res["store_s"] = size / res["put_pps"] if res["put_pps"] else None
    res["projected"] = True
    log(f"product writes ({EMBED_BATCH_PAPERS} papers per call) on the full store: {put_n} papers in {put_s:.1f}s"
        f" = {res['put_pps']:.1f} papers/s; "
        f"{res['chunks_per_paper']:.2f} chunks/paper")
    return names


# --------------------------------------------------------------------------------------------------------
# Parent: run workers, print tables
# --------------------------------------------------------------------------------------------------------


def fmt(v, digits: int = 1, approx: bool = False) -> str:
    if v is None or (isinstance(v, float) and v != v):
        return "-"
    text = f"{v:,.{digits}f}"
    return f"~{text}" if approx else text


def pair(d: dict | None) -> str:
    return f"{fmt(d['p50'])} / {fmt(d['p95'])}" if d else "-"


def tables(results: list[dict], meta: dict) -> str:
    lines = [f"### rag store benchmark ({meta['date']})", "",
             f"Code: commit {meta.get('commit') or '?'}{' + uncommitted changes in rag/' if meta.get('rag_dirty') else ''}. "
             f"Machine: {meta['cpus']} CPUs, {meta['platform']}, Python {meta['python']}, chromadb {meta['chromadb']}. "
             f"Load average at start {meta['load_start']:.2f}"
             f"{' (other work was running on the same cores: numbers are noisy and pessimistic)' if meta['load_start'] > 1 else ''}. "
             "Queries per run: "
             f"{meta['queries']}. Data dirs on the local disk (tempfile).", "",
             "| mode | papers | chunks | ingest papers/s | embed s | store s | BM25 build s | search p50 ms | "
             "search p95 ms | store query p50 ms | store query p95 ms | re-ingest seeds in-proc s | "
             "re-ingest seeds `rag ingest` wall s | peak RSS MB |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        if "error" in r and "search_ms" not in r:
            lines.append(f"| {r['mode']} | {r['size']} | FAILED: {r['error'][:150]} |" + " |" * 11)
            continue
        proj = bool(r.get("projected"))
        peak = fmt(r.get("peak_rss_mb"), 0)
        if r.get("server_peak_rss_mb"):
            peak += f" (+ server {fmt(r['server_peak_rss_mb'], 0)})"
        lines.append("| " + " | ".join([
            r["mode"], f"{r.get('papers', r['size']):,}", f"{r.get('chunks', 0):,}",
            fmt(r.get("ingest_pps"), 1, proj), fmt(r.get("embed_s"), 1 if proj else 2, proj),
            fmt(r.get("store_s"), 1 if proj else 2, proj), fmt(r.get("bm25_build_s"), 2),
            fmt(r.get("search_ms", {}).get("p50")), fmt(r.get("search_ms", {}).get("p95")),
            fmt(r.get("store_query_ms", {}).get("p50")), fmt(r.get("store_query_ms", {}).get("p95")),
            fmt(r.get("reingest_inproc_s"), 3),
            fmt(r.get("reingest_cli_s"), 2) if "reingest_cli_s" in r else "FAILS (see problems)", peak]) + " |")
    lines += ["", "`~` = projected for the product's ingest path (`PaperIndex._write`: chunk, embed, store write per "
              "embedding batch) from measured rates: chunking of every paper, MiniLM embedding of a generated "
              "sample, `index.put` of the last papers (16 per call) into the full-size store (see the breakdown). Size 23 = the real "
              "seeds, measured end to end (model preloaded). Search = `retrieve()` hybrid end to end incl. "
              "MiniLM query embedding; store query = `PaperStore.dense_query` with a precomputed vector "
              "(n=RAG_CANDIDATES). Re-ingest = the 23 unchanged seeds (for generated sizes on top of the generated "
              "papers): median of in-process `index.ingest()` and of whole `rag ingest` processes.", "",
              "Breakdown:", "",
              "| mode | papers | model load s | chunk papers/s | embed papers/s | store write papers/s (16/call) | "
              "bulk write papers/s (500/call) | chunks/paper | records load s | BM25 fetch s | query embed p50 ms | BM25 search p50 ms | "
              "store.version p50 ms | search 2nd pass p50/p95 ms | search excl. query embedding p50/p95 ms | query embed p95 ms | query embed p50/p95 ms: product "
              "torch threads vs the alternative (alternating blocks) | "
              "cold first query ms | name-question hit@5 | seeds first ingest s | python+imports s | "
              "`rag ingest` min s | load avg start/end | run wall s | process exit s |",
              "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|"]
    for r in results:
        if "search_ms" not in r:
            continue
        hit = r.get("name_hit_at_5")
        lines.append("| " + " | ".join([
            r["mode"], f"{r.get('papers', r['size']):,}", fmt(r.get("model_load_s")), fmt(r.get("chunk_pps"), 0),
            fmt(r.get("embed_pps"), 2), fmt(r.get("put_pps"), 1), fmt(r.get("bulk_pps"), 0),
            fmt(r.get("chunks_per_paper", (r.get("chunks") or 0) / max(1, r.get("papers") or 1)), 2),
            fmt(r.get("records_load_s"), 2), fmt(r.get("bm25_fetch_s"), 2),
            fmt(r.get("query_embed_ms", {}).get("p50")),
            fmt(r.get("bm25_search_ms", {}).get("p50")),
            fmt(r.get("version_ms", {}).get("p50"), 2), pair(r.get("search2_ms")), pair(r.get("search_no_embed_ms")),
            fmt(r.get("query_embed_ms", {}).get("p95")), f"{pair(r.get('query_embed_product_threads_ms'))} ({r.get('torch_threads')} thr) vs "
            f"{pair(r.get('query_embed_alt_threads_ms'))} ({r.get('torch_threads_alt')} thr)",
            fmt(r.get("cold_first_query_ms"), 0),
            "-" if hit is None else f"{hit:.2f}", fmt(r.get("seeds_first_ingest_s"), 1),
            fmt(r.get("cli_import_s"), 2), fmt(r.get("reingest_cli_min_s"), 2),
            f"{r.get('load_before', 0):.1f}/{r.get('load_after', 0):.1f}", fmt(r.get("wall_s"), 0),
            fmt(r.get("exit_after_result_s"), 0)]) + " |")
    notes = [f"- {r['mode']} {r['size']}: {k}: {r[k]}" for r in results
             for k in ("error", "reingest_warning", "cli_warning") if r.get(k)]
    notes += [f"- {r['mode']} {r['size']}: PRODUCT FAILURE: {f}" for r in results for f in r.get("product_failures", [])]
    if notes:
        lines += ["", "Problems:", *notes]
    lines += ["", "Targets: search p95 < 50 ms at 10k papers; re-ingest of unchanged seeds < 2 s."]
    return "\n".join(lines)


def run_worker(mode: str, size: int, args, tmp_root: Path) -> dict:
    workdir = Path(tempfile.mkdtemp(prefix=f"{mode}-{size}-", dir=tmp_root))
    result_file = workdir / "result.json"
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", "--mode", mode, "--size", str(size),
           "--queries", str(args.queries), "--workdir", str(workdir), "--result-file", str(result_file),
           "--embed-sample", str(args.embed_sample), "--put-sample", str(args.put_sample),
           "--repeats", str(args.repeats), "--seed", str(args.seed), "--noise", str(args.noise)]
    log(f"run {mode} {size} (timeout {args.timeout}s)")
    proc = subprocess.Popen(cmd, cwd=ROOT, start_new_session=True)  # own process group: its server, its CLI runs
    try:
        proc.wait(timeout=args.timeout)
    except subprocess.TimeoutExpired:
        log(f"run {mode} {size} timed out after {args.timeout}s, stopping it")
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    except BaseException:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=60)
        raise
    try:
        res = json.loads(result_file.read_text())
        res["exit_after_result_s"] = time.time() - result_file.stat().st_mtime  # interpreter/Chroma shutdown
        if proc.returncode not in (0, None) and "error" not in res:
            res["error"] = f"worker exited {proc.returncode}"
    except (OSError, ValueError):
        res = {"mode": mode, "size": size, "error": f"no result (worker exited {proc.returncode}, timeout?)"}
    shutil.rmtree(workdir, ignore_errors=True)
    return res


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="23,10000", help="comma-separated; 23 = the real seeds")
    ap.add_argument("--modes", default="embedded,server", help="embedded,server")
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--out", type=Path, help="also write the raw results as JSON here")
    ap.add_argument("--embed-sample", type=int, default=200, help="generated papers embedded to measure the rate")
    ap.add_argument("--put-sample", type=int, default=200, help="papers written at the product's batch size into the full store")
    ap.add_argument("--repeats", type=int, default=3, help="re-ingest repetitions (median reported)")
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--noise", type=float, default=0.35, help="noise norm of the synthetic chunk vectors")
    ap.add_argument("--timeout", type=int, default=3600, help="seconds per (mode, size) run")
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--mode", help=argparse.SUPPRESS)
    ap.add_argument("--size", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--workdir", help=argparse.SUPPRESS)
    ap.add_argument("--result-file", help=argparse.SUPPRESS)
    return ap.parse_args(argv)


def git(*argv: str) -> str:
    try:
        return subprocess.run(["git", *argv], cwd=ROOT, capture_output=True, text=True, timeout=30).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def main() -> None:
    args = parse_args()
    if args.worker:
        worker(args)
        return
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    bad = set(modes) - {"embedded", "server"}
    if bad:
        sys.exit(f"unknown mode(s): {', '.join(sorted(bad))}")
    import chromadb

    meta = {"date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "cpus": os.cpu_count(),
            "platform": platform.platform(terse=True), "python": platform.python_version(),
            "chromadb": chromadb.__version__, "load_start": os.getloadavg()[0], "queries": args.queries,
            "argv": sys.argv[1:], "commit": git("rev-parse", "--short", "HEAD"),
            "rag_dirty": bool(git("status", "--porcelain", "--", "rag"))}
    # SIGTERM to this script stops the running worker (and its server) and removes the temporary data
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    tmp_root = Path(tempfile.mkdtemp(prefix="rag-bench-"))
    results: list[dict] = []
    try:
        for mode in modes:
            for size in sizes:
                results.append(run_worker(mode, size, args, tmp_root))
    finally:
        shutil.rmtree(tmp_root, ignore_errors=True)
    meta["load_end"] = os.getloadavg()[0]
    print(tables(results, meta))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps({"meta": meta, "results": results}, indent=2, default=float))
        log(f"wrote {args.out}")


if __name__ == "__main__":
    main()
