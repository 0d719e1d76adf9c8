"""Read seed files into papers: parse `Abstract:` blocks, merge duplicates, attach metadata."""

from __future__ import annotations

import csv
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rag.types import LoadResult, Paper, Skipped

ABSTRACT_MARK = "Abstract:"
METADATA_FILE = "papers.tsv"
SEED_SUFFIXES = (".txt", ".bib")
MAX_FILE_MB = 20  # a larger seed or .bib file is refused before it is parsed
URL_RE = re.compile(r"https?://[^\s<>\"')\]]+")
PROPOSES_RE = re.compile(
    r"\b(?:[Ww]e|[Tt]his (?:paper|work)|[Tt]his study)\s+(?:propose|proposes|introduce|introduces|present|presents)"
    r"\s+(?:a |an |the )?(?P<name>[A-Z][^,;:.]*?)(?:,| - | that | which | to | for |\.|;|:)"
)


@dataclass
class Block:
    """One `Abstract:` block as found in a file."""

    text: str
    path: str
    line: int
    affiliation: str | None
    meta: dict[str, Any] = field(default_factory=dict)  # Paper fields stated by a BibTeX entry


def normalise(text: str) -> str:
    """Fold Unicode forms and white space, the key under which two abstracts are the same paper."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def paper_id_for(abstract: str) -> str:
    """A stable id derived from the abstract's normalised text."""
    return "p" + hashlib.sha256(normalise(abstract).encode()).hexdigest()[:12]


def read_text(path: Path) -> str:
    """Read a seed file as UTF-8 text, raising ValueError that names the line of a bad byte."""
    size = path.stat().st_size
    if size > MAX_FILE_MB * 1024 * 1024:
        raise ValueError(f"{size / 1024 / 1024:.1f} MB is too large; files over {MAX_FILE_MB} MB are not read "
                         "(split it into smaller files)")
    data = path.read_bytes()
    if b"\x00" in data[:8192]:
        raise ValueError("binary file (contains NUL bytes), expected UTF-8 text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise ValueError(f"line {line}: invalid UTF-8 (byte 0x{data[err.start]:02x}); save the file as UTF-8") from err


def parse_blocks(text: str, path: str) -> tuple[list[Block], list[Skipped]]:
    """Split one file's text into `Abstract:` blocks, with its affiliation line if it has one."""
    lines = text.splitlines()
    blocks: list[Block] = []
    skipped: list[Skipped] = []
    affiliation: str | None = None
    current: list[str] | None = None
    start = 0
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if line.startswith(ABSTRACT_MARK):
            if current is not None:
                _close(blocks, skipped, current, path, start, affiliation)
            current, start = [line[len(ABSTRACT_MARK):]], number
        elif current is not None:
            current.append(line)
        elif line and number == 1:
            affiliation = line
        elif line:
            skipped.append(Skipped(path=path, line=number, reason="text outside an Abstract: block"))
    if current is not None:
        _close(blocks, skipped, current, path, start, affiliation)
    if not blocks and not skipped:
        skipped.append(Skipped(path=path, reason="no 'Abstract:' block found"))
    elif not blocks:
        skipped.append(Skipped(path=path, reason="no usable 'Abstract:' block found"))
    return blocks, skipped


def _close(blocks: list[Block], skipped: list[Skipped], lines: list[str], path: str, line: int,
           affiliation: str | None) -> None:
    text = normalise(" ".join(lines))
    if text:
        blocks.append(Block(text=text, path=path, line=line, affiliation=affiliation))
    else:
        skipped.append(Skipped(path=path, line=line, reason="empty Abstract: block"))


def seed_files(paths: list[Path]) -> tuple[list[Path], list[Skipped]]:
    """Expand folders into their `.txt` and `.bib` files, reporting paths that do not exist."""
    files: list[Path] = []
    skipped: list[Skipped] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p.resolve() for p in path.iterdir()
                                if p.is_file() and p.suffix.lower() in SEED_SUFFIXES))
        elif path.is_file():
            files.append(path.resolve())
        else:
            skipped.append(Skipped(path=str(path), reason="no such file or folder"))
    return files, skipped


def load_metadata(path: Path) -> list[dict[str, str]]:
    """Rows of a papers.tsv table; an absent table is an empty one."""
    if not path.is_file():
        return []
    with path.open(encoding="utf-8", newline="") as handle:
        return [row for row in csv.DictReader(handle, delimiter="\t") if row.get("abstract_starts_with")]


def fallback_title(abstract: str) -> str:
    """The name the abstract proposes ("we propose X"), else its first sentence."""
    match = PROPOSES_RE.search(abstract)
    if match and len(match.group("name").split()) <= 12:
        return match.group("name").strip()
    first = re.split(r"(?<=[.!?])\s", abstract, maxsplit=1)[0]
    return first if len(first) <= 120 else first[:117].rstrip() + "..."


def make_paper(blocks: list[Block], metadata: list[dict[str, str]]) -> Paper:
    """One paper from every block that holds its abstract; a BibTeX entry's metadata wins over papers.tsv."""
    abstract = blocks[0].text
    row = next((r for r in metadata if abstract.startswith(normalise(r["abstract_starts_with"]))), None)
    urls = [u.rstrip(".,;") for u in URL_RE.findall(abstract)]
    guessed = {
        "title": (row or {}).get("title") or fallback_title(abstract),
        "short_name": (row or {}).get("short_name") or None,
        "authors": (row or {}).get("authors") or None,
        "year": int(row["year"]) if row and row.get("year", "").isdigit() else None,
        "venue": (row or {}).get("venue") or None,
        "arxiv_id": (row or {}).get("arxiv_id") or None,
    }
    entry = next((b.meta for b in blocks if b.meta), {})
    paper = Paper(
        paper_id=paper_id_for(abstract),
        abstract=abstract,
        **(guessed | entry),
        code_urls=_unique([(row or {}).get("code_url") or "", *urls]),
        affiliations=_unique([b.affiliation or "" for b in blocks]),
        sources=_unique([b.path for b in blocks]),
    )
    return stamped(paper)


def stamped(paper: Paper) -> Paper:
    """The paper with `content_hash` set from everything else it holds."""
    paper.content_hash = hashlib.sha256(paper.model_dump_json(exclude={"content_hash"}).encode()).hexdigest()[:16]
    return paper


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(i for i in items if i))


def load_papers(paths: list[Path], metadata: list[dict[str, str]] | None = None) -> LoadResult:
    """Load every paper from seed files or folders; bad input is skipped and reported, never raised."""
    files, skipped = seed_files(paths)
    by_id: dict[str, list[Block]] = {}
    blocks_seen = 0
    files_read: list[str] = []
    notes: list[Skipped] = []
    for file in files:
        try:
            text = read_text(file)
        except (OSError, ValueError) as err:
            skipped.append(Skipped(path=str(file), reason=str(err)))
            continue
        if file.suffix.lower() == ".bib":
            from rag.bibtex import bib_blocks  # rag.bibtex builds on this module's Block

            blocks, bad, noted, complete = bib_blocks(text, str(file))
            notes.extend(noted)
        else:
            (blocks, bad), complete = parse_blocks(text, str(file)), True
        if complete:  # a file read only in part is not the truth about the papers it held before
            files_read.append(str(file))
        skipped.extend(bad)
        blocks_seen += len(blocks)
        for block in blocks:
            by_id.setdefault(paper_id_for(block.text), []).append(block)
    papers = [make_paper(blocks, metadata or []) for blocks in by_id.values()]
    return LoadResult(papers=papers, files_read=files_read, files=len(files), blocks=blocks_seen,
                      duplicates_merged=blocks_seen - len(papers), skipped=skipped, notes=notes)
