"""The store in Chroma server mode (CHROMA_HOST/CHROMA_PORT) against a real `chroma run` server."""

from __future__ import annotations

import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import RAG_BIN, SEED_PAPERS, VENV_BIN, cli_env, copy_seeds, free_port, make_settings
from gradio_client import Client, handle_file
from test_ui import papers_total, serve_env, text_of, wait_ready

from rag.errors import StoreError
from rag.index import PaperIndex
from rag.retrieve import retrieve

STARTUP_TIMEOUT = 60


class ChromaServer:
    """`chroma run` in a subprocess on a free loopback port."""

    def __init__(self, path: Path, log: Path):
        self.port = free_port()
        self.log = log.open("w")
        self.process = subprocess.Popen(
            [str(VENV_BIN / "chroma"), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(self.port)],
            stdout=self.log, stderr=subprocess.STDOUT)
        self.wait_until_up(log)

    def wait_until_up(self, log: Path) -> None:
        no_proxy = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"chroma run exited with {self.process.returncode}: {log.read_text()}")
            try:
                with no_proxy.open(f"http://127.0.0.1:{self.port}/api/v2/heartbeat", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.25)
        self.stop()
        raise RuntimeError(f"chroma run did not answer within {STARTUP_TIMEOUT}s: {log.read_text()}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory) -> Iterator[ChromaServer]:
    root = tmp_path_factory.mktemp("chroma-server")
    server = ChromaServer(root / "db", root / "chroma.log")
    try:
        yield server
    finally:
        server.stop()


def server_settings(tmp_path: Path, port: int):
    # data_dir still holds the BM25 index; the vectors live in the server
    return make_settings(tmp_path / "data", chroma_host="127.0.0.1", chroma_port=port)


def test_ingest_and_search_through_a_chroma_server(chroma_server, tmp_path, open_index):
    settings = server_settings(tmp_path, chroma_server.port)

    first = open_index(settings).ingest()
    assert (first.papers, first.new) == (SEED_PAPERS, SEED_PAPERS)
    assert not (tmp_path / "data" / "chroma").exists()  # nothing went to the embedded store

    index = open_index(settings)
    assert retrieve(index, "What is LightThinker?")[0].paper.short_name == "LightThinker"

    second = index.ingest()
    assert (second.new, second.updated, second.unchanged) == (0, 0, SEED_PAPERS)
    assert second.embed_seconds == 0
    assert second.chunks == first.chunks


PLONK = ("Bird Lab, Nowhere University\n"
         "Abstract:We propose Plonkformer, a model of bird song that predicts the next syllable of a song from "
         "spectrogram patches. Plonkformer is trained on ten thousand hours of recordings.\n")


def test_two_app_processes_over_one_chroma_server_share_the_collection(chroma_server, tmp_path):
    """Two `rag serve` on their own ports, one Chroma server, one shared data folder: both answer, and a paper
    uploaded through one is found by the other at its next question."""
    data_dir, seeds_dir = tmp_path / "data", copy_seeds(tmp_path / "seeds")
    servers, urls = [], []
    try:
        for name in ("a", "b"):  # started together: their start-up ingests of seeds/ take turns on the lock
            env = serve_env(data_dir, seeds_dir, tmp_path / name, CHROMA_HOST="127.0.0.1",
                            CHROMA_PORT=str(chroma_server.port), RAG_MULTILINGUAL="0")
            servers.append(subprocess.Popen([str(RAG_BIN), "serve", "--port", str(free_port())], cwd=tmp_path,
                                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env))
        urls = [wait_ready(process, [], timeout=300) for process in servers]
        first, second = (Client(url, verbose=False) for url in urls)
        for client in (first, second):
            chat, sources, *_ = client.predict("What is SynWorld?", [], api_name="/ask")
            assert "rag-cite" in text_of(chat[-1]) and "SynWorld" in sources
            assert papers_total(client) == SEED_PAPERS
        upload = tmp_path / "birds.txt"
        upload.write_text(PLONK, encoding="utf-8")

        status, *_ = first.predict(handle_file(str(upload)), "", api_name="/upload")

        assert "1 new" in status, status
        chat, sources, *_ = second.predict("How does Plonkformer predict bird song?", [], api_name="/ask")
        assert "Plonkformer" in text_of(chat[-1]) and "Plonkformer" in sources
        assert papers_total(second) == SEED_PAPERS + 1
    finally:
        for process in servers:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def test_with_the_server_down_the_store_error_names_chroma_host_and_the_address(chroma_server, tmp_path,
                                                                               rag_cli):
    port = chroma_server.port
    chroma_server.stop()
    settings = server_settings(tmp_path, port)
    address = f"127.0.0.1:{port}"

    with pytest.raises(StoreError) as opened:
        PaperIndex(settings)
    assert "CHROMA_HOST" in str(opened.value) and address in str(opened.value)

    env = cli_env(tmp_path / "data", CHROMA_HOST="127.0.0.1", CHROMA_PORT=str(port))
    for args in (["ingest"], ["search", "What is LightThinker?"]):
        result = rag_cli(*args, env=env)
        assert result.exit_code == 1, args
        assert "Traceback" not in result.output
        message = " ".join(result.stderr.split())
        assert message.startswith("error: Cannot reach the Chroma server")
        assert "CHROMA_HOST" in message and address in message
