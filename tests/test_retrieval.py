"""Hybrid retrieval over the real store, and `rag search` as a user runs it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import SEEDS, cli_env, make_settings

from rag.errors import StoreError
from rag.papers import normalise
from rag.retrieve import retrieve

QUESTIONS = [
    "What is LightThinker?",
    "How can agents avoid calling external tools for questions they could answer themselves?",
    "Which method reduces social bias in language models by editing?",
    "unlearning sensitive content with model merging",
    "How do knowledge editors fail at multi-hop reasoning?",
]


def test_hybrid_returns_each_paper_at_most_once(seeded_index):
    for question in QUESTIONS:
        hits = retrieve(seeded_index, question, top_k=10, mode="hybrid")
        ids = [h.paper.paper_id for h in hits]
        assert len(hits) == 10
        assert len(ids) == len(set(ids)), question


@pytest.mark.parametrize("question, short_name", [
    ("What is LightThinker?", "LightThinker"),
    ("What does SynWorld do?", "SynWorld"),
    ("Which games is Strategist evaluated on?", "Strategist"),
    ("How does KnowSelf decide when an agent should draw on external knowledge?", "KnowSelf"),
])
def test_a_question_naming_a_method_ranks_that_paper_first(seeded_index, question, short_name):
    hits = retrieve(seeded_index, question, top_k=5)
    assert hits[0].paper.short_name == short_name


def test_a_named_paper_comes_first_even_where_dense_search_misses_it(seeded_index):
    question = "Which base models was ReSearch trained on?"  # MiniLM reads "ReSearch" as the word "research"
    dense = [h.paper.short_name for h in retrieve(seeded_index, question, top_k=5, mode="dense")]
    hits = retrieve(seeded_index, question, top_k=5)
    assert "ReSearch" not in dense[:1]
    assert hits[0].paper.short_name == "ReSearch" and hits[0].relevance == 1.0


@pytest.mark.parametrize("question, short_name", [
    ("How does the law treat research on language models?", "LAW"),
    ("How does the law treat research on language models?", "ReSearch"),
    ("Is there a smart way to steer a model?", "SMART"),
])
def test_a_plain_word_does_not_name_a_paper_spelt_the_same(seeded_index, question, short_name):
    named = {seeded_index.papers[p].short_name for p in seeded_index.names.named_in(question)}
    assert short_name not in named
    assert all(h.relevance < 1.0 for h in retrieve(seeded_index, question, top_k=5) if h.paper.short_name == short_name)


def test_a_name_with_a_digit_or_hyphen_is_found_in_any_case(seeded_index):
    named = {seeded_index.papers[p].short_name for p in seeded_index.names.named_in("what does easyedit2 do, vs k-on?")}
    assert named == {"EasyEdit2", "K-ON"}


@pytest.mark.parametrize("mode", ["hybrid", "dense", "bm25"])
def test_every_mode_finds_lightthinker_by_name(seeded_index, mode):
    assert retrieve(seeded_index, "What is LightThinker?", top_k=3, mode=mode)[0].paper.short_name == "LightThinker"


def test_british_spellings_match_the_abstracts_american_ones(seeded_index):
    british = retrieve(seeded_index, "minimising the KL divergence while modelling behaviour", 3, mode="bm25")
    american = retrieve(seeded_index, "minimizing the KL divergence while modeling behavior", 3, mode="bm25")
    assert [(h.paper.paper_id, h.relevance) for h in british] == [(h.paper.paper_id, h.relevance) for h in american]


def test_hit_text_is_a_verbatim_passage_of_the_papers_abstract(seeded_index):
    for question in QUESTIONS:
        for hit in retrieve(seeded_index, question, top_k=5):
            assert hit.text.strip()
            assert normalise(hit.text) in normalise(hit.paper.abstract), (question, hit.paper.title)


def test_hits_are_ordered_best_first(seeded_index):
    scores = [h.score for h in retrieve(seeded_index, QUESTIONS[1], top_k=10)]
    assert scores == sorted(scores, reverse=True)


def test_top_k_limits_the_number_of_papers(seeded_index):
    assert len(retrieve(seeded_index, "large language models", top_k=3)) == 3


# ---------------------------------------------------------------- BM25 stays in step with the store


NEW_PAPER = ("Abstract: In this work, we propose Zorblaxian hashing, a method that files birdsong recordings "
             "by their quux signatures. Experiments on three aviaries show it is fast.\n")


def add_new_paper(tmp_path: Path) -> Path:
    folder = tmp_path / "extra"
    folder.mkdir()
    (folder / "new.txt").write_text(NEW_PAPER)
    return folder


def test_bm25_finds_a_paper_added_by_a_later_ingest(fresh_index, tmp_path, open_index):
    fresh_index.ingest()
    assert retrieve(fresh_index, "Zorblaxian quux", mode="bm25") == []  # builds and saves the BM25 index

    report = fresh_index.ingest([add_new_paper(tmp_path)])

    assert report.new == 1
    for index in (fresh_index, open_index(fresh_index.settings)):  # this process, and a new one
        hits = retrieve(index, "Zorblaxian quux", mode="bm25")
        assert [h.paper.title for h in hits] == ["Zorblaxian hashing"]
        assert retrieve(index, "Zorblaxian quux")[0].paper.title == "Zorblaxian hashing"


def test_an_index_opened_before_another_ingest_sees_the_new_paper(fresh_index, tmp_path, open_index):
    fresh_index.ingest()
    long_lived = open_index(fresh_index.settings)
    assert len(retrieve(long_lived, "birdsong", mode="bm25")) == 0

    open_index(fresh_index.settings).ingest([add_new_paper(tmp_path)])  # e.g. `rag ingest` in a terminal

    hits = retrieve(long_lived, "Zorblaxian quux", mode="bm25")
    assert [h.paper.title for h in hits] == ["Zorblaxian hashing"]


def test_searching_an_empty_store_says_to_run_ingest(fresh_index):
    with pytest.raises(StoreError, match="rag ingest"):
        retrieve(fresh_index, "What is LightThinker?")


# ---------------------------------------------------------------- `rag search`

RESULT_KEYS = {"rank", "paper_id", "title", "year", "score", "text", "sources", "url"}


@pytest.fixture
def seeded_env(seeded_index) -> dict[str, str]:
    settings = seeded_index.settings
    return cli_env(settings.data_dir, settings.seeds_dir)


def test_search_json_has_exactly_the_documented_keys(rag_cli, seeded_env):
    result = rag_cli("search", "What is LightThinker?", "--json", "-k", "3", env=seeded_env)
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert set(payload) == {"query", "results"}
    assert payload["query"] == "What is LightThinker?"
    assert len(payload["results"]) == 3
    for rank, row in enumerate(payload["results"], start=1):
        assert set(row) == RESULT_KEYS
        assert row["rank"] == rank
        assert isinstance(row["score"], float)
        assert row["sources"] and all(isinstance(s, str) for s in row["sources"])
    top = payload["results"][0]
    assert top["title"] == "LightThinker: Thinking Step-by-Step Compression"
    assert top["year"] == 2025
    assert top["url"] == "https://arxiv.org/abs/2502.15589"


def test_search_from_stdin_writes_one_json_line_per_question_in_order(rag_cli, seeded_env):
    questions = ["What is LightThinker?", "What does SynWorld do?", "Which games is Strategist evaluated on?"]
    result = rag_cli("search", "-", "--json", env=seeded_env, input="\n".join(questions) + "\n\n")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 3
    rows = [json.loads(line) for line in lines]
    assert [r["query"] for r in rows] == questions
    assert [r["results"][0]["title"].split(":")[0] for r in rows] == ["LightThinker", "SynWorld", "Strategist"]


def test_search_prints_a_table_with_the_best_paper(rag_cli, seeded_env):
    result = rag_cli("search", "What is LightThinker?", env=seeded_env)
    assert result.exit_code == 0, result.output
    assert "LightThinker: Thinking Step-by-Step Compression" in result.stdout


@pytest.mark.parametrize("question, message", [
    ("", "The question is empty"),
    ("   ", "The question is empty"),
    ("w" * 5000, "5000 characters long; the limit is 2000"),
])
def test_empty_or_overlong_question_is_refused_with_exit_1(rag_cli, seeded_env, question, message):
    result = rag_cli("search", question, env=seeded_env)
    assert result.exit_code == 1
    assert message in result.stderr
    assert result.stderr.startswith("error:")
    assert "Traceback" not in result.output


def test_searching_an_empty_store_from_the_cli_says_to_run_ingest(rag_cli, tmp_path):
    result = rag_cli("search", "What is LightThinker?", env=cli_env(tmp_path / "empty", SEEDS))
    assert result.exit_code == 1
    assert "run `rag ingest`" in result.stderr
    assert "Traceback" not in result.output


def test_a_bad_line_in_a_stdin_batch_is_reported_and_the_rest_answered(rag_cli, seeded_env):
    result = rag_cli("search", "-", "--json", env=seeded_env,
                     input="What is LightThinker?\n" + "x" * 3000 + "\nWhat does SynWorld do?\n")
    assert result.exit_code == 1
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == 3
    assert "results" in rows[0] and "results" in rows[2]
    assert "limit is 2000" in rows[1]["error"]


def test_settings_default_top_k_is_used_when_not_given(seeded_index, open_index):
    index = open_index(make_settings(seeded_index.settings.data_dir, seeded_index.settings.seeds_dir, top_k=2))
    assert len(retrieve(index, "large language models")) == 2
