"""The embedded default answer: the abstracts' own sentences, chosen for what the question asks, each cited.

One function per answer shape (fact, list, compare), and the check that says when the paper asked
about does not state what was asked. Sentences are scored by similarity to the question, by the
share of the question's words they contain, and by whether they carry the type of answer wanted
(a number for "how much", model names for "which models", the enumeration for "what are the stages").
"""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass
from functools import cached_property, lru_cache

import numpy as np

from rag.bm25 import STEMMER
from rag.cite import SentenceBank, unit
from rag.intent import (INTRODUCING_WORDS, Kind, QueryPlan, Wants, asks_built, counted_nouns, head_of, mentions_terms,
                        names_all, says_mentioned)
from rag.multilingual import E5_LIST_MARGIN
from rag.names import paper_names
from rag.retrieve import topic_coverage
from rag.text import WORD_RE, lexical_overlap, split_sentences, stem_of, word_stems
from rag.types import AnswerSentence, Hit, Paper

LEXICAL_WEIGHT = 0.3
CUE_WEIGHT = 0.15
FACT_SENTENCES = 2
LIST_FLOOR = 0.65  # share of the relevance bar a paper of a group compared needs
LIST_LIMIT = 12
# A paper is listed when w0 * (its best sentence's score - the best paper's) + w1 * (its share of the question's
# rare words / the best share) + w2 * ln(its retrieval rank) >= MEMBER_BAR: a logistic fit (probability 0.4) on the
# 162 English topic list questions of twelve eval sets (`bench/fit_scores.py --member-threshold 0.4`); held out set
# by set, 0.86 precision at 0.84 recall.
MEMBER_WEIGHTS = (7.24, 3.71, -0.95)
MEMBER_BAR = -0.22
SELECT_MARGIN = 0.1  # how far below the best paper's sentence score "which of them ...?" still picks a paper

YEAR = r"(?<!\d)(?:19|20)\d\d(?!\d)"
NUMBER_WORDS = r"\b(two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twice|half|dozens?|hundreds?|" \
               r"thousands?|millions?|billions?|quarters?|fifths?|tenths?)\b"
# a name by its form (CamelCase, an acronym, letters with digits), and acronyms that name nothing in particular
NAME_FORM = r"(?:[A-Z][a-z]+-?[A-Z]\w*|[A-Z]{2,}[\w-]*|[A-Za-z]+\d\w*)"
GENERIC_ACRONYMS = r"LLMs?|LMMs?|MLLMs?|AI|NLP|LMs?|KL"
CARRIES: dict[Wants, re.Pattern] = {
    Wants.PERCENT: re.compile(r"(?<![\w.])(?<!\w-)\d+(?:\.\d+)?\s*%|\bper ?cent\b", re.I),
    # a figure, not a digit inside a name ("Llama-3.1-8B", "GPT-4o")
    Wants.NUMBER: re.compile(rf"(?<![\w.])(?<!\w-)(?!{YEAR})\d+(?:[.,]\d+)?\s*(?:%|x\b|×|times|fold|k\b|K\b|\+)?|"
                             rf"{NUMBER_WORDS}", re.I),
    # a name, not a size ("10K instruction-response pairs")
    Wants.DATASET: re.compile(rf"\b(?!(?:{GENERIC_ACRONYMS}|RL|SFT)\b)(?:{NAME_FORM}|\d+(?![KMB]\b)[A-Za-z]\w*)\b"),
    Wants.NAMES: re.compile(rf"\b(?!(?:{GENERIC_ACRONYMS}|KE|KG)\b){NAME_FORM}\b"),
    Wants.MODELS: re.compile(r"\b(Qwen|Llama|LLaMA|GPT|Mistral|Gemma|Phi|Claude|Vicuna|T5|BERT|OPT|Falcon|DeepSeek|"
                             r"Mixtral|Baichuan|ChatGLM|InternLM|Yi|Pythia|OLMo)[\w.()-]*|\b\d+(\.\d+)?[BM]\b"),
    Wants.STAGES: re.compile(r"\b(first(ly)?|second(ly)?|third(ly)?|finally|stages?|steps?|phases?|two-stage|"
                             r"three-stage|multi-stage|consists? of|comprises?|components?|modules?|includ\w+|encompass\w*)\b|"
                             r"\(\d\)|\([ivx]+\)", re.I),
    Wants.CODE: re.compile(r"https?://"),
    # a problem said: a limitation, a contrast with what works ("However, ... is hindered by challenges such as")
    Wants.PROBLEM: re.compile(r"\b(however|but|yet|challeng\w*|hinder\w*|struggl\w*|fail\w*|suffer\w*|lacks?|"
                              r"lacking|issues?|problems?|difficult\w*|bottlenecks?|mismatch\w*|insufficient\w*|"
                              r"inefficien\w*|costly|neglect\w*|overlook\w*|unable|cannot|prone to|drawbacks?|"
                              r"shortcomings?|limitations?|remains? (challenging|difficult|unclear|underexplored))\b|"
                              r"^(This|These|Such)\b[^.]*\b(leads? to|results? in|causes?)\b", re.I),
    # a name spelled out: "SMART (Strategic Model-Aware Reasoning with Tools)", "Ex-Ante Reasoning ... (ERPO)"
    Wants.EXPANSION: re.compile(r"(?P<name>[\w-]+)\s*\((?:[A-Z][\w-]*\s+)+[^)]*\)|"
                                r"(?:[A-Z][\w-]*\s+)+(?:[\w-]+\s+)*?\((?P<acronym>[A-Z][\w-]*)\)"),
    Wants.DEFINITION: re.compile(r"\b(we|this (paper|work))\s+(propose|introduce|present|develop)", re.I),
    # how a method works: the sentence that proposes it or says what it does by which means
    Wants.METHOD: re.compile(r"\b(we|this (paper|work))\s+(propose|introduce|present|develop|design)|\bby (\w+ing)\b|"
                             r"\b(uses?|employs?|leverages?|adopts?|utili[sz]es?|relies on|consists? of|comprises?)\b",
                             re.I),
}
# a number that names, not counts: "SemEval-2025 Task 4", "Table 2", "System 2 thinking"
IDENTIFIER = re.compile(r"\b(?:Task|Subtask|Track|Table|Figure|Fig\.|Section|Sec\.|Appendix|Chapter|Phase|Stage|Level|"
                        r"Version|Step|System)\s+\d+\b|\(\d\)")  # "(1) Efficacy: ...; (2) Retention" counts nothing
# a name in a sentence is a dataset or benchmark when the sentence speaks of evaluation
EVALUATION = re.compile(r"\b(datasets?|benchmarks?|corpus|corpora|evaluat\w*|experiments?|tested|results?|outperform\w*|"
                        r"tasks?|games?|environments?|settings?|domains?|test ?beds?|test data)\b", re.I)
NAMED_RESOURCE = re.compile(r"[\w-]+\s+(?:datasets?|benchmarks?|corpus|corpora)\b", re.I)
NAMED_EXAMPLES = re.compile(r"\b(?:including|such as|e\.g\.,?|namely)\s+(?:the\s+)?[A-Z][\w-]*(?:\s+(?:of\s+)?[A-Z][\w-]*)+")
ABBREVIATION = re.compile(r"\(([A-Z][A-Za-z]*[A-Z]s?)\)")
LISTED_NAME = re.compile(r"(?<![\w-])[A-Z][\w-]*(?:\s+(?:of\s+)?[A-Z][\w-]*)*")
GENERIC_CAPITALS = {"LLM", "LLMs", "LM", "LMs", "AI", "NLP", "We", "Our", "This", "These", "It", "In", "The"}
ORDINAL_MARKERS = re.compile(r"\b(?:first(?:ly)?|second(?:ly)?|third(?:ly)?|fourth|fifth|finally|lastly)\b|\(\d\)|"
                             r"\((?:i|ii|iii|iv|v|vi|I|II|III|IV|V|VI)\)", re.IGNORECASE)
# types that need a name or a figure, not just the word
NAMED_ANSWER = {Wants.DATASET, Wants.MODELS, Wants.NAMES, Wants.NUMBER, Wants.PERCENT}
LISTED_ANSWER = {Wants.STAGES, Wants.DATASET, Wants.NAMES}  # answers that may be things listed by a common noun
# "we introduce ADS-Edit, a multimodal knowledge editing dataset", "we present a new benchmark, EscapeBench"
RESOURCE = r"(?:datasets?|benchmarks?|corpus|corpora|test ?beds?)"
INTRODUCES_NAMED = re.compile(rf"\b(?:introduc|present|propos|construct|buil|releas|creat|curat|develop|contribut)\w*\b"
                              rf"[^.;]*?(?:\b[A-Z][\w-]*[A-Z0-9][\w-]*\s*,\s+(?:a|an)\b[^.;]{{0,80}}?\b{RESOURCE}\b|"
                              rf"\b(?:a|an)\s+(?:[\w-]+\s+){{0,4}}?{RESOURCE},?\s+(?:called\s+|named\s+|dubbed\s+)?"
                              rf"[A-Z][\w-]*[A-Z0-9])")
# a sentence that answers a problem: the one before it states the problem ("To address this issue, we propose ...")
SOLVES = re.compile(r"^(?:To (?:address|tackle|solve|overcome|mitigate|bridge|fill|alleviate|remedy|resolve|fix|close|"
                    r"handle|counter)|In response|Motivated by (?:this|these))\b|\b(?:we|this (?:paper|work))\s+"
                    r"(?:propose|introduce|present|develop|design)", re.I)
OWN_VOICE = re.compile(r"\b(?:we|our|this (?:paper|work|study))\b", re.I)
EARLIER_WORK = re.compile(r"\b(cites?|cited|mention\w*|examples?|exemplif\w*|prior|existing|previous|earlier)\b",
                          re.I)  # "which models does X cite as examples?" asks for the field's
BACKGROUND_FREE = {Wants.MODELS, Wants.DATASET, Wants.NUMBER, Wants.PERCENT}  # asked of the paper, not its field
CONTINUES = re.compile(r"^(This|These|It|They|Such|Both|Specifically|Concretely|In particular|Here|To this end|"
                       r"Moreover|Furthermore|Additionally|In addition)\b")
ENUMERATION = re.compile(r"\b(second(ly)?|third(ly)?|then|next|finally|lastly|subsequently)\b", re.I)
OPENS_ENUMERATION = re.compile(r"\b(first(ly)?|consists? of|comprises?|(two|three|four|five)[- ](stages?|steps?|"
                               r"phases?|components?|parts|modules?))\b|:\s*$|\(1\)|\(i\)", re.I)
METHOD_NOUNS = word_stems("method approach technique framework algorithm")  # one asked for is said as another
MODEL_ACRONYM = re.compile(r"\b[A-Z]*(?:LM|LMM)s?\b")  # "LLMs", "LMMs", "VLMs" say "models"
MODEL_HEADS = frozenset(("model", "llms", "llm", "lms", "lm"))  # a sentence naming models names "which LLMs ...?"
ONE = re.compile(r"\b(?:a single|one)\b", re.I)  # a count only of the noun asked for ("a single example")
STAGE_NOUNS = frozenset(("stage", "step", "phase"))
PHRASE_ENDS = frozenset("that which who while with for in on to by from at as than is are was were".split())
SAME_COUNT = (STAGE_NOUNS, frozenset(STEMMER.stemWords("part component piece module element".split())))  # "seven
# components" answers "how many parts"
ITEMS_LEAD = re.compile(r"\b(?:such as|namely|consists? of|comprises?|composed of|encompass(?:es|ing)?)\s+",
                        re.IGNORECASE)
ITEMS = re.compile(r"[^.;:()]+?(?=,\s*(?:which|that|where|while|enabling|allowing)\b|[.;:(]|$)", re.IGNORECASE)
# what makes a sentence an enumeration, beyond the word "stages": items joined by "and" ("data preparation,
# pre-training, ... and final commercialization", "modules such as X and Y") or markers ("first, ... second")
ENUMERATES = re.compile(r"[\w-]+(?:\s+[\w-]+){0,4},\s+[\w-]+(?:\s+[\w-]+){0,4},?\s+and\s|"
                        r"\b(consists? of|comprises?|such as|including|encompass\w*|namely)\b[^.]*\band\b|"
                        r"\b(first(ly)?|second(ly)?)\b.*\b(second(ly)?|third(ly)?|then|finally|lastly)\b|"
                        r"\b(two|three|four|five)[- ](stages?|steps?|phases?|components?|parts|modules?)\b|"
                        r":\s*$|\(1\)|\(i\)", re.I)


def counts_head(text: str, head: str, loose: bool = False) -> bool:
    """Whether a number in the sentence counts the noun asked for ("over 250 scientific LLMs" for "how many
    models", "seven general or domain-specific datasets" for "how many datasets"): the noun comes within three words
    after it, "and"/"or" not counted; `loose`, anywhere in the phrase after it ("two simple, low-resource, and
    effective data-driven methods") or within three words before it ("steps reduced by 40%")."""
    for number in [*CARRIES[Wants.NUMBER].finditer(text), *ONE.finditer(text)]:  # "with just a single example"
        if loose:  # "two-stage training"
            words = [w for w in re.findall(r"[^\W_]+", text[number.end():]) if w not in ("and", "or")]
            after = [*itertools.takewhile(lambda w: w.lower() not in PHRASE_ENDS, words[:8]),
                     *re.findall(r"[^\W_]+", text[:number.start()])[-3:]]
        else:
            after = [w for w in re.findall(r"[\w-]+", text[number.end():])[:5] if w not in ("and", "or")][:3]
        said = {STEMMER.stemWord(w.lower()) for w in after} if loose else {stem_of(w) for w in after}
        if head in said or head == "model" and any(MODEL_ACRONYM.fullmatch(w) for w in after) or loose and any(
                head in same and said & same for same in SAME_COUNT):  # "phases" of a "two-stage" training
            return True
    return False


@dataclass
class Scored:
    """One sentence of a paper's abstract, with how well it answers the question."""

    index: int
    text: str
    score: float
    carries: bool
    names_head: bool = False  # it says the noun the question asks for ("papers" in "how many papers ...?")


@dataclass
class Quote:
    """Sentences quoted from one source, in abstract order."""

    n: int
    paper: Paper
    sentences: list[Scored]

    @property
    def score(self) -> float:
        """How well the quote answers: its best sentence's score."""
        return max(s.score for s in self.sentences)

    def answer_sentences(self) -> list[AnswerSentence]:
        return [AnswerSentence(text=s.text, cites=[self.n], support=1.0) for s in self.sentences]


def carries(wants: Wants, sentence: str, own_names: list[str] = (), given: set[str] = frozenset()) -> bool:
    """True when the sentence holds an answer of the wanted type (a figure, a name, an enumeration, a link).

    The paper's own names do not count as the name of a dataset or a model, nor do model names as datasets,
    nor a figure or name the question itself gives (`given`: "two" in "accuracy on its two games"). A name is a
    dataset only in a sentence about evaluation.
    """
    pattern = CARRIES.get(wants)
    if pattern is None:
        return False
    if wants == Wants.EXPANSION:  # the paper's own name spelled out
        return any((m.group("name") or m.group("acronym")) in own_names for m in pattern.finditer(sentence))
    if wants in (Wants.NUMBER, Wants.PERCENT):
        sentence = IDENTIFIER.sub(" ", sentence)
    if wants in NAMED_ANSWER:  # the paper's own name, with its spelling out: "SMART (Strategic Model-Aware ...)"
        for name in own_names:
            sentence = re.sub(rf"(?<![\w-]){re.escape(name)}(?:\s*\([^)]*\))?(?![\w-])", " ", sentence)
        for value in given:
            sentence = re.sub(rf"(?<!\w){re.escape(value)}(?!\w)", " ", sentence, flags=re.I)
    if wants == Wants.NAMES:  # a method's name, not a model's or a dataset's ("on MQuAKE dataset")
        sentence = NAMED_RESOURCE.sub(" ", CARRIES[Wants.MODELS].sub(" ", sentence))
    if wants == Wants.STAGES and not ENUMERATES.search(sentence):
        return False
    if wants == Wants.PROBLEM and SOLVES.search(sentence):
        return False
    if wants == Wants.DATASET:
        sentence = CARRIES[Wants.MODELS].sub(" ", sentence)
        if not EVALUATION.search(sentence):
            return False
        if NAMED_EXAMPLES.search(sentence):  # "games including the Game of Pure Strategy (GOPS)"
            return True
    return bool(pattern.search(sentence))


def _drop_background(scored: list[Scored], own: list[str]) -> None:
    """A figure or model named before the paper speaks of its own work ("exemplified by the success of OpenAI-o1")
    is the field's, not the paper's: it stops counting when a later sentence carries one."""
    own = [name for name in own if not MODEL_ACRONYM.fullmatch(name)]  # "Large Language Models (LLMs)" is no name
    voiced = [s.index for s in scored if OWN_VOICE.search(s.text) or any(name in s.text for name in own)]
    first = min(voiced, default=0)
    if any(s.carries and s.index >= first for s in scored):
        for s in scored:
            if s.carries and s.index < first:
                s.carries, s.score = False, s.score - CUE_WEIGHT


def own_names(paper: Paper, defined: bool = True) -> list[str]:
    """The paper's names and (when `defined`) the abbreviations it defines ("(ADS)"): they name no dataset or model,
    though a method they may ("Monte Carlo Tree Search (MCTS)")."""
    names = [n for n in (paper.short_name, paper.title.split(":")[0]) if n]
    return names + ABBREVIATION.findall(paper.abstract) if defined else names


def listed(sentence: str, own: list[str], noun: str = "") -> int:
    """How many things the sentence lists: its ordinal markers ("first, ... second, ..."), the distinct names it
    gives besides the paper's own, or the times it says the noun they are named by ("debiasing loss and retention
    loss" for `noun` "loss")."""
    for name in own:
        sentence = re.sub(rf"(?<![\w-]){re.escape(name)}(?![\w-])", " ", sentence)
    rest = sentence.split(maxsplit=1)[1] if " " in sentence.strip() else ""  # an opening capital names nothing
    names = {m.group(0) for m in LISTED_NAME.finditer(rest) if m.group(0) not in GENERIC_CAPITALS}
    said = sum(stem_of(word) == noun for word in WORD_RE.findall(sentence)) if noun else 0
    return max(len(ORDINAL_MARKERS.findall(sentence)), len(names), said, coordinated(sentence, noun),
               introduced_items(sentence))


def introduced_items(sentence: str) -> int:
    """How many short items follow "such as" or "consists of" ("modules such as the steering vector generator and the
    steering vector applier, which ..." lists two)."""
    counts = [0]
    for lead in ITEMS_LEAD.finditer(sentence):
        found = ITEMS.match(sentence, lead.end())
        items = [i for i in re.split(r",\s*(?:and\s+|or\s+)?|\s+(?:and|or)\s+", found.group(0)) if i.strip()] \
            if found else []
        counts.append(len(items) if len(items) > 1 and all(len(i.split()) <= 5 for i in items) else 0)
    return max(counts)


def coordinated(sentence: str, noun: str) -> int:
    """How many things joined by "and"/"or" the noun names ("both in-weight and in-context methods"; not "four
    datasets and two models", "two simple, ... effective methods" or "navigates and completes games")."""
    if not noun:
        return 0
    return max((2 + m.group(1).count(",") for m in _joined(noun).finditer(sentence)
                if not CARRIES[Wants.NUMBER].search(sentence[max(m.start() - 8, 0):m.end()])), default=0)


@lru_cache(maxsize=None)
def _joined(noun: str) -> re.Pattern:
    """Items joined by "and"/"or" before the noun; no determiner or verb ("completes") among its modifiers."""
    return re.compile(rf"((?:[\w-]+,\s+)*)[\w-]+,?\s+(?:and|or)\s+(?!(?:the|its|their|our|other|various|"
                      rf"different|many|multiple|several|some)\b)(?:[\w-]+(?<![^s]s)\s+){{1,2}}{noun}\w*\b", re.I)


def values(wants: Wants, text: str) -> set[str]:
    """The figures or names of the wanted type the text gives ("24%", "MQuAKE")."""
    pattern = CARRIES.get(wants)
    return {m.group(0).strip().lower() for m in pattern.finditer(text)} if pattern else set()


class Scorer:
    """Ranks a paper's sentences for a plan: for the whole question and for each of its sub-questions."""

    def __init__(self, plan: QueryPlan, bank: SentenceBank):
        self.plan, self.bank = plan, bank
        self.multilingual = plan.language != "en" and bank.index.abstract_vectors is not None
        self.asks = [(plan.aspect or plan.standalone, plan.wants)]
        self.heads = [plan.head]
        if len(plan.parts) > 1:
            self.asks += plan.parts
            self.heads += [head_of(text) for text, _ in plan.parts]
        self._ranked: dict[tuple[str, int], list[Scored]] = {}

    @cached_property
    def vectors(self) -> np.ndarray:
        """The question's vector (of the clause that asks) and its sub-questions', embedded on first use. A
        comparison's blends what it asks of each paper with the whole question: the papers' names and descriptions
        alone pick each one's opening sentence, the bare aspect ("what technique does each rely on?") a vague one."""
        texts = [self.plan.ask or self.plan.standalone] + [text for text, _ in self.asks[1:]]
        if self.plan.kind != Kind.COMPARE or texts[0] == self.plan.standalone:
            return self.bank.embed(texts, self.multilingual)
        vectors = self.bank.embed(texts + [self.plan.standalone], self.multilingual)
        vectors[0] = unit(vectors[:1] + vectors[-1:])[0]
        return vectors[:-1]

    def rank(self, paper: Paper, part: int = 0) -> list[Scored]:
        """The paper's sentences, best answer first, for the whole question (part 0) or sub-question `part`."""
        key = (paper.paper_id, part)
        if key not in self._ranked:
            self._ranked[key] = self._rank(paper, part)
        return self._ranked[key]

    def _rank(self, paper: Paper, part: int) -> list[Scored]:
        asked, wants = self.asks[part]
        sims = self.bank.vectors(paper, self.multilingual) @ self.vectors[part]
        own = own_names(paper, defined=wants != Wants.NAMES)
        scored = []
        head = self.heads[part]
        pattern = CARRIES.get(wants)
        given = {m.group(0) for m in pattern.finditer(self.plan.standalone)} if pattern else set()
        built = wants == Wants.DATASET and asks_built(asked) and introduction(paper)  # not the test data
        counted = self.plan.count[0] if part == 0 else 0
        sentences = self.bank.sentences(paper)
        for i, text in enumerate(sentences):
            has = bool(INTRODUCES_NAMED.search(text)) if built else carries(wants, text, own, given) or (
                wants == Wants.PROBLEM and i + 1 < len(sentences) and bool(SOLVES.match(sentences[i + 1])))
            said = word_stems(text)
            if not has and head and (counted and wants in LISTED_ANSWER or wants == Wants.DATASET and
                                     EVALUATION.search(text)):  # "through Foresight ... and Reflection" for "the two
                # parts"; "Evaluations on question-answering and conversational recommendation tasks" for "which tasks"
                has = listed(text, own, head) >= counted if counted else coordinated(text, head) >= 2
            names_head = bool(head) and (head in said or head in METHOD_NOUNS and bool(METHOD_NOUNS & said) or
                                         head == "model" and bool(MODEL_ACRONYM.search(text)) or
                                         head in MODEL_HEADS and wants == Wants.MODELS and has) or bool(
                built and has)  # "approaches such as MEMIT" for "which methods"; "a dataset" for "data"
            overlap = lexical_overlap(asked, text)
            counts = wants == Wants.NUMBER and bool(head) and counts_head(text, head)
            has = has or counts
            cue = has + (names_head and not (wants == Wants.STAGES and head in STAGE_NOUNS)) + counts  # "stages"
            # may name the lifecycle's stages without listing them; "modules" rarely comes without them
            score = float(sims[i]) + LEXICAL_WEIGHT * overlap + CUE_WEIGHT * cue
            if "http" in text and wants != Wants.CODE and overlap < 0.5:
                score -= 2 * CUE_WEIGHT  # a link answers when a link, or what it links to ("a demo video"), is asked
            scored.append(Scored(i, text, score, has, names_head))
        if wants in BACKGROUND_FREE and not EARLIER_WORK.search(asked):
            _drop_background(scored, own)
        return sorted(scored, key=lambda s: -s.score)

    def rankings(self, paper: Paper) -> list[list[Scored]]:
        """One ranking per sub-question (just the whole question when it asks one thing)."""
        return [self.rank(paper, part) for part in range(len(self.asks))]

    def stated(self, paper: Paper) -> bool:
        """Whether the abstract states what was asked: it mentions every specific thing asked about ("GRPO",
        "learning rate"), and each sub-question asking for a figure or a name has a sentence carrying one
        among its closest three (or anywhere, in a sentence naming the noun asked for: "games" for "which games")."""
        if not mentions_terms(self.plan, paper):
            return False
        typed = [(part, wants) for part, (_, wants) in enumerate(self.asks) if wants in NAMED_ANSWER]
        if len(self.asks) > 1:
            typed = [t for t in typed if t[0] > 0]  # judged per sub-question, not on the whole
        own = own_names(paper) + paper_names(paper)  # "SMARTAgent" lists nothing in SMART's abstract
        count, noun = self.plan.count
        if count:  # "What are the seven components?" is not stated when the abstract only says there are seven
            return any(listed(s.text, own, noun) >= count for s in self.rank(paper)[:3]) or any(
                listed(s.text, own, noun) >= count and noun and noun in word_stems(s.text) for s in self.rank(paper))
        counted = [(part, counted_nouns(self.asks[part][0] if part else self.plan.standalone))
                   for part, wants in typed if wants == Wants.NUMBER]
        known = self.bank.index.bm25.df  # a noun no abstract uses (a typo: "datsets") cannot be judged
        if any(nouns and all(known(noun) for noun in nouns) and not any(
                counts_head(s.text, noun, loose=True) for s in self.rank(paper, part) for noun in nouns)
               for part, nouns in counted):
            return False  # "how many escape rooms are in X?" is not answered by "over 1,000 steps"
        return all(any(s.carries for s in self.rank(paper, part)[:3]) or any(
            s.carries and s.names_head for s in self.rank(paper, part)) for part, _ in typed)

    def fact_quote(self, n: int, paper: Paper, budget: int) -> Quote:
        """The sentences of one paper that answer the question (each sub-question's best), with their context."""
        rankings = self.rankings(paper)
        chosen: list[Scored] = []
        count, noun = self.plan.count
        own = own_names(paper) + paper_names(paper)
        for part, ranked in enumerate(rankings):
            wants = self.asks[part][1]
            best = next((s for s in ranked[:3] if count and listed(s.text, own, noun) >= count and (
                not noun or noun in word_stems(s.text))), None)  # "which two
            if best is None and wants == Wants.STAGES:  # the sentence listing the most of them ("encompassing data
                best = max((s for s in ranked[:5] if s.carries and listed(s.text, own) >= 3),  # preparation, ...")
                           key=lambda s: listed(s.text, own), default=None)
            if best is None and wants == Wants.PROBLEM:  # a problem is said in few sentences, often far from the
                best = next((s for s in ranked if s.carries), ranked[0])  # question's words ("what does X fix?")
            if best is None:  # methods": the sentence giving both
                best = ranked[0] if wants not in CARRIES or ranked[0].carries else next(
                    (s for s in ranked[:3] if s.carries), None) or next(  # else one naming the noun ("800+ papers")
                    (s for s in ranked if s.carries and s.names_head), ranked[0])
            if best.index not in {s.index for s in chosen}:
                chosen.append(best)
        whole = rankings[0]
        for sentence in whole[1:]:
            if len(chosen) >= max(FACT_SENTENCES, len(rankings) - 1):
                break
            if sentence.index not in {s.index for s in chosen} and sentence.score >= whole[0].score - 0.15:
                chosen.append(sentence)
        return Quote(n, paper, with_context(chosen, whole, self.plan.wants, budget))

    def reports(self, paper: Paper) -> bool:
        """Whether one of the paper's sentences carries the type of answer asked for (a percentage, a name)."""
        return any(s.carries for s in self.rank(paper))

    def best_quote(self, n: int, paper: Paper) -> Quote:
        """The one sentence of a paper that shows why it answers the question (one naming what was asked about,
        when one does)."""
        ranked = self.rank(paper)
        introduced = introduction(paper) if self.plan.introduces else None
        return Quote(n, paper, [next((s for s in ranked if self.plan.terms and names_all(self.plan.terms, s.text)
                                      or s.text == introduced or says_mentioned(self.plan, s.text)), None) or next(
            (s for s in ranked if s.carries and self.plan.wants == Wants.PERCENT), ranked[0])])


def introduction(paper: Paper) -> str | None:
    """The abstract's sentence introducing a named dataset or benchmark of the paper's own, if any."""
    return next((s for s in split_sentences(paper.abstract) if INTRODUCES_NAMED.search(s)), None)


def with_context(chosen: list[Scored], ranked: list[Scored], wants: Wants, budget: int) -> list[Scored]:
    """Up to `budget` of the chosen sentences, best first, each with what it needs to be read: the antecedent of
    "This ..." or "Both methods ...", and the rest of an enumeration ("first, ..." then "second, ...")."""
    by_index = {s.index: s for s in ranked}
    picked: dict[int, Scored] = {}
    for sentence in chosen:
        if len(picked) >= budget:
            break
        if CONTINUES.match(sentence.text) and sentence.index - 1 in by_index and len(picked) + 1 < budget:
            picked.setdefault(sentence.index - 1, by_index[sentence.index - 1])
        picked.setdefault(sentence.index, sentence)
        after = by_index.get(sentence.index + 1)  # "However, ... several tokens." then "This leads to a mismatch."
        if wants == Wants.PROBLEM and after and after.carries and CONTINUES.match(after.text) and len(picked) < budget:
            picked.setdefault(after.index, after)
        if wants == Wants.STAGES or OPENS_ENUMERATION.search(sentence.text):
            following = sentence.index + 1
            while following in by_index and ENUMERATION.search(by_index[following].text) and len(picked) < budget:
                picked.setdefault(following, by_index[following])
                following += 1
    return [picked[i] for i in sorted(picked)]


def list_members(plan: QueryPlan, hits: list[Hit], scorer: Scorer) -> list[int]:
    """Source numbers of the papers that belong in a "which papers ..." answer, best first.

    A paper belongs when it mentions the specific things asked about ("Which papers use Llama-3.1?"), and, for a
    question about a topic, when its odds of belonging are good: its sentence closest to the question against the
    best paper's, its share of the question's rare words against the best share, and its retrieval rank. e5's narrow
    scale compares relevance instead.
    """
    fitting = [(n, h) for n, h in enumerate(hits, start=1) if mentions_terms(plan, h.paper) and (
        plan.wants != Wants.PERCENT or scorer.reports(h.paper))]  # "which papers report a percentage?"
    if plan.introduces:  # "Which papers introduce a dataset?": those introducing one (on the topic asked, if any)
        topic = plan.topic - INTRODUCING_WORDS
        return [n for n, h in fitting if introduction(h.paper) and (
            not topic or topic_coverage(scorer.bank.index, topic, h.paper) > 0)][:LIST_LIMIT]
    if not fitting:
        return []
    if plan.terms:  # "Which papers use Llama-3.1?": every paper that names it
        return [n for n, _ in fitting][:LIST_LIMIT]
    if said := [n for n, h in fitting if says_mentioned(plan, f"{h.paper.title} {h.paper.abstract}")]:
        return said[:LIST_LIMIT]  # "Which abstracts bring up chain of thought?": every one that says it
    if plan.wants == Wants.PERCENT and not any(plan.topic and topic_coverage(scorer.bank.index, plan.topic, h.paper)
                                               for _, h in fitting):
        return [n for n, _ in fitting][:LIST_LIMIT]  # "Which papers give percentages?": every one that does
    if scorer.multilingual:
        top = max(h.relevance for _, h in fitting)
        floor = scorer.bank.index.settings.min_relevance
        return [n for n, h in fitting if h.relevance >= max(floor, top - E5_LIST_MARGIN)][:LIST_LIMIT]
    features = member_features(plan, fitting, scorer)
    return [n for n, _ in fitting if sum(w * x for w, x in zip(MEMBER_WEIGHTS, features[n])) >= MEMBER_BAR
            ][:LIST_LIMIT]


def chosen_members(plan: QueryPlan, earlier: list[Hit], scorer: Scorer) -> list[int]:
    """Source numbers of the earlier turn's papers that fit "which of them ...": each that mentions what is asked and
    has some of its rare words, or whose sentence closest to it is about as close as the best paper's."""
    fitting = [(n, h) for n, h in enumerate(earlier, start=1) if mentions_terms(plan, h.paper)]
    if not fitting:
        return []
    features = member_features(plan, fitting, scorer)
    return [n for n, _ in fitting if features[n][1] > 0 or features[n][0] >= -SELECT_MARGIN]


def member_features(plan: QueryPlan, fitting: list[tuple[int, Hit]], scorer: Scorer
                    ) -> dict[int, tuple[float, float, float]]:
    """Per source number, what the odds of belonging in a list are read from: its best sentence's score against the
    best paper's, its share of the question's rare words against the best share, ln of its retrieval rank."""
    best = {n: scorer.rank(h.paper)[0].score for n, h in fitting}
    coverage = {n: topic_coverage(scorer.bank.index, plan.topic, h.paper) for n, h in fitting}
    top, top_coverage = max(best.values()), max(coverage.values()) or 1.0
    return {n: (best[n] - top, coverage[n] / top_coverage, math.log(n)) for n in best}
