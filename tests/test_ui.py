"""The browser chat's server side: the real `rag serve` process answered through gradio_client.

Nothing is mocked: the module starts `rag serve` as a subprocess over a store ingested once per module,
asks it questions over HTTP (one user, then eight at once), uploads good and bad seed files, checks
that data from abstracts can never become HTML, and checks the login rules. The render tests format
real answers of a real engine (the session's read-only store).
"""

from __future__ import annotations

import html
import os
import re
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest
from gradio_client import Client, handle_file
from pydantic import SecretStr

from conftest import RAG_BIN, SEED_PAPERS, cli_env, copy_seeds, free_port, make_settings
from rag.answer import AnswerEngine
from rag.errors import RagError
from rag.types import Answer, Paper
from ui import render
from ui.app import auth_pair, check_exposure, is_loopback, launch, upload_name

GRADIO_PANDAS_NOISE = [pytest.mark.filterwarnings("ignore:'future.no_silent_downcasting' is deprecated"),
                       pytest.mark.filterwarnings("ignore:The copy keyword is deprecated")]
pytestmark = GRADIO_PANDAS_NOISE

QUESTION = "What is SynWorld?"
XSS_ABSTRACT = ("Abstract:<script>alert(1)</script> Quokkanet ranks mongoose papers by counting citations "
                "<img src=x onerror=alert(1)> in a xylophone graph. We evaluate Quokkanet on a new benchmark "
                "of mongoose citation graphs and show that it ranks papers better than PageRank.\n")
GOOD_UPLOAD = ("Example Lab, Nowhere University\n"
               "Abstract:We propose Wombatformer, a transformer that reads wombat burrow maps to plan "
               "tunnels for underground robots. Wombatformer learns burrow layouts from sensor scans and "
               "outperforms grid planners on a new tunnel benchmark.\n")
OWN_TAGS = {"a", "b", "br", "details", "div", "h4", "i", "li", "mark", "p", "span", "summary", "ul"}
OWN_ATTRIBUTES = {"class", "href", "id", "title", "target", "rel", "open", "aria-label"}
CONCURRENT_QUESTIONS = ["What is SynWorld?", "What is KnowSelf?", "What is ERPO?", "What is ReSearch?",
                        "How does LightThinker compress reasoning?", "What is CaKE?", "What does BiasEdit do?",
                        "What is EscapeBench?"]


def say(capsys, line: str) -> None:
    """Print a measured figure into the test output even when output is captured."""
    with capsys.disabled():
        print(f"\n[ui] {line}", flush=True)


def text_of(message: dict) -> str:
    """The text of a chat message as gradio_client returns it (a string or a list of text parts)."""
    content = message["content"]
    if isinstance(content, str):
        return content
    if isinstance(content, dict):
        return content.get("text", "")
    return "".join(part.get("text", "") for part in content if isinstance(part, dict))


def last_answer_html(result: tuple) -> str:
    """The assistant's last message from the /ask outputs (chat, sources, status, markdown, question)."""
    chat = result[0]
    assert chat and chat[-1]["role"] == "assistant"
    return text_of(chat[-1])


def rss_kb(pid: int, field_name: str = "VmRSS") -> int:
    """A memory figure of a process from /proc/PID/status, in kB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field_name + ":"):
            return int(line.split()[1])
    return 0


# ---------------------------------------------------------------- the `rag serve` process


@dataclass
class Server:
    proc: subprocess.Popen
    url: str
    data_dir: Path
    seeds_dir: Path
    paper_ids: dict[str, str]
    ready_s: float = 0.0
    first_answer_s: float = 0.0
    log: Path | None = None
    lines: list[str] = field(default_factory=list)


def serve_env(data_dir: Path, seeds_dir: Path, home: Path, **extra: str) -> dict[str, str]:
    """The environment of a `rag serve` run: its own store, home and temp folder, no proxy."""
    home.mkdir(parents=True, exist_ok=True)
    return {"PATH": os.environ.get("PATH", ""), "HOME": str(home), "LANG": "C.UTF-8",
            "GRADIO_TEMP_DIR": str(home / "gradio"), "NO_PROXY": "127.0.0.1,localhost",
            **cli_env(data_dir, seeds_dir), **extra}


def wait_ready(proc: subprocess.Popen, lines: list[str], timeout: float) -> str:
    """Read the server's stdout until it prints its address; return the address."""
    found: dict[str, str] = {}
    done = threading.Event()

    def read() -> None:
        for line in proc.stdout:
            lines.append(line)
            match = re.search(r"open (http://\S+)", line)
            if match and not done.is_set():
                found["url"] = match.group(1)
                done.set()
        done.set()

    threading.Thread(target=read, daemon=True).start()
    if not done.wait(timeout) or "url" not in found:
        proc.kill()
        raise AssertionError(f"rag serve did not start in {timeout:.0f} s: {''.join(lines)[-2000:]}")
    return found["url"]


@pytest.fixture(scope="module")
def server(tmp_path_factory, open_index) -> Iterator[Server]:
    """`rag serve` over a store that already holds the seeds (ingested once for this module)."""
    root = tmp_path_factory.mktemp("ui_server")
    data_dir, seeds_dir = root / "data", copy_seeds(root / "seeds")
    index = open_index(make_settings(data_dir, seeds_dir))
    assert index.ingest().papers == SEED_PAPERS
    paper_ids = {p.short_name or p.title: p.paper_id for p in index.papers.values()}
    port = free_port()
    log = root / "serve.err"
    started = time.perf_counter()
    with log.open("w") as err:
        proc = subprocess.Popen([str(RAG_BIN), "serve", "--port", str(port)], cwd=root, stdout=subprocess.PIPE,
                                stderr=err, text=True, env=serve_env(data_dir, seeds_dir, root / "home"))
    lines: list[str] = []
    try:
        url = wait_ready(proc, lines, timeout=240)
        ready = time.perf_counter() - started
        result = Client(url, verbose=False).predict(QUESTION, [], api_name="/ask")
        assert "rag-cite" in last_answer_html(result)
        srv = Server(proc, url, data_dir, seeds_dir, paper_ids, ready, time.perf_counter() - started, log, lines)
        yield srv
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture
def client(server) -> Client:
    """A new browser-like session of the server (its own conversation state)."""
    return Client(server.url, verbose=False)


# ---------------------------------------------------------------- chatting through the API


def test_serve_answers_with_citations(server, client, capsys):
    say(capsys, f"rag serve (existing index) -> address printed {server.ready_s:.1f} s, "
                f"-> first answer {server.first_answer_s:.1f} s (target < 15 s)")
    assert httpx.get(server.url, timeout=30).status_code == 200
    started = time.perf_counter()
    chat, sources, status, markdown, question = client.predict(QUESTION, [], api_name="/ask")
    say(capsys, f"one answer over HTTP: {time.perf_counter() - started:.2f} s")
    assert question == ""
    assert [m["role"] for m in chat] == ["user", "assistant"]
    answer = text_of(chat[-1])
    assert re.search(r'<a class="rag-cite" href="#src-1-1"[^>]*>\[1\]</a>', answer)
    assert 'id="src-1-1"' in sources and "<mark>" in sources and "SynWorld" in sources
    assert "backend: <b>extractive</b>" in status and "retrieve" in status and "generate" in status
    assert "\n\nReferences:\n[1] SynWorld: Virtual Scenario Synthesis" in markdown
    assert "https://arxiv.org/abs/2504.03561" in markdown


def test_conversation_is_kept_and_follow_up_rewritten(client):
    client.predict(QUESTION, [], api_name="/ask")
    chat, sources, *_ = client.predict("How is it evaluated?", [], api_name="/ask")
    assert [m["role"] for m in chat] == ["user", "assistant"] * 2
    follow_up = text_of(chat[-1])
    assert re.search(r'class="rag-standalone">Searched for: <i>[^<]*SynWorld[^<]*</i>', follow_up)
    assert "Earlier: What is SynWorld?" in sources  # the first turn's sources stay reachable
    cleared = client.predict(api_name="/clear")
    assert cleared[0] == [] and "appear here" in cleared[1]
    chat, *_ = client.predict(QUESTION, [], api_name="/ask")
    assert len(chat) == 2  # a fresh conversation after clearing


def test_bad_question_is_a_message_not_a_traceback(client):
    with pytest.raises(Exception) as caught:
        client.predict("   ", [], api_name="/ask")
    assert "The question is empty" in str(caught.value)
    assert "Traceback" not in str(caught.value)


def source_titles(sources: str) -> list[str]:
    """The titles of the source cards of the latest answer in the sources panel."""
    return re.findall(r'id="src-\d+-\d+"><div class="rag-source-title"><span class="rag-num">\[\d+\]</span> '
                      r'([^<]+)</div>', sources)


def test_question_limited_to_selected_papers(server, client):
    question = "How do agents explore new environments?"
    _, everything, *_ = client.predict(question, [], api_name="/ask")
    assert len(source_titles(everything)) > 2
    chosen = [server.paper_ids["SynWorld"], server.paper_ids["KnowSelf"]]
    chat, limited, *_ = client.predict(question, chosen, api_name="/ask")
    titles = set(source_titles(limited.split("Earlier:")[0]))
    assert "rag-cite" in text_of(chat[-1])
    assert titles == {"SynWorld: Virtual Scenario Synthesis for Agentic Action Knowledge Refinement",
                      "Agentic Knowledgeable Self-awareness"}
    chat, refused, *_ = client.predict("What is SynWorld?", [server.paper_ids["KnowSelf"]], api_name="/ask")
    assert "rag-cite" not in text_of(chat[-1]) and "SynWorld: Virtual" not in refused.split("Earlier:")[0]


def test_eight_users_at_once(server, capsys):
    clients = [Client(server.url, verbose=False) for _ in CONCURRENT_QUESTIONS]
    barrier = threading.Barrier(len(clients))
    peak = {"rss": rss_kb(server.proc.pid)}
    running = threading.Event()
    running.set()

    def sample() -> None:
        while running.is_set():
            peak["rss"] = max(peak["rss"], rss_kb(server.proc.pid))
            time.sleep(0.05)

    def one(i: int) -> tuple[tuple, float]:
        barrier.wait()
        started = time.perf_counter()
        return clients[i].predict(CONCURRENT_QUESTIONS[i], [], api_name="/ask"), time.perf_counter() - started

    before = rss_kb(server.proc.pid)
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started = time.perf_counter()
    with ThreadPoolExecutor(len(clients)) as pool:
        results = list(pool.map(one, range(len(clients))))
    wall = time.perf_counter() - started
    running.clear()
    sampler.join()
    for (chat, sources, status, markdown, _), _seconds in results:
        assert "rag-cite" in text_of(chat[-1]), text_of(chat[-1])
        assert "References:\n[1]" in markdown and "<mark>" in sources and "extractive" in status
    latencies = sorted(s for _, s in results)
    say(capsys, f"8 concurrent users: wall {wall:.2f} s, per answer {latencies[0]:.2f}-{latencies[-1]:.2f} s "
                f"(sum {sum(latencies):.2f} s); server RSS {before / 1024:.0f} MB before, peak "
                f"{peak['rss'] / 1024:.0f} MB during, VmHWM {rss_kb(server.proc.pid, 'VmHWM') / 1024:.0f} MB")


# ---------------------------------------------------------------- uploads and safety


def papers_total(client: Client) -> int:
    """How many papers the server holds, from the Papers tab's counter."""
    _, count = client.predict("", api_name="/papers")
    return int(re.search(r"(\d+) papers", count).group(1))


def test_upload_makes_a_paper_searchable(server, client, tmp_path):
    before = papers_total(client)
    seed = tmp_path / "wombats.txt"
    seed.write_text(GOOD_UPLOAD, encoding="utf-8")
    status, table, count, _ = client.predict(handle_file(str(seed)), "", api_name="/upload")
    assert "rag-ok" in status and "1 new" in status, status
    assert count == f"{before + 1} papers"
    assert any("Wombatformer" in row[0] and row[2] == "Example Lab, Nowhere University"
               for row in table["data"])
    stored = list((server.data_dir / "uploads").glob("wombats_*.txt"))
    assert len(stored) == 1 and stored[0].read_text(encoding="utf-8") == GOOD_UPLOAD
    chat, sources, *_ = client.predict("How does Wombatformer plan tunnels?", [], api_name="/ask")
    assert "rag-cite" in text_of(chat[-1]) and "Wombatformer" in sources
    again, *_ = client.predict(handle_file(str(seed)), "", api_name="/upload")
    assert "0 new" in again and "1 already known" in again  # same file again: nothing duplicated


@pytest.mark.parametrize("name, data, message", [
    ("latin1.txt", "Abstract:Caf\xe9 robots plan routes.\n".encode("latin-1"), "invalid UTF-8"),
    ("notes.txt", b"Just some notes without the marker.\nAnother line.\n", "no usable 'Abstract:' block found"),
    ("paper.pdf", b"%PDF-1.4 Abstract: not a text file", ".txt"),
    ("big.txt", b"Abstract:" + b"word " * 500_000, "the limit is 2 MB (RAG_UI_MAX_UPLOAD_MB)"),
])
def test_bad_upload_is_refused_and_nothing_is_lost(server, client, tmp_path, name, data, message):
    before = papers_total(client)
    stored = sorted((server.data_dir / "uploads").glob("*")) if (server.data_dir / "uploads").exists() else []
    bad = tmp_path / name
    bad.write_bytes(data)
    try:
        status, *_ = client.predict(handle_file(str(bad)), "", api_name="/upload")
    except Exception as error:  # Gradio itself may refuse a file type before the handler runs
        status = str(error)
    status = html.unescape(status)
    assert message in status, status
    assert "rag-ok" not in status and "Traceback" not in status
    assert papers_total(client) == before
    after = sorted((server.data_dir / "uploads").glob("*")) if (server.data_dir / "uploads").exists() else []
    assert after == stored
    chat, *_ = client.predict(QUESTION, [], api_name="/ask")
    assert "rag-cite" in text_of(chat[-1])  # the collection still answers


class Tags(HTMLParser):
    """Every element and attribute of an HTML fragment, as a browser's parser sees them."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def no_markup_from_data(html: str) -> None:
    """Assert that the HTML holds only the renderer's own tags: no script, no image, no event handler."""
    tags = Tags(html).tags
    assert tags, "expected some markup"
    assert {tag for tag, _ in tags} <= OWN_TAGS, {tag for tag, _ in tags} - OWN_TAGS
    for tag, attrs in tags:
        assert not [a for a in attrs if a.startswith("on")], (tag, attrs)
        assert set(attrs) <= OWN_ATTRIBUTES, (tag, attrs)
        if "href" in attrs:
            assert (attrs["href"] or "").startswith(("#src-", "https://", "http://")), attrs


def test_html_in_an_abstract_stays_text(server, client, tmp_path):
    seed = tmp_path / "xss.txt"
    seed.write_text(XSS_ABSTRACT, encoding="utf-8")
    status, table, *_ = client.predict(handle_file(str(seed)), "", api_name="/upload")
    assert "rag-ok" in status, status
    chat, sources, status_line, markdown, _ = client.predict("What does Quokkanet rank?", [], api_name="/ask")
    rendered = "".join(text_of(m) for m in chat) + sources + status_line
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in sources
    assert "&lt;img src=x onerror=alert(1)&gt;" in sources
    assert "rag-cite" in text_of(chat[-1])
    no_markup_from_data(rendered)
    filtered, _ = client.predict("quokkanet", api_name="/papers")
    assert len(filtered["data"]) == 1 and "<script>" in filtered["data"][0][0]  # plain text cell, not HTML
    assert filtered["data"][0][4] == ""  # no link was made from the data


# ---------------------------------------------------------------- who may connect


def test_public_host_without_login_is_refused(tmp_path):
    env = serve_env(tmp_path / "data", tmp_path / "seeds", tmp_path / "home", RAG_UI_HOST="0.0.0.0")
    result = subprocess.run([str(RAG_BIN), "serve"], cwd=tmp_path, env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 1
    assert "RAG_UI_HOST=0.0.0.0" in result.stderr and "RAG_UI_AUTH=user:password" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "data").exists()  # refused before touching the store


def test_login_rules():
    assert is_loopback("127.0.0.1") and is_loopback("localhost") and is_loopback("::1")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.5") and not is_loopback("example.org")
    settings = make_settings(Path("unused"))
    assert check_exposure(settings) is None
    public = settings.model_copy(update={"ui_host": "0.0.0.0"})
    with pytest.raises(RagError, match="RAG_UI_AUTH"):
        check_exposure(public)
    assert check_exposure(public.model_copy(update={"ui_auth": SecretStr("ann:pa:ss")})) == ("ann", "pa:ss")
    with pytest.raises(RagError, match="user:password"):
        auth_pair(settings.model_copy(update={"ui_auth": SecretStr("nocolon")}))


def test_busy_port_is_a_message(seeded_index):
    with socket.create_server(("127.0.0.1", 0)) as busy:
        settings = seeded_index.settings.model_copy(update={"ui_port": busy.getsockname()[1]})
        with pytest.raises(RagError, match="Choose another port with --port or RAG_UI_PORT"):
            launch(settings, AnswerEngine.build(seeded_index), block=False)


def test_login_required_when_configured(seeded_index):
    port = free_port()
    settings = seeded_index.settings.model_copy(update={"ui_port": port, "ui_auth": SecretStr("ann:s3cret")})
    app = launch(settings, AnswerEngine.build(seeded_index), block=False)
    url = f"http://127.0.0.1:{port}"
    try:
        refused = httpx.post(f"{url}/gradio_api/call/ask", json={"data": [QUESTION, []]}, timeout=30)
        assert refused.status_code in (401, 403)
        assert httpx.get(f"{url}/config", timeout=30).status_code in (401, 403)
        with pytest.raises(Exception):
            Client(url, auth=("ann", "wrong"), verbose=False)
        chat, *_ = Client(url, auth=("ann", "s3cret"), verbose=False).predict(QUESTION, [], api_name="/ask")
        assert "rag-cite" in text_of(chat[-1])
    finally:
        app.close()


# ---------------------------------------------------------------- render.py on real answers


@pytest.fixture(scope="module")
def engine(seeded_index) -> AnswerEngine:
    return AnswerEngine.build(seeded_index)


@pytest.fixture(scope="module")
def conversation(engine) -> list[Answer]:
    first = engine.ask(QUESTION)
    return [first, engine.ask("How is it evaluated?", [first])]


def test_render_answer_links_every_marker_to_its_source(engine, conversation):
    answer = conversation[0]
    html = render.answer_html(answer, 1)
    panel = render.sources_html(conversation[:1], engine.index.papers)
    markers = re.findall(r"\[(\d+)\]", answer.answer)
    links = re.findall(r'<a class="rag-cite" href="#(src-1-(\d+))"', html)
    assert markers and [n for _, n in links] == markers
    for target, _ in links:
        assert f'id="{target}"' in panel
    assert '<p class="rag-note">Quoted from the abstracts' in html
    for citation in answer.citations:
        assert f"<mark>{render.esc(citation.text)}</mark>" in panel
    for uncited in answer.uncited_sources:
        assert f'class="rag-source rag-uncited" id="src-1-{uncited.n}"' in panel
    assert panel.index("Retrieved but not cited") > panel.index(answer.citations[-1].title)


def test_render_follow_up_shows_standalone_question(engine, conversation):
    follow_up = conversation[1]
    assert follow_up.standalone_question != follow_up.question
    html = render.answer_html(follow_up, 2)
    assert f"Searched for: <i>{render.esc(follow_up.standalone_question)}</i>" in html
    assert "rag-standalone" not in render.answer_html(conversation[0], 1)
    panel = render.sources_html(conversation, engine.index.papers)
    assert panel.index("Sources for: How is it evaluated?") < panel.index("Earlier: What is SynWorld?")


def test_render_marks_unsupported_sentence_and_notice(conversation):
    answer = conversation[0]
    sentences = [answer.sentences[0].model_copy(update={"supported": False}), *answer.sentences[1:]]
    shaky = answer.model_copy(update={"sentences": sentences, "notice": "The LLM at http://x is unreachable."})
    html = render.answer_html(shaky, 1)
    assert html.count('class="rag-unsupported" title="not supported by the cited source"') == 1
    assert "⚠</span> " + render.esc(sentences[0].text) in html
    assert '<div class="rag-notice">⚠ The LLM at http://x is unreachable.</div>' in html
    status = render.status_html(shaky)
    assert status.startswith('<div class="rag-notice rag-status-notice">') and "backend: <b>extractive</b>" in status
    assert "rag-unsupported" not in render.answer_html(answer, 1)


def test_render_markdown_copy(conversation):
    answer = conversation[0]
    markdown = render.answer_markdown(answer)
    assert markdown.startswith(answer.answer.strip())
    refs = markdown.split("\n\nReferences:\n")[1].splitlines()
    assert refs == [f"[{c.n}] {c.title} ({c.year}). {c.url}" for c in answer.citations]
    assert render.answer_markdown(None) == ""


def test_render_collection_answer(engine):
    answer = engine.ask("Which papers have code?")
    html = render.answer_html(answer, 1)
    assert answer.backend == "collection" and html.count("<li>") == len(answer.citations)
    assert html.count('class="rag-cite"') == len(answer.citations)
    assert 'href="https://github.com/' in html and 'target="_blank" rel="noopener noreferrer"' in html


def test_render_refusal(engine):
    answer = engine.ask("What is the boiling point of mercury?")
    html = render.answer_html(answer, 1)
    assert answer.abstained and "rag-cite" not in html and "rag-abstained" in html
    assert "cites no source" in render.sources_html([answer], engine.index.papers)


def test_render_escapes_everything_from_data(conversation):
    evil = '<script>alert(1)</script><img src=x onerror=alert(1)>"\'&'
    paper = Paper(paper_id="pevil", abstract=f"Intro {evil} passage here. Tail.", title=evil, authors=evil,
                  venue=evil, arxiv_id='1"><b>x', code_urls=["javascript:alert(1)", 'https://e.org/a"b<c>(d)'],
                  affiliations=[evil], sources=[f"/srv/{evil}.txt"], year=2025)
    answer = conversation[0]
    citation = answer.citations[0].model_copy(update={"paper_id": "pevil", "title": evil,
                                                      "text": f"{evil} passage here."})
    tampered = answer.model_copy(update={"question": evil, "standalone_question": evil + "?",
                                         "answer": f"{evil} [1] see javascript:alert(1) and https://e.org/x\"y",
                                         "sentences": [], "citations": [citation], "uncited_sources": [],
                                         "notice": evil, "model": evil, "backend": "llm"})
    pieces = [render.answer_html(tampered, 1), render.sources_html([tampered], {"pevil": paper}),
              render.status_html(tampered), "".join(m["content"] for m in render.messages([tampered], evil, evil)),
              render.upload_html(False, evil, [evil])]
    for html in pieces:
        no_markup_from_data(html)
        assert "&lt;script&gt;" in html
    panel = pieces[1]
    assert f"<mark>{render.esc(evil)} passage here.</mark>" in panel
    assert "javascript:" not in panel and 'href="https://e.org/a%22b%3Cc%3E%28d%29"' in panel
    assert 'href="https://arxiv.org/abs/1%22%3E%3Cb%3Ex"' in panel
    assert "/srv/" not in panel  # only file names, never server folders
    assert render.links_markdown(paper) == "[arXiv](https://arxiv.org/abs/1%22%3E%3Cb%3Ex) · " \
                                           "[code](https://e.org/a%22b%3Cc%3E%28d%29)"


def test_render_papers_table(engine):
    papers = engine.index.papers
    rows = render.paper_rows(papers)
    assert len(rows) == SEED_PAPERS and [len(r) for r in rows] == [5] * SEED_PAPERS
    years = [r[1] or 0 for r in rows]
    assert years == sorted(years, reverse=True)
    synworld = next(r for r in rows if r[0].startswith("SynWorld"))
    assert synworld[1] == 2025 and synworld[2] == "Zhejiang University"
    assert synworld[3] == "000_ab240b20e75e21bd.txt, 002_dbca0a70b5e0e1cf.txt"
    assert synworld[4] == "[arXiv](https://arxiv.org/abs/2504.03561) · [code](https://github.com/zjunlp/SynWorld)"
    assert [r[0] for r in render.paper_rows(papers, "zhejiang 2025 synworld")] == [synworld[0]]
    assert render.paper_rows(papers, "no such paper anywhere") == []
    assert len(render.paper_choices(papers)) == SEED_PAPERS


def test_upload_names_are_safe_and_unique():
    first = upload_name(Path("../../etc/My Seeds!.txt"), b"a")
    assert re.fullmatch(r"My_Seeds_[0-9a-f]{12}\.txt", first)
    assert upload_name(Path("My Seeds!.txt"), b"b") != first
    assert upload_name(Path("<script>.txt"), b"a").startswith("script_")
