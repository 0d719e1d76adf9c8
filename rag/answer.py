"""The answer engine: rewrite follow-ups, retrieve, refuse or answer, verify citations, stream."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator, Sequence

from llama_index.core.base.response.schema import Response
from llama_index.core.query_engine import CustomQueryEngine
from llama_index.core.schema import NodeWithScore, TextNode
from pydantic import ConfigDict, Field

from rag import prompts
from rag.cite import SentenceBank, render, verify
from rag.collection import CollectionQuery, parse_collection_query, passage_for
from rag.errors import LLMError
from rag.extractive import extractive_answer
from rag.index import PaperIndex
from rag.llm import build_llm, complete, explain, stream_chat
from rag.retrieve import retrieve
from rag.text import split_sentences
from rag.types import Answer, AnswerSentence, Citation, Hit, Paper
from rag.validate import check_question

REFERS_BACK = re.compile(r"\b(it|its|they|them|their|this|that|these|those|the (?:paper|method|approach|model|"
                         r"framework|work|authors|system|technique|dataset|benchmark|study|papers|methods))\b",
                         re.IGNORECASE)
LLM_REFUSAL = re.compile(r"(do(es)? not|don't|doesn't) (cover|mention|contain|provide|address|discuss)|"
                         r"not covered|cannot answer|can't answer|no information", re.IGNORECASE)
ASKS_FOR_SEVERAL = re.compile(r"\b(papers|works|studies|articles|methods|approaches|techniques|frameworks|"
                              r"systems|benchmarks|datasets|surveys|compare|comparison|differ|versus|both|each)\b",
                              re.IGNORECASE)
EXTRACTIVE_MARGIN = 0.1
Event = str | Answer


class AnswerEngine(CustomQueryEngine):
    """A LlamaIndex query engine over the hybrid retriever; `stream` and `chat` keep the conversation."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    index: PaperIndex
    llm: object | None = None
    bank: SentenceBank | None = Field(default=None, exclude=True)

    @classmethod
    def build(cls, index: PaperIndex) -> AnswerEngine:
        """The engine with the configured LLM, or the extractive default when none is configured."""
        llm = build_llm(index.settings) if index.settings.llm_enabled else None
        return cls(index=index, llm=llm, bank=SentenceBank(index))

    @property
    def backend(self) -> str:
        """"llm" or "extractive"."""
        return "llm" if self.llm else "extractive"

    def custom_query(self, query_str: str) -> Response:
        """LlamaIndex's entry point: the answer with its cited passages as source nodes."""
        answer = self.ask(query_str)
        nodes = [NodeWithScore(node=TextNode(text=c.text, metadata={"paper_id": c.paper_id, "n": c.n}),
                               score=c.support) for c in answer.citations]
        return Response(response=answer.answer, source_nodes=nodes, metadata={"answer": answer})

    def ask(self, question: str, history: Sequence[Answer] = (), paper_ids: list[str] | None = None) -> Answer:
        """The whole answer at once."""
        *_, answer = self.stream(question, history, paper_ids)
        return answer

    def stream(self, question: str, history: Sequence[Answer] = (), paper_ids: list[str] | None = None
               ) -> Iterator[Event]:
        """Yield text as it is written, then the final Answer (always the last item)."""
        started = time.perf_counter()
        question = check_question(question, self.index.settings)
        standalone = self.standalone(question, history)
        base = Answer(question=question, standalone_question=standalone, answer="", backend=self.backend,
                      model=self.index.settings.llm_model if self.llm else None)
        timings = base.timings_ms  # shared by the copies made below
        collection = parse_collection_query(standalone, list(self.index.papers.values()))
        if collection and paper_ids:
            collection.papers = [p for p in collection.papers if p.paper_id in paper_ids]
        hits: list[Hit] = []
        if collection is None or collection.topical:  # a topic within metadata filters: search those papers
            paper_ids = [p.paper_id for p in collection.papers] if collection else paper_ids
            hits = retrieve(self.index, standalone, paper_ids=paper_ids) if paper_ids != [] else []
        timings["retrieve"] = _ms(started)
        relevant = bool(hits) and max(h.relevance for h in hits) >= self.index.settings.min_relevance
        if collection and not relevant:
            answer = self._collection_answer(base, collection)
            yield answer.answer
            yield _finish(answer, started)
            return
        if not relevant:
            yield prompts.REFUSAL
            yield _finish(base.model_copy(update={"answer": prompts.REFUSAL, "abstained": True,
                                                  "uncited_sources": []}), started)
            return
        generated = time.perf_counter()
        answer = (yield from self._llm_answer(base, standalone, hits)) if self.llm else None
        if answer is None:
            answer = self._extractive(base, standalone, hits)
            yield answer.answer
        timings["generate"] = _ms(generated)
        yield _finish(answer, started)

    def warm_up(self, max_papers: int = 2000) -> None:
        """Load the models and embed the sentences of up to `max_papers` papers, so first answers are fast."""
        for paper in list(self.index.papers.values())[:max_papers]:
            self.bank.vectors(paper)
        self.index.bm25.search("warm up", 1)

    def standalone(self, question: str, history: Sequence[Answer]) -> str:
        """The question rewritten to stand alone, only when it refers back to the conversation."""
        if not history or not REFERS_BACK.search(question):
            return question
        topic = _topic(history[-1], self.index.papers)
        if self.llm:
            lines = [f"User: {a.question}\nAssistant: {a.answer[:300]}" for a in history[-3:]]
            try:
                rewritten = complete(self.llm, "You rewrite follow-up questions.",
                                     prompts.CONDENSE_PROMPT.format(history="\n".join(lines), question=question),
                                     self.index.settings).strip().splitlines()
            except LLMError:
                rewritten = []
            if rewritten and len(rewritten[0]) <= 300 and (topic or "").lower() in rewritten[0].lower():
                return rewritten[0].strip().strip('"')
        return substitute_topic(question, topic, history[-1].standalone_question)

    def _llm_answer(self, base: Answer, question: str, hits: list[Hit]) -> Iterator[Event]:
        """Stream the LLM's answer and verify it; None (with a notice kept) when the LLM fails."""
        sources = "\n\n".join(prompts.SOURCE_TEMPLATE.format(n=n, title=h.paper.title, year=h.paper.year or "n.d.",
                                                             text=h.text)
                              for n, h in enumerate(hits, start=1))
        parts: list[str] = []
        try:
            for delta in stream_chat(self.llm, prompts.SYSTEM_PROMPT,
                                     prompts.QUESTION_PROMPT.format(sources=sources, question=question),
                                     self.index.settings):
                parts.append(delta)
                yield delta
        except LLMError as error:
            base.notice = f"{explain(error, self.index.settings)} Showing the extractive answer instead."
            base.backend, base.model = "extractive", None
            if parts:
                yield "\n\n"
            return None
        text = "".join(parts).strip()
        if not text or LLM_REFUSAL.search(text) and len(split_sentences(text)) <= 2:
            return base.model_copy(update={"answer": prompts.REFUSAL, "abstained": True})
        sentences, passages = verify(text, [h.paper for h in hits], self.bank)
        sentences = [s for s in sentences if not leaks_prompt(s.text)]
        return _cited(base, render(sentences), sentences, passages, hits)

    def _extractive(self, base: Answer, question: str, hits: list[Hit]) -> Answer:
        settings = self.index.settings
        margin = EXTRACTIVE_MARGIN if ASKS_FOR_SEVERAL.search(question) else 0.0
        sentences, passages = extractive_answer(question, hits, self.bank, settings.extractive_sentences,
                                                margin, settings.min_relevance)
        return _cited(base, f"{prompts.EXTRACTIVE_NOTE}\n\n{render(sentences)}", sentences, passages, hits)

    def _collection_answer(self, base: Answer, query: CollectionQuery) -> Answer:
        papers = sorted(query.papers, key=lambda p: (-(p.year or 0), p.title))
        where = "; ".join(query.filters)
        if not papers:
            return base.model_copy(update={"answer": f"No paper in this collection matches ({where}).",
                                           "abstained": True, "backend": "collection", "model": None})
        lines = [f"{len(papers)} paper{'s' * (len(papers) != 1)} in this collection match ({where}):"]
        citations = []
        for n, paper in enumerate(papers, start=1):
            details = ", ".join(x for x in (str(paper.year or ""), paper.venue or "") if x)
            link = f" code: {paper.code_urls[0]}" if query.code and paper.code_urls else ""
            lines.append(f"- {paper.title} ({details}){link} [{n}]")
            citations.append(_citation(n, paper, passage_for(paper, query.code), 1.0))
        return base.model_copy(update={"answer": "\n".join(lines), "citations": citations,
                                       "backend": "collection", "model": None})


def _cited(base: Answer, text: str, sentences: list[AnswerSentence], passages: dict[int, str],
           hits: list[Hit]) -> Answer:
    """The answer with its citations (cited sources) and the retrieved sources it did not cite."""
    support: dict[int, float] = {}
    for sentence in sentences:
        for n in sentence.cites:
            support[n] = max(support.get(n, 0.0), sentence.support)
    citations = [_citation(n, hits[n - 1].paper, passages.get(n, hits[n - 1].text), support[n])
                 for n in sorted(support)]
    uncited = [_citation(n, h.paper, h.text, 0.0) for n, h in enumerate(hits, start=1) if n not in support]
    return base.model_copy(update={"answer": text, "sentences": sentences, "citations": citations,
                                   "uncited_sources": uncited})


def _citation(n: int, paper: Paper, text: str, support: float) -> Citation:
    return Citation(n=n, paper_id=paper.paper_id, title=paper.title, year=paper.year, text=text,
                    sources=paper.sources, url=paper.url, support=support)


def _finish(answer: Answer, started: float) -> Answer:
    answer.timings_ms["total"] = _ms(started)
    answer.timings_ms.setdefault("retrieve", 0.0)
    answer.timings_ms.setdefault("generate", 0.0)
    return answer


def _ms(since: float) -> float:
    return round((time.perf_counter() - since) * 1000, 1)


def _topic(previous: Answer, papers: dict[str, Paper]) -> str | None:
    """What the previous turn was about: the papers it cited, if it cited any."""
    names = [papers[c.paper_id].short_name or c.title for c in previous.citations[:2] if c.paper_id in papers]
    return " and ".join(names) or None


def substitute_topic(question: str, topic: str | None, previous: str) -> str:
    """Put the topic in place of the first word that refers back ("How is it trained?" -> "How is X trained?").

    Without a topic the previous question is kept in front, so retrieval still sees what "it" was.
    """
    if topic is None:
        return f"{previous.rstrip('?')}: {question}"

    def replace(match: re.Match) -> str:
        word = match.group(0).lower()
        return f"{topic}'s" if word in ("its", "their") else topic

    return REFERS_BACK.sub(replace, question, count=1)


PROMPT_SHINGLES = {" ".join(w) for w in zip(*(prompts.SYSTEM_PROMPT.lower().split()[i:] for i in range(6)))}


def leaks_prompt(sentence: str) -> bool:
    """True when a sentence repeats six or more words of the system prompt in a row."""
    words = sentence.lower().split()
    return any(" ".join(words[i:i + 6]) in PROMPT_SHINGLES for i in range(len(words) - 5))
