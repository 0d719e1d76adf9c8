"""Checks on what a user types before any work is done."""

from __future__ import annotations

from rag.errors import QuestionError
from rag.settings import Settings


def check_question(question: str | None, settings: Settings) -> str:
    """The question with surrounding white space removed; empty or over-long ones are refused."""
    text = " ".join((question or "").split())
    if not text:
        raise QuestionError("The question is empty: type a question about the papers.")
    if len(text) > settings.max_question_chars:
        raise QuestionError(f"The question is {len(text)} characters long; the limit is "
                            f"{settings.max_question_chars} (RAG_MAX_QUESTION_CHARS). Ask something shorter.")
    return text
