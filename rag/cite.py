"""Citations that can be trusted: sentences, [n] markers, and how well a source supports a sentence."""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np

from rag.index import PaperIndex
from rag.intent import NAME_TOKEN
from rag.multilingual import relevance as e5_relevance
from rag.text import WORD_RE, folded, lexical_overlap, split_sentences, stem_of
from rag.types import AnswerSentence, Paper

BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")
MARKER_RE = re.compile(r"\s*\[(\d+(?:\s*,\s*\d+)*)\]")
SUPPORTED = 0.5
MULTILINGUAL_CLOSE = 0.38  # e5 relevance of the closest sentence for a claim in another language
FIGURE = re.compile(r"\d+(?:[.,]\d+)?\s*%?")
RELATIONS_KEPT = 0.75  # below this share of kept word pairs a claim relates the words differently


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

    def vectors(self, paper: Paper, multilingual: bool = False) -> np.ndarray:
        """Unit vectors of the abstract's sentences (by MiniLM, or by e5 for questions in other languages)."""
        key = f"{'e5:' * multilingual}{paper.paper_id}:{paper.content_hash}"
        if key not in self._vectors:
            if len(self._vectors) >= self.max_papers:
                self._vectors.pop(next(iter(self._vectors)))
            sentences = self.sentences(paper)
            self._vectors[key] = (self.index.abstract_vectors.embedder.passages(sentences) if multilingual
                                  else unit(self.index.embedder.get_text_embedding_batch(sentences)))
        return self._vectors[key]

    def embed(self, texts: list[str], multilingual: bool = False) -> np.ndarray:
        """Unit vectors of arbitrary texts (as e5 queries when `multilingual`)."""
        if not texts:
            return np.zeros((0, 1))
        if multilingual:
            return self.index.abstract_vectors.embedder.queries(texts)
        return unit(self.index.embedder.get_text_embedding_batch(texts))

    def support(self, claim: str, claim_vector: np.ndarray, paper: Paper, multilingual: bool = False
                ) -> tuple[float, str]:
        """How well the paper supports the claim (0-1), and its sentence that supports it best.

        A claim in another language is scored by e5 against the English sentence alone (words cannot match).
        """
        sims = self.vectors(paper, multilingual) @ claim_vector
        best = int(np.argmax(sims))
        sentences = self.sentences(paper)
        if multilingual:
            return multilingual_support(claim, float(sims[best]), paper), sentences[best]
        lexical = max(lexical_overlap(claim, sentences[best]), lexical_overlap(claim, paper.abstract))
        support = float(np.clip(0.5 * lexical + 0.5 * max(float(sims[best]), 0.0), 0.0, 1.0))
        if relations_kept(claim, sentences[best]) < RELATIONS_KEPT:  # same words, other relations: not what the source says
            support = min(support, SUPPORTED - 0.01)
        return round(support, 3), sentences[best]


def multilingual_support(claim: str, cosine: float, paper: Paper) -> float:
    """Support of a claim in another language: e5 cannot tell who does what across languages, so a claim counts
    as supported when e5 finds a close sentence and every figure and name it gives is in the abstract."""
    close = e5_relevance(cosine)
    source = folded(f"{paper.title} {paper.abstract}")
    given = FIGURE.findall(claim) + NAME_TOKEN.findall(claim)
    if any(folded(g) not in source for g in given):
        return round(min(close, SUPPORTED - 0.01), 3)
    return round(max(close, SUPPORTED) if close >= MULTILINGUAL_CLOSE else close, 3)


def relations_kept(claim: str, evidence: str, window: int = 3) -> float:
    """Share of the claim's word pairs (two content words in a row, e.g. "compresses memory") that the evidence
    also has within a few words in that order; 1.0 when no pair can be checked.

    Word overlap cannot tell "X compresses thoughts and reduces memory" from "X compresses memory"; this can.
    Only pairs whose two words both occur in the evidence are checked, so paraphrases are not penalised.
    """
    said = [stem_of(w) for w in WORD_RE.findall(evidence)]
    positions: dict[str, list[int]] = {}
    for i, word in enumerate(said):
        positions.setdefault(word, []).append(i)
    checked = kept = 0
    for phrase in re.split(r"[,;:()\[\]]|\b(?:and|or|but|while|whereas)\b", claim):
        words = [w for w in (stem_of(w) for w in WORD_RE.findall(phrase)) if w]
        for first, second in zip(words, words[1:]):
            if first in positions and second in positions and first != second:
                checked += 1
                kept += any(0 < j - i <= window for i in positions[first] for j in positions[second])
    return kept / checked if checked >= 2 else 1.0


def unit(vectors) -> np.ndarray:
    """Rows scaled to length 1."""
    array = np.asarray(vectors, dtype=np.float32)
    return array / np.maximum(np.linalg.norm(array, axis=1, keepdims=True), 1e-9)


def verify(text: str, papers: list[Paper], bank: SentenceBank, multilingual: bool = False,
           dropped: Callable[[str], bool] | None = None) -> tuple[str, list[AnswerSentence], dict[int, str]]:
    """Check every sentence of a generated answer against the sources it cites.

    Sentences `dropped` says are not part of the answer are left out; invalid markers are dropped; a sentence
    without markers, or whose markers name no source that supports it while another source does, gets the source
    that supports it best; each
    sentence records its support and whether that clears the bar. Returns the answer re-rendered with the
    checked markers (its lines and "- " bullets kept), the sentences and, per cited source number, the
    passage that supports the answer best.
    """
    lines = [(BULLET.match(line).group(0) if BULLET.match(line) else "", BULLET.sub("", line))
             for line in text.splitlines() if line.strip()]
    cleaned = [(i, *parse_markers(s, len(papers))) for i, (_, line) in enumerate(lines) for s in split_sentences(line)]
    vectors = bank.embed([c[1] for c in cleaned], multilingual)
    result: list[AnswerSentence] = []
    by_line: list[list[AnswerSentence]] = [[] for _ in lines]
    passages: dict[int, tuple[float, str]] = {}
    for (line, clean, cites, _invalid), vector in zip(cleaned, vectors):
        if not clean or not WORD_RE.search(clean) or dropped and dropped(clean):
            continue
        scored = {n: bank.support(clean, vector, papers[n - 1], multilingual) for n in range(1, len(papers) + 1)}
        best = max(scored, key=lambda n: scored[n][0])
        if not cites or max(scored[n][0] for n in cites) < SUPPORTED <= scored[best][0]:
            cites = [best] if scored[best][0] >= SUPPORTED else []  # unmarked, or marked with a source that does
            # not support it while another does: the one that does
        support = max((scored[n][0] for n in cites), default=0.0)
        for n in cites:
            if scored[n][0] > passages.get(n, (-1.0, ""))[0]:
                passages[n] = scored[n]
        sentence = AnswerSentence(text=clean, cites=cites, support=support, supported=support >= SUPPORTED)
        result.append(sentence)
        by_line[line].append(sentence)
    rendered = "\n".join(lines[i][0] + render(said) for i, said in enumerate(by_line) if said)
    return rendered, result, {n: passage for n, (_, passage) in passages.items()}


def render(sentences: list[AnswerSentence]) -> str:
    """The answer text with its (valid) markers after each sentence."""
    return " ".join(s.text + "".join(f" [{n}]" for n in s.cites) for s in sentences).replace("] [", "][")
