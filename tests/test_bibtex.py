"""BibTeX in and out: a reference manager's export becomes papers, an answer's citations become BibTeX, and back."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from conftest import REPO, SEEDS, cli_env, make_settings, seed_file

from rag.answer import AnswerEngine
from rag.bibtex import answer_bibtex, papers_bibtex
from rag.errors import SeedError
from rag.papers import METADATA_FILE, load_metadata, load_papers
from ui.app import Handlers, save_upload

EXPORT = REPO / "tests" / "data" / "zotero_export.bib"  # Zotero + JabRef + Mendeley style entries
EXPORT_PAPERS = 6  # 8 entries: one without an abstract, one exported twice
METADATA = ("title", "authors", "year", "venue", "arxiv_id")
BROKEN = b"@inproceedings{broken_2024,\n  title = {Unclosed {brace,\n  author = {Roe, Richard},\n}\n"


def by_key(papers) -> dict:
    return {p.bib_key: p for p in papers}


def entry_keys(bibtex: str) -> list[str]:
    return re.findall(r"^@\w+\{([^,]+),", bibtex, flags=re.M)


# ---------------------------------------------------------------- in


def test_export_entries_become_papers_with_their_own_metadata():
    loaded = load_papers([EXPORT])

    assert len(loaded.papers) == EXPORT_PAPERS
    papers = by_key(loaded.papers)
    muller = papers["muller_uberlegene_2024"]
    assert muller.title == "Überlegene BERT-Modelle für Graph-basiertes Retrieval"
    assert muller.authors == "Jörg Müller, María García, Søren Østergaard, Jan van der Berg"
    assert (muller.year, muller.venue) == (2024, "Proceedings of the 62nd Annual Meeting of the Association for "
                                                 "Computational Linguistics")
    assert muller.doi == "10.18653/v1/2024.acl-long.999"
    assert muller.url == "https://aclanthology.org/2024.acl-long.999/"
    assert "On the München–Zürich benchmark it improves recall@10 by 7.5% over BM25 while fusing both rankings " \
           "with $\\alpha = 0.3$; café-style prompts" in muller.abstract
    okafor = papers["Okafor2024"]  # Mendeley: double braces around the title, arxivId
    assert okafor.title == "Small Models, Long Contexts: Where Are the Retrieval Heads?"
    assert okafor.authors == "Chidi Okafor, Ana Šimić"
    assert okafor.url == "https://arxiv.org/abs/2402.05678"
    assert papers["lee_tiny_2024"].arxiv_id == "2401.01234"  # JabRef: eprint + archivePrefix
    assert papers["qian_smart_2025"].arxiv_id == "2502.11435"  # Zotero: arXiv DOI and URL


def test_entries_without_abstract_and_duplicate_keys_are_reported_by_key_and_line():
    loaded = load_papers([EXPORT])
    (skipped,) = [str(s) for s in loaded.skipped]
    warnings = [str(s) for s in loaded.notes]  # kept, but worth a word

    assert re.fullmatch(rf"{EXPORT}:\d+: entry 'vaswani_attention_2017' has no abstract", skipped)
    assert any(re.fullmatch(rf"{EXPORT}:\d+: duplicate key 'chen_graph_2023' \(first at line \d+\): abstracts differ, "
                            r"kept both", w) for w in warnings), warnings
    assert any(re.fullmatch(rf"{EXPORT}:\d+: duplicate key 'lee_tiny_2024' \(first at line \d+\): same abstract, "
                            r"merged", w) for w in warnings), warnings
    assert len(warnings) == 2
    chens = sorted(p.title for p in loaded.papers if p.bib_key == "chen_graph_2023")
    assert chens == ["Graph Prompting for Molecule Captioning", "Graph Pruning for Fast Message Passing"]
    assert [p.bib_key for p in loaded.papers].count("lee_tiny_2024") == 1


@pytest.mark.parametrize("bib_first", [False, True])
def test_same_abstract_in_a_seed_file_and_a_bib_entry_is_one_paper(bib_first):
    seed = seed_file(SEEDS, "003_")
    paths = [EXPORT, seed] if bib_first else [seed, EXPORT]
    loaded = load_papers(paths, load_metadata(SEEDS / METADATA_FILE))

    assert len(loaded.papers) == 10 + EXPORT_PAPERS - 1
    (smart,) = [p for p in loaded.papers if p.short_name == "SMART"]
    assert sorted(smart.sources) == sorted([str(seed), str(EXPORT)])
    assert smart.bib_key == "qian_smart_2025"
    assert smart.title == "SMART: Self-Aware Agent for Tool Overuse Mitigation"  # the entry's, not papers.tsv's
    assert smart.authors.endswith("Avirup Sil, Dilek Hakkani-Tür, Gokhan Tur, Heng Ji")
    assert smart.venue == "Findings of ACL 2025"  # the entry has none: papers.tsv still fills it in


def test_exported_entries_read_back_as_the_same_papers(tmp_path):
    papers = load_papers([EXPORT]).papers
    exported = papers_bibtex(papers)

    assert exported == papers_bibtex(papers)
    assert entry_keys(exported) == [p.bib_key for p in papers[:3]] + ["chen_graph_2023_" + papers[3].paper_id[1:5]] \
        + [p.bib_key for p in papers[4:]]
    assert r"title = {{\"U}berlegene {BERT-Modelle} f{\"u}r Graph-basiertes Retrieval}" in exported
    assert r"author = {J{\"o}rg M{\"u}ller and Mar{\'\i}a Garc{\'\i}a and S{\o}ren {\O}stergaard and " in exported
    path = tmp_path / "exported.bib"
    path.write_text(exported, encoding="utf-8")
    again = load_papers([path]).papers
    assert [(p.paper_id, p.doi, p.url, *(getattr(p, f) for f in METADATA)) for p in again] == \
        [(p.paper_id, p.doi, p.url, *(getattr(p, f) for f in METADATA)) for p in papers]


# ---------------------------------------------------------------- out, and back in


def test_cited_papers_bibtex_round_trips_through_an_empty_store(seeded_index, open_index, tmp_path):
    answer = AnswerEngine.build(seeded_index).ask("Which papers are about knowledge editing?")
    cited = list(dict.fromkeys(c.paper_id for c in answer.citations))
    assert len(cited) >= 2, answer.answer

    bibtex = answer_bibtex(answer, seeded_index.papers)
    assert bibtex == answer_bibtex(answer, seeded_index.papers)  # same papers, same keys
    keys = entry_keys(bibtex)
    assert len(keys) == len(set(keys)) == len(cited)
    first = seeded_index.papers[cited[0]]
    assert f"eprint = {{{first.arxiv_id}}}" in bibtex and "archiveprefix = {arXiv}" in bibtex

    bib = tmp_path / "cited.bib"
    bib.write_text(bibtex, encoding="utf-8")
    no_tsv = tmp_path / "no-seeds"  # no papers.tsv: every field must come from the entries
    no_tsv.mkdir()
    store = open_index(make_settings(tmp_path / "data", no_tsv))
    report = store.ingest([bib])

    assert (report.new, report.skipped) == (len(cited), [])
    assert sorted(store.papers) == sorted(cited)
    for paper_id in cited:
        before, after = seeded_index.papers[paper_id], store.papers[paper_id]
        assert [getattr(after, f) for f in METADATA] == [getattr(before, f) for f in METADATA]
        assert after.sources == [str(bib.resolve())]
    assert entry_keys(answer_bibtex(answer, store.papers)) == keys


def test_an_answer_that_cites_nothing_has_no_bibtex(seeded_index):
    answer = AnswerEngine.build(seeded_index).ask("What is the best recipe for sourdough bread?")
    assert answer.abstained and answer_bibtex(answer, seeded_index.papers) == ""


# ---------------------------------------------------------------- the CLI


def test_cli_ingests_a_bib_file_and_names_the_entries_it_skipped(rag_cli, tmp_path):
    env = cli_env(tmp_path / "data", tmp_path / "no-seeds")
    result = rag_cli("ingest", str(EXPORT), env=env)

    assert result.exit_code == 2, result.output  # warnings, like any skipped input
    assert f"│ papers            │ {EXPORT_PAPERS}" in result.stdout
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert any("'vaswani_attention_2017' has no abstract" in w for w in warnings), result.stderr
    assert any(line.startswith("note:") and "duplicate key 'chen_graph_2023'" in line and "kept both" in line
               for line in result.stderr.splitlines()), result.stderr
    papers = json.loads(rag_cli("papers", "--json", env=env).stdout)
    muller = next(p for p in papers if p["bib_key"] == "muller_uberlegene_2024")
    assert muller["title"] == "Überlegene BERT-Modelle für Graph-basiertes Retrieval"
    assert muller["url"] == "https://aclanthology.org/2024.acl-long.999/"


def test_broken_huge_or_non_utf8_bib_loses_nothing_already_indexed(rag_cli, tmp_path):
    env = cli_env(tmp_path / "data", tmp_path / "no-seeds")
    refs = tmp_path / "refs.bib"
    shutil.copy(EXPORT, refs)
    assert rag_cli("ingest", str(refs), env=env).exit_code == 2
    text = refs.read_text(encoding="utf-8")
    assert text.count("year = {2024}\n}") == 1
    refs.write_text(text.replace("year = {2024}\n}", "year = {2024\n}"), encoding="utf-8")  # breaks Okafor2024
    huge = tmp_path / "huge.bib"
    with huge.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    latin = tmp_path / "latin1.bib"
    latin.write_bytes("@article{cafe, title={Café}, abstract={Robots in a café.}}".encode("latin-1"))

    result = rag_cli("ingest", str(refs), str(huge), str(latin), env=env)

    assert result.exit_code == 2 and "Traceback" not in result.output
    assert re.search(r"skipped \S*refs\.bib:\d+: entry 'Okafor2024' is not valid BibTeX", result.stderr), result.stderr
    assert "huge.bib: 50.0 MB is too large; files over 20 MB are not read" in result.stderr
    assert "latin1.bib: line 1: invalid UTF-8" in result.stderr
    papers = json.loads(rag_cli("papers", "--json", env=env).stdout)
    assert sorted(p["bib_key"] for p in papers) == sorted(p.bib_key for p in load_papers([EXPORT]).papers)


def test_ask_bibtex_prints_the_cited_papers_after_the_answer(rag_cli, seeded_dirs):
    env = cli_env(*seeded_dirs)
    result = rag_cli("ask", "What is LightThinker?", "--bibtex", env=env)

    assert result.exit_code == 0, result.output
    answer, _, bibtex = result.stdout.partition("\n@")
    assert "LightThinker" in answer and "[1]" in answer
    assert "eprint = {2502.15589}" in bibtex and "title = {{LightThinker}:" in bibtex

    as_json = rag_cli("ask", "What is LightThinker?", "--json", "--bibtex", env=env)
    data = json.loads(as_json.stdout)
    assert data["bibtex"].startswith("@") and "eprint = {2502.15589}" in data["bibtex"]
    assert entry_keys(data["bibtex"]) == entry_keys("@" + bibtex)


# ---------------------------------------------------------------- the page


def test_bib_upload_on_the_page_adds_papers_and_fills_the_bibtex_box(tmp_path, seeds_copy, open_index):
    index = open_index(make_settings(tmp_path / "data", seeds_copy))
    index.ingest([seed_file(seeds_copy, "003_")])  # 10 papers, SMART among them
    handlers = Handlers(AnswerEngine.build(index))
    upload = tmp_path / "My Library.bib"
    shutil.copy(EXPORT, upload)

    status, _, count, _ = handlers.upload(str(upload), "")

    assert "rag-ok" in status and "5 new, 1 updated" in status, status
    assert "vaswani_attention_2017" in status  # the skipped entry is named
    assert count == f"{10 + EXPORT_PAPERS - 1} papers"
    (stored,) = (tmp_path / "data" / "uploads").glob("My_Library_*.bib")
    (smart,) = [p for p in handlers.papers.values() if p.short_name == "SMART"]
    assert {Path(s).name for s in smart.sources} == {seed_file(seeds_copy, "003_").name, stored.name}

    answer = handlers.engine.ask("How much does SMARTAgent reduce tool use?")
    bibtex, button = handlers.bibtex([answer])
    assert "@inproceedings{qian_smart_2025," in bibtex  # the uploaded entry's key; the venue is papers.tsv's
    assert button.visible and Path(button.value["path"]).read_text(encoding="utf-8") == bibtex
    assert handlers.bibtex([])[0] == ""

    index.ingest([seeds_copy])  # the seeds read again alone (as `rag serve` does at start): the entry still counts
    (smart,) = [p for p in handlers.papers.values() if p.short_name == "SMART"]
    assert smart.bib_key == "qian_smart_2025" and smart.title == "SMART: Self-Aware Agent for Tool Overuse Mitigation"
    assert stored.name in {Path(s).name for s in smart.sources}


@pytest.mark.parametrize("name, data, message", [
    ("broken.bib", BROKEN, "nothing to add (line 1: entry 'broken_2024' is not valid BibTeX"),
    ("empty.bib", b"@article{no_abstract_2020, title = {Only a Title}}\n", "'no_abstract_2020' has no abstract"),
    ("latin1.bib", "@article{cafe, abstract={Caf\xe9}}".encode("latin-1"), "invalid UTF-8"),
    ("big.bib", b"@comment{" + b"x" * (3 * 1024 * 1024) + b"}", "the limit is 2 MB (RAG_UI_MAX_UPLOAD_MB)"),
])
def test_bad_bib_upload_is_refused_with_a_message_and_nothing_is_saved(tmp_path, name, data, message):
    settings = make_settings(tmp_path / "data")
    bad = tmp_path / name
    bad.write_bytes(data)

    with pytest.raises(SeedError) as refused:
        save_upload(bad, settings)

    assert message in str(refused.value)
    assert not (tmp_path / "data" / "uploads").exists()
