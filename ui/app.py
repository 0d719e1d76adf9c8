"""The browser chat: Gradio handlers that parse, call the answer engine, and format with ui.render."""

from __future__ import annotations

import hashlib
import ipaddress
import os
import re
import shutil
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr  # noqa: E402

from rag.answer import AnswerEngine  # noqa: E402
from rag.api import CollectionAPI  # noqa: E402
from rag.bibtex import answer_bibtex  # noqa: E402
from rag.errors import RagError, SeedError  # noqa: E402
from rag.index import PaperIndex  # noqa: E402
from rag.papers import SEED_SUFFIXES, load_papers, read_text  # noqa: E402
from rag.settings import Settings  # noqa: E402
from rag.types import Answer  # noqa: E402
from ui import render  # noqa: E402
from ui.api import API_PATH, MCP_PATH, add_gradio_endpoints, routes_and_lifespan  # noqa: E402

UPLOADS = "uploads"
LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}
FIXED_EXAMPLES = ["Which papers have code?", "Which papers are from 2024?"]
CITE_JS = """
() => {
  document.addEventListener('click', (event) => {
    const anchor = event.target.closest && event.target.closest('a.rag-cite');
    if (!anchor) return;
    const target = document.getElementById(anchor.getAttribute('href').slice(1));
    if (!target) return;
    event.preventDefault();
    for (let up = target.parentElement; up; up = up.parentElement) { if (up.tagName === 'DETAILS') up.open = true; }
    const abstract = target.querySelector('details.rag-abstract');
    if (abstract) abstract.open = true;
    document.querySelectorAll('.rag-source.rag-selected').forEach((el) => el.classList.remove('rag-selected'));
    target.classList.add('rag-selected');
    target.scrollIntoView({behavior: 'smooth', block: 'nearest'});
  });
}
"""


# ---------------------------------------------------------------- settings checks


def is_loopback(host: str) -> bool:
    """True when `host` only accepts connections from this machine."""
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def auth_pair(settings: Settings) -> tuple[str, str] | None:
    """The (user, password) login from RAG_UI_AUTH, None when unset."""
    if settings.ui_auth is None or not settings.ui_auth.get_secret_value():
        return None
    user, sep, password = settings.ui_auth.get_secret_value().partition(":")
    if not sep or not user or not password:
        raise RagError("RAG_UI_AUTH must look like user:password (both parts non-empty).")
    return user, password


def check_exposure(settings: Settings) -> tuple[str, str] | None:
    """Refuse to listen beyond this machine without a login; returns the login, if any."""
    auth = auth_pair(settings)
    if auth is None and not is_loopback(settings.ui_host):
        raise RagError(f"RAG_UI_HOST={settings.ui_host} would expose the app to the network without a login. "
                       "Set RAG_UI_AUTH=user:password, or use RAG_UI_HOST=127.0.0.1.")
    return auth


def check_port(settings: Settings) -> None:
    """Fail fast, before the models load, when the address is taken."""
    try:
        socket.create_server((settings.ui_host, settings.ui_port)).close()
    except OSError as error:
        raise RagError(f"Cannot listen on {url(settings)} ({error.strerror or error}). Choose another port with "
                       "--port or RAG_UI_PORT.") from None


# ---------------------------------------------------------------- uploads


def upload_name(path: Path, data: bytes) -> str:
    """A safe file name for an upload, unique per content: <stem>_<sha256[:12]><.txt or .bib>."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", path.stem).strip("._")[:60] or "upload"
    return f"{stem}_{hashlib.sha256(data).hexdigest()[:12]}{path.suffix.lower()}"


def validate_upload(path: Path, settings: Settings) -> bytes:
    """The bytes of an uploaded seed file; SeedError with a clear message if it cannot be one."""
    name = path.name
    if path.suffix.lower() not in SEED_SUFFIXES:
        raise SeedError(f"{name}: only .txt files in the seed format or .bib files (BibTeX) can be added.")
    size = path.stat().st_size
    if size > settings.ui_max_upload_mb * 1024 * 1024:
        raise SeedError(f"{name} is {size / 1024 / 1024:.1f} MB; the limit is {settings.ui_max_upload_mb:g} MB "
                        "(RAG_UI_MAX_UPLOAD_MB).")
    try:
        read_text(path)
    except ValueError as error:
        raise SeedError(f"{name}: {error}") from None
    loaded = load_papers([path])
    if not loaded.papers:
        reasons = "; ".join((f"line {s.line}: " if s.line else "") + s.reason for s in loaded.skipped) \
            or "no abstract found"
        hint = ("Each entry needs an abstract field." if path.suffix.lower() == ".bib" else
                "Each abstract starts with 'Abstract:'; an optional first line names the affiliation.")
        raise SeedError(f"{name}: nothing to add ({reasons}). {hint}")
    return path.read_bytes()


def save_upload(path: Path, settings: Settings) -> Path:
    """Validate an uploaded file and copy it into RAG_DATA_DIR/uploads/."""
    data = validate_upload(path, settings)
    folder = settings.data_dir / UPLOADS
    folder.mkdir(parents=True, exist_ok=True)
    dest = folder / upload_name(path, data)
    if not dest.exists():
        shutil.copyfile(path, dest)
    return dest


# ---------------------------------------------------------------- the app


def example_questions(engine: AnswerEngine) -> list[str]:
    """Two questions about named papers of the collection, then two about the collection."""
    named = [p.short_name for p in render.sorted_papers(engine.index.papers)
             if p.short_name and " " not in p.short_name][:2]
    return [f"What is {name}?" for name in named] + FIXED_EXAMPLES


class Handlers:
    """The app's event handlers over one shared engine; each parses, calls the engine, formats."""

    def __init__(self, engine: AnswerEngine):
        self.engine = engine
        self.settings = engine.index.settings

    @property
    def papers(self) -> dict:
        """The indexed papers by id."""
        return self.engine.index.papers

    def ask(self, question: str, history: list[Answer], selected: list[str] | None) -> Iterator[tuple]:
        """Stream the answer to the chat, then show it rendered with its sources, status and Markdown."""
        history = list(history or [])
        stream = self.engine.stream(question, history, list(selected) if selected else None)
        shown = render.messages(history)
        streamed = ""
        try:
            event = next(stream)
            while not isinstance(event, Answer):
                streamed += event
                chat = shown + render.messages([], question, streamed)
                yield chat, gr.skip(), gr.skip(), gr.skip(), gr.skip(), ""
                event = next(stream)
        except RagError as error:
            raise gr.Error(str(error)) from None
        history.append(event)
        yield (render.messages(history), history, render.sources_html(history, self.papers),
               render.status_html(event), render.answer_markdown(event), "")

    def clear(self) -> tuple:
        """Forget the conversation."""
        return [], [], render.sources_html([], {}), render.status_html(None), "", ""

    def bibtex(self, history: list[Answer]) -> tuple:
        """The BibTeX of the last answer's cited papers, and the download button with it as a .bib file."""
        text = answer_bibtex(history[-1], self.papers) if history else ""
        if not text:
            return "", gr.DownloadButton(value=None, visible=False)
        folder = Path(tempfile.gettempdir()) / "rag-bibtex"  # a folder Gradio may serve files from
        folder.mkdir(exist_ok=True)
        path = folder / f"citations_{hashlib.sha256(text.encode()).hexdigest()[:12]}.bib"
        path.write_text(text, encoding="utf-8")
        return text, gr.DownloadButton(value=str(path), visible=True)

    def filter_papers(self, query: str) -> tuple:
        """The papers table filtered by the filter box, and the count shown."""
        rows = render.paper_rows(self.papers, query or "")
        return rows, render.papers_count(len(rows), len(self.papers))

    def upload(self, file: str | None, query: str, progress: gr.Progress = gr.Progress()) -> tuple:
        """Validate, store and ingest an uploaded seed file; refresh the table and the paper selector."""
        if not file:
            return render.upload_html(False, "Choose a .txt or .bib file first."), gr.skip(), gr.skip(), gr.skip()
        try:
            dest = save_upload(Path(file), self.settings)
            progress((0, None), desc="embedding")
            report = self.engine.index.ingest([dest], progress=lambda done, total: progress(
                (done, total), desc="embedding", unit="papers"))
        except RagError as error:
            return render.upload_html(False, str(error)), gr.skip(), gr.skip(), gr.skip()
        message = (f"Added {Path(file).name}: {report.new} new, {report.updated} updated, "
                   f"{report.unchanged} already known. {len(self.papers)} papers are searchable now.")
        rows, count = self.filter_papers(query)
        details = [render.skipped_line(s) for s in report.notes + report.skipped]
        return (render.upload_html(True, message, details), rows, count,
                gr.Dropdown(choices=render.paper_choices(self.papers)))


def build_app(engine: AnswerEngine, api: CollectionAPI | None = None) -> gr.Blocks:
    """The Gradio app over one shared engine: chat beside its sources, the papers table, upload, and the
    typed endpoints for programs (over `api`, which the JSON routes and MCP share when launched)."""
    handlers = Handlers(engine)
    with gr.Blocks(title="rag: cited answers from paper abstracts") as app:
        history = gr.State([])
        gr.Markdown("## Cited answers from research-paper abstracts")
        with gr.Tab("Chat"):
            chat, question, send, status, selected, examples, clear, markdown, sources, bibtex, bibtex_file = \
                chat_tab(handlers)
        with gr.Tab("Papers"):
            query, count, table, upload_file, upload_status, add = papers_tab(handlers)
        ask_inputs = [question, history, selected]
        ask_outputs = [chat, history, sources, status, markdown, question]
        send.click(handlers.ask, ask_inputs, ask_outputs, api_name="ask")
        question.submit(handlers.ask, ask_inputs, ask_outputs, api_visibility="private")
        examples.load_input_event.then(handlers.ask, ask_inputs, ask_outputs, api_visibility="private")
        clear.click(handlers.clear, None, ask_outputs, api_name="clear")
        chat.clear(handlers.clear, None, ask_outputs, api_visibility="private")
        markdown.change(handlers.bibtex, history, [bibtex, bibtex_file], api_visibility="private")
        query.change(handlers.filter_papers, query, [table, count], api_name="papers")
        add.click(handlers.upload, [upload_file, query], [upload_status, table, count, selected],
                  api_name="upload", concurrency_limit=1)
        add_gradio_endpoints(api or CollectionAPI(engine))
    return app


def chat_tab(handlers: Handlers) -> tuple:
    """The chat column (conversation, question, status, paper limit, examples, Markdown) and the sources."""
    settings = handlers.settings
    with gr.Row():
        with gr.Column(scale=3):
            chat = gr.Chatbot(label="Conversation", elem_id="rag-chat", height=480, render_markdown=False,
                              sanitize_html=True, feedback_options=None, autoscroll=True, buttons=[])
            with gr.Row():
                question = gr.Textbox(placeholder="Ask about the papers, e.g. What is SynWorld?", show_label=False,
                                      elem_id="rag-question", scale=5, autofocus=True,
                                      max_length=settings.max_question_chars)
                send = gr.Button("Ask", variant="primary", elem_id="rag-send", scale=1, min_width=80)
            status = gr.HTML(render.status_html(None), elem_id="rag-status", js_on_load=None)
            selected = gr.Dropdown(choices=render.paper_choices(handlers.papers), multiselect=True, value=[],
                                   label="Limit to papers (none selected = all papers)", elem_id="rag-limit")
            examples = gr.Examples(example_questions(handlers.engine), inputs=[question], label="Example questions")
            clear = gr.Button("Clear conversation", elem_id="rag-clear", size="sm")
            with gr.Row():
                markdown = gr.Code("", language="markdown", label="Answer as Markdown (with references)",
                                   interactive=False, wrap_lines=True, show_line_numbers=False, buttons=["copy"],
                                   lines=4, elem_id="rag-markdown")
                with gr.Column():
                    bibtex = gr.Code("", language=None, label="Cited papers as BibTeX", interactive=False,
                                     wrap_lines=True, show_line_numbers=False, buttons=["copy"], lines=4,
                                     max_lines=20, elem_id="rag-bibtex")
                    bibtex_file = gr.DownloadButton("Download .bib", visible=False, size="sm",
                                                    elem_id="rag-bibtex-download")
        with gr.Column(scale=2):
            gr.Markdown("### Sources")
            sources = gr.HTML(render.sources_html([], {}), elem_id="rag-sources", js_on_load=None)
    return chat, question, send, status, selected, examples, clear, markdown, sources, bibtex, bibtex_file


def papers_tab(handlers: Handlers) -> tuple:
    """The papers table with its filter box, and the upload of new abstracts."""
    total = len(handlers.papers)
    with gr.Row():
        query = gr.Textbox(placeholder="Filter by title, author, year, venue, affiliation, file", show_label=False,
                           elem_id="rag-filter", scale=4)
        count = gr.Markdown(render.papers_count(total, total), elem_id="rag-count")
    table = gr.Dataframe(render.paper_rows(handlers.papers), headers=render.PAPER_HEADERS,
                         datatype=render.PAPER_TYPES, interactive=False, wrap=True, elem_id="rag-papers",
                         column_widths=["40%", "7%", "23%", "15%", "15%"])
    gr.Markdown(f"### Add abstracts\nA UTF-8 `.txt` file in the seed format (each abstract starts with "
                f"`Abstract:`, an optional first line names the affiliation), or a `.bib` export of your reference "
                f"manager (entries with an abstract), at most {handlers.settings.ui_max_upload_mb:g} MB.")
    with gr.Row():
        upload_file = gr.File(label="Seed file (.txt) or BibTeX (.bib)", file_types=list(SEED_SUFFIXES),
                              type="filepath", elem_id="rag-upload")
        upload_status = gr.HTML("", elem_id="rag-upload-status", js_on_load=None)
    add = gr.Button("Add to collection", variant="primary", elem_id="rag-add")
    gr.Markdown(f"### For programs\nJSON API at `{API_PATH}` (schema: `{API_PATH}/openapi.json`), MCP server at "
                f"`{MCP_PATH}` (streamable HTTP), typed endpoints under \"Use via API\" at the bottom of the page; "
                "with a login, send the same user and password (HTTP Basic auth).", elem_id="rag-programs")
    return query, count, table, upload_file, upload_status, add


# ---------------------------------------------------------------- starting it


def log(line: str) -> None:
    """A progress line for the person who started the server (stderr)."""
    print(line, file=sys.stderr, flush=True)


def prepare(settings: Settings, log=log) -> AnswerEngine:
    """Open the index, ingest the seed folder incrementally, build the engine and load its model."""
    index = PaperIndex(settings)
    if settings.seeds_dir.exists():
        report = index.ingest([settings.seeds_dir], progress=lambda done, total: log(f"embedding {done}/{total}"))
        log(f"seeds: {report.new} new, {report.updated} updated, {report.unchanged} unchanged papers")
        for skipped in report.skipped:
            log(f"warning: skipped {render.skipped_line(skipped)}")
    if not index.papers:
        raise RagError(f"The index is empty and {settings.seeds_dir} has no abstracts. Run `rag ingest FOLDER` "
                       "or set RAG_SEEDS_DIR.")
    engine = AnswerEngine.build(index)
    _ = index.embedder  # load the model before listening; the sentence warm-up runs once the app is up
    return engine


def warm_up_in_background(engine: AnswerEngine, log=log) -> threading.Thread:
    """Embed the papers' sentences while the app already answers (answers embed what they need)."""

    def run() -> None:
        started = time.perf_counter()
        try:
            engine.warm_up()
        except Exception as error:  # a failed warm-up only makes first answers slower
            log(f"warning: warm-up failed: {error}")
            return
        log(f"warm-up done in {time.perf_counter() - started:.1f} s")

    thread = threading.Thread(target=run, name="rag-warm-up", daemon=True)
    thread.start()
    return thread


def launch(settings: Settings | None = None, engine: AnswerEngine | None = None, block: bool = True) -> gr.Blocks:
    """Start the app on settings.ui_host:ui_port (login from RAG_UI_AUTH); return it when not blocking."""
    settings = settings or (engine.index.settings if engine else Settings())
    auth = check_exposure(settings)
    check_port(settings)
    warm = engine is None  # an engine handed in is the caller's to warm up
    engine = engine or prepare(settings, log=log)
    api = CollectionAPI(engine)
    app = build_app(engine, api)
    routes, lifespan = routes_and_lifespan(api, auth, settings.ui_host)
    app.queue(default_concurrency_limit=settings.ui_concurrency)
    limit_mb = max(settings.ui_max_upload_mb * 4, 8)  # Gradio's hard cap; the handler enforces the real limit
    try:
        app.launch(server_name=settings.ui_host, server_port=settings.ui_port, auth=auth, share=False,
                   prevent_thread_lock=True, quiet=True, show_error=False, ssr_mode=False, pwa=False,
                   mcp_server=False, enable_monitoring=False, max_threads=max(40, 4 * settings.ui_concurrency),
                   max_file_size=f"{limit_mb:g}mb", css=render.CSS, js=CITE_JS,
                   auth_message="Log in with the RAG_UI_AUTH user and password.",
                   app_kwargs={"routes": routes, "lifespan": lifespan})
    except OSError as error:
        raise RagError(f"Cannot listen on {url(settings)} ({error}). Choose another port with --port or "
                       "RAG_UI_PORT.") from None
    print(f"rag: {len(engine.index.papers)} papers ({engine.backend} answers); open {url(settings)}", flush=True)
    if warm:
        warm_up_in_background(engine, log)
    if block:
        app.block_thread()
    return app


def url(settings: Settings) -> str:
    """The address the app is served at."""
    host = f"[{settings.ui_host}]" if ":" in settings.ui_host else settings.ui_host
    return f"http://{host}:{settings.ui_port}"
