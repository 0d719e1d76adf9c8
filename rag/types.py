"""The data that flows through the pipeline: papers, retrieval hits, citations, answers."""

from __future__ import annotations

from pydantic import BaseModel, Field


class Paper(BaseModel):
    """One distinct abstract, with every source file and affiliation it was found with."""

    paper_id: str
    abstract: str
    title: str
    short_name: str | None = None
    authors: str | None = None
    year: int | None = None
    venue: str | None = None
    arxiv_id: str | None = None
    doi: str | None = None
    link: str | None = None  # the URL a BibTeX entry gives
    bib_key: str | None = None  # the key of the BibTeX entry it came from
    code_urls: list[str] = Field(default_factory=list)
    affiliations: list[str] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list)
    content_hash: str = ""

    @property
    def url(self) -> str | None:
        """The paper's arXiv page, else its entry's URL, else its DOI link, else its first code link."""
        if self.arxiv_id:
            return f"https://arxiv.org/abs/{self.arxiv_id}"
        if self.link or self.doi:
            return self.link or f"https://doi.org/{self.doi}"
        return self.code_urls[0] if self.code_urls else None


class Skipped(BaseModel):
    """Input that was not loaded, and why."""

    path: str
    line: int | None = None
    reason: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.reason}"


class LoadResult(BaseModel):
    """Papers found in seed files, with what had to be skipped."""

    papers: list[Paper]
    files_read: list[str] = Field(default_factory=list)
    files: int = 0
    blocks: int = 0
    duplicates_merged: int = 0
    skipped: list[Skipped] = Field(default_factory=list)
    notes: list[Skipped] = Field(default_factory=list)  # input that was loaded but deserves a word (duplicate keys)


class Hit(BaseModel):
    """One retrieved paper: its best chunk and how relevant it is."""

    paper: Paper
    text: str
    chunk_id: str
    score: float
    dense: float = 0.0
    bm25: float = 0.0
    relevance: float = 0.0


class Citation(BaseModel):
    """A numbered source the answer cites (or could have cited)."""

    n: int
    paper_id: str
    title: str
    year: int | None
    text: str
    sources: list[str]
    url: str | None
    support: float = 0.0


class AnswerSentence(BaseModel):
    """One sentence of the answer with the sources it cites and whether they support it."""

    text: str
    cites: list[int] = Field(default_factory=list)
    support: float = 0.0
    supported: bool = True


class Answer(BaseModel):
    """A cited answer, as the CLI and the UI render it.

    `shape` is how the answer is laid out: "fact", "list" (one line per paper), "compare" (one block per
    paper), "not_stated" (the paper asked about does not say it), "collection" (from metadata) or "refusal".
    `focus` holds the papers the turn is about, in the order the answer presents them: follow-ups resolve
    "it", "the second one" or "the other one" against it. A refusal that starts a thread holds the papers closest
    to what was asked, which a follow-up insisting on it ("which of the two ...?") means.
    """

    question: str
    standalone_question: str
    answer: str
    shape: str = "fact"
    focus: list[str] = Field(default_factory=list)
    not_stated: list[str] = Field(default_factory=list)
    citations: list[Citation] = Field(default_factory=list)
    uncited_sources: list[Citation] = Field(default_factory=list)
    sentences: list[AnswerSentence] = Field(default_factory=list)
    abstained: bool = False
    backend: str = "extractive"
    model: str | None = None
    notice: str | None = None
    timings_ms: dict[str, float] = Field(default_factory=dict)

    def public_json(self) -> dict:
        """The documented `--json` shape."""
        return self.model_dump(exclude={"sentences", "notice"}) | {"notice": self.notice}
