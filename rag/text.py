"""Text utilities shared by retrieval, citation checks and answers: sentences, content words, overlap."""

from __future__ import annotations

import re
from functools import lru_cache

from rag.bm25 import STEMMER

MARKER_GROUP = re.compile(r"^((?:\[\d+(?:\s*,\s*\d+)*\]\s*)+)")
ABBREVIATIONS = re.compile(r"\b(e\.g|i\.e|et al|vs|etc|Fig|Eq|cf|approx|resp)\.", re.IGNORECASE)
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\[\"'(A-Z0-9])")
WORD_RE = re.compile(r"[A-Za-z][A-Za-z0-9\-]+|\d+(?:\.\d+)?%?")
STOP = frozenset("""a an the and or of to in on for with by from as at is are was were be been being this that these
those it its their they them we our us you your he she his her i me my mine which who whom whose what when where why
how than then there here also can could may might will would should shall do does did done not no nor so such into over
under about between through during before after above below up down out off again further once only own same
very just more most other some any each few both all many much paper papers work works study approach method
methods propose proposes proposed introduce introduces present presents show shows use uses used using collection itself
list has have had having make makes making made don doesn didn isn aren wasn weren haven hasn hadn wouldn
shouldn couldn ve ll re less abstract abstracts article articles explicitly anything something take takes taking took
get gets getting got themselves ourselves yourself too often already theres really quite rather still even ever
always usually perhaps maybe
""".split())  # "don" of "don't", "ve" of "they've"


def split_sentences(text: str) -> list[str]:
    """Split prose into sentences, keeping [n] markers with the sentence before them."""
    protected = ABBREVIATIONS.sub(lambda m: m.group(0).replace(".", "\x00"), text.strip())
    parts = [p.replace("\x00", ".").strip() for p in SENTENCE_END.split(protected) if p.strip()]
    merged: list[str] = []
    for part in parts:
        lead = MARKER_GROUP.match(part)
        if lead and merged:
            merged[-1] += " " + lead.group(1).strip()
            part = part[lead.end():].strip()
        if part:
            merged.append(part)
    return merged


@lru_cache(maxsize=50_000)
def stems(text: str) -> frozenset[str]:
    """Stemmed content words."""
    words = [w.lower() for w in WORD_RE.findall(text)]
    return frozenset(STEMMER.stemWords([w for w in words if w not in STOP]))


DERIVED_ENDINGS = ("ti", "er", "tif", "tist")  # the stemmer keeps "safe"/"safety"/"safer", "short"/"shorter" and
# "science"/"scientific"/"scientist" apart


def root(stem: str) -> str:
    """A stem without a derivational ending and a final "e": "safeti", "safer" and "safe" are all "saf"; "scienc"
    and "scientif" are "scien"."""
    for end in DERIVED_ENDINGS:
        if stem.endswith(end) and len(stem) - len(end) >= 3:
            stem = stem[:-len(end)]
            break
    return stem[:-1] if stem.endswith("nc") else stem.removesuffix("e")


@lru_cache(maxsize=10_000)
def root_sequence(text: str) -> str:
    """The roots of a text's content words in order, space-separated, hyphenated words in their parts
    ("Chain-of-Thought reasoning" -> "chain thought reason")."""
    words = [w.lower() for w in WORD_RE.findall(text.replace("-", " "))]
    return " ".join(root(s) for s in STEMMER.stemWords([w for w in words if w not in STOP]))


@lru_cache(maxsize=10_000)
def roots(text: str) -> frozenset[str]:
    """The roots of a text's content words, hyphenated words in their parts."""
    return frozenset(root(s) for s in stems(text.replace("-", " ")))


@lru_cache(maxsize=10_000)
def initialisms(text: str) -> frozenset[str]:
    """Acronyms the text's words spell out, singular and plural ("large language models" -> "llm", "llms"), so a
    question's "LLMs" meets an abstract that writes the words; the text's own acronyms, singular and plural."""
    words = [w.lower() for w in WORD_RE.findall(text.replace("-", " "))]
    spelled = {"".join(w[0] for w in run) for size in (2, 3, 4) for i in range(len(words) - size + 1)
               if not STOP & set(run := words[i:i + size])}
    written = {w.lower().removesuffix("s") for w in WORD_RE.findall(text) if w.removesuffix("s").isupper()}
    found = spelled | written
    if "lm" in found:  # a language model is what "LLM" asks about ("LM agents" for "LLM-based agents")
        found.add("llm")
    return frozenset(a for acronym in found for a in (acronym, acronym + "s") if looks_like_acronym(a))


def looks_like_acronym(word: str) -> bool:
    """True for a lowercased word that reads as an acronym, not as a word: "llms", "dpo", "mcts" (one vowel at most)."""
    return len(word) >= 2 and sum(c in "aeiou" for c in word) <= 1


@lru_cache(maxsize=50_000)
def word_stems(text: str) -> frozenset[str]:
    """Stems of every word, stop words included ("papers" -> "paper")."""
    return frozenset(STEMMER.stemWords([w.lower() for w in WORD_RE.findall(text)]))


@lru_cache(maxsize=50_000)
def stem_of(word: str) -> str:
    """The stem of one word, or "" for a stop word."""
    word = word.lower()
    return "" if word in STOP else STEMMER.stemWord(word)


def folded(text: str) -> str:
    """Lower case without hyphens and spaces, so "GPT-4" finds "GPT 4" and "gpt4"."""
    return re.sub(r"[\s-]+", "", text.lower())


def names_term(text: str, term: str) -> bool:
    """True when the text has the term as whole words, hyphens and spaces aside ("GPT-4" finds "GPT 4" and "gpt4";
    "KE" is not in "make")."""
    letters = folded(term)
    pattern = r"[\s-]*".join(re.escape(c) for c in letters)
    return bool(letters) and re.search(rf"(?<![^\W_]){pattern}s?(?![^\W_])", text, re.IGNORECASE) is not None


def lexical_overlap(claim: str, evidence: str) -> float:
    """Share of the claim's content words that the evidence contains."""
    claim_stems = stems(claim)
    return len(claim_stems & stems(evidence)) / len(claim_stems) if claim_stems else 0.0


def spells_out(acronym: str, text: str) -> bool:
    """True when the text writes the acronym's words out as one phrase ("Monte Carlo tree search" for "MCTS")."""
    if not (acronym.isupper() and acronym.isalpha() and len(acronym) >= 3):
        return False
    phrase = r"[\s-]+".join(rf"{letter}[a-z]*" for letter in acronym.lower())
    return any(not STOP.intersection(re.split(r"[\s-]+", m.group(0).lower()))
               for m in re.finditer(rf"\b{phrase}\b", text, re.IGNORECASE))
