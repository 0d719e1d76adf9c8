"""What a model's reply says, apart from what it copied: the prompt's scaffolding it echoes ("Question: ...",
"Answer:"), sentences taken from the prompt or its worked example, and sentences that only restate the question."""

from __future__ import annotations

import re
from collections.abc import Iterable

from rag import prompts
from rag.text import WORD_RE, stems

# the labels in the languages questions are understood in ("Réponse :", "Antwort:", "答案：")
ECHOED_QUESTION = re.compile(r"^\s*(?:\*\*)?(?:question|frage|pregunta|问题|問題|질문)\s*(?:\*\*)?\s*[:：]",
                             re.IGNORECASE)
ANSWER_LABEL = re.compile(r"^\s*(?:\*\*)?(?:answer|réponse|antwort|respuesta|答案|回答|答え|답변)\s*(?:\*\*)?"
                          r"\s*[:：]\s*", re.IGNORECASE)
PLACEHOLDER_MARKER = re.compile(r" ?\[[nN?]\]")  # the "[n]" of the prompt's format, copied
LEADING_COLON = re.compile(r"^(\s*(?:[-*•]\s+)?)[:：]\s*")  # "- : ReSearch ..." when the name was left out
SHINGLE = 6  # words in a row that count as copied
EXAMPLE_NAME = re.compile(r"\b(?:%s)\b" % "|".join(prompts.EXAMPLE_NAMES))


def _words(text: str) -> list[str]:
    return [w.lower() for w in WORD_RE.findall(text)]


def _shingles(words: list[str]) -> set[str]:
    return {" ".join(words[i:i + SHINGLE]) for i in range(len(words) - SHINGLE + 1)}


PROMPT_WORDS = [_words(text.replace("{question}", "")) for text in (
    prompts.SYSTEM_PROMPT, prompts.FACT_INSTRUCTIONS, prompts.LIST_INSTRUCTIONS, prompts.COMPARE_INSTRUCTIONS)]
PROMPT_SHINGLES = set().union(*(_shingles(words) for words in PROMPT_WORDS))
PROMPT_TEXT = " | ".join(" ".join(words) for words in PROMPT_WORDS)


def unframed(text: str) -> str:
    """The reply without the lines that echo the question, without "Answer:" labels and without the prompt's
    placeholders ("[n]", a line opening on the colon after a name left out)."""
    return "\n".join(LEADING_COLON.sub(r"\1", PLACEHOLDER_MARKER.sub("", ANSWER_LABEL.sub("", line)))
                     for line in text.splitlines() if not ECHOED_QUESTION.match(line))


def with_source_names(text: str, names: dict[int, str]) -> str:
    """The reply with the worked example's paper names ("ModelA: ModelA uses reflection [4].") replaced, line by
    line, by the name of the source the line cites first."""
    lines = []
    for line in text.splitlines():
        cited = re.search(r"\[(\d+)", line)  # the first marker, whole or of a group ("[4]", "[4, 2]")
        if cited and (name := names.get(int(cited.group(1)))):
            line = EXAMPLE_NAME.sub(lambda _: name, line)  # a name is put in as it is, backslashes too
        lines.append(line)
    return "\n".join(lines)


def leaks_prompt(sentence: str) -> bool:
    """True when a sentence repeats six or more words of the prompt in a row (its rules or its worked example), or
    is a shorter piece of it ("Use only the sources.")."""
    words = _words(sentence)
    if len(words) < SHINGLE:
        return bool(words) and f" {' '.join(words)} " in f" {PROMPT_TEXT} "
    return not _shingles(words).isdisjoint(PROMPT_SHINGLES)


def restates(sentence: str, question: str, names: Iterable[str]) -> bool:
    """True when a sentence says nothing beyond the question's words and the names of the papers it is about
    ("ReSearch [1]." for "Which abilities emerged in ReSearch?")."""
    said = stems(sentence) - stems(question) - stems(" ".join(names))
    return not said
