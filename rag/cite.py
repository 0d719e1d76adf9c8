"""Citations that can be trusted: sentences, [n] markers, and how well a source supports a sentence."""

from __future__ import annotations

import re
import numpy as np

from rag.index import PaperIndex
from rag.text import WORD_RE, lexical_overlap, split_sentences
from rag.types import AnswerSentence, Paper

MARKER_RE = re.compile(r"\s*\[(\d+(?:\s*,\s*\d+)*)\]")
SUPPORTED = 0.5


def parse_markers(sentence: str, n_sources: int) -> tuple[str, list[int], list[int]]:
    """The sentence without markers, the valid source numbers it cites, and the invalid ones dropped."""
    valid: list[int] = []
    invalid: list[int] = []
    for group in MARKER_RE.findall(sentence):
        for number in (int(x) for x in group.split(",")):
            (valid if 1 <= number <= n_sources else invalid).append(number)
    clean = MARKER_RE.sub("", sentence).strip()
    return clean, list(dict.fromkeys(valid)), invalid


class SentenceBank:
    """Sentences of each paper and their embeddings, computed once per process."""

    def __init__(self, index: PaperIndex, max_papers: int = 20_000):
        self.index, self.max_papers = index, max_papers
        self._vectors: dict[str, np.ndarray] = {}

    def sentences(self, paper: Paper) -> list[str]:
        """The abstract's sentences, verbatim."""
        return split_sentences(paper.abstract)

    def vectors(self, paper: Paper) -> np.ndarray:
        """Unit vectors of the abstract's sentences."""
        key = f"{paper.paper_id}:{paper.content_hash}"
        if key not in self._vectors:
            if len(self._vectors) >= self.max_papers:
                self._vectors.pop(next(iter(self._vectors)))
            self._vectors[key] = unit(self.index.embedder.get_text_embedding_batch(self.sentences(paper)))
        return self._vectors[key]

    def embed(self, texts: list[str]) -> np.ndarray:
        """Unit vectors of arbitrary texts."""
        return unit(self.index.embedder.get_text_embedding_batch(texts)) if texts else np.zeros((0, 1))

    def support(self, claim: str, claim_vector: np.ndarray, paper: Paper) -> tuple[float, str]:
        """How well the paper supports the claim (0-1), and its sentence that supports it best."""
        sims = self.vectors(paper) @ claim_vector
        best = int(np.argmax(sims))
        sentences = self.sentences(paper)
        lexical = max(lexical_overlap(claim, sentences[best]), lexical_overlap(claim, paper.abstract))
        return round(float(np.clip(0.5 * lexical + 0.5 * max(float(sims[best]), 0.0), 0.0, 1.0)), 3), \
            sentences[best]


def unit(vectors) -> np.ndarray:
    """Rows scaled to length 1."""
    array = np.asarray(vectors, dtype=np.float32)
    return array / np.maximum(np.linalg.norm(array, axis=1, keepdims=True), 1e-9)


def verify(text: str, papers: list[Paper], bank: SentenceBank) -> tuple[list[AnswerSentence], dict[int, str]]:
    """Check every sentence of a generated answer against the sources it cites.

    Invalid markers are dropped; a sentence without markers gets the source that supports it best; each
    sentence records its support and whether that clears the bar. Returns the sentences and, per cited
    source number, the passage that supports the answer best.
    """
    result: list[AnswerSentence] = []
    passages: dict[int, tuple[float, str]] = {}
    raw = split_sentences(text)
    cleaned = [parse_markers(s, len(papers)) for s in raw]
    vectors = bank.embed([c[0] for c in cleaned])
    for (clean, cites, _invalid), vector in zip(cleaned, vectors):
        if not clean or not WORD_RE.search(clean):
            continue
        scored = {n: bank.support(clean, vector, papers[n - 1]) for n in (cites or range(1, len(papers) + 1))}
        if not cites:
            best = max(scored, key=lambda n: scored[n][0])
            cites = [best] if scored[best][0] >= SUPPORTED else []
        support = max((scored[n][0] for n in cites), default=0.0)
        for n in cites:
            if scored[n][0] > passages.get(n, (-1.0, ""))[0]:
                passages[n] = scored[n]
        result.append(AnswerSentence(text=clean, cites=cites, support=support, supported=support >= SUPPORTED))
    return result, {n: passage for n, (_, passage) in passages.items()}


def render(sentences: list[AnswerSentence]) -> str:
    """The answer text with its (valid) markers after each sentence."""
    return " ".join(s.text + "".join(f" [{n}]" for n in s.cites) for s in sentences).replace("] [", "][")
