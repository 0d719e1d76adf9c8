"""The `rag` command: each verb parses, calls one library function, formats."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, redirect_stdout
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from rag.errors import RagError

app = typer.Typer(help="Cited answers from research-paper abstracts.", no_args_is_help=True,
                  pretty_exceptions_enable=False)
eval_app = typer.Typer(help="Measure retrieval and answers on tests/data/retrieval_eval.jsonl.",
                       no_args_is_help=True)
app.add_typer(eval_app, name="eval")
out = Console()
err = Console(stderr=True)

JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]
TopK = Annotated[int | None, typer.Option("-k", "--top-k", help="Papers to return (default RAG_TOP_K).")]


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn expected failures into one red line and exit code 1."""
    try:
        yield
    except RagError as error:
        err.print(f"[red]error:[/red] {error}", highlight=False)
        raise typer.Exit(1) from None


def load_index():
    """The paper index with the configured settings."""
    from rag.index import PaperIndex

    return PaperIndex()


def questions(question: str) -> Iterator[str]:
    """One question, or one per non-empty line of standard input when the question is `-`."""
    if question != "-":
        yield question
        return
    for line in sys.stdin:
        if line.strip():
            yield line.strip()


def batch(question: str, as_json: bool, answer_one: Callable[[str], Any], show: Callable[[Any], None],
          to_json: Callable[[Any], dict] = lambda result: result) -> None:
    """Answer one question or a JSON Lines batch, reporting a bad line without stopping the batch."""
    failed = False
    for text in questions(question):
        try:
            result = answer_one(text)
        except RagError as error:
            if question != "-":
                raise
            failed = True
            print(json.dumps({"question": text, "error": str(error)}), flush=True)
            continue
        if as_json:
            print(json.dumps(to_json(result), ensure_ascii=False), flush=True)
        else:
            show(result)
    if failed:
        raise typer.Exit(1)


@app.command()
def ingest(
    paths: Annotated[list[Path] | None, typer.Argument(
        help="Seed (.txt) or BibTeX (.bib) files, or folders of them (default: seeds/).")] = None,
    prune: Annotated[bool, typer.Option(help="Remove papers whose source files are gone.")] = False,
) -> None:
    """Load, deduplicate, chunk, embed and store the abstracts; only new or changed papers are embedded."""
    with user_errors():
        index = load_index()
        with Progress(TextColumn("embedding"), BarColumn(), MofNCompleteColumn(),
                      TextColumn("{task.fields[rate]} papers/s"), TimeElapsedColumn(),
                      console=err, transient=True) as bar:
            task = bar.add_task("embed", total=None, rate="-")

            def progress(done: int, total: int) -> None:
                elapsed = bar.tasks[0].elapsed or 1e-9
                bar.update(task, completed=done, total=total, rate=f"{done / elapsed:.1f}")

            report = index.ingest(paths, prune=prune, progress=progress)
    table = Table(title="rag ingest", show_header=False)
    for name in ("files", "blocks", "papers", "new", "updated", "unchanged", "removed", "duplicates_merged",
                 "chunks"):
        table.add_row(name.replace("_", " "), str(getattr(report, name)))
    table.add_row("skipped", str(len(report.skipped)))
    table.add_row("seconds", f"{report.seconds:.2f}")
    table.add_row("multilingual", f"{report.multilingual_papers} papers in {report.multilingual_seconds:.2f} s")
    out.print(table)
    for note in report.notes:
        err.print(f"note: {note}", highlight=False)
    for skipped in report.skipped:
        err.print(f"[yellow]warning:[/yellow] skipped {skipped}", highlight=False)
    if report.skipped:
        raise typer.Exit(2)


@app.command()
def papers(as_json: JsonOpt = False) -> None:
    """List the papers in the collection."""
    from rag.serialize import newest_first, paper_json

    with user_errors():
        records = newest_first(load_index().papers.values())
    if as_json:
        print(json.dumps([paper_json(p) for p in records], ensure_ascii=False, indent=2))
        return
    table = Table(title=f"{len(records)} papers")
    for column in ("id", "title", "year", "affiliations", "sources"):
        table.add_column(column)
    for p in records:
        table.add_row(p.paper_id, p.title, str(p.year or ""), "; ".join(p.affiliations),
                      "\n".join(Path(s).name for s in p.sources))
    out.print(table)


@app.command()
def search(
    question: Annotated[str, typer.Argument(help="The question, or - to read one per line from stdin.")],
    top_k: TopK = None,
    as_json: JsonOpt = False,
) -> None:
    """Find the papers that best match a question (hybrid dense + BM25)."""
    from rag.retrieve import retrieve
    from rag.serialize import search_json
    from rag.validate import check_question

    with user_errors():
        index = load_index()

        def one(text: str) -> dict:
            return search_json(text, retrieve(index, check_question(text, index.settings), top_k))

        def show(result: dict) -> None:
            table = Table(title=result["query"])
            for column in ("#", "title", "year", "score", "passage"):
                table.add_column(column)
            for r in result["results"]:
                table.add_row(str(r["rank"]), r["title"], str(r["year"] or ""), f"{r['score']:.4f}",
                              r["text"][:160] + "...")
            out.print(table)

        batch(question, as_json, one, show)


@eval_app.command("retrieval")
def eval_retrieval(
    data: Annotated[Path, typer.Option(help="JSON Lines eval set.")] = Path("tests/data/retrieval_eval.jsonl"),
    as_json: JsonOpt = False,
) -> None:
    """hit@1, hit@5, MRR and recall@10 for dense, BM25 and hybrid side by side."""
    from rag.evaluate import evaluate_retrieval

    with user_errors():
        rows = evaluate_retrieval(load_index(), data)
    print_metrics(f"retrieval on {data}", rows, as_json)


def print_metrics(title: str, rows: list[dict], as_json: bool) -> None:
    """Metric rows as JSON or a table (one row is shown as metric | value)."""
    if as_json:
        print(json.dumps(rows if len(rows) > 1 else rows[0], indent=2))
        return
    cells = [[name, *(row[name] for row in rows)] for name in rows[0]] if len(rows) == 1 else \
        [list(rows[0])] + [list(row.values()) for row in rows]
    table = Table(title=title, show_header=False)
    for row in cells:
        table.add_row(*(f"{v:.3f}" if isinstance(v, float) else "-" if v is None else str(v) for v in row))
    out.print(table)


def load_engine():
    """The answer engine over the configured index and LLM."""
    from rag.answer import AnswerEngine

    engine = AnswerEngine.build(load_index())
    _ = engine.index.embedder  # load the model now, so answer timings measure answering
    return engine


def show_answer(answer) -> None:
    """Print an answer with its numbered references."""
    if answer.standalone_question != answer.question:
        err.print(f"[dim]({answer.standalone_question})[/dim]", highlight=False)
    out.print(answer.answer, highlight=False)
    if answer.citations:
        out.print()
    for c in answer.citations:
        out.print(f"[bold][{c.n}][/bold] {c.title} ({c.year or 'n.d.'}) {c.url or ''}  support {c.support:.2f}",
                  highlight=False)
    if answer.notice:
        err.print(f"[yellow]notice:[/yellow] {answer.notice}", highlight=False)
    backend = answer.backend + (f" ({answer.model})" if answer.model else "")
    err.print(f"[dim]{backend} | retrieve {answer.timings_ms['retrieve']:.0f} ms | generate "
              f"{answer.timings_ms['generate']:.0f} ms[/dim]", highlight=False)


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="The question, or - to read one per line from stdin.")],
    as_json: JsonOpt = False,
    bibtex: Annotated[bool, typer.Option("--bibtex", help="Also give the cited papers' BibTeX.")] = False,
) -> None:
    """Answer a question from the papers, every sentence cited."""
    from rag.bibtex import answer_bibtex

    with user_errors():
        engine = load_engine()

        def show_with_bibtex(answer) -> None:
            show_answer(answer)
            out.print("\n" + (answer_bibtex(answer, engine.index.papers) or "% no cited papers"),
                      markup=False, highlight=False, soft_wrap=True)

        def to_json(answer) -> dict:
            extra = {"bibtex": answer_bibtex(answer, engine.index.papers)} if bibtex else {}
            return answer.public_json() | extra

        batch(question, as_json, engine.ask, show_with_bibtex if bibtex else show_answer, to_json)


@app.command()
def chat() -> None:
    """A conversation in the terminal; follow-ups keep their context. Empty line or Ctrl-D ends it."""
    with user_errors():
        engine = load_engine()
    history = []
    while True:
        try:
            question = typer.prompt("you", default="", show_default=False)
        except (EOFError, typer.Abort):
            break
        if not question.strip():
            break
        try:
            *_, answer = engine.stream(question, history)
        except RagError as error:
            err.print(f"[red]error:[/red] {error}", highlight=False)
            continue
        show_answer(answer)
        history.append(answer)


@eval_app.command("answers")
def eval_answers(
    data: Annotated[Path, typer.Option(help="JSON Lines eval set.")] = Path("tests/data/answers_dev.jsonl"),
    as_json: JsonOpt = False,
) -> None:
    """Citation precision/recall, support rate, refusals and latency for the configured backend."""
    from rag.evaluate import evaluate_answers

    with user_errors():
        engine = load_engine()
        engine.warm_up()
        row = evaluate_answers(engine, data)
    print_by_kind(f"answers on {data}", row, as_json)


@eval_app.command("conversations")
def eval_conversations(
    data: Annotated[Path, typer.Option(help="JSON Lines conversations.")] = Path(
        "tests/data/conversations_dev.jsonl"),
    as_json: JsonOpt = False,
) -> None:
    """Each turn answered with the turns before it: does a follow-up cite the paper it refers to?"""
    from rag.evaluate import evaluate_conversations

    with user_errors():
        engine = load_engine()
        engine.warm_up()
        row = evaluate_conversations(engine, data)
    print_by_kind(f"conversations in {data}", row, as_json)


def print_by_kind(title: str, row: dict, as_json: bool) -> None:
    """An eval summary: its overall figures, then one row per question kind."""
    if as_json:
        print(json.dumps(row, indent=2, ensure_ascii=False))
        return
    kinds = row.pop("by kind")
    print_metrics(title, [row], False)
    print_metrics("by question kind", [{"kind": kind} | figures for kind, figures in kinds.items()], False)


@app.command()
def serve(
    port: Annotated[int | None, typer.Option(help="Port to listen on (default RAG_UI_PORT).")] = None,
) -> None:
    """Start the browser chat: ingest seeds/ (incremental), load the models, serve on RAG_UI_HOST:RAG_UI_PORT."""
    from rag.settings import Settings

    with user_errors():
        settings = Settings()
        if port is not None:
            settings = settings.model_copy(update={"ui_port": port})
        from ui.app import launch

        launch(settings)


@app.command("mcp")
def mcp_stdio() -> None:
    """Serve the collection to an MCP client over stdio (tools: search_papers, ask_papers, list_papers, get_paper)."""
    from rag.api import CollectionAPI
    from rag.mcp_server import build_mcp

    with user_errors(), redirect_stdout(sys.stderr):  # stdout carries the protocol only
        engine = load_engine()
    build_mcp(CollectionAPI(engine)).run("stdio")


def main() -> None:
    """Entry point for `python -m rag`."""
    app()
