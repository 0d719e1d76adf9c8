"""Paper names (a method's short name, a short title's part before the colon) found in a question."""

from __future__ import annotations

import re

from rag.types import Paper

NAME_WORD = re.compile(r"[\w-]+")


def paper_names(paper: Paper) -> list[str]:
    """The names a question may call a paper by."""
    head = paper.title.split(":")[0].strip()
    names = [paper.short_name or "", head if len(head) <= 40 else ""]
    return [n for n in dict.fromkeys(names) if len(n) >= 3]


def mentions(question: str, name: str) -> bool:
    """True when the question contains the name as whole words.

    A name made of letters only is matched with its case ("LAW", "ReSearch", "SMART" are not "law", "research",
    "smart"); a name with a digit or a hyphen ("K-ON", "EasyEdit2") is no English word and matches in any case.
    """
    flags = 0 if name.replace(" ", "").isalpha() else re.IGNORECASE
    return re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", question, flags) is not None


class NameIndex:
    """Papers by name, looked up through the first word of each name so a question costs a few dict reads."""

    def __init__(self, papers: dict[str, Paper]):
        self.by_first_word: dict[str, list[tuple[str, str]]] = {}
        for paper_id, paper in papers.items():
            for name in paper_names(paper):
                first = NAME_WORD.match(name)
                if first:
                    self.by_first_word.setdefault(first.group().lower(), []).append((name, paper_id))

    def named_in(self, question: str) -> list[str]:
        """Ids of the papers the question names, longest name first."""
        found: dict[str, int] = {}
        for word in {w.lower() for w in NAME_WORD.findall(question)}:
            for name, paper_id in self.by_first_word.get(word, []):
                if mentions(question, name):
                    found[paper_id] = max(found.get(paper_id, 0), len(name))
        return sorted(found, key=found.get, reverse=True)
