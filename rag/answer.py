"""The answer engine: plan the question, retrieve, then answer in the shape the plan asks for, verified."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace

from llama_index.core.base.response.schema import Response
from llama_index.core.query_engine import CustomQueryEngine
from llama_index.core.schema import NodeWithScore, TextNode
from pydantic import ConfigDict, Field

from rag import prompts
from rag.cite import SentenceBank, render, verify
from rag.collection import CollectionQuery, code_promise, passage_for
from rag.errors import LLMError
from rag.extractive import (LIST_FLOOR, NAMED_ANSWER, SELECT_MARGIN, Quote, Scorer, carries, chosen_members,
                            introduction, list_members, values)
from rag.index import PaperIndex
from rag.intent import (METADATA_WANTS, PAPERS_NOUN, Kind, QueryPlan, Wants, about_previous, acronyms_of,
                        is_described, mentions_terms, papers_wanted, plan_question, starts_anew, title_described,
                        topic_of)
from rag.llm import build_llm, complete, explain, stream_chat
from rag.multilingual import lead_features, stands_out
from rag.names import display_name, names_of
from rag.reply import leaks_prompt, restates, unframed, with_source_names
from rag.retrieve import best_coverage, retrieve, topic_coverage
from rag.text import split_sentences, stems
from rag.types import Answer, AnswerSentence, Citation, Hit, Paper
from rag.validate import check_question

LLM_DECLINE = re.compile(r"(do(es)? not|don't|doesn't|did not) (cover|mention|contain|provide|address|discuss|state|"
                         r"say|specify)|not (covered|mentioned|stated|provided)|cannot answer|can't answer|"
                         r"no information|not enough information|unable to answer", re.IGNORECASE)
LIST_TOP_K = 12
DESCRIBED_TOP_K = 5  # papers a described side of a comparison is chosen among
DESCRIBED_COVERAGE = 0.5  # share of a description's rare words a paper it fits has
WORDS_DECIDE_TOP_K = 36  # papers read by a list whose members their words decide, not rank ("which papers
# introduce a dataset?", "which papers report a percentage?")
WRITTEN_AS_CHUNKS = 20  # chunks read to see whether an acronym a question's words spell is written as one
MAX_LISTED = 100  # papers listed by a collection answer; the count covers them all
PAPER_KINDS = stems("dataset benchmark survey toolkit")
PAPER_WORDS = stems("paper work study article one")  # words for any paper, which no title needs to have
COVERAGE_TIE = 0.1  # shares of a description's rare words this close count as equal: the more relevant paper wins
# An English question that names nothing is answered when, for the one of its three most relevant papers that has
# most of its rare words (under the reading of an "or" it meets best), w . (relevance, share of those words, topic
# size / 12, best sentence's score, is a list) + b >= ANSWERABLE_BAR: a logistic fit (odds 0.15) on 313 development
# questions (64 off the collection's topics); held out file by file, it refused 0.84 of those and 0.007 of the
# answerable ones.
ANSWERABLE_WEIGHTS = (4.58, 6.83, 7.6, 7.26, 1.93)
ANSWERABLE_BIAS = -13.18
ANSWERABLE_BAR = -1.73
SAID_SHARE = 0.5  # share of a quoted sentence's words an LLM answer must use to count as saying it (with its
# figures and names)
FOLLOW_UP_SHARE = 0.5  # share of the relevance bar the last answer's papers need for a topic-less follow-up
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

    def plan(self, question: str, history: Sequence[Answer] = ()) -> QueryPlan:
        """The question's plan; with an LLM a follow-up is condensed by it when the rewrite keeps its papers."""
        index = self.index
        plan = plan_question(question, history, index.papers, index.names)
        if plan.kind == Kind.LIST and plan.language == "en":  # "Monte Carlo tree search": papers saying "MCTS" too
            known = [a for a, words in acronyms_of(plan.standalone).items()
                     if a not in plan.terms and self._written_as(a, words)]
            if known:
                plan.terms += known
                plan.standalone = f"{plan.standalone} ({', '.join(known)})"
            plan.terms += [w for w in dict.fromkeys(re.findall(r"(?<=\s)[A-Z][a-z]+\b", plan.standalone))
                           if w not in plan.terms and self._written_as(w, w, versioned=True)]  # "Llama" (Llama-3.1)
        if plan.leave_out:  # "aside from the escape room benchmark": the papers the description fits
            plan.exclude += self._described_papers(plan.leave_out)
        if plan.collection and plan.collection.promised:  # "whose code is only promised?": as their abstracts say
            plan.collection.papers = [p for p in plan.collection.papers if code_promise(index.papers[p.paper_id])]
        if plan.exclude and plan.collection:  # "is there another survey?": not the one just discussed
            plan.collection.papers = [p for p in plan.collection.papers if p.paper_id not in plan.exclude]
        if self.llm and plan.referred:
            plan.standalone = self._condense(plan, history) or plan.standalone
        return plan

    def _described_papers(self, description: str) -> list[str]:
        """The papers a description fits: of those relevant to it with most of its rare words, the best one, or every
        one when it describes several ("the ones about games")."""
        topic = topic_of(description)
        floor = self.index.settings.min_relevance * LIST_FLOOR
        fits = [h.paper.paper_id for h in retrieve(self.index, description, LIST_TOP_K)
                if h.relevance >= floor and topic_coverage(self.index, topic, h.paper) >= DESCRIBED_COVERAGE]
        return fits if PAPERS_NOUN.search(description) or re.search(r"\bones\b", description) else fits[:1]

    def _written_as(self, name: str, words: str, versioned: bool = False) -> bool:
        """Whether a chunk among those BM25 finds for the name writes it so: an acronym in capitals beside the words it
        stands for ("Monte Carlo tree search (MCTS)", not "SFT" for "several facts together"), or, `versioned`, a
        word as the name of a version ("Llama" in "Llama-3.1")."""
        chunk_ids = [chunk_id for chunk_id, _, _ in self.index.bm25.search(name, WRITTEN_AS_CHUNKS)]
        texts = self.index.catalog.chunk_texts(chunk_ids) if chunk_ids else {}
        written = rf"\b{name}-?\d" if versioned else rf"\b{name}s?\b"
        return any(re.search(written, text) and stems(words) <= stems(text.replace("-", " ")) for text in texts.values())

    def stream(self, question: str, history: Sequence[Answer] = (), paper_ids: list[str] | None = None
               ) -> Iterator[Event]:
        """Yield text as it is written, then the final Answer (always the last item)."""
        started = time.perf_counter()
        question = check_question(question, self.index.settings)
        plan = self.plan(question, history)
        if plan.select and not plan.several and plan.wants not in METADATA_WANTS and (
                chosen := self._outside_choice(plan, paper_ids)):  # "which of them is the escape room one?"
            plan = replace(plan, kind=Kind.FACT, referred=[chosen], named=[], select=False, none_of=plan.referred,
                           standalone=f"{plan.question} ({display_name(self.index.papers[chosen])})")
        base = Answer(question=question, standalone_question=plan.standalone, answer="", backend=self.backend,
                      model=self.index.settings.llm_model if self.llm else None)
        timings = base.timings_ms  # shared by the copies made below
        collection = plan.collection
        if collection and paper_ids:
            collection.papers = [p for p in collection.papers if p.paper_id in paper_ids]
        if plan.compared:  # "compare the survey of X and the Y method": one paper per description
            named = self._find_compared(plan, paper_ids)
            plan = replace(plan, named=named, kind=Kind.COMPARE if len(named) >= 2 else Kind.FACT)
        hits = [] if plan.kind == Kind.COLLECTION else self._retrieve(plan, paper_ids)
        timings["retrieve"] = _ms(started)
        scorer = Scorer(plan, self.bank)  # embeds the question on first use only
        relevant = self._relevant(plan, hits, scorer)
        if not relevant and not plan.exclude and (follow_up := self._about_previous(plan, history)):
            plan, hits = follow_up, self._retrieve(follow_up, paper_ids)  # no answer alone: about the last papers
            scorer = Scorer(plan, self.bank)
            base.standalone_question, relevant = plan.standalone, bool(hits)
        generated = time.perf_counter()
        if collection and (plan.kind == Kind.COLLECTION or not relevant and collection.selective):
            answer = collection_answer(base, collection, self.index.papers, plan.order)
        elif not relevant:
            answer = base.model_copy(update={"answer": self._refusal(plan), "abstained": True, "shape": "refusal",
                                             "focus": closest(plan, hits) if starts_anew(question, history)
                                             and not plan.referred else []})
        elif (records := _records_asked(plan)) and plan.kind != Kind.LIST:
            about = plan.papers or [self._fact_source(plan, hits)[1].paper_id]
            answer = metadata_answer(base, records, about, hits)
        else:
            answer = yield from self._answer(base, plan, hits, scorer)
            timings["generate"] = _ms(generated)
            yield _finish(answer, started)
            return
        yield answer.answer
        yield _finish(answer, started)

    def _about_previous(self, plan: QueryPlan, history: Sequence[Answer]) -> QueryPlan | None:
        """The question as a follow-up on the last answer's papers, when it touches them at least loosely and brings
        in no topic the papers have no words for."""
        follow_up = about_previous(plan, history, self.index.papers)
        if follow_up is None:
            return None
        foreign = [w for w in plan.topic if not w.isdigit() and not self.index.bm25.df(w)]
        if len(foreign) >= 2:  # "what's the carbon footprint?": words of no paper, a new topic
            return None
        own = retrieve(self.index, plan.standalone, len(follow_up.referred), paper_ids=follow_up.referred)
        loose = self.index.settings.min_relevance * FOLLOW_UP_SHARE
        return follow_up if own and max(h.relevance for h in own) >= loose else None

    def _relevant(self, plan: QueryPlan, hits: list[Hit], scorer: Scorer) -> bool:
        """Whether the hits can answer: a paper the question is about is among them, or the best one is relevant
        enough and (in English) answerable; a question in another language about one paper must also find it clearly
        ahead of the rest."""
        if any(h.paper.paper_id in plan.papers for h in hits):
            return True
        if plan.kind == Kind.LIST and plan.terms and any(mentions_terms(plan, h.paper) for h in hits):
            return True  # "Which papers involve GPT-4o?": a paper names the very thing asked about
        if plan.introduces and any(introduction(h.paper) for h in hits):
            return True  # "Which papers introduce a new benchmark?": a paper introduces one
        if plan.kind == Kind.LIST and plan.wants == Wants.PERCENT and any(scorer.reports(h.paper) for h in hits):
            return True  # "Which papers report a percentage result?": a paper reports one
        best = max(hits, key=lambda h: h.relevance, default=None)
        if best is None or best.relevance < self._relevance_bar(plan):
            return False
        if _gated(plan) and not self._answerable(plan, hits, scorer):
            return False
        if self._mode(plan) != "multilingual" or plan.kind != Kind.FACT:
            return True
        return stands_out(self.stands_out_features(hits, scorer))

    def _relevance_bar(self, plan: QueryPlan) -> float:
        """The relevance the best paper needs; lower for an English list (its wording is general) and for a paper
        described against the last one (it is presumed to exist)."""
        loose = _gated(plan) and plan.kind == Kind.LIST or plan.another
        return self.index.settings.min_relevance * (LIST_FLOOR if loose else 1.0)

    def stands_out_features(self, hits: list[Hit], scorer: Scorer) -> tuple[float, float, float]:
        """How far the best paper is ahead, for a question in another language (see `stands_out`)."""
        question = scorer.vectors[0]  # e5's, for a question in another language
        closest = [float((self.bank.vectors(h.paper, multilingual=True) @ question).max()) for h in hits[:3]]
        return lead_features([h.dense for h in hits], closest)

    def _answerable(self, plan: QueryPlan, hits: list[Hit], scorer: Scorer) -> bool:
        """Whether a top paper answers an English question that names nothing, or only resembles it in wording
        ("Which paper proposes speculative decoding?" is close to the papers' words, about none of their topics)."""
        features = self.answerable_features(plan, hits, scorer)
        return sum(w * x for w, x in zip(ANSWERABLE_WEIGHTS, features)) + ANSWERABLE_BIAS >= ANSWERABLE_BAR

    def answerable_features(self, plan: QueryPlan, hits: list[Hit], scorer: Scorer) -> tuple[float, ...]:
        """What answerability is read from, for the top-3 paper with most of the question's rare words: its relevance,
        its share of those words, the topic's size (up to 12 words), its best sentence's score, and whether it is a
        list question."""
        top = sorted(hits, key=lambda h: -h.relevance)[:3]
        coverage = {h.paper.paper_id: best_coverage(self.index, plan.readings, h.paper) for h in top + hits[:5]}
        top += [h for h in hits[:5] if h not in top and coverage[h.paper.paper_id] == 1.0]
        best = max(top, key=lambda h: coverage[h.paper.paper_id])
        return (best.relevance, coverage[best.paper.paper_id], min(len(plan.topic), 12) / 12,
                scorer.rank(best.paper)[0].score, float(plan.kind == Kind.LIST))

    def _answer(self, base: Answer, plan: QueryPlan, hits: list[Hit], scorer: Scorer) -> Iterator[Event]:
        """Stream the answer in the plan's shape: by the LLM when configured and willing, else quoted."""
        answer = None
        if plan.kind == Kind.FACT:
            n, paper = self._fact_source(plan, hits, scorer)
            if not scorer.stated(paper):
                answer = not_stated_answer(base, plan, n, paper, scorer.rank(paper), hits)
        if answer is None and self.llm:
            sources = hits
            if plan.kind == Kind.LIST:  # the candidates only: twelve abstracts overflow a small model's context
                sources = [hits[n - 1] for n in list_members(plan, hits, scorer)] or hits
            answer = yield from self._llm_answer(base, plan, sources)
            if answer is not None:
                completed = self._completed(answer, plan, sources, scorer)
                if completed is not answer:
                    yield completed.answer[len(answer.answer):]
                return completed
        answer = answer or self._extractive(base, plan, hits, scorer)
        yield answer.answer
        return answer

    def _completed(self, answer: Answer, plan: QueryPlan, hits: list[Hit], scorer: Scorer) -> Answer:
        """The LLM's answer with quoted evidence for what it left out: each listed or compared paper it did not cite
        (unless the question picks among them); for a fact, the abstract's answering sentences it does not say
        itself (those giving the figure or name asked for, when one was)."""
        cited_numbers = {n for s in answer.sentences for n in s.cites}
        added: list[AnswerSentence] = []
        if plan.kind == Kind.LIST or plan.kind == Kind.COMPARE and not plan.select:
            quotes = [scorer.best_quote(n, h.paper) if plan.kind == Kind.LIST else scorer.fact_quote(n, h.paper, 2)
                      for n, h in enumerate(hits, start=1) if n not in cited_numbers]
            lines, added = _paper_lines(quotes)
        elif plan.kind == Kind.FACT:  # the abstract's answering sentences the model's words do not already give;
            n, paper = self._fact_source(plan, hits)  # all of them beside an answer in another language
            quoted = scorer.fact_quote(n, paper, self.index.settings.extractive_sentences).answer_sentences()
            said = " ".join(s.text for s in answer.sentences)
            added = [s for s in quoted if plan.language != "en" or not says(said, s.text, display_name(paper))]
            if plan.wants in NAMED_ANSWER:  # a figure or a name asked for: the sentences giving one
                added = [s for s in added if carries(plan.wants, s.text)] or added
            lines = [f"{display_name(paper)}: {render(added)}"]
        if not added:
            return answer
        passages = {c.n: c.text for c in answer.citations} | {s.cites[0]: s.text for s in added}
        text = "\n".join([answer.answer, "", prompts.ALSO_QUOTED, *lines])
        return cited(answer, text, answer.sentences + added, passages, hits, shape=answer.shape,
                     focus=list(dict.fromkeys(answer.focus + [hits[s.cites[0] - 1].paper.paper_id for s in added])))

    def _extractive(self, base: Answer, plan: QueryPlan, hits: list[Hit], scorer: Scorer) -> Answer:
        if plan.kind == Kind.LIST:
            members = list_members(plan, hits, scorer)
            if plan.exclude:  # "any other paper on this?": those that belong as well as the papers set aside
                aside = retrieve(self.index, plan.standalone, len(plan.exclude), paper_ids=plan.exclude)
                members = [n - len(aside) for n in list_members(plan, aside + hits, scorer) if n > len(aside)]
            if not members:
                return base.model_copy(update={"answer": self._refusal(plan), "abstained": True, "shape": "refusal"})
            members = sorted(members, key=lambda n: sort_key(hits[n - 1].paper, plan.order)) if plan.order else members
            note = _note(plan) + ("\n" + prompts.NONE_OF.format(names=names_of(plan.none_of, self.index.papers),
                                                                terms=" and ".join(plan.terms)) if plan.none_of else "")
            return list_answer(base, [scorer.best_quote(n, hits[n - 1].paper) for n in members], hits, note,
                               besides=names_of(plan.exclude, self.index.papers) if plan.exclude else "")
        if plan.kind == Kind.COMPARE:
            quotes = [scorer.fact_quote(n, h.paper, 2) for n, h in enumerate(hits, start=1)]
            several = chosen_members(replace(plan, topic=topic_of(plan.aspect)), hits, scorer) if \
                plan.select and plan.several else []
            if several:  # "which of them are about games?": every one that fits
                quotes = [quotes[n - 1] for n in sorted(several)]
            elif plan.select:  # "which of them ...": the ones that fit best (that name what is asked, when some do;
                # that have most of the rare words asked about: "Avalon" in "Which of the two is tested on Avalon?")
                quotes = [q for q in quotes if mentions_terms(plan, q.paper)] or quotes
                if plan.introduces:  # "which of the two released a dataset?": the one whose abstract introduces one
                    quotes = [q for q in quotes if introduction(q.paper)] or quotes
                kind = stems(plan.aspect) & PAPER_KINDS  # "which of them is a dataset?": the one titled so
                quotes = [q for q in quotes if kind & stems(q.paper.title)] or quotes
                coverage = {q.n: topic_coverage(self.index, topic_of(plan.aspect), q.paper) for q in quotes}
                quotes = [q for q in quotes if coverage[q.n] == max(coverage.values())]
                top = max(q.score for q in quotes)
                quotes = [q for q in quotes if q.score >= top - SELECT_MARGIN]
            return compare_answer(base, quotes, hits, _note(plan))
        n, paper = self._fact_source(plan, hits, scorer)
        quote = scorer.fact_quote(n, paper, self.index.settings.extractive_sentences)
        sentences = quote.answer_sentences()
        lines = [_note(plan), "", f"{display_name(paper)}: {render(sentences)}"]
        if plan.none_of:  # "which of them is the escape room one?" when none of them is
            lines[1:1] = ["", prompts.NOT_AMONG.format(names=names_of(plan.none_of, self.index.papers),
                                                       name=display_name(paper))]
        lines += [f"{fact} [{n}]" for wants in dict.fromkeys(w for _, w in plan.parts if w in METADATA_WANTS)
                  if (fact := _metadata_fact(wants, paper))]
        return cited(base, "\n".join(lines), sentences, {n: quote.sentences[0].text}, hits, shape="fact",
                     focus=[paper.paper_id])

    def _refusal(self, plan: QueryPlan) -> str:
        """What to say when no paper answers: that none mentions the terms asked about, or none besides the papers
        set aside ("any other paper on this?"), else that the collection does not cover it."""
        besides = prompts.BESIDES_NAMES.format(names=names_of(plan.exclude, self.index.papers)) if plan.exclude else ""
        if plan.terms and plan.kind == Kind.LIST:
            return prompts.NONE_MENTION.format(besides=besides, terms=" and ".join(plan.terms))
        return prompts.NONE_BESIDES.format(besides=besides) if besides else prompts.REFUSAL

    def _fact_source(self, plan: QueryPlan, hits: list[Hit], scorer: Scorer | None = None) -> tuple[int, Paper]:
        """The source a fact question is about: the paper it names or refers to (of several, the one that states
        the answer best, when a `scorer` says), else the best-ranked relevant one."""
        floor = min(self._relevance_bar(plan), max(h.relevance for h in hits))
        wanted = [n for n, h in enumerate(hits, start=1) if h.paper.paper_id in plan.papers]
        if scorer and len(wanted) > 1:  # "what rank did the competition entry get?" after two papers
            wanted.sort(key=lambda n: (not scorer.stated(hits[n - 1].paper), -scorer.rank(hits[n - 1].paper)[0].score))
        relevant = [n for n, h in enumerate(hits, start=1) if h.relevance >= floor]
        titled = None if wanted else title_described(plan.standalone, [hits[n - 1].paper for n in relevant])
        if titled is not None:  # "the self-updatable LLM paper": the one titled so
            relevant.insert(0, relevant.pop(titled))
        n = next(iter(wanted), None) or next(
            (n for n in relevant if mentions_terms(plan, hits[n - 1].paper)), relevant[0])
        return n, hits[n - 1].paper

    def _retrieve(self, plan: QueryPlan, paper_ids: list[str] | None) -> list[Hit]:
        """Hits for the plan: its own papers in its order when it compares or refers back, more for lists."""
        settings = self.index.settings
        if plan.collection and plan.collection.topical:  # a topic within metadata filters: search those papers
            paper_ids = [p.paper_id for p in plan.collection.papers]
            if not paper_ids:
                return []
        if plan.referred or plan.kind == Kind.COMPARE:
            own = [p for p in plan.papers if not paper_ids or p in paper_ids]
            hits = retrieve(self.index, plan.standalone, max(len(own), 1), mode=self._mode(plan),
                            paper_ids=own) if own else []
            order = {p: i for i, p in enumerate(own)}
            return sorted(hits, key=lambda h: order.get(h.paper.paper_id, len(order)))
        if plan.introduces or plan.kind == Kind.LIST and (plan.wants == Wants.PERCENT or plan.terms or plan.mentioned):
            top_k = WORDS_DECIDE_TOP_K  # "which abstracts mention AGI?": a paper may only spell it out
        else:
            top_k = max(settings.top_k, LIST_TOP_K) if plan.kind == Kind.LIST else settings.top_k
        query = plan.collection and plan.collection.topic or plan.standalone
        hits = retrieve(self.index, query, top_k + len(plan.exclude), mode=self._mode(plan), paper_ids=paper_ids)
        return [h for h in hits if h.paper.paper_id not in plan.exclude][:top_k]

    def _outside_choice(self, plan: QueryPlan, paper_ids: list[str] | None) -> str | None:
        """The paper a "which of them ...?" is about when none of the earlier papers fits it and another paper of the
        collection clearly does: it has more of the asked words and is more relevant to them."""
        topic = topic_of(plan.aspect)
        best = retrieve(self.index, plan.aspect, 1, paper_ids=paper_ids)
        if not topic or not best or best[0].paper.paper_id in plan.referred or \
                best[0].relevance < self.index.settings.min_relevance:
            return None
        earlier = retrieve(self.index, plan.aspect, len(plan.referred), paper_ids=plan.referred)
        covered = max((topic_coverage(self.index, topic, h.paper) for h in earlier), default=0.0)
        fits = topic_coverage(self.index, topic, best[0].paper) > covered
        ahead = best[0].relevance > max((h.relevance for h in earlier), default=0.0)
        return best[0].paper.paper_id if fits and ahead else None

    def _mode(self, plan: QueryPlan) -> str:
        """Questions not in English go to the multilingual retriever when it is on."""
        return "multilingual" if plan.language != "en" and self.index.abstract_vectors is not None else "hybrid"

    def _find_compared(self, plan: QueryPlan, paper_ids: list[str] | None) -> list[str]:
        """The paper each described side of a comparison stands for: the one it names, else its best match; in the
        order the question brings them up ("the SemEval submission, the knowledge washing one, and BiasEdit")."""
        found = list(plan.named)
        at = {p: start for p, (start, _) in self.index.names.find(plan.standalone).items()}
        if plan.group:  # "the two surveys": the papers of that kind, those whose title says it first
            kind = stems(plan.compared[0]) - PAPER_WORDS  # "the two survey papers": titled "Survey"
            hits = [h for h in retrieve(self.index, plan.compared[0], LIST_TOP_K, paper_ids=paper_ids)
                    if h.relevance >= self.index.settings.min_relevance * LIST_FLOOR or kind <= stems(h.paper.title)]
            hits.sort(key=lambda h: not kind <= stems(h.paper.title))
            return [h.paper.paper_id for h in hits[:plan.group]]
        for description in plan.compared:  # of its best matches, the one with most of its rare words, if relevant
            if any(self.index.names.named_in(description)):  # or having most of them ("the activation-signal one")
                continue
            topic = topic_of(description)
            matches = retrieve(self.index, description, DESCRIBED_TOP_K, paper_ids=paper_ids)
            hits = [(topic_coverage(self.index, topic, h.paper), h) for h in matches
                    if h.paper.paper_id not in found or h.paper.paper_id in plan.named]
            hits = [(coverage, h) for coverage, h in hits if h.relevance >= self.index.settings.min_relevance or (
                coverage > 0.5 and is_described(description))]
            most = max((coverage for coverage, _ in hits), default=0.0)
            best = max(((c, h) for c, h in hits if c >= most - COVERAGE_TIE), key=lambda pair: pair[1].relevance,
                       default=None)  # of about equal coverage, the most relevant; a paper the question names is it
            if best and best[1].paper.paper_id not in found:
                found.append(best[1].paper.paper_id)
                if (start := plan.standalone.find(description)) >= 0:
                    at.setdefault(found[-1], start)
        return sorted(found, key=lambda p: at.get(p, len(plan.standalone)))

    def warm_up(self, max_papers: int = 2000, max_multilingual: int = 200) -> None:
        """Load the models and embed the sentences of up to `max_papers` papers (by e5 too, for questions in other
        languages, of the first `max_multilingual`: e5 takes about 0.4 s a paper on 2 cores), so first answers are
        fast."""
        for n, paper in enumerate(self.index.catalog.all_records(max_papers)):
            self.bank.vectors(paper)
            if n < max_multilingual and self.index.abstract_vectors is not None:
                self.bank.vectors(paper, multilingual=True)
        self.index.bm25.search("warm up", 1)

    def _condense(self, plan: QueryPlan, history: Sequence[Answer]) -> str | None:
        """The LLM's standalone rewrite of a follow-up, when it names every paper the plan resolved."""
        names = [display_name(self.index.papers[p]) for p in plan.papers]
        lines = [f"User: {a.question}\nAssistant: {a.answer[:300]}" for a in history[-3:]]
        try:
            reply = complete(self.llm, "You rewrite follow-up questions.", prompts.CONDENSE_PROMPT.format(
                papers=" and ".join(names), history="\n".join(lines), question=plan.question), self.index.settings)
        except LLMError:
            return None
        rewritten = (reply.strip().splitlines() or [""])[0].strip().strip('"')
        if rewritten and len(rewritten) <= 300 and all(n.lower() in rewritten.lower() for n in names):
            return rewritten
        return None

    def _llm_answer(self, base: Answer, plan: QueryPlan, hits: list[Hit]) -> Iterator[Event]:
        """Stream the LLM's answer and verify it; None (with a notice kept) when the LLM fails or declines."""
        sources = "\n\n".join(prompts.SOURCE_TEMPLATE.format(n=n, name=display_name(h.paper), year=h.paper.year or "n.d.",
                                                             title=h.paper.title, abstract=h.paper.abstract)
                              for n, h in enumerate(hits, start=1))
        instructions = {Kind.LIST: prompts.LIST_INSTRUCTIONS, Kind.COMPARE: prompts.COMPARE_INSTRUCTIONS}.get(
            plan.kind, prompts.FACT_INSTRUCTIONS)
        parts: list[str] = []
        try:
            for delta in stream_chat(self.llm, prompts.SYSTEM_PROMPT,
                                     f"Sources:\n{sources}\n\n{instructions.format(question=plan.standalone)}"
                                     + (prompts.ANSWER_IN.format(language=prompts.LANGUAGE_NAMES[plan.language])
                                        if plan.language in prompts.LANGUAGE_NAMES else ""),
                                     self.index.settings):
                parts.append(delta)
                yield delta
        except LLMError as error:
            base.notice = f"{explain(error, self.index.settings)} Showing the extractive answer instead."
            base.backend, base.model = "extractive", None
            if parts:
                yield "\n\n"
            return None
        text = with_source_names(unframed("".join(parts)).strip(),
                                 {n: display_name(h.paper) for n, h in enumerate(hits, start=1)})
        names = [display_name(self.index.papers[p]) for p in plan.papers]  # naming them says nothing new
        if plan.kind == Kind.LIST:  # nor, for a list, giving a paper's title instead of why it belongs
            names += [h.paper.title for h in hits]
        sentences: list[AnswerSentence] = []
        if text and not (LLM_DECLINE.search(text) and len(split_sentences(text)) <= 2):
            text, sentences, passages = verify(
                text, [h.paper for h in hits], self.bank, multilingual=self._mode(plan) == "multilingual",
                dropped=lambda s: leaks_prompt(s) or restates(s, plan.standalone, names))
        if not sentences:
            base.notice = prompts.LLM_DECLINED  # declined, or only copied the prompt or restated the question
            base.backend = "extractive"
            yield "\n\n"
            return None
        shape = plan.kind.value if plan.kind in (Kind.LIST, Kind.COMPARE) else "fact"
        cited_ids = list(dict.fromkeys(hits[n - 1].paper.paper_id for s in sentences for n in s.cites))
        focus = [p for p in plan.papers if p in {h.paper.paper_id for h in hits}] or cited_ids or [
            self._fact_source(plan, hits)[1].paper_id]
        return cited(base, text, sentences, passages, hits, shape=shape, focus=focus)


def says(answer: str, sentence: str, name: str) -> bool:
    """True when an answer says what a sentence of the abstract says: its figures and names besides the paper's own,
    and at least SAID_SHARE of its words."""
    given = {v for wants in (Wants.NUMBER, Wants.NAMES) for v in values(wants, answer)} | {name.lower()}
    missing = {v for wants in (Wants.NUMBER, Wants.NAMES) for v in values(wants, sentence)} - given
    words = stems(sentence)
    return not missing and len(words & stems(answer)) >= SAID_SHARE * len(words)


def cited(base: Answer, text: str, sentences: list[AnswerSentence], passages: dict[int, str], hits: list[Hit],
          shape: str, focus: list[str]) -> Answer:
    """The answer with its citations (cited sources) and the retrieved sources it did not cite."""
    support: dict[int, float] = {}
    for sentence in sentences:
        for n in sentence.cites:
            support[n] = max(support.get(n, 0.0), sentence.support)
    citations = [citation(n, hits[n - 1].paper, passages.get(n, hits[n - 1].text), support[n])
                 for n in sorted(support)]
    uncited = [citation(n, h.paper, h.text, 0.0) for n, h in enumerate(hits, start=1) if n not in support]
    return base.model_copy(update={"answer": text, "sentences": sentences, "citations": citations,
                                   "uncited_sources": uncited, "shape": shape, "focus": focus})


def list_answer(base: Answer, quotes: list[Quote], hits: list[Hit], note: str, besides: str = "") -> Answer:
    """One line per paper that belongs: its name and the sentence that shows why, cited; `besides` names the papers
    set aside ("any other paper on this?")."""
    found = prompts.FOUND.format(count=len(quotes)) if len(quotes) != 1 else prompts.FOUND_ONE
    found = prompts.BESIDES.format(names=besides, found=found) if besides else found
    lines, sentences = _paper_lines(quotes)
    return cited(base, "\n".join([note, "", found, *lines]), sentences, {q.n: q.sentences[0].text for q in quotes}, hits, shape="list",
                 focus=[q.paper.paper_id for q in quotes])


def compare_answer(base: Answer, quotes: list[Quote], hits: list[Hit], note: str) -> Answer:
    """One block per paper compared, each with the sentences on the point asked, cited."""
    lines, sentences = _paper_lines(quotes)
    best = {q.n: max(q.sentences, key=lambda s: s.score).text for q in quotes}
    return cited(base, "\n".join([note, "", *lines]), sentences, best, hits, shape="compare",
                 focus=[q.paper.paper_id for q in quotes])


def _paper_lines(quotes: list[Quote]) -> tuple[list[str], list[AnswerSentence]]:
    """One "- name: quoted sentences [n]" line per quote, and the sentences quoted."""
    lines: list[str] = []
    sentences: list[AnswerSentence] = []
    for quote in quotes:
        said = quote.answer_sentences()
        sentences += said
        lines.append(f"- {display_name(quote.paper)}: {render(said)}")
    return lines, sentences


def not_stated_answer(base: Answer, plan: QueryPlan, n: int, paper: Paper, ranked, hits: list[Hit]) -> Answer:
    """Say plainly that the paper asked about does not state what was asked, then quote its closest passages."""
    what = prompts.NOT_STATED_WHAT.get(plan.wants.value, "this")
    lead = (prompts.NOT_STATED if plan.papers else prompts.NOT_STATED_ANY).format(name=display_name(paper), what=what)
    closest = sorted(ranked[:2], key=lambda s: s.index)
    sentences = [AnswerSentence(text=s.text, cites=[n], support=1.0) for s in closest]
    text = f"{lead}\n\n{prompts.CLOSEST}\n{render(sentences)}"
    answer = cited(base, text, sentences, {n: ranked[0].text}, hits, shape="not_stated", focus=[paper.paper_id])
    answer.not_stated = [paper.paper_id]
    answer.backend = "extractive"
    return answer


def metadata_answer(base: Answer, records: list[Wants], paper_ids: list[str], hits: list[Hit]) -> Answer:
    """Authors, venue, year or code of the papers a question is about, from their records."""
    by_id = {h.paper.paper_id: n for n, h in enumerate(hits, start=1)}
    lines, citations, missing, focus = [], [], [], []
    for paper_id in paper_ids:
        if paper_id not in by_id:
            continue
        n, paper = by_id[paper_id], hits[by_id[paper_id] - 1].paper
        focus.append(paper_id)
        for wants in records:
            fact = _metadata_fact(wants, paper)
            if fact is None:
                missing.append(paper_id)
                fact = f"No record of {prompts.NOT_STATED_WHAT[wants.value]} for {display_name(paper)}."
            lines.append(f"{fact} [{n}]")
        citations.append(citation(n, paper, passage_for(paper, Wants.CODE in records), 1.0))
    uncited = [citation(n, h.paper, h.text, 0.0) for n, h in enumerate(hits, start=1)
               if n not in {c.n for c in citations}]
    return base.model_copy(update={"answer": "\n".join(lines), "citations": citations, "uncited_sources": uncited,
                                   "backend": "collection", "model": None, "shape": "collection", "focus": focus,
                                   "not_stated": list(dict.fromkeys(missing))})


def _records_asked(plan: QueryPlan) -> list[Wants]:
    """The records a question asks for when it asks for nothing else ("and the year? was it published anywhere?")."""
    asked = list(dict.fromkeys(wants for _, wants in plan.parts)) if len(plan.parts) > 1 else [plan.wants]
    return asked if all(wants in METADATA_WANTS for wants in asked) else []


def _metadata_fact(wants: Wants, paper: Paper) -> str | None:
    name = display_name(paper)
    if wants == Wants.CODE:
        links = paper.code_urls or [w.rstrip(".,;)") for w in paper.abstract.split() if w.startswith("http")]
        return f"The code of {name} is at {links[0]} ." if links else None
    if wants == Wants.AUTHORS:
        return f"{paper.title} was written by {paper.authors.rstrip('.')}." if paper.authors else None
    if wants == Wants.VENUE:
        return f"{name} appeared at {paper.venue}." if paper.venue else None
    if wants == Wants.LINK:
        return f"{name} is arXiv:{paper.arxiv_id}, {paper.url} ." if paper.arxiv_id else \
            f"{name} is at {paper.url} ." if paper.url else None
    return f"{name} is from {paper.year}." if paper.year else None


def collection_answer(base: Answer, query: CollectionQuery, papers: Mapping[str, Paper], order: str = ""
                      ) -> Answer:
    """The papers that pass the question's metadata filters (or all of them, counted), newest first unless the
    question asks another `order`; then the papers asked about that do not ("which of the two has code?")."""
    rows = sorted(query.papers, key=lambda p: sort_key(p, order or "-year"))
    where = "; ".join(query.filters)
    update = {"backend": "collection", "model": None, "shape": "collection"}
    if not rows and query.unshared:  # "are both from the same people?": no, and each one's
        what = where.removeprefix("same ")
        what = f"an {what}" if what[0] in "aeiou" else f"a {what}"
        lines = [f"{names_of([p.paper_id for p, _ in query.unshared], papers)} do not share {what}:"] + [
            f"- {display_name(p)}: {value} [{n}]" for n, (p, value) in enumerate(query.unshared, start=1)]
        citations = [citation(n, p, passage_for(p, query.code), 1.0) for n, (p, _) in enumerate(query.unshared, 1)]
        return base.model_copy(update=update | {"answer": "\n".join(lines), "citations": citations,
                                                "focus": [c.paper_id for c in citations]})
    if not rows and not query.beside:
        return base.model_copy(update=update | {"answer": f"No paper in this collection matches ({where}).",
                                                "abstained": True})
    if not query.filtered:
        lines = [f"This collection holds {len(rows)} paper{'s' * (len(rows) != 1)}:"]
    elif rows:
        lines = [(prompts.FOUND_ONE if len(rows) == 1 else prompts.FOUND.format(count=len(rows))).replace(
            ":", f" ({where}):")]
    else:
        lines = [f"None of them matches ({where})."]
    shown = [papers[row.paper_id] for row in rows[:MAX_LISTED]]
    lines += [_record_line(paper, n, query.code, code_promise(paper) if query.promised else "")
              for n, paper in enumerate(shown, start=1)]
    if len(rows) > MAX_LISTED:
        lines.append(prompts.MORE_LISTED.format(more=len(rows) - MAX_LISTED))
    if query.beside:
        lines.append(query.beside_heading)
        lines += [_record_line(paper, n, query.code) for n, paper in enumerate(query.beside, start=len(shown) + 1)]
    citations = [citation(n, paper, passage_for(paper, query.code), 1.0)
                 for n, paper in enumerate(shown + query.beside, start=1)]
    return base.model_copy(update=update | {"answer": "\n".join(lines), "citations": citations,
                                            "focus": [p.paper_id for p in shown or query.beside]})


def _record_line(paper: Paper, n: int, code: bool, said: str = "") -> str:
    """A paper's line in a collection answer: its name and title, year and venue (and code link, or what its
    abstract `said` of it), cited."""
    details = ", ".join(x for x in (str(paper.year or ""), paper.venue or "") if x)
    link = f" code: {paper.code_urls[0] if paper.code_urls else 'none listed'}" if code and not said else ""
    name = "" if not paper.short_name or paper.title.startswith(paper.short_name) else f"{paper.short_name}: "
    return f"- {name}{paper.title} ({details}){link}{f': {said}' if said else ''} [{n}]"


def sort_key(paper: Paper, order: str) -> tuple:
    """Where a paper goes in a list sorted by "name", "year" (oldest first) or "-year" (newest first)."""
    if order == "name":
        return (display_name(paper).lower(),)
    year = paper.year or (0 if order == "-year" else 9999)
    return (-year if order == "-year" else year, paper.title)


def citation(n: int, paper: Paper, text: str, support: float) -> Citation:
    """Source n as the answer cites it."""
    return Citation(n=n, paper_id=paper.paper_id, title=paper.title, year=paper.year, text=text,
                    sources=paper.sources, url=paper.url, support=support)


def closest(plan: QueryPlan, hits: list[Hit]) -> list[str]:
    """The papers closest to a question refused, which a follow-up insisting on it means ("which of the two ...?")."""
    return [h.paper.paper_id for h in sorted(hits, key=lambda h: -h.relevance)[:papers_wanted(plan)]]


def _gated(plan: QueryPlan) -> bool:
    """Whether the learned answerability score judges the question: English, naming nothing specific, and not a
    paper described against the last one."""
    return plan.language == "en" and not plan.terms and not plan.another


def _note(plan: QueryPlan) -> str:
    """The extractive note, in the question's language where there is one."""
    return prompts.EXTRACTIVE_NOTES.get(plan.language, prompts.EXTRACTIVE_NOTE)


def _finish(answer: Answer, started: float) -> Answer:
    answer.timings_ms["total"] = _ms(started)
    answer.timings_ms.setdefault("retrieve", 0.0)
    answer.timings_ms.setdefault("generate", 0.0)
    return answer


def _ms(since: float) -> float:
    return round((time.perf_counter() - since) * 1000, 1)

