"""Answers, sources and papers as HTML and Markdown for the browser chat.

Safety rule of this module: every piece of text that comes from an abstract, an upload, a question or
the LLM goes through `esc` (html.escape) before it is put into HTML, and every link target goes
through `safe_url`. The only tags in the output are the ones written literally here.
"""

from __future__ import annotations

import html
import re
from itertools import islice
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from urllib.parse import quote, urlsplit

from rag import prompts
from rag.records import rows_of
from rag.types import Answer, AnswerSentence, Citation, Paper, Skipped

TOKEN_RE = re.compile(r"(?P<url>https?://[^\s<>\"'\[\]()]+)|\[(?P<cites>\d+(?:\s*,\s*\d+)*)\]")
URL_TAIL = ".,;:!?"
URL_SAFE = ":/?#@!$&*+,;=%~-._"
UNSUPPORTED_TITLE = "not supported by the cited source"
PAPER_HEADERS = ["title", "year", "affiliation", "sources", "links"]
TABLE_ROWS = 500  # rows of the papers table and choices of the paper selector; the filter reaches the rest
PAPER_TYPES = ["str", "number", "str", "str", "markdown"]
OPEN_ABSTRACTS = 5
NAMED_SHAPES = {"fact", "list", "compare"}
NAME_CHARS = 60
NOTES = {prompts.EXTRACTIVE_NOTE, prompts.CLOSEST, *prompts.EXTRACTIVE_NOTES.values()}


def esc(text: object) -> str:
    """Text made inert for HTML (also inside attribute values)."""
    return html.escape("" if text is None else str(text), quote=True)


def safe_url(url: str | None) -> str | None:
    """An http(s) URL with every character that could end an attribute or a Markdown link encoded."""
    if not url:
        return None
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return quote(url, safe=URL_SAFE)


def link(url: str | None, label: str, css: str = "rag-link") -> str:
    """An external link opening in a new tab, or the escaped label alone when the URL is not http(s)."""
    href = safe_url(url)
    if href is None:
        return esc(label)
    return f'<a class="{css}" href="{esc(href)}" target="_blank" rel="noopener noreferrer">{esc(label)}</a>'


def file_names(paths: Iterable[str]) -> list[str]:
    """The distinct file names of source paths (never the server's folders)."""
    return list(dict.fromkeys(Path(p).name for p in paths))


def source_id(turn: int, n: int) -> str:
    """The element id of source [n] of the turn-th answer (1-based)."""
    return f"src-{turn}-{n}"


# ---------------------------------------------------------------- answer text


def inline(text: str, turn: int, cited: dict[int, Citation]) -> str:
    """Escaped text with URLs as links, [n] markers as links to their source and newlines as <br>."""
    out: list[str] = []
    pos = 0
    for match in TOKEN_RE.finditer(text):
        out.append(esc(text[pos:match.start()]))
        pos = match.end()
        if match.group("url"):
            url = match.group("url").rstrip(URL_TAIL)
            pos = match.start() + len(url)
            out.append(link(url, url))
        else:
            out.append(markers([int(x) for x in match.group("cites").split(",")], turn, cited))
    out.append(esc(text[pos:]))
    return "".join(out).replace("\n", "<br>")


def markers(numbers: Iterable[int], turn: int, cited: dict[int, Citation]) -> str:
    """Each [n] as a link to the source panel entry when n is a cited source, else as plain text."""
    parts = []
    for n in numbers:
        if n in cited:
            parts.append(f'<a class="rag-cite" href="#{source_id(turn, n)}" title="{esc(cited[n].title)}">'
                         f'[{n}]</a>')
        else:
            parts.append(f"[{n}]")
    return "".join(parts)


def sentence_spans(text: str, sentences: Sequence[AnswerSentence]) -> list[tuple[int, int, AnswerSentence]]:
    """Where each answer sentence sits in the answer text, in order (sentences not found are left out)."""
    spans = []
    pos = 0
    for sentence in sentences:
        start = text.find(sentence.text, pos) if sentence.text else -1
        if start < 0:
            continue
        spans.append((start, start + len(sentence.text), sentence))
        pos = start + len(sentence.text)
    return spans


def marked_html(text: str, start: int, end: int, spans: list[tuple[int, int, AnswerSentence]], turn: int,
                cited: dict[int, Citation]) -> str:
    """text[start:end] as inline HTML, each sentence the sources do not support marked with ⚠."""
    out: list[str] = []
    pos = start
    for s_start, s_end, sentence in spans:
        if s_end <= start or s_start >= end or sentence.supported:
            continue
        s_start, s_end = max(s_start, start), min(s_end, end)
        out.append(inline(text[pos:s_start], turn, cited))
        body = inline(text[s_start:s_end], turn, cited)
        out.append(f'<span class="rag-unsupported" title="{UNSUPPORTED_TITLE}">'
                   f'<span class="rag-warn" aria-label="{UNSUPPORTED_TITLE}">⚠</span> {body}</span>')
        pos = s_end
    out.append(inline(text[pos:end], turn, cited))
    return "".join(out)


def body_html(answer: Answer, turn: int) -> str:
    """The answer's lines: the note apart, "- " lines as a list, a paper's name before ": " in bold, the
    "not stated" line set apart, unsupported sentences marked."""
    text = answer.answer
    cited = {c.n: c for c in answer.citations}
    spans = sentence_spans(text, answer.sentences)
    out: list[str] = []
    items: list[str] = []
    pos = 0
    for number, line in enumerate(text.split("\n")):
        start, end = pos, pos + len(line)
        pos = end + 1
        bullet = line.startswith("- ")
        start += 2 * bullet
        if items and not bullet:
            out.append(f'<ul class="rag-list">{"".join(items)}</ul>')
            items = []
        if not line.strip():
            continue
        name, sep, _ = text[start:end].partition(": ")
        named = sep and (answer.shape in NAMED_SHAPES or bullet and answer.shape == "collection") and \
            len(name) <= NAME_CHARS and "[" not in name
        lead = f"<b>{esc(name)}</b>: " if named else ""
        html = lead + marked_html(text, start + (len(name) + 2 if named else 0), end, spans, turn, cited)
        if bullet:
            items.append(f"<li>{html}</li>")
        elif number == 0 and answer.shape == "not_stated":
            out.append(f'<p class="rag-not-stated">{html}</p>')
        elif line.strip() in NOTES:
            out.append(f'<p class="rag-note">{html}</p>')
        else:
            out.append(f'<p class="rag-text">{html}</p>')
    if items:
        out.append(f'<ul class="rag-list">{"".join(items)}</ul>')
    return "".join(out)


def answer_html(answer: Answer, turn: int) -> str:
    """One finished answer as the chat shows it: rewritten question, notice, text with citation links."""
    parts = ['<div class="rag-answer">']
    if answer.standalone_question != answer.question:
        parts.append(f'<div class="rag-standalone">Searched for: <i>{esc(answer.standalone_question)}</i></div>')
    if answer.notice:
        parts.append(f'<div class="rag-notice">⚠ {esc(answer.notice)}</div>')
    parts.append(body_html(answer, turn))
    if answer.abstained:
        parts.append('<div class="rag-abstained">No cited answer: the collection does not cover this.</div>')
    parts.append("</div>")
    return "".join(parts)


def streaming_html(text: str) -> str:
    """Text still being written, escaped, with a cursor."""
    return f'<div class="rag-answer rag-streaming"><p class="rag-text">{esc(text).replace(chr(10), "<br>")}' \
           f'<span class="rag-cursor">▍</span></p></div>'


def question_html(question: str) -> str:
    """The user's question as a chat message."""
    return f'<span class="rag-question">{esc(question)}</span>'


def messages(history: Sequence[Answer], pending: str | None = None, streamed: str = "") -> list[dict]:
    """The chat as Gradio messages: every answered turn, then the turn being answered, if any."""
    out: list[dict] = []
    for turn, answer in enumerate(history, start=1):
        out.append({"role": "user", "content": question_html(answer.question)})
        out.append({"role": "assistant", "content": answer_html(answer, turn)})
    if pending is not None:
        out.append({"role": "user", "content": question_html(pending)})
        out.append({"role": "assistant", "content": streaming_html(streamed)})
    return out


# ---------------------------------------------------------------- sources panel


def highlight(abstract: str, passage: str) -> str:
    """The abstract, escaped, with the cited passage inside <mark> (the whole abstract when not found)."""
    passage = passage.strip()
    start = abstract.find(passage) if passage else -1
    if start < 0:
        return esc(abstract)
    end = start + len(passage)
    return f"{esc(abstract[:start])}<mark>{esc(abstract[start:end])}</mark>{esc(abstract[end:])}"


def paper_meta(paper: Paper | None, citation: Citation) -> str:
    """Authors, year and venue on one line."""
    parts = [paper.authors if paper else None, str(citation.year) if citation.year else None,
             paper.venue if paper else None]
    return " · ".join(esc(p) for p in parts if p)


def paper_links(paper: Paper | None, citation: Citation) -> str:
    """arXiv and code links of a paper (its URL alone when the paper is no longer indexed)."""
    if paper is None:
        return link(citation.url, citation.url or "") if citation.url else ""
    links = []
    if paper.arxiv_id:
        links.append(link(f"https://arxiv.org/abs/{paper.arxiv_id}", f"arXiv:{paper.arxiv_id}"))
    links += [link(url, "code" if len(paper.code_urls) == 1 else f"code {i}")
              for i, url in enumerate(paper.code_urls, start=1)]
    return " · ".join(links)


def source_html(citation: Citation, paper: Paper | None, turn: int, cited: bool, open_abstract: bool) -> str:
    """One source card: number, title, authors/year/venue, links, abstract (cited passage marked)."""
    abstract = paper.abstract if paper else citation.text
    body = highlight(abstract, citation.text) if cited else esc(abstract)
    support = f'<span class="rag-support">support {citation.support:.2f}</span>' if cited else ""
    files = ", ".join(esc(name) for name in file_names(citation.sources))
    return (f'<div class="rag-source{"" if cited else " rag-uncited"}" id="{source_id(turn, citation.n)}">'
            f'<div class="rag-source-title"><span class="rag-num">[{citation.n}]</span> {esc(citation.title)}</div>'
            f'<div class="rag-meta">{paper_meta(paper, citation)}</div>'
            f'<div class="rag-links">{paper_links(paper, citation)}</div>'
            f'<details class="rag-abstract"{" open" if open_abstract else ""}><summary>abstract {support}'
            f'</summary><div>{body}</div></details>'
            f'<div class="rag-files">from {files}</div></div>')


def turn_sources_html(answer: Answer, turn: int, papers: dict[str, Paper]) -> str:
    """The cited sources of one answer, then the retrieved ones it did not cite."""
    parts = []
    if answer.citations:
        opened = len(answer.citations) <= OPEN_ABSTRACTS
        parts.append('<h4 class="rag-h">Cited</h4>')
        parts += [source_html(c, papers.get(c.paper_id), turn, True, opened) for c in answer.citations]
    else:
        parts.append('<p class="rag-empty">This answer cites no source.</p>')
    if answer.uncited_sources:
        parts.append('<h4 class="rag-h">Retrieved but not cited</h4>')
        parts += [source_html(c, papers.get(c.paper_id), turn, False, False) for c in answer.uncited_sources]
    return "".join(parts)


def sources_html(history: Sequence[Answer], papers: dict[str, Paper]) -> str:
    """The sources panel: the latest answer's sources, earlier answers' sources folded below."""
    if not history:
        return '<div class="rag-sources"><p class="rag-empty">Sources of the answer appear here.</p></div>'
    turns = list(enumerate(history, start=1))
    latest_turn, latest = turns[-1]
    parts = ['<div class="rag-sources">',
             f'<div class="rag-turn rag-latest"><div class="rag-turn-q">Sources for: {esc(latest.question)}</div>'
             f'{turn_sources_html(latest, latest_turn, papers)}</div>']
    for turn, answer in reversed(turns[:-1]):
        parts.append(f'<details class="rag-turn"><summary>Earlier: {esc(answer.question)}</summary>'
                     f'{turn_sources_html(answer, turn, papers)}</details>')
    parts.append("</div>")
    return "".join(parts)


def status_html(answer: Answer | None) -> str:
    """Backend, model and timings of the answer; its notice (e.g. LLM unreachable) shown first."""
    if answer is None:
        return '<div class="rag-status">Ask a question about the papers.</div>'
    backend = answer.backend + (f" ({answer.model})" if answer.model else "")
    times = answer.timings_ms
    line = (f'<div class="rag-status">backend: <b>{esc(backend)}</b> · retrieve {times.get("retrieve", 0):.0f} ms'
            f' · generate {times.get("generate", 0):.0f} ms · total {times.get("total", 0):.0f} ms'
            f' · {len(answer.citations)} cited</div>')
    if answer.notice:
        line = f'<div class="rag-notice rag-status-notice">⚠ {esc(answer.notice)}</div>' + line
    return line


# ---------------------------------------------------------------- Markdown copy


def answer_markdown(answer: Answer | None) -> str:
    """The answer as Markdown with its reference list: "[n] Title (year). url"."""
    if answer is None:
        return ""
    lines = [answer.answer.strip()]
    if answer.citations:
        lines += ["", "References:"]
        lines += [f"[{c.n}] {c.title} ({c.year or 'n.d.'})." + (f" {c.url}" if c.url else "")
                  for c in answer.citations]
    return "\n".join(lines)


# ---------------------------------------------------------------- papers tab


def sorted_papers(papers: Mapping[str, Paper]) -> list:
    """The papers' metadata rows, newest first, then by title."""
    return sorted(rows_of(papers), key=lambda p: (-(p.year or 0), p.title.lower()))


def matches(paper: Paper, query: str) -> bool:
    """True when every word of the filter occurs in the paper's metadata."""
    haystack = " ".join([paper.title, paper.short_name or "", paper.authors or "", str(paper.year or ""),
                         paper.venue or "", paper.arxiv_id or "", *paper.affiliations,
                         *(Path(s).name for s in paper.sources)]).lower()
    return all(word in haystack for word in query.lower().split())


def links_markdown(paper: Paper) -> str:
    """arXiv and code links as Markdown whose targets are encoded http(s) URLs and labels are fixed words."""
    links = []
    if paper.arxiv_id and (url := safe_url(f"https://arxiv.org/abs/{paper.arxiv_id}")):
        links.append(f"[arXiv]({url})")
    links += [f"[code]({url})" for url in map(safe_url, paper.code_urls) if url]
    return " · ".join(links)


def paper_rows(papers: Mapping[str, Paper], query: str = "") -> list[list]:
    """The papers table: title, year, affiliation, source files, links; filtered by `query`, the newest
    TABLE_ROWS shown (the filter finds the others)."""
    found = (p for p in sorted_papers(papers) if matches(p, query))
    return [[p.title, p.year, "; ".join(p.affiliations), ", ".join(file_names(p.sources)), links_markdown(p)]
            for p in islice(found, TABLE_ROWS)]


def paper_choices(papers: Mapping[str, Paper]) -> list[tuple[str, str]]:
    """(label, paper_id) pairs for the "limit to papers" selector (the newest TABLE_ROWS)."""
    return [(f"{p.title} ({p.year})" if p.year else p.title, p.paper_id) for p in sorted_papers(papers)[:TABLE_ROWS]]


def papers_count(shown: int, total: int) -> str:
    """"23 papers" or "4 of 23 papers"."""
    return f"{total} papers" if shown == total else f"{shown} of {total} papers"


# ---------------------------------------------------------------- uploads


def skipped_line(skipped: Skipped) -> str:
    """A skipped-input reason with the file's name only (never a server path)."""
    where = Path(skipped.path).name + (f":{skipped.line}" if skipped.line else "")
    return f"{where}: {skipped.reason}"


def upload_html(ok: bool, message: str, details: Sequence[str] = ()) -> str:
    """The result of an upload: a success or error line and its details."""
    items = "".join(f"<li>{esc(d)}</li>" for d in details)
    return (f'<div class="{"rag-ok" if ok else "rag-error"}">{"✔" if ok else "✖"} {esc(message)}'
            f'{f"<ul>{items}</ul>" if items else ""}</div>')


CSS = """
.rag-answer .rag-standalone { font-size: 0.82em; opacity: 0.75; margin-bottom: 0.4em; }
.rag-notice { border: 1px solid #d97706; background: rgba(245, 158, 11, 0.15); border-radius: 6px;
              padding: 0.4em 0.6em; margin: 0.3em 0; font-weight: 600; }
.rag-unsupported { text-decoration: underline wavy #dc2626; text-underline-offset: 3px; }
.rag-warn { color: #dc2626; font-weight: 700; }
a.rag-cite { font-weight: 700; text-decoration: none; padding: 0 1px; }
a.rag-cite:hover { text-decoration: underline; }
.rag-abstained { font-size: 0.82em; opacity: 0.7; margin-top: 0.3em; }
.rag-cursor { opacity: 0.6; }
.rag-note { font-size: 0.82em; opacity: 0.7; margin: 0 0 0.3em; }
.rag-not-stated { border-left: 4px solid #d97706; background: rgba(245, 158, 11, 0.12); padding: 0.3em 0.6em;
                  font-weight: 600; margin: 0 0 0.4em; }
.rag-list { margin: 0.2em 0 0.4em 1.1em; padding: 0; } .rag-list li { margin: 0.25em 0; }
.rag-status { font-size: 0.85em; opacity: 0.85; }
.rag-sources { max-height: 75vh; overflow-y: auto; padding-right: 4px; }
.rag-source { border: 1px solid rgba(128, 128, 128, 0.35); border-radius: 8px; padding: 0.5em 0.7em;
              margin: 0.45em 0; scroll-margin-top: 8px; }
.rag-source:target, .rag-source.rag-selected { outline: 3px solid #f59e0b; background: rgba(245, 158, 11, 0.10); }
.rag-uncited { opacity: 0.8; }
.rag-source-title { font-weight: 600; }
.rag-num { color: #2563eb; }
.rag-meta, .rag-links, .rag-files, .rag-support, .rag-turn-q { font-size: 0.82em; opacity: 0.85; }
.rag-abstract summary { cursor: pointer; font-size: 0.85em; }
.rag-abstract mark { background: #fde68a; color: #111; padding: 0 2px; border-radius: 2px; }
.rag-h { margin: 0.6em 0 0.2em; font-size: 0.95em; }
.rag-ok { color: #15803d; } .rag-error { color: #b91c1c; font-weight: 600; }
"""
