"""Incremental ingest into a real Chroma store: only new or changed papers are embedded, nothing is lost."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from conftest import SEED_PAPERS, make_settings, seed_file

from rag.papers import paper_id_for
from rag.retrieve import retrieve


def file_names(sources: list[str]) -> set[str]:
    return {Path(s).name for s in sources}


def test_first_ingest_embeds_every_paper(seeded):
    index, report = seeded
    assert (report.new, report.updated, report.unchanged, report.removed) == (SEED_PAPERS, 0, 0, 0)
    assert report.embed_seconds > 0
    assert report.chunks >= SEED_PAPERS
    assert len(index.papers) == SEED_PAPERS


def test_second_ingest_of_unchanged_seeds_embeds_nothing(fresh_index, open_index):
    first = fresh_index.ingest()
    second = open_index(fresh_index.settings).ingest()  # a new process would open a new index
    assert (second.new, second.updated, second.unchanged, second.removed) == (0, 0, SEED_PAPERS, 0)
    assert second.embed_seconds == 0
    assert second.chunks == first.chunks


def test_changed_abstract_replaces_the_old_paper(fresh_index, seeds_copy):
    fresh_index.ingest()
    smart = next(p for p in fresh_index.papers.values() if p.short_name == "SMART")
    seed = seed_file(seeds_copy, "003_")
    changed = smart.abstract + " We also release a new benchmark of tool-use dialogues."
    seed.write_text(seed.read_text().replace(smart.abstract, changed))

    report = fresh_index.ingest()

    assert (report.new, report.removed, report.unchanged) == (1, 1, SEED_PAPERS - 1)
    papers = fresh_index.papers
    assert smart.paper_id not in papers
    assert paper_id_for(changed) in papers
    assert len(papers) == SEED_PAPERS
    assert papers[paper_id_for(changed)].title == smart.title  # the table row still matches its start


def as_previous_release_wrote_it(store) -> None:
    """Move the records from the chunks into a collection of their own, as the previous release kept them."""
    got = store.chunks.get(include=["metadatas", "embeddings"])
    firsts = [(i, m, e) for i, m, e in zip(got["ids"], got["metadatas"], got["embeddings"]) if "record" in m]
    papers = store.client.get_or_create_collection(f"papers-{store.tag}", embedding_function=None)
    papers.add(ids=[m["paper_id"] for _, m, _ in firsts], embeddings=[e for _, _, e in firsts],
               metadatas=[{"record": m["record"]} for _, m, _ in firsts])
    store.chunks.update(ids=[i for i, _, _ in firsts], metadatas=[{"record": None}] * len(firsts))
    assert not any("record" in m for m in store.chunks.get(include=["metadatas"])["metadatas"])


@pytest.mark.parametrize("how", ["lost", "previous release", "other layout"])
def test_a_store_without_its_catalog_is_adopted_and_stays_incremental(fresh_index, seeds_copy, open_index, how):
    fresh_index.ingest()
    before = {p.paper_id: p for p in fresh_index.papers.values()}
    if how == "other layout":  # a catalog written by another version of the code
        with sqlite3.connect(fresh_index.catalog.path) as db:
            db.execute("UPDATE meta SET value = 'older' WHERE key = 'schema'")
    else:  # Chroma and nothing beside it: a lost data folder, or the previous release
        if how == "previous release":
            as_previous_release_wrote_it(fresh_index.store)
        for extra in ("", "-wal", "-shm"):
            Path(f"{fresh_index.catalog.path}{extra}").unlink(missing_ok=True)

    index = open_index(fresh_index.settings)

    assert {p.paper_id: p for p in index.papers.values()} == before
    assert retrieve(index, "SynWorld", top_k=1, mode="bm25")[0].paper.short_name == "SynWorld"
    smart = next(p for p in index.papers.values() if p.short_name == "SMART")
    seed = seed_file(seeds_copy, "003_")
    seed.write_text(seed.read_text().replace(smart.abstract, smart.abstract + " A new benchmark is released."))
    report = index.ingest()
    assert (report.new, report.removed, report.unchanged) == (1, 1, SEED_PAPERS - 1)
    assert smart.paper_id not in index.papers and len(index.papers) == SEED_PAPERS


def test_prune_removes_papers_only_from_a_deleted_file_and_keeps_duplicates(fresh_index, seeds_copy):
    fresh_index.ingest()
    only_002 = {p.paper_id for p in fresh_index.papers.values() if file_names(p.sources) == {"002_dbca0a70b5e0e1cf.txt"}}
    duplicated = {p.paper_id for p in fresh_index.papers.values() if len(p.sources) == 2}
    assert len(only_002) == 3 and len(duplicated) == 7

    seed_file(seeds_copy, "002_").unlink()
    report = fresh_index.ingest(prune=True)

    papers = fresh_index.papers
    assert report.removed == 3
    assert len(papers) == SEED_PAPERS - 3
    assert not only_002 & set(papers)
    for paper_id in duplicated:
        assert file_names(papers[paper_id].sources) == {"000_ab240b20e75e21bd.txt"}


def test_without_prune_a_deleted_file_keeps_its_papers(fresh_index, seeds_copy):
    fresh_index.ingest()
    seed_file(seeds_copy, "002_").unlink()
    report = fresh_index.ingest()
    assert report.removed == 0
    assert len(fresh_index.papers) == SEED_PAPERS


def test_ingesting_one_file_at_a_time_then_all_gives_the_same_papers(fresh_index, seeds_copy, seeded_index):
    for prefix in ("002_", "003_", "000_"):
        fresh_index.ingest([seed_file(seeds_copy, prefix)])
    fresh_index.ingest([seeds_copy])

    def summary(index):
        return {p.paper_id: (p.title, p.year, file_names(p.sources), set(p.affiliations))
                for p in index.papers.values()}

    assert len(fresh_index.papers) == SEED_PAPERS
    assert summary(fresh_index) == summary(seeded_index)


class Crash(Exception):
    """Raised from the progress callback to stop an ingest half-way."""


def test_an_ingest_that_crashes_mid_way_is_completed_by_the_next_one(fresh_index, open_index):
    def crash_after_first_batch(done: int, total: int) -> None:
        # Real fault injection, not a mock: ingest calls this after each batch has been written to the
        # store, so raising here stops a real ingest part-way, as a kill or a full disk would.
        raise Crash(f"crashed after {done} of {total}")

    with pytest.raises(Crash):
        fresh_index.ingest(progress=crash_after_first_batch)
    reopened = open_index(fresh_index.settings)
    written_before_crash = set(reopened.papers)
    assert 0 < len(written_before_crash) < SEED_PAPERS

    report = reopened.ingest()

    assert report.new == SEED_PAPERS - len(written_before_crash)
    assert report.unchanged == len(written_before_crash)
    assert len(reopened.papers) == SEED_PAPERS
    searcher = open_index(fresh_index.settings)
    for late in (p for p in reopened.papers.values() if p.paper_id not in written_before_crash):
        hits = retrieve(searcher, late.title, top_k=3, mode="bm25")
        assert hits[0].paper.paper_id == late.paper_id, late.title


def test_the_same_folder_spelled_relative_or_absolute_is_one_source(tmp_path, seeds_copy, open_index, monkeypatch):
    monkeypatch.chdir(tmp_path)
    index = open_index(make_settings(Path("data"), Path("seeds")))
    index.ingest()  # the default: seeds/ relative to the working folder
    report = index.ingest([seeds_copy.resolve()])
    assert (report.updated, report.unchanged) == (0, SEED_PAPERS)
    synworld = next(p for p in index.papers.values() if p.short_name == "SynWorld")
    assert len(synworld.sources) == 2


def test_prune_from_another_working_folder_keeps_papers_whose_files_exist(tmp_path, seeds_copy, open_index,
                                                                          monkeypatch):
    monkeypatch.chdir(tmp_path)
    settings = make_settings((tmp_path / "data").resolve(), Path("seeds"))
    open_index(settings).ingest()  # `rag ingest` in the project folder: sources are seeds/...
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "new.txt").write_text("Abstract: In this work, we propose Plonkformer, a model of bird song.\n")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)

    report = open_index(settings).ingest([extra], prune=True)  # no seed file was deleted

    assert report.removed == 0
    assert len(open_index(settings).papers) == SEED_PAPERS + 1
