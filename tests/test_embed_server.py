"""Embeddings from an OpenAI-compatible server (RAG_EMBED_BASE_URL): llama.cpp serving SmolLM2 embeddings.

SmolLM2-135M is a chat model, so its embeddings rank poorly; these tests check that a served embedding
model builds its own store, is searched with the same vectors, and fails with messages naming settings.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from conftest import SEEDS, LlamaServer, cli_env, free_port

pytestmark = pytest.mark.llm
API_KEY = "embed-key-7d41"


@pytest.fixture(scope="module")
def embed_server(tmp_path_factory):
    server = LlamaServer(tmp_path_factory.mktemp("llama-embed") / "server.log", API_KEY, "--embedding", "true")
    yield server
    server.stop()


@pytest.fixture
def three_papers(tmp_path) -> Path:
    """A seed folder with the first three abstracts of one seed file (SmolLM2 embeds ~80 tokens/s here)."""
    source = next(SEEDS.glob("002_*.txt")).read_text(encoding="utf-8")
    folder = tmp_path / "seeds"
    folder.mkdir()
    (folder / "three.txt").write_text("\n".join(source.splitlines()[:3]) + "\n", encoding="utf-8")
    shutil.copy(SEEDS / "papers.tsv", folder / "papers.tsv")
    return folder


def served_env(data_dir: Path, seeds: Path, base_url: str, key: str = API_KEY) -> dict[str, str]:
    return cli_env(data_dir, seeds, RAG_EMBED_BASE_URL=base_url, RAG_EMBED_MODEL="smollm2", OPENAI_API_KEY=key)


def test_a_served_embedding_model_builds_and_searches_its_own_store(embed_server, rag_cli, tmp_path, three_papers):
    env = served_env(tmp_path / "data", three_papers, embed_server.base_url)
    first = rag_cli("ingest", env=env)
    assert first.exit_code == 0, first.stderr
    assert re.search(r"new\s*│\s*3\b", first.stdout), first.stdout
    assert embed_server.requests("/v1/embeddings") > 0

    calls = embed_server.requests("/v1/embeddings")
    again = rag_cli("ingest", env=env)
    assert re.search(r"unchanged\s*│\s*3\b", again.stdout), again.stdout
    assert embed_server.requests("/v1/embeddings") == calls  # nothing re-embedded
    found = rag_cli("search", "What is EasyEdit2?", "--json", env=env)
    assert found.exit_code == 0, found.stderr
    assert json.loads(found.stdout)["results"][0]["title"].startswith("EasyEdit2")  # the question names it
    assert embed_server.requests("/v1/embeddings") == calls + 1  # one query embedding, from the server

    local = rag_cli("search", "What is EasyEdit2?", env=cli_env(tmp_path / "data", three_papers))
    assert local.exit_code == 1 and "smollm2" in local.stderr and "RAG_EMBED_MODEL" in local.stderr


def test_a_wrong_key_for_the_embeddings_server_names_the_setting(embed_server, rag_cli, tmp_path, three_papers):
    env = served_env(tmp_path / "data", three_papers, embed_server.base_url, key="wrong-key-0000")
    result = rag_cli("ingest", env=env)
    assert result.exit_code == 1
    assert "OPENAI_API_KEY" in result.stderr and "RAG_EMBED_BASE_URL" in result.stderr
    assert "wrong-key-0000" not in result.stderr + result.stdout


def test_an_unreachable_embeddings_server_names_the_setting(rag_cli, tmp_path, three_papers):
    url = f"http://127.0.0.1:{free_port()}/v1"
    result = rag_cli("ingest", env=served_env(tmp_path / "data", three_papers, url))
    assert result.exit_code == 1
    assert "Cannot reach the embeddings server" in result.stderr and url in result.stderr
