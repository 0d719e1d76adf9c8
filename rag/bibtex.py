"""BibTeX in and out: entries with an abstract become papers; papers and answers' citations become entries."""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Mapping
from typing import Any

import bibtexparser
from bibtexparser import middlewares
from bibtexparser.library import Library
from bibtexparser.middlewares.names import NameParts
from bibtexparser.model import DuplicateBlockKeyBlock, Entry, Field, MiddlewareErrorBlock, ParsingFailedBlock
from bibtexparser.writer import BibtexFormat
from pylatexenc.latex2text import LatexNodes2Text, MacroTextSpec, SpecialsTextSpec, get_default_latex_context_db
from pylatexenc.latexencode import RULE_REGEX, UnicodeToLatexConversionRule, UnicodeToLatexEncoder

from rag.papers import Block, normalise
from rag.types import Answer, Paper, Skipped

ARXIV_ID = r"(\d{4}\.\d{4,5}|[a-z-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?"
ARXIV_FIELD = re.compile(rf"^(?:arxiv:)?{ARXIV_ID}$", re.I)
ARXIV_MENTION = re.compile(rf"\barxiv:\s*{ARXIV_ID}", re.I)
ARXIV_IN = {  # the fields where an entry may give its arXiv id, and how it is written there
    "eprint": ARXIV_FIELD, "arxivid": ARXIV_FIELD, "arxiv": ARXIV_FIELD,
    "doi": re.compile(rf"10\.48550/arxiv\.{ARXIV_ID}", re.I),
    "url": re.compile(rf"arxiv\.org/(?:abs|pdf)/{ARXIV_ID}", re.I),
    "note": ARXIV_MENTION, "journal": ARXIV_MENTION,
}
JOURNAL_RE = re.compile(r"\b(journal|transactions|letters|review|magazine|nature|science|corr)\b", re.I)
KEY_STOPWORDS = {"a", "an", "the", "on", "of", "in", "for", "to", "and", "with", "via", "from", "towards", "toward"}
PROTECT_RE = re.compile(r"(?<![\\{\w])([A-Za-z][\w-]*[A-Z][\w-]*)")  # SynWorld, LLMs, GPT-4o keep their case

logging.getLogger("bibtexparser").addHandler(logging.NullHandler())  # its failures are reported as Skipped


def _decoder() -> LatexNodes2Text:
    """LaTeX to text that keeps ASCII dashes and quotes: a seed .txt says `--` where BibTeX means an en dash,
    and the same abstract from both must stay one paper."""
    context = get_default_latex_context_db()
    macros = [MacroTextSpec("url", simplify_repl="%s"), MacroTextSpec("textasciicircum", "^")]
    specials = [SpecialsTextSpec(s, s) for s in ("--", "---", "``", "''", "!`", "?`")]
    context.add_context_category("rag-literal", prepend=True, macros=macros, specials=specials)
    return LatexNodes2Text(latex_context=context, math_mode="verbatim")


DECODER = _decoder()
ENCODER = UnicodeToLatexEncoder(  # the inverse of DECODER: `"` stays `"`, math stays verbatim
    conversion_rules=[UnicodeToLatexConversionRule(RULE_REGEX, [(re.compile(r"(?<!\\)(\$[^$]*[^\\$]\$)"), r"\1"),
                                                                (re.compile('"'), '"')]), "defaults"],
    replacement_latex_protection="braces-all", unknown_char_policy="keep", unknown_char_warning=False)
FORMAT = BibtexFormat()
FORMAT.indent, FORMAT.block_separator = "  ", "\n"


# ---------------------------------------------------------------- in


def bib_blocks(text: str, path: str) -> tuple[list[Block], list[Skipped], list[Skipped], bool]:
    """The abstracts of a .bib file's entries with each entry's metadata, what was skipped, notes on duplicate
    keys, and whether every block parsed.

    Entries without an abstract and blocks that are not valid BibTeX are skipped and reported by line and key.
    A duplicate key is noted; its entry is kept as another paper when its abstract differs.
    """
    library = _parse(text)
    blocks: list[Block] = []
    skipped: list[Skipped] = []
    notes: list[Skipped] = []
    first: dict[str, Block] = {}
    complete = True
    for item in library.blocks:
        # the library leaves a duplicate-key entry unparsed: parse it on its own
        entry = _parse(item.raw).blocks[0] if isinstance(item, DuplicateBlockKeyBlock) else item
        if isinstance(entry, ParsingFailedBlock):
            skipped.append(Skipped(path=path, line=_line(item), reason=_failure(entry)))
            complete = False
            continue
        if not isinstance(entry, Entry):
            continue
        abstract = normalise(_text(entry, "abstract"))
        if not abstract:
            skipped.append(Skipped(path=path, line=_line(item), reason=f"entry '{entry.key}' has no abstract"))
            continue
        block = Block(text=abstract, path=path, line=_line(item), affiliation=None, meta=entry_metadata(entry))
        earlier = first.setdefault(entry.key, block)
        if earlier is not block:
            outcome = "same abstract, merged" if earlier.text == abstract else "abstracts differ, kept both"
            notes.append(Skipped(path=path, line=block.line,
                                 reason=f"duplicate key '{entry.key}' (first at line {earlier.line}): {outcome}"))
        blocks.append(block)
    if not blocks and not skipped:
        skipped.append(Skipped(path=path, reason="no BibTeX entries found"))
    return blocks, skipped, notes, complete


def entry_metadata(entry: Entry) -> dict[str, Any]:
    """The Paper fields an entry states (title, authors, year, venue, arXiv id, DOI, URL, key); absent ones left out."""
    year = re.search(r"\b\d{4}\b", _raw(entry, "year") or _raw(entry, "date"))
    doi = re.sub(r"^(https?://(dx\.)?doi\.org/|doi:)", "", _raw(entry, "doi"), flags=re.I)
    fields = {
        "title": _text(entry, "title"),
        "authors": ", ".join(_name(n) for n in _names(entry)),
        "year": int(year.group()) if year else None,
        "venue": _text(entry, "booktitle") or _text(entry, "journal") or _text(entry, "journaltitle"),
        "arxiv_id": _arxiv_id(entry),
        "doi": doi,
        "link": "" if ARXIV_IN["url"].search(_raw(entry, "url")) else _raw(entry, "url"),  # arXiv's: from the id
        "bib_key": entry.key,
    }
    return {name: value for name, value in fields.items() if value}


def _arxiv_id(entry: Entry) -> str | None:
    """The arXiv id from eprint (unless it names another archive), arxivid, an arXiv DOI or URL, or a note."""
    archive = _raw(entry, "archiveprefix", "eprinttype").lower()
    for name, pattern in ARXIV_IN.items():
        if (found := pattern.search(_raw(entry, name))) and (name != "eprint" or archive in ("", "arxiv")):
            return found.group(1)
    return None


def _parse(text: str) -> Library:
    return bibtexparser.parse_string(text, append_middleware=[
        middlewares.NormalizeFieldKeys(), middlewares.SeparateCoAuthors(), middlewares.SplitNameParts()])


def _line(block) -> int:
    return (block.start_line or 0) + 1  # bibtexparser counts lines from 0


def _failure(block: ParsingFailedBlock) -> str:
    key = re.match(r"\s*@\s*\w+\s*[{(]\s*([^,\s]+)\s*,", block.raw or "")
    what = f"entry '{key.group(1)}'" if key else "block"
    if isinstance(block, MiddlewareErrorBlock):
        return f"{what} not read: {block.error}"
    reason = getattr(block.error, "abort_reason", str(block.error)).strip()
    return f"{what} is not valid BibTeX ({reason})"


def _raw(entry: Entry, *names: str) -> str:
    """The first of the fields that is present, as written (URLs and DOIs are not LaTeX)."""
    return next((str(entry[n]).strip() for n in names if n in entry and str(entry[n]).strip()), "")


def _text(entry: Entry, name: str) -> str:
    """A text field with its LaTeX decoded and its white space folded."""
    return normalise(DECODER.latex_to_text(_raw(entry, name)))


def _names(entry: Entry) -> list[NameParts]:
    value = entry["author"] if "author" in entry else []
    return [n for n in value if isinstance(n, NameParts)]


def _name(name: NameParts) -> str:
    if name.last == ["others"] and not name.first:
        return "et al."
    return normalise(DECODER.latex_to_text(" ".join(name.first + name.von + name.last + name.jr)))


# ---------------------------------------------------------------- out


def papers_bibtex(papers: list[Paper]) -> str:
    """BibTeX entries for the papers, in order, with keys that are stable per paper and unique in the output."""
    library = Library()
    keys: set[str] = set()
    for paper in papers:
        key = cite_key(paper)
        if key in keys:
            key = f"{key}_{paper.paper_id[1:5]}"
        keys.add(key)
        library.add(paper_entry(paper, key))
    return bibtexparser.write_string(library, bibtex_format=FORMAT)


def answer_bibtex(answer: Answer, papers: Mapping[str, Paper]) -> str:
    """The BibTeX of the papers an answer cites, in citation order ("" when it cites none)."""
    cited = dict.fromkeys(c.paper_id for c in answer.citations if c.paper_id in papers)
    return papers_bibtex([papers[paper_id] for paper_id in cited])


def cite_key(paper: Paper) -> str:
    """The entry's own key when the paper came from a .bib, else first author's surname + year + first title word."""
    if paper.bib_key:
        return paper.bib_key
    first_author = (paper.authors or "").split(",")[0].replace("et al.", "").split()
    words = [w for w in re.findall(r"[A-Za-z0-9]+", _ascii(paper.title).lower()) if w not in KEY_STOPWORDS]
    surname = _ascii(first_author[-1]).lower() if first_author else "anon"
    return re.sub(r"[^a-z0-9]", "", surname) + str(paper.year or "") + (words[0] if words else "")


def paper_entry(paper: Paper, key: str) -> Entry:
    """One entry: @inproceedings / @article when the venue says which, else @misc (a preprint)."""
    authors = [n.strip() for n in (paper.authors or "").split(",") if n.strip()]
    venue_field = "journal" if paper.venue and JOURNAL_RE.search(paper.venue) else "booktitle"
    fields = {
        "title": PROTECT_RE.sub(r"{\1}", _latex(paper.title)),
        "author": " and ".join("others" if a == "et al." else _latex(a) for a in authors),
        "year": str(paper.year or ""),
        venue_field: _latex(paper.venue or ""),
        "eprint": paper.arxiv_id or "",
        "archiveprefix": "arXiv" if paper.arxiv_id else "",
        "doi": paper.doi or "",
        "url": paper.link or paper.url or "",
        "abstract": _latex(paper.abstract),
    }
    kind = "misc" if not paper.venue else "article" if venue_field == "journal" else "inproceedings"
    return Entry(kind, key, [Field(name, value) for name, value in fields.items() if value])


def _latex(text: str) -> str:
    return ENCODER.unicode_to_latex(text)


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
