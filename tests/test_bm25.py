"""The saved BM25 index and the chunks added since: same scores as a full build, deletions stay deleted, a build
killed half-way leaves the previous one serving, several builds switch atomically."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest
from conftest import SEED_PAPERS, seed_file

from rag import bm25
from rag.catalog import ChunkText
from rag.retrieve import retrieve

QUERIES = ["world model exploration agents", "knowledge editing benchmark", "thinking tokens compression",
           "safety of large language model agents", "self-awareness of agents"]


def chunk_scores(index, query: str) -> dict[str, float]:
    return {chunk_id: score for chunk_id, _, score in index.bm25.search(query, 100)}


def test_papers_added_after_a_build_score_exactly_as_in_a_full_build(fresh_index, seeds_copy):
    fresh_index.ingest([seed_file(seeds_copy, "000_"), seed_file(seeds_copy, "002_")])
    fresh_index.rebuild_bm25()
    fresh_index.ingest([seeds_copy])
    delta = {c.chunk_id for c in fresh_index.bm25.delta.chunks}
    assert delta and fresh_index.bm25.main.size + len(delta) == fresh_index.catalog.count_chunks()
    before = {q: chunk_scores(fresh_index, q) for q in QUERIES}

    fresh_index.rebuild_bm25()

    assert not fresh_index.bm25.delta.chunks
    compared = 0
    for query in QUERIES:
        after = chunk_scores(fresh_index, query)
        for chunk_id in delta & set(before[query]):
            assert before[query][chunk_id] == pytest.approx(after[chunk_id], rel=1e-4), (query, chunk_id)
            compared += 1
    assert compared >= 5


def test_a_replaced_paper_never_comes_back_from_an_older_build(fresh_index, seeds_copy):
    fresh_index.ingest()
    fresh_index.rebuild_bm25()
    smart = next(p for p in fresh_index.papers.values() if p.short_name == "SMART")
    seed = seed_file(seeds_copy, "003_")
    seed.write_text(seed.read_text().replace(smart.abstract, smart.abstract + " Zorblax tokens are released."))

    fresh_index.ingest()

    hits = retrieve(fresh_index, smart.title, top_k=SEED_PAPERS, mode="bm25")
    assert smart.paper_id not in {h.paper.paper_id for h in hits}
    assert hits[0].paper.abstract.endswith("Zorblax tokens are released.")
    assert retrieve(fresh_index, "Zorblax", top_k=1, mode="bm25")[0].paper.title == smart.title


def test_many_additions_are_merged_into_a_new_build_that_every_index_switches_to(fresh_index, seeds_copy,
                                                                                open_index, monkeypatch):
    fresh_index.ingest([seed_file(seeds_copy, "000_")])
    other = open_index(fresh_index.settings)  # a second reader of the same folder, as another app process is
    assert other.bm25.main is None
    monkeypatch.setattr(bm25, "MERGE_MIN_CHUNKS", 5)  # the seeds are small: merge at 5 chunks, not 2,000

    fresh_index.ingest([seeds_copy])

    assert fresh_index.bm25.main.size == fresh_index.catalog.count_chunks() and not fresh_index.bm25.delta.chunks
    assert other.bm25.main is not None and other.bm25.main.upto == fresh_index.bm25.main.upto
    assert len(other.papers) == SEED_PAPERS
    assert retrieve(other, "LightThinker", top_k=1, mode="bm25")[0].paper.short_name == "LightThinker"


BUILD_SCRIPT = """
import sys
from pathlib import Path
from rag.bm25 import build_main
from rag.catalog import ChunkText
words = [f"term{i}" for i in range(5000)]
chunks = [ChunkText(i, f"c{i}", f"p{i}", " ".join(words[(i * 7 + j) % 5000] for j in range(300)))
          for i in range(1, 60001)]
print("building", flush=True)
build_main(Path(sys.argv[1]), chunks)
"""


def test_a_build_killed_half_way_leaves_the_previous_one_serving(tmp_path):
    folder = tmp_path / "bm25"
    chunks = [ChunkText(1, "a:0", "a", "retrieval of paper abstracts"), ChunkText(2, "b:0", "b", "bird song models")]
    first = bm25.build_main(folder, chunks)
    script = tmp_path / "build.py"
    script.write_text(BUILD_SCRIPT)
    process = subprocess.Popen([sys.executable, str(script), str(folder)], stdout=subprocess.PIPE, text=True)
    assert process.stdout.readline().strip() == "building"
    deadline = time.monotonic() + 60
    while not any(p.name.endswith(".partial") for p in folder.iterdir()) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)
    process.kill()  # a real crash mid-build: SIGKILL, nothing gets to clean up
    process.wait()

    assert (folder / bm25.POINTER).read_text() == first.name
    main = bm25.load_main(folder)
    assert main is not None and main.ids == ["a:0", "b:0"]
    docs, _ = main.retriever.retrieve([["bird"]], k=1, show_progress=False)
    assert main.ids[docs[0][0]] == "b:0"


def test_a_word_no_chunk_has_weighs_more_than_a_common_one(seeded_index):
    bm25 = seeded_index.bm25
    assert bm25.idf("zyzzyva") > bm25.idf("unlearn") > bm25.idf("model") > 0
