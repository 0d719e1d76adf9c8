"""The embedded default answer: the abstracts' own sentences that best answer the question, each cited."""

from __future__ import annotations

import re

from rag.cite import SentenceBank
from rag.text import lexical_overlap
from rag.types import AnswerSentence, Hit

PER_PAPER = 2
LEXICAL_WEIGHT = 0.3
CUE_WEIGHT = 0.15
ASKS_WHAT = re.compile(r"^\s*(what|which)\s+(is|are|was|does|do)\b|^\s*(describe|explain|summari[sz]e)\b", re.I)
DEFINES = re.compile(r"\b(we|this (paper|work))\s+(propose|introduce|present|develop)", re.I)
ASKS_CODE = re.compile(r"\b(code|github|repository|implementation|released?|available|demo|link)\b", re.I)


def cue_bonus(question: str, sentence: str) -> float:
    """Prefer the sentence that defines the method for "what is" questions; a bare link only when asked."""
    bonus = CUE_WEIGHT if ASKS_WHAT.search(question) and DEFINES.search(sentence) else 0.0
    if "http" in sentence and not ASKS_CODE.search(question):
        bonus -= 2 * CUE_WEIGHT
    return bonus


def extractive_answer(question: str, hits: list[Hit], bank: SentenceBank, max_sentences: int, margin: float,
                      floor: float) -> tuple[list[AnswerSentence], dict[int, str]]:
    """Quote the best sentences of the most relevant paper and of those within `margin` of it.

    Hits are sources 1..n. Every quoted paper gives its best sentence first; the rest of the budget goes to
    the next best sentences, at most PER_PAPER per paper. Quotes keep paper rank, then abstract order.
    """
    top = max(h.relevance for h in hits)
    # the best-ranked relevant paper: the fused ranking orders papers better than relevance does
    first = next(n for n, h in enumerate(hits, start=1) if h.relevance >= min(floor, top))
    eligible = [n for n, h in enumerate(hits, start=1)
                if n == first or (margin > 0 and h.relevance >= max(floor, top - margin))]
    query = bank.embed([question])[0]
    scored: dict[int, list[tuple[float, int, str]]] = {}
    for n in eligible:
        paper = hits[n - 1].paper
        sims = bank.vectors(paper) @ query
        ranked = [(float(sims[i]) + LEXICAL_WEIGHT * lexical_overlap(question, s) + cue_bonus(question, s), i, s)
                  for i, s in enumerate(bank.sentences(paper))]
        scored[n] = sorted(ranked, reverse=True)
    chosen = {(n, scored[n][0][1]): scored[n][0] for n in eligible[:max_sentences]}
    extras = sorted(((c, n) for n in eligible for c in scored[n][1:PER_PAPER]), reverse=True)
    for candidate, n in extras:
        if len(chosen) >= max_sentences:
            break
        chosen[(n, candidate[1])] = candidate
    sentences = [AnswerSentence(text=chosen[key][2], cites=[key[0]], support=1.0) for key in sorted(chosen)]
    passages = {n: max((chosen[k] for k in chosen if k[0] == n))[2] for n in {k[0] for k in chosen}}
    return sentences, passages

