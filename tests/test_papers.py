"""Reading seed files into papers: blocks, duplicates, affiliations, metadata, fallbacks, stable ids, bad input."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import BAD_KINDS, SEED_BLOCKS, SEED_DUPLICATES, SEED_PAPERS, SEEDS, UCLA, ZJU, bad_input, seed_file

from rag.papers import load_metadata, load_papers, normalise
from rag.types import LoadResult, Paper


def load(*paths: Path) -> LoadResult:
    return load_papers(list(paths), load_metadata(SEEDS / "papers.tsv"))


def by_short_name(result: LoadResult) -> dict[str, Paper]:
    return {p.short_name: p for p in result.papers if p.short_name}


def names(paths: list[str]) -> set[str]:
    return {Path(p).name for p in paths}


@pytest.fixture(scope="module")
def seeds() -> LoadResult:
    return load(SEEDS)


# ---------------------------------------------------------------- the seed files


def test_seeds_give_30_blocks_23_papers_and_7_duplicates_merged(seeds):
    assert (seeds.files, seeds.blocks, len(seeds.papers), seeds.duplicates_merged) == (
        3, SEED_BLOCKS, SEED_PAPERS, SEED_DUPLICATES)
    assert seeds.skipped == []
    assert len({p.paper_id for p in seeds.papers}) == SEED_PAPERS


def test_a_duplicated_paper_keeps_both_source_files_and_its_affiliation(seeds):
    synworld = by_short_name(seeds)["SynWorld"]
    assert names(synworld.sources) == {seed_file(SEEDS, "000_").name, seed_file(SEEDS, "002_").name}
    assert synworld.affiliations == [ZJU]
    duplicated = [p for p in seeds.papers if len(p.sources) == 2]
    assert len(duplicated) == SEED_DUPLICATES


def test_papers_from_the_003_file_have_the_ucla_affiliation(seeds):
    from_003 = [p for p in seeds.papers if names(p.sources) == {seed_file(SEEDS, "003_").name}]
    assert len(from_003) == 10
    assert all(p.affiliations == [UCLA] for p in from_003)


def test_the_002_file_has_no_affiliation_line_so_its_papers_get_none_from_it(seeds):
    only_002 = [p for p in seeds.papers if names(p.sources) == {seed_file(SEEDS, "002_").name}]
    assert {p.short_name for p in only_002} == {"Full-stack safety survey", "EasyEdit2", "BiasEdit"}
    assert all(p.affiliations == [] for p in only_002)
    # its first line is an abstract, not taken for an affiliation
    assert not any(a.startswith("Abstract") or a.startswith("The remarkable") for p in seeds.papers
                   for a in p.affiliations)


def test_metadata_from_papers_tsv_is_attached(seeds):
    synworld = by_short_name(seeds)["SynWorld"]
    assert synworld.title == "SynWorld: Virtual Scenario Synthesis for Agentic Action Knowledge Refinement"
    assert synworld.year == 2025
    assert synworld.arxiv_id == "2504.03561"
    assert synworld.venue == "ACL 2025 (Short)"
    assert synworld.authors.startswith("Runnan Fang")
    assert synworld.code_urls[0] == "https://github.com/zjunlp/SynWorld"
    assert synworld.url == "https://arxiv.org/abs/2504.03561"


def test_every_seed_paper_has_a_table_row(seeds):
    assert all(p.short_name and p.year and p.arxiv_id for p in seeds.papers)


# ---------------------------------------------------------------- abstracts without a table row


def test_abstract_without_table_row_gets_the_proposed_name_as_title_and_its_code_urls(tmp_path):
    (tmp_path / "new.txt").write_text(
        "Some Lab\n"
        "Abstract: Retrieval is hard. In this work, we propose QuuxNet, a retriever that reads abstracts. "
        "Code is at https://github.com/example/quuxnet. A demo is at https://quux.example.org/demo.\n")
    (paper,) = load(tmp_path).papers
    assert paper.title == "QuuxNet"
    assert paper.code_urls == ["https://github.com/example/quuxnet", "https://quux.example.org/demo"]
    assert paper.url == "https://github.com/example/quuxnet"
    assert (paper.year, paper.arxiv_id, paper.short_name) == (None, None, None)
    assert paper.affiliations == ["Some Lab"]


def test_abstract_without_table_row_or_proposal_gets_its_first_sentence_as_title(tmp_path):
    (tmp_path / "new.txt").write_text(
        "Abstract: Abstracts are short texts that summarise a paper. They are easy to search.\n")
    (paper,) = load(tmp_path).papers
    assert paper.title == "Abstracts are short texts that summarise a paper."
    assert paper.code_urls == []
    assert paper.url is None


def test_sentence_starting_we_propose_gives_the_proposed_name_as_title(tmp_path):
    (tmp_path / "new.txt").write_text(
        "Abstract: We propose Zorblax, a hashing scheme for paper search. It is fast.\n")
    (paper,) = load(tmp_path).papers
    assert paper.title == "Zorblax"


# ---------------------------------------------------------------- stable ids


def test_ids_are_stable_across_runs_file_names_and_file_order(tmp_path, seeds):
    first = {p.paper_id: p.abstract for p in seeds.papers}
    assert first == {p.paper_id: p.abstract for p in load(SEEDS).papers}

    renamed = tmp_path / "renamed"
    renamed.mkdir()
    # reversed order (z_ sorts last, so 003 is read first) and other names
    for name, prefix in [("a_third.txt", "003_"), ("m_second.txt", "002_"), ("z_first.txt", "000_")]:
        shutil.copy(seed_file(SEEDS, prefix), renamed / name)
    again = load(renamed)
    assert {p.paper_id: p.abstract for p in again.papers} == first
    assert again.duplicates_merged == SEED_DUPLICATES

    one_by_one = [p for prefix in ("003_", "000_", "002_") for p in load(seed_file(SEEDS, prefix)).papers]
    assert {p.paper_id for p in one_by_one} == set(first)


def test_white_space_and_line_breaks_do_not_change_a_papers_id(tmp_path, seeds):
    synworld = by_short_name(seeds)["SynWorld"]
    words = synworld.abstract.split()
    reflowed = "\n".join(" ".join(words[i:i + 9]) + "   " for i in range(0, len(words), 9))
    (tmp_path / "reflowed.txt").write_text(f"Abstract:\n{reflowed}\n")
    (paper,) = load(tmp_path).papers
    assert paper.paper_id == synworld.paper_id
    assert normalise(paper.abstract) == synworld.abstract


# ---------------------------------------------------------------- bad input is skipped with a warning


@pytest.mark.parametrize("kind", BAD_KINDS)
def test_bad_input_is_skipped_with_a_warning_and_the_rest_still_loads(tmp_path, kind):
    path, fragment = bad_input(tmp_path, kind)
    result = load(SEEDS, path)
    assert len(result.papers) == SEED_PAPERS
    warnings = [str(s) for s in result.skipped]
    assert warnings, "bad input must be reported"
    assert all(str(path) in w for w in warnings)
    assert any(fragment in w for w in warnings), warnings


def test_a_block_after_an_empty_block_still_loads(tmp_path):
    (tmp_path / "mixed.txt").write_text("Abstract:\nAbstract: A usable abstract about graphs. It has two sentences.\n")
    result = load(tmp_path)
    assert [p.title for p in result.papers] == ["A usable abstract about graphs."]
    assert [str(s) for s in result.skipped] == [f"{tmp_path / 'mixed.txt'}:1: empty Abstract: block"]
