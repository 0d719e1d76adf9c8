"""What programs ask of the collection (the web API and MCP): the engine's answers in the `--json` shapes,
with recent conversations kept by id so a follow-up can send just the id."""

from __future__ import annotations

import threading
import uuid
from collections import OrderedDict
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from pydantic import ValidationError

from rag.answer import AnswerEngine
from rag.bibtex import answer_bibtex, papers_bibtex
from rag.errors import NotFoundError, RequestError
from rag.retrieve import retrieve
from rag.serialize import newest_first, paper_json, search_json
from rag.types import Answer, Paper
from rag.validate import check_question

MAX_CONVERSATIONS = 1000
MAX_TURNS = 20  # follow-ups resolve against the last turns only
MAX_RESULTS = 50


class Conversations:
    """The most recently used conversations by id; the least recently used is forgotten first."""

    def __init__(self, limit: int = MAX_CONVERSATIONS, turns: int = MAX_TURNS):
        self.limit, self.turns = limit, turns
        self._kept: OrderedDict[str, list[Answer]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, conversation_id: str) -> list[Answer]:
        """The turns of a conversation, oldest first."""
        with self._lock:
            if conversation_id not in self._kept:
                raise NotFoundError(f"Unknown conversation_id {conversation_id!r}: it expired or was never "
                                    "started. Ask without conversation_id to start a new conversation.")
            self._kept.move_to_end(conversation_id)
            return list(self._kept[conversation_id])

    def save(self, conversation_id: str | None, turns: list[Answer]) -> str:
        """Keep the conversation's last turns under its id (a new id when None); return the id."""
        conversation_id = conversation_id or uuid.uuid4().hex
        with self._lock:
            self._kept[conversation_id] = turns[-self.turns:]
            self._kept.move_to_end(conversation_id)
            while len(self._kept) > self.limit:
                self._kept.popitem(last=False)
        return conversation_id


class CollectionAPI:
    """The operations of the web API and the MCP server over one shared engine."""

    def __init__(self, engine: AnswerEngine, conversations: Conversations | None = None):
        self.engine = engine
        self.conversations = conversations or Conversations()

    @property
    def papers(self) -> Mapping[str, Paper]:
        """The indexed papers by id."""
        return self.engine.index.papers

    def ask(self, question: str, history: Sequence[Mapping | Answer] | None = None,
            conversation_id: str | None = None, paper_ids: Sequence[str] | None = None,
            bibtex: bool = False) -> dict[str, Any]:
        """A cited answer as `rag ask --json [--bibtex]` prints it, plus the `conversation_id` a follow-up can
        send."""
        *_, last = self.ask_stream(question, history, conversation_id, paper_ids, bibtex)
        return last["answer"]

    def ask_stream(self, question: str, history: Sequence[Mapping | Answer] | None = None,
                   conversation_id: str | None = None, paper_ids: Sequence[str] | None = None,
                   bibtex: bool = False) -> Iterator[dict[str, Any]]:
        """{"type": "text", "text": the answer so far} while it is written, then {"type": "answer", "answer": ...}
        with what `ask` returns."""
        turns = self._turns(history, conversation_id)
        limit = self._paper_ids(paper_ids)
        text = ""
        for event in self.engine.stream(question, turns, limit):
            if isinstance(event, Answer):
                kept = self.conversations.save(conversation_id, [*turns, event])
                extra = {"bibtex": answer_bibtex(event, self.papers)} if bibtex else {}
                yield {"type": "answer", "answer": event.public_json() | extra | {"conversation_id": kept}}
            else:
                text += event
                yield {"type": "text", "text": text}

    def search(self, question: str, k: int | None = None) -> dict[str, Any]:
        """The papers that best match a question, as `rag search --json` prints them."""
        if k is not None and not 1 <= k <= MAX_RESULTS:
            raise RequestError(f"k must be between 1 and {MAX_RESULTS}, got {k}.")
        index = self.engine.index
        return search_json(question, retrieve(index, check_question(question, index.settings), k))

    def list_papers(self) -> list[dict[str, Any]]:
        """Every paper, newest first, as `rag papers --json` prints them."""
        return [paper_json(p) for p in newest_first(self.papers.values())]

    def get_paper(self, paper_id: str) -> dict[str, Any]:
        """One paper by id, as in `list_papers`."""
        return paper_json(self._paper(paper_id))

    def bibtex(self, paper_ids: Sequence[str] | None = None) -> str:
        """BibTeX entries for the papers (every paper, newest first, when none are given)."""
        chosen = [self._paper(i) for i in paper_ids] if paper_ids else newest_first(self.papers.values())
        return papers_bibtex(chosen)

    def _paper(self, paper_id: str) -> Paper:
        papers = self.papers
        if paper_id not in papers:
            raise NotFoundError(f"No paper has the id {paper_id!r}; the ids are in the list of papers.")
        return papers[paper_id]

    def _paper_ids(self, paper_ids: Sequence[str] | None) -> list[str] | None:
        """The ids to limit an answer to (None for all papers); unknown ids are an error."""
        if not paper_ids:
            return None
        unknown = [i for i in paper_ids if i not in self.papers]
        if unknown:
            raise NotFoundError(f"Unknown paper ids: {', '.join(map(repr, unknown))}; the ids are in the list "
                                "of papers.")
        return list(paper_ids)

    def _turns(self, history: Sequence[Mapping | Answer] | None, conversation_id: str | None) -> list[Answer]:
        """The earlier turns: sent as answers (what `ask` returned), or kept under the conversation id."""
        if history and conversation_id:
            raise RequestError("Send either history or conversation_id, not both.")
        if conversation_id:
            return self.conversations.get(conversation_id)
        turns = []
        for n, turn in enumerate(history or []):
            try:
                turns.append(turn if isinstance(turn, Answer) else Answer.model_validate(turn))
            except ValidationError as error:
                problem = error.errors()[0]
                where = ".".join(map(str, problem["loc"])) or "the item"
                raise RequestError(f"history[{n}] is not an answer as ask returns it: {problem['msg']} "
                                   f"({where}).") from None
        return turns
