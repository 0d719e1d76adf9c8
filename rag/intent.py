"""What a question asks: its kind, the papers it names or refers back to, and the answer it wants.

The one place that reads a question's words. `plan_question` turns a question and the conversation
before it into a `QueryPlan`; the answer engine only dispatches on the plan. Pure functions, no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import NamedTuple

from rag.bm25 import STEMMER
from rag.collection import (SAME_AUTHOR, SURVEY_EXCLUDED, SURVEY_INCLUDED, CollectionQuery, parse_collection_query,
                            shared_query, venue_terms)
from rag.names import NameIndex, display_name, in_capitals, introduced_names, names_of, paper_names
from rag.records import rows_of
from rag.text import STOP, WORD_RE, names_term, root_sequence, spells_out, stems
from rag.types import Answer, Paper


class Kind(StrEnum):
    """The shape of answer a question needs."""

    COLLECTION = "collection"  # metadata filters and counts, answered from the paper records
    FACT = "fact"  # something about one paper (or the papers it refers to)
    LIST = "list"  # which papers of the collection do something
    COMPARE = "compare"  # two or more named papers side by side


class Wants(StrEnum):
    """The type of answer asked for."""

    CODE = "code"
    AUTHORS = "authors"
    VENUE = "venue"
    YEAR = "year"
    LINK = "link"  # where the paper itself is: its arXiv id or page, its DOI
    PERCENT = "percent"
    STAGES = "stages"
    MODELS = "models"
    DATASET = "dataset"
    NAMES = "names"  # methods or algorithms by name: "which baselines ...", "which editing methods ..."
    NUMBER = "number"
    PROBLEM = "problem"  # the problem or limitation a paper addresses: "what problem does X fix?"
    EXPANSION = "expansion"
    DEFINITION = "definition"
    METHOD = "method"
    ANY = "any"


METADATA_WANTS = {Wants.CODE, Wants.AUTHORS, Wants.VENUE, Wants.YEAR, Wants.LINK}
DETAIL_TERMS = re.compile(r"\b(learning rates?|batch sizes?|epochs?|gpus?|gpu hours|compute budget|hyper-?parameters?|"
                          r"random seeds?|licen[cs]es?|annotators?|optimi[sz]ers?|warm-?up steps|weight decay|"
                          r"training time|wall-?clock)\b", re.IGNORECASE)
WANTS_PATTERNS: list[tuple[Wants, re.Pattern]] = [(wants, re.compile(pattern, re.IGNORECASE)) for wants, pattern in [
    # "Is there a dataset for ...?", "Which paper ...?": the paper itself is the answer
    (Wants.ANY, r"^\s*(is there|are there|which (paper|work|study|method|approach|article|one|methods|approaches|"
                r"techniques)|what (paper|work))\b(?!\s+(an?|any|some)?\s*(public|official|open[- ]?source)?\s*"
                r"(code|github|repo|repository|implementations?)\b)"),  # "is there a code repo for X?" asks for code
    (Wants.ANY, DETAIL_TERMS.pattern),  # "what licence is the code under?" asks no code link
    (Wants.LINK, r"\b(arxiv|doi)\b|\b(paper|pdf|preprint)(?:'s)? (link|url)\b"),  # "arxiv id of the paper that ...?"
    (Wants.CODE, r"\b(code|github|repo|repository|implementation|open[- ]?sourced)\b|"
                 r"\bopen[- ]?source\b(?! (llms?|models?|language models?|datasets?|benchmarks?))|"
                 r"^\W*(and |the |a |its |their )*(link|url)s?\b(?!\s+between)|"  # "... ? link please"
                 r"\bwhere (is|are) [^?]*\bhosted\b"),  # "where is its resource list hosted?"
    (Wants.AUTHORS, r"\bwho(?:'s| is| are)? (wrote|authored|are the authors|were the authors|behind|made|created|built|"
                    r"developed|did|published)\b|"
                    r"\b(written|authored) by\b|\b(which|what) authors?\b|"
                    r"\b(first|last|lead|senior) author\b(?=\s*($|[?,.;:!)]|(of|on|for|and|please|again|too|then)\b))|"
                    # "the authors of X?" asks for them, "what do the authors give it?" does not
                    r"\bauthors?\b(?=\s*($|[?,.;:!)]|(of|and|for|behind|list|names?|please|again|too)\b))"),
    (Wants.VENUE, r"\bmain conference\b|\b(in|to|at) (the )?findings\b|"  # "which went to findings?"
                  r"\b(venue|conference|workshop|journal|published (at|in|where)(?! (19|20)\d\d)|accepted (at|to|in)|"
                  r"appear(ed)? (at|in)|(published|accepted|appeared) (anywhere|somewhere)|"
                  r"(ended up|landed) (at|in) (?=(?-i:[A-Z]))|"
                  r"where (was|were|is|are|did|does) [^?]*\bpublish(ed)?|"
                  r"where (did|was|were) [^?]*\bappear(ed)?(?=\s*\?*\s*$))\b"),
    (Wants.YEAR, r"\b(what|which|same) year\b|\bwhen (was|were|did)\b|^\W*(and |what about |how about )?(the )?year\b"),
    (Wants.PERCENT, r"\b(percent|percentages?|percentage points?)\b|(?<![\d.])%"),  # not "its 80% reduction"
    (Wants.NUMBER, r"\bhow (much|many|large|big|fast|often|long|well)\b|"
                   r"\bhow (did|does|do) [^?]*\b(perform|rank|place|fare|score)\b|"  # a result: "how did X do?"
                   r"\bhow (did|does|do) [^?]*\bdo\b\s*(in|on|at|\?|$)|\b(percent(age)?|how far|"
                   r"by what (margin|factor|amount)|what ([\w-]+ )?(ratio|rate|accuracy|score|speed-?up|gain|improvement|"
                   r"reduction|margin|number|rank|ranking|place|share|fraction|proportion|portion))\b|"
                   r"\b(more|fewer|larger|bigger|smaller|higher|lower|faster|slower)\b[^?]*\bor\b|"
                   r"\bwhat('s| is| was| are| were) (the|its|their) ([\w.-]+ ){0,4}?(win rates?|accuracy|score|"
                   r"speed-?up|gain|improvement|reduction)\b|"  # "what is the exact AlpacaEval 2.0 win rate of X?"
                   r"\b(what|which|any)( (key|main|headline|other))? (numbers|figures|stats|statistics)\b"),  # "what
    # numbers do they report?"
    (Wants.PROBLEM, r"\b(what|which)\s+((?!papers?\b|works?\b)[\w-]+\s+){0,3}?(problems?|challenges?|difficult(y|ies)|"
                    r"limitations?|issues?|shortcomings?|weakness(es)?|gaps?|bottlenecks?|drawbacks?|failure modes?|"
                    r"obstacles?|pain points?)\b(?! (area|domain|setting|space)s?\b)|\bfailure modes?\b|"
                    r"\bwhat (hinders?|holds? back|goes wrong)\b|"  # not "what keeps the model from losing ...?"
                    r"\bwhat (stops?|keeps?|prevents?|blocks?)\b[^?]*\bfrom (being|using|applying|working|scaling)\b|"
                    r"\bwhat('s| is) wrong with\b|"
                    r"\bwhy (is|are|do|does)\b[^?]*\b(hard|difficult|awkward|fails?|struggles?|problematic)\b"),
    # the stages asked for ("what are the three stages", "its key modules"), not "in one step", "reasoning steps"
    (Wants.STAGES, r"\b(what|which|the|its|their|each|main|key|list|name|many|those|these)\b(\s+[\w'-]+){0,2}?\s+"
                   r"(stages?|steps?|phases?|components?|parts|modules?|pipeline|procedure|workflow|ingredients|"
                   r"pieces|building blocks)\b(?!-)|"
                   r"\b(stages|steps|phases)\b[^?]*\bwhat are (they|these|those)\b"),  # "in stages - what are they?"
    (Wants.MODELS, r"\b(which|what) (?!(stops?|makes?|keeps?|prevents?|limits?|causes?|lets|helps?|allows?|"
                   r"enables?|hinders?|blocks?|leads?)\b)"  # "what stops multimodal models from ...?" asks why
                   r"((?!papers?\b|works?\b|methods?\b|approach|stud|of\b|the\b|an?\b|"
                   r"(do|does|did|are|is|were|was)\b)[\w-]+ ){0,3}"  # not "what problems do multimodal models ..."
                   r"(models?|llms?|lms?|backbones?)\b(?!-|\s+\w+(ing|ion)\b)|"
                   r"\b(backbones?|base models?|model famil(y|ies)|model sizes?)\b"),
    (Wants.NAMES, r"\b(which|what) ((?!papers?\b|works?\b|of\b|the\b)[\w-]+ ){0,4}(methods|approaches|techniques|"
                  r"algorithms?|baselines?|optimi[sz]ers?|editors)\b"),
    (Wants.DATASET, r"\b(which|what|name the|list the|(on|across) (which|what)|name of (the|its|their)|(which|what) "
                    r"(are|were) the) (\w+ ){0,2}(datasets?|benchmarks?|corpus|corpora|"
                    r"test ?beds?|games?|environments?|tasks?|domains?|languages?|simulators?)\b"
                    r"(?!\s+(?:includ|contain|consist|compris|cover|look)\w*)|"  # "what does their dataset include?"
                    r"\b(evaluat\w*|tested|trained|fine-?tuned|experiments?) (on|against|with) (which|what)\b|"
                    r"\b(what|which) ([\w-]+ )?data\b"),
    (Wants.EXPANSION, r"\b(stands? for|full name|spelled out|acronym|abbreviation)\b"),
    (Wants.DEFINITION, r"^\s*(what('s| is| are| was)\b|what (does|do|did) [^?]*\b(do|propose|introduce|present|"
                       r"offer|contribute|about)\b|describe|explain|summari[sz]e|tell me about|give me an overview)"),
    (Wants.METHOD, r"^\s*how (does|do|is|are|did|was|were|can|could)\b|\bhow (does|do|did) each\b|\bin what way\b|\bwhat way\b|"
                   r"\b(compare|contrast|differ\w*|explain|describe)\b.*\bhow\b"),
]]
MEASURES_HOW = re.compile(r"\b(?:measur|quantif|assess|estimat|gaug|track|captur|evaluat|test|check)\w*\s+"
                          r"how\s+(?:much|many|well|far|often)\b[^?,;]*|"
                          r"\b(?:metric|measure|score|indicator)s?\s+(?:for|of)\s+how\s+(?:much|many|well|far|often)\b"
                          r"[^?,;]*", re.IGNORECASE)  # "a metric for how much compression happens"
# The noun a question asks for ("Which layers does ...", "What new metric ...", "What are the key modules of ..."):
# the sentence that answers names one.
HEAD_RE = re.compile(r"\b(?:which|what|how many)(?:'s|\s+(?:are|is|were|was))?\s+(?:the\s+)?(?:[\w-]+\s+){0,4}?([\w-]+)\s+"
                     r"(?:does|do|did|is|are|was|were|has|have|had|can|could|will|would|of|in|for|from|that|and|came|"
                     r"comes)\b",
                     re.IGNORECASE)
HEAD_AT_END = re.compile(r"\b(?i:which|what|how many)\s+(?:(?!(?i:does|do|did|is|are|was|were|has|have|had|can|will)\b)"
                         r"[\w-]+\s+){0,2}?([a-z][a-z-]*s)\s*[?.!]*\s*$")  # "..., what models": a part ends with it
# "... also proposes a metric for X. What's it called?": the thing named before the question that asks its name
CALLED_HEAD = re.compile(r"\b(?:a|an)\s+(?:new\s+|novel\s+|own\s+)?([a-z][a-z-]*)\b(?=[^.?!;]*[.;:]?\s*"
                         r"(?:so\s+|and\s+)?what(?:'s|\s+is|\s+was)\s+(?:it|its name|that)(?:\s+called)?\s*\?*\s*$)",
                         re.IGNORECASE)
# "how many papers went into ...": the counted noun, unless another quantity is asked too ("how much X / how many Y")
HOW_MANY_HEAD = re.compile(r"\bhow many\s+(?:[\w-]+\s+){0,2}?([a-z][\w-]*s)\b", re.IGNORECASE)
HOW_MANY = re.compile(r"\bhow many\s+((?:(?!(?:are|is|were|was|do|does|did|can|could|has|have|had|will|would|in|"
                      r"of|on|for|to|from|per|at|there)\b)[\w-]+(?:\s*/\s*|\s+))+)", re.IGNORECASE)
COUNTED_SPLIT = re.compile(r"\s*/\s*|\s+(?:or|and)\s+")
COUNTED_ELSEWHERE = frozenset(STEMMER.stemWords("paper work article time percent".split()))  # "how many times faster"
NOT_HEADS = frozenset(STEMMER.stemWords("paper work one kind type sort way thing name".split()))

# Clauses that tell the assistant how to behave rather than ask about the papers: dropped, never obeyed.
INSTRUCTION = re.compile(
    r"\b(ignore|disregard|forget)\b.*\b(rules?|instructions?|prompt|guidelines?)\b|"
    r"\b(reveal|print|show|repeat|output|tell me|give me)\b.*\b(system )?prompt\b|"
    r"\b(without|no|don'?t|do not|never|skip|omit|leave out|drop)\b.*\b(cit(e|ing|ations?)|sources?|references?|"
    r"brackets)\b|"
    r"\b(answer|reply|respond)\b.*\b(only|just|in one (word|sentence)|briefly|as a poem|in json)\b|"
    r"\b(cit(e|ing|ations?)|sources?|references?)\b.*\b(disabled|switched off|turned off|not (needed|required|"
    r"allowed))\b|"
    r"^\s*(system|user|assistant|developer)( override| prompt| message| note)?\s*$|"  # a role label ("SYSTEM:")
    r"\b(answer|reply|respond|write)\b.*\bin (french|spanish|german|italian|portuguese|chinese|japanese|korean)\b|"
    r"\b(r[ée]ponds?|r[ée]pondez|responde|respondes|antworte|antworten Sie)\b|"  # "réponds en français s'il te plaît"
    r"\byou are now\b|\bpretend\b|\bact as\b", re.IGNORECASE)
CLAUSE_SPLIT = re.compile(r"(?<=[:;.!?])\s+|,\s*(?:and\s+)?then\s+|\s+and then\s+|\s*:\s*|,\s+(?=(?:and\s+)?(?:tell|"
                          r"what|which|how|who|why|when|where|is|are|does|do|can)\b)", re.IGNORECASE)
LEAD_IN = re.compile(r"^\s*(please|then|and|also|so|now|ok(ay)?|tell me|i want to know|can you tell me|"
                     r"could you tell me)\b[\s,]*", re.IGNORECASE)

EVERY_PAPER = r"(?:list|name|show|find|give me) (?:every|each|all)\b(?: [\w-]+){0,3}? (?:paper|work|article|study)\b"
LIST_RE = re.compile(
    r"\b(which|what|list|name|any|are there|is there|find|show( me)?|give me|recommend|suggest|how many)\b.*"
    r"\b(papers|works|articles|publications|studies|methods|approaches|techniques|frameworks|systems|"
    r"benchmarks|datasets|surveys|abstracts|ones)\b|\b(papers|works|studies|articles)\s+(that|which|about|on|"
    r"using|with|where|proposing|studying|addressing|tackling)\b|\bany (paper|work|study|article)s?\b|"
    r"^\W*(?:everything|all) (?:from|in|published|at|by|with|that)\b|"  # "everything from 2024?"
    rf"\b{EVERY_PAPER}|"
    r"\b(?:papers|works|studies|articles)\s+(?!being\b|having\b)[a-z]+ing\b|"  # "papers dealing with ..."
    r"^\s*list\b|^\s*(?:anything|any(?:one| one)?|something) (?:on|about|involving|regarding|related to|with|"
    r"using|that)\b|"  # "anything involving dialogue?"
    r"^\W*(?:anything|something)(?: at all)?(?: (?:in here|here|"
    r"in (?:the|this) (?:collection|set|library)))? (?:on|about|involving|regarding|related to|with|using|for)\b|"
    r"[-\u2013\u2014,:]\s*(?:anything|any papers?)\W*$|"  # "self driving cars -- anything?"
    r"\b(?:give me|list|show me|name) (?:them )?all(?: of them)?\W*$|"  # "anything on X? give me all of them"
    r"^\W*(?:[\w-]+\s+){1,4}(?:papers|works|studies|articles)\W*$", re.IGNORECASE)  # "mcts papers?"
# "please list them in alphabetical order", "newest first", "sorted by year": how to sort a list
ORDER_ASKED = re.compile(r"(?:[.,;]?\s*(?:please\s+)?(?:(?:list|sort|order|show|give|put|rank)\s+"
                         r"(?:them|these|those|the (?:papers|results|list)|it)\s+|(?:sorted|ordered|arranged)\s+)?"
                         r"(?:in\s+|by\s+)?)?(?P<key>alphabetical(?:ly)?|"
                         r"(?:reverse\s+)?chronological(?:ly)?|(?:newest|latest|most recent|oldest|earliest)\s+first|"
                         r"(?<=by )(?:name|title|year|date))\b(?:\s+order)?(?:\s+by\s+(?:name|title|year|date))?"
                         r"(?:\s*,?\s*please)?", re.IGNORECASE)
# question words mistyped ("wich papers ...?"); names are put right by the name index
TYPOS = {"wich": "which", "whcih": "which", "wihch": "which", "whihc": "which", "waht": "what", "wat": "what",
         "papres": "papers", "paprs": "papers", "paers": "papers"}
PLURAL_MARK = re.compile(r"\b([A-Za-z]+)\(s\)")  # "how many example(s)": the plural
QUESTION_TYPOS = re.compile(r"\b(?:" + "|".join(TYPOS) + r")\b", re.IGNORECASE)
# the field's acronyms that abstracts write out ("Which papers use RL?" asks for "reinforcement learning")
ACRONYMS = {"rl": "reinforcement learning", "mcts": "Monte Carlo tree search", "cot": "chain-of-thought",
            "rag": "retrieval-augmented generation", "sft": "supervised fine-tuning", "kg": "knowledge graph",
            "kgs": "knowledge graphs", "qa": "question answering", "nlp": "natural language processing",
            "vlm": "vision-language model", "vlms": "vision-language models", "mllm": "multimodal large language model",
            "mllms": "multimodal large language models", "rlhf": "reinforcement learning from human feedback",
            "icl": "in-context learning", "peft": "parameter-efficient fine-tuning", "moe": "mixture of experts",
            "dpo": "direct preference optimization", "ppo": "proximal policy optimization"}
ACRONYM_RE = re.compile(r"(?<![\w-])(?:" + "|".join(ACRONYMS) + r")(?![\w-])", re.IGNORECASE)
# "how did the team place?", "what place did it take?": a rank in a competition
PLACE_AS_RANK = re.compile(r"\b((?:how|where) (?:did|does|do)\b[^?]*?\s)(?:place|finish)\b|\bwhat place\b",
                           re.IGNORECASE)
PART_SPLIT = re.compile(r"(?<=\?)\s+(?=\w)|,?\s+and\s+(?=(?:on |in |with |for |at |by )?(?:what|which|how|where|who|"
                        r"when|why|is|are|does|do|did|was|were|can)\b)|;\s*", re.IGNORECASE)
RECORDS_SPLIT = re.compile(r"\s*(?:[+&,/]|\band\b)\s*", re.IGNORECASE)  # "venue + code?", "year and first author?"
# "Which papers introduce a new dataset or benchmark?": papers whose abstract introduces a named one (not a method)
INTRODUCES_ASKED = re.compile(r"\b(introduc|contribut|propos|releas|present|buil|creat|construct|provid|offer|new|"
                              r"novel)\w*\b(?:(?!\b(?:methods?|approach\w*|techniques?|frameworks?|models?)\b)[^?])*"
                              r"\b(datasets?|benchmarks?|corpus|corpora|test ?beds?)\b",
                              re.IGNORECASE)
BUILT_ASKED = re.compile(r"\b(build|builds|built|creates?|created|constructs?|constructed|introduces?|introduced|"
                         r"releases?|released|curates?|curated|collects?|collected|contributes?|contributed)\b",
                         re.IGNORECASE)
INTRODUCING_WORDS = frozenset(stems("introduce contribute propose release present build create construct provide "
                                    "offer new novel named own come ship"))  # "come with a new dataset"
# "Which survey covers more, the safety survey or the scientific LLM survey?": two papers weighed against each other
ALTERNATIVES = r"\b(more|fewer|less|larger|smaller|bigger|better|worse|higher|lower|faster|slower|earlier|later|" \
               r"newer|older|first)\b[^?]*\bor\b"
# "The REFED paper and the semi-supervised paper ...: what does each rely on?": papers asked about side by side
EACH_RE = re.compile(r"\b(each|both)\b", re.IGNORECASE)
PLURAL_ASK = re.compile(r"^\s*(what|which|how|why|where)\b[^?]*?\b(do|are|were|have)\b|"
                        r"^\s*(?:for|about|regarding|as for)\b[^?]*?\b(do|did|are|were|have) they\b",
                        re.IGNORECASE)  # "For the X paper and the Y paper, which LLMs did they use?"
VERSUS = re.compile(r"vs\.?|versus", re.IGNORECASE)  # "the token vs. entity mismatch" puts no papers side by side
# "How do the X paper" -> "the X paper"; "the one where Y - where does each ...?" -> "the one where Y"
SIDE_LEAD = re.compile(r"^\s*(?:how|what|which|why|where|when|does|do|did|is|are|was|were)\b.*?\b(?=(?:the|this|that)\b)",
                       re.IGNORECASE)
# the ask after a dash, a colon or the sentence's end, or what both sides do ("X and the Y paper both want ...")
SIDE_ASKED = re.compile(r"(?:\s+[-\u2013\u2014]\s+|:\s+|(?<=\w)[.!?]\s+(?=[A-Z])|(?<=\w{3})[.!?]\s+|"
                        r"\s+(?:both|all|share[sd]?)\s+(?!of\b)).*$")
# "A and B", "A vs B", "compared to the one ...", "with REFED": not "learn when to use", "update with new data"
COMPARED_SPLIT = re.compile(r"\s+(?:and|vs\.?|versus|against)\s+|\s+(?:with|to|from|than)\s+(?=(?:the|this|that)\b|"
                            r"(?-i:[A-Z]))|"
                            r",\s*", re.IGNORECASE)
COUNT_RE = re.compile(r"\bhow many\b.*\b(papers?|abstracts?|articles?|documents?|works|publications|entries)\b|"
                      r"\b(list|show|give me|name)\b.*\b(all|every)\b.*\b(papers?|abstracts?|articles?)\b|"
                      r"\b(all|every) (the )?(papers?|abstracts?|articles?)\b.*\b(you have|in (the|this|your) "
                      r"collection|indexed)\b", re.IGNORECASE)
COMPARE_RE = re.compile(r"\b(compare[sd]?|comparison|comparing|differ|differs|difference|differences|different|"
                        r"versus|vs\.?|contrast|similar|similarities|in common|distinguish|same|relate)\b|"
                        r"\bwhich (one )?of (the two|them|these|those|both)\b|" + ALTERNATIVES, re.IGNORECASE)

PAPER_NOUN = r"(one|paper|method|approach|work|article|study|framework|model|system|benchmark|survey|technique)"
ORDINALS = {"first": 0, "second": 1, "third": 2, "fourth": 3, "fifth": 4, "former": 0, "latter": -1, "last": -1}
ORDINAL_RE = re.compile(rf"\bthe (first|second|third|fourth|fifth|last) {PAPER_NOUN}s?\b|\bthe (former|latter)\b|"
                        rf"\bthe (first|second|third|fourth|fifth|last)\b(?!\s*(?:[\w-]+\s+)?(?:stages?|steps?|phases?|parts?|"
                        rf"components?|modules?|authors?|sentences?|turns?|questions?|answers?|times?|rounds?|half|"
                        rf"datasets?|benchmarks?|games?|tasks?|layers?|places?|rank|version|edition)\b)", re.IGNORECASE)
# a paper chosen by its date: "the earlier one", "which one came out first?", "which of them is newer?"
BY_DATE = re.compile(r"\b(?:the|that|this) (earlier|earliest|older|oldest|later|latest|newer|newest|more recent|"
                     r"most recent)"
                     r"(?: (?:one|paper|work|of the two))?\b|"
                     r"^\s*which(?: one| paper)?(?: of (?:them|the two|these|those|both))?\s+(?:came out|was (?:published|"
                     r"released|written)|appeared)\s+(first|last|earlier|later)\b|"
                     r"^\s*which(?: one| paper)?(?: of (?:them|the two|these|those|both))?\s+is\s+(?:the\s+)?(older|oldest|"
                     r"newer|newest|more recent|most recent)\b", re.IGNORECASE)
PAIR_RE = re.compile(r"\b(both|either|the two|these two|those two|each)\b", re.IGNORECASE)  # after two one-paper turns
EARLY_WORDS = {"earlier", "earliest", "older", "oldest", "first"}
OTHER_RE = re.compile(rf"\b(?:the|that|this) other (one|two|ones|{PAPER_NOUN}s?)\b|\bthe others\b|\bthe other\b",
                      re.IGNORECASE)
# the earlier papers together ("both", "them", "which of them"); "both X and Y" is no reference
ALL_RE = re.compile(r"\b(both(?!\s+(?!of\b)[\w-]+(?:\s+[\w-]+)?\s+and\b)( of them)?|them|they|their|theirs|"
                    r"either(?!(?:\s+[\w-]+){1,4}\s+or\b)( of them| one)?|"  # "for either?", not "either X or Y"
                    r"these( \w+)?|those( \w+)?|each of them|each one|"
                    r"each(?=\s*[?.!]|\s*$|\s+(?:do|does|did|is|was|has|have|had|come|came)\b)|"  # "what did each find?"
                    r"the two(?! (?!papers\b|ones\b|works\b|studies\b|"
                    r"methods\b|approaches\b|surveys\b|articles\b)[\w-]+s\b)( \w+)?|all of them|"
                    r"which of (them|these|those|the two))\b|^\s*which one\b(?! of)", re.IGNORECASE)
ONE_RE = re.compile(rf"\b(it|its|itself|(?:this|that|the) (?:{PAPER_NOUN}|dataset)|the authors|"
                    rf"this (one|paper)|this)\b(?! (collection|question|conversation|set|corpus|library|database))|"
                    r"(?:(?<=\bis )|(?<=\bwas )|(?<=\bdoes )|(?<=\bdid )|(?<=\bwould )|(?<=\bcan ))that"
                    r"(?= (?:supposed|meant|going|actually|really|help|helps|work|works|do|does|compare|improve|mean|"
                    r"happen|matter)\b)|"  # "why is that supposed to help?": the last paper's idea
                    rf"(?<!\bis )(?<!\bare )(?<!\bwas )(?<!\bwere )\bthere\b(?!['\u2019]s\b|\s+(?:is|are|was|were|any)\b)",
                    re.IGNORECASE)  # "how much progress do models make there?"
POINTS_BACK = re.compile(r"\b(other|them|they|these|those|that|this|it|its)\b", re.IGNORECASE)
SELECT_RE = re.compile(r"^\W*(?:(?:and|so|ok(?:ay)?|then)\W+)?(?:(which|what) (one )?of (them|these|those|the two|both)\b|"
                       r"which (one|paper)\b)",
                       re.IGNORECASE)
SINGULAR_VERBS = {"is", "was", "has", "does", "did", "can", "could", "will", "would", "should", "may", "might", "one",
                  "paper", "work", "method", "approach"}
DESCRIPTION_GOES_ON = re.compile(r"\s*(?:that|which|where|whose|who|on|about|with|in|of|for|behind|from|by|to|"
                                 r"using)\b", re.IGNORECASE)
THE_ONE_WHERE = re.compile(r"\bthe one (?:that|which|where|whose|about|on|with|in which)\b", re.IGNORECASE)
THE_KIND_RE = re.compile(r"\bthe (survey|benchmark)(?: (?:among|of) (?:them|these|those|the \w+))?\b", re.IGNORECASE)
THE_WORDS_ONE_RE = re.compile(r"\bthe ((?:(?!other\b|same\b|first\b|second\b|third\b|last\b|latter\b|former\b|"
                              r"that\b|this\b|it\b|does\b|do\b|did\b|is\b|was\b)"
                              r"[\w-]+ ){1,3})(one|paper|submission|entry|article|study)\b", re.IGNORECASE)
# "any other paper on this?", "is there another survey?", "anything else?": papers besides the last answer's
ELSEWHERE = re.compile(r"(?<!the )(?<!that )(?<!this )\b(?:any ?other|some other|another|other) "
                       r"(?P<kind>(?:[\w-]+ ){0,2}?)(?P<noun>papers?|works?|articles?|"
                       r"stud(?:y|ies)|surveys?|benchmarks?|datasets?|ones?)\b|\b(?:any|some) (?:others|more)\b|"
                       r"\banything else\b|\bmore (?:papers|works|studies)\b", re.IGNORECASE)
ELSEWHERE_LEAD = "Which other papers are about this: "
# "aside from the escape room benchmark, ...", "... but leave out the ones about games": papers the question sets aside
LEAVE_OUT = re.compile(r"(?:[,;(-]\s*)?(?:\b(?:but|and)\s+)?\b(?:leave out|leaving out|excluding|except(?: for)?|"
                       r"other than|aside from|apart from|besides|not counting|not including|"
                       r"(?:leav|sett|putt)(?:e|ing) aside|"
                       r"(?:but )?not (?=the ones?\b|those\b|any\b|papers\b))"
                       r"\s+(?P<what>(?:(?!(?:what|which|who|does|do|did|how)\b)[\w'/-]+\s*){1,8})[)]?", re.IGNORECASE)
PAPERS_DESCRIBED = re.compile(rf"^(?:the|those|these|any|ones|papers|all)\b.*\b(?:{PAPER_NOUN}|ones|papers)s?\b",
                              re.IGNORECASE)  # "the self-driving one", "the ones about games": papers, not "text"
# "the paper that teaches LLMs to search ...", "the one about ...": a paper described anew
DESCRIBED_ANEW = re.compile(rf"\b(the|a|another) {PAPER_NOUN} (that|which|where|whose|in which|about|on)\b"
                            r"(?!\s+(you|we|i|it|them)\b)", re.IGNORECASE)
NOT_DESCRIBED = re.compile(rf"(?:the|a|another) {PAPER_NOUN} (?:that|which) (?:is not|isn'?t|does not|doesn'?t|"
                           r"has not|hasn'?t|was not|wasn'?t)\b", re.IGNORECASE)  # "the one that isn't about games"
# "Was there also an editing paper about X? did they ...", "I also remember one about X. Which of the two ...?": a
# follow-up that brings in a paper by description, then asks about it (or about it beside the last one)
MENTIONS_PAPER = re.compile(r"^\W*(?:(?:and|so|oh|hmm|ok(?:ay)?|wait)\W+)?(?:(?:was|is|were|are) there (?:also )?|"
                            r"there(?:'s|s|\u2019s| is| was| were) also |(?:do|did) you (?:also )?have |"
                            r"i (?:also )?(?:remember|recall|saw|read|think there(?:'s|s|\u2019s| was| is)) (?:also )?)"
                            r"(?P<what>(?:an?|one|something|some|another|that|the)\b[^?.!]*)"
                            r"[?.!]+\s+(?P<rest>\S.*)$", re.IGNORECASE)
# "There's also a dataset on X. Does it share a repo with that one?": the paper described beside the last one
THAT_ONE = re.compile(r"\b(?:that|the last|the previous|the earlier|the first) (?:one|paper)\b", re.IGNORECASE)
# "back to the escape room agent, how many ...?": an earlier paper, named by a description
BACK_TO = re.compile(r"^\W*(?:(?:ok(?:ay)?|so|and|now)\W+)?(?:(?:going|go|coming|come|getting|get) )?back to "
                     r"(?P<what>[^,?:;\u2013\u2014]+?)\s*(?:[,:;?\u2013\u2014]|\s-\s)\s*", re.IGNORECASE)
BESIDES_LAST = re.compile(r"\b(also|another|other|same lines|similar)\b", re.IGNORECASE)
ONE_DESCRIBED = re.compile(r"\b(the|this|that) ((?!papers?\b|collection\b)[\w-]+ ){0,6}?(paper|survey|article|"
                          r"study|work|dataset|benchmark|method|framework|approach|technique|toolkit|submission|"
                          r"entry)\b(?!s)|\b(?:the|this|that) (?:[\w-]+ ){1,6}?agent\b(?!s)",
                          re.IGNORECASE)
BARE_DESCRIBED = re.compile(r"(?:(?!(?:what|which|how|each|every|any|some|the|a|an|this|that|its|their|it|they|"
                            r"on|in|of|for|with|to|by|and|or|is|are|was|were|do|does|did)\b)[\w-]+\s+){1,5}"
                            r"(?:paper|survey|study|method|framework|benchmark|dataset|toolkit)",
                            re.IGNORECASE)  # "semi-supervised fine-tuning paper vs LookAhead Tuning"
ONE_LEAD = re.compile(r"^\W*(?:[\w-]+ ){1,6}?(?:paper|survey|study|work|method|framework|benchmark|dataset)\s*"
                      r"(?::|\s[-\u2013\u2014])", re.IGNORECASE)  # "reference-level feedback paper: which ...?"
MANY_ASKED = re.compile(r"\b(which|what|list|name|any|all|find|show|are there)( [\w-]+){0,3} (papers|works|articles|"
                        r"studies|surveys|methods|approaches|techniques|frameworks)\b(?! (does|do|did|is|was|has) (the|this|"
                        r"that|it)\b)|\b(papers|works|articles|studies) (that|which|about|on|using|with|where|"
                        r"whose|in which)\b|"
                        rf"(?:^\W*|\byou (?:please )?){EVERY_PAPER}",  # "Can you list every paper whose ...?"
                        re.IGNORECASE)
PAPERS_ASKED = re.compile(r"\W*(?:which|what|list|name|show|find|any)\s+(?:\w+\s+)?(?:papers|works|articles|studies)\b",
                          re.IGNORECASE)  # "Which papers release their code?": their own
BARE_THAT = re.compile(r"\b(?:does|did|do|is|was|has|can|could|would|will) that\b", re.IGNORECASE)  # "how much
# does that cut harmful outputs?" after a paper brought in
# "one paper pushes knowledge into the weights and another washes it out -- what ...?", "there's a paper that squeezes
# thoughts and a safety one that cuts latency. how does each ...?": two papers described
DESCRIBED_NOUN = r"(?:paper|work|method|study|benchmark|survey|dataset)"
ONE_AND_ANOTHER = re.compile(rf"^\s*(?:[^:?.]{{1,60}}:\s+)?(?:there(?:'s| is| are) )?(?:one (?:paper |work |method |"
                             rf"of them )?|a (?P<kind_a>(?:[\w-]+ ){{0,3}}?)(?P<noun_a>{DESCRIBED_NOUN})\b)"
                             rf"(?P<a>(?:(?!\band (?:another|a|one)\b)[^?])*?),?\s+and\s+"
                             rf"(?:another(?: one| paper)?|one(?= that\b)|"
                             rf"a (?P<kind>(?:[\w-]+ ){{0,3}}?)(?P<noun_b>one|{DESCRIBED_NOUN})\b)"
                             r"(?P<b>[^?]*?)(?=\s*(?:--|[-\u2013\u2014:;,?]|\.\s))", re.IGNORECASE)
HERE = re.compile(r"\s*\b(?:in here|here|in (?:this|the) collection)\b", re.IGNORECASE)  # "... a dataset in here."
# "the two surveys", "both safety methods": a group of papers described by their kind, compared with each other
GROUP_RE = re.compile(r"\b(?:the|both|these|those) (two|three|four)((?: [\w-]+?s\b)|(?: [\w-]+){1,2}? [\w-]+?s\b)"
                      r"(?P<about> (?:on|about)\b[^.?!,;:]*)?", re.IGNORECASE)  # "the two papers on making LLMs forget"
COUNTS = {"two": 2, "three": 3, "four": 4}
ALL_COUNTED = re.compile(r"\ball (three|four)(?: of them)?\b", re.IGNORECASE)  # "is code public for all three?"
EACH_RE = re.compile(r"\b(each|respectively)\b", re.IGNORECASE)  # "how big is ... the two surveys, respectively?"
PAPERS_NOUN = re.compile(r"\b(papers|surveys|works|studies|articles|methods|approaches|frameworks|benchmarks|"
                         r"datasets|toolkits)\b", re.IGNORECASE)  # not "the two stages", "the two games"
SOME_DESCRIBED = re.compile(r"\bthe (two|three|four) ((?:[\w-]+ ){0,3}?[\w-]+) (?:ones|papers)\b", re.IGNORECASE)
YEAR_RE = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")
EITHER = re.compile(r"\bor\b", re.IGNORECASE)
EXAMPLE_ASIDE = re.compile(r"\(\s*(?:like|e\.g\.?|eg|such as|for example|for instance)\b[^)]*\)", re.IGNORECASE)
EXAMPLES = re.compile(r"\b(?:etc|e\.g|such as|for example|for instance)\b", re.IGNORECASE)  # "(GPT-4o, o1 etc)"
# "which abstracts bring up chain of thought?": the words asked for, up to an aside ("... in any form", "... like o1")
MENTIONS_ASKED = re.compile(r"\b(?:mention(?:s|ed)?|brings?\s+up|use[sd]?\s+the\s+(?:words?|terms?|phrases?))\s+"
                            r"(?P<what>[^,;:()?!]+)", re.IGNORECASE)
MENTION_TAIL = re.compile(r"\s+(?:in\s+(?:any|some|their|its)|at\s+all|anywhere|somewhere|whether|such\s+as|like|e\.g\.)"
                          r"\b.*", re.IGNORECASE)
MENTION_SIDES = re.compile(r"\s+or\s+|\s*/\s*", re.IGNORECASE)
ARTICLES = frozenset({"a", "an", "the"})
PHRASE_EDGE = re.compile(r"[,;:()?!]")
DESCRIPTION_END = re.compile(rf"\s+(?:--?|[\u2013\u2014])\s+|{PHRASE_EDGE.pattern}")  # "the one that ... - what?"
ASIDE = re.compile(r"\(([^)]*)\)")
LISTED_AFTER = re.compile(r"\s[-\u2013\u2014:]\s+([^?]+)\?*\s*$")
# "What are the seven components of X?", "Which two games ...?", "names of the four datasets": N things to name
ENUMERATION_ASKED = re.compile(r"\b(?:what|which|name|list)\b(?:\s+(?:are|were|is|was))?(?:\s+the)?(?:\s+names\s+of"
                               r"\s+the)?\s+(two|three|four|five|six|seven|eight|nine|ten|[2-9])\s+(?:[\w-]+\s+){0,2}?"
                               r"(?:(?:kinds|types|sorts) of\s+)?([\w-]+s)\b", re.IGNORECASE)  # "two kinds of tasks"
CARDINALS = {w: n for n, w in enumerate("zero one two three four five six seven eight nine ten".split())}
ASKING_WORD = r"(?:what|which|how|who|why|when|where|does|do|did|is|are|was|were|can)\b"
ASKING = re.compile(rf"\s*{ASKING_WORD}", re.IGNORECASE)
# "In the paper that squeezes thoughts, what ...": a description of the paper before the clause that asks
DESCRIBED_LEAD = re.compile(r"^\s*(?:(?:and |so )?(?:what|how) about |in |for |from |about |regarding |with |per |"
                            r"according to )?(?:the|this|that|a|an|"
                            rf"there'?s a) [^?]{{15,}}?(?:,|:|\s[-\u2013\u2014])\s*(?=(?:so |and |then )?{ASKING_WORD})",
                            re.IGNORECASE)
# "Which base models were trained in the work that teaches ...?": a description after the clause that asks
DESCRIBED_TAIL = re.compile(r"\s+(?:in|from|by|of|for|behind)\s+the\s+(?:[\w-]+\s+){0,3}?(?:paper|work|survey|study|"
                            r"method|framework|approach|technique|toolkit|system)\s+(?:that|which|where|whose|about|on)\b"
                            r"[^?]*", re.IGNORECASE)
TOPIC_SWITCH = re.compile(r"^\W*(?:(?:ok(?:ay)?|so|now|alright)\W+)?(?:unrelated(?=\W*,)|(?:a |on a )?(?:different|new|another|unrelated) "
                          r"(?:thing|topic|question|subject)|(?:a )?(?:different|new) paper|switching (?:topics?|gears)|"
                          r"changing (?:the )?(?:topic|"
                          r"subject))\b", re.IGNORECASE)
WHAT_ABOUT = re.compile(r"^\s*(and |so )?(what|how) about\b|^\s*and\b|^\s*same (question )?for\b", re.IGNORECASE)

# A name of a thing, by its form: CamelCase, acronyms, letters with digits ("GRPO", "HumanEval", "GPT-4", "A100").
NAME_TOKEN = re.compile(r"\b(?:[A-Z][a-z]+[A-Z][\w-]*|[a-z]+[A-Z][\w-]*|[A-Z]{2,}[\w-]*|[A-Za-z]+-?\d[\w.-]*|"
                        r"\d+-?[A-Za-z][\w-]*|[A-Z][a-z]+-[a-z]+-[A-Z][a-z]+)\b")  # ... "Chain-of-Thought"
TERM_SUFFIX = re.compile(r"-(?:based|style|like|driven|powered|guided|enhanced|specific)$", re.IGNORECASE)
COMPOUND = re.compile(r"(?P<name>[A-Z]{2,})s?-(?P<word>[a-z]{3,})")  # "LLM-generated"
GENERIC_NAMES = {"llm", "lm", "lmm", "mllm", "ai", "nlp", "ml", "rl", "gpu", "cpu", "api", "url", "pdf", "faq", "qa",
                 "cot", "sota", "system", "user", "assistant", "override", "developer"}

HAN = re.compile(r"[\u4e00-\u9fff]")
KANA = re.compile(r"[\u3040-\u30ff]")
HANGUL = re.compile(r"[\uac00-\ud7af]")
FUNCTION_WORDS = {lang: frozenset(words.split()) for lang, words in {
    "en": "the of and to in is are what which how does do paper papers with for on that this by",
    "es": "el la los las de del que qué cuál cuáles cómo es son un una por para con en artículo artículos "
          "trabajos se su sus utiliza usa hay algún alguna cuánto cuántos dónde quién al lo las sobre método "
          "cuando entre",
    "fr": "le la les des du de que quel quelle quels quelles comment est sont un une pour avec dans article "
          "articles travaux utilise sur ce cette il y a-t-il où qui combien aux au une ou par méthode quelle "
          "leur leurs entre",
    "de": "der die das den dem des und ist sind wie welche welcher welches welchen was ein eine mit für auf im "
          "in von arbeiten artikel verwendet wird werden wurde wurden hat haben gibt es nicht auch oder wer aus "
          "einem einen einer eines zu zur zum bei beim über durch sich nach vor anhand seiner ihrer arbeit methode",
}.items()}
LETTERS = [None, re.compile(r"[ñ¿¡]"), re.compile(r"[çœèêàù]"), re.compile(r"[äöüß]")]  # en, es, fr, de
# Cue words of the main languages, mapped to the English the planner's rules read.
FOREIGN_CUES = [(re.compile(pattern, re.IGNORECASE), english) for pattern, english in [
    # "is there a paper ...": one paper asked for (or none), not a list
    (r"有没有|是否有|有哪篇|はある[？?]?$|はありますか|ありますか[？?]?$|existe-t-il|y a-t-il|\bgibt es\b|¿?\bhay\b|"
     r"\bexiste alg[uú]n", "is there a paper"),
    (r"哪些|哪几篇|所有.*论文|どの論文|論文はどれ|論文を.*挙げ|qué artículos|cuáles|qué trabajos|"
     r"quels articles|quelles? (études|publications)|quels travaux|\blesquel(le)?s\b|welche (der )?(arbeiten|artikel|papers|"
     r"veröffentlichungen|studien|paper)", "which papers"),
    (r"多少篇|几篇|何本|何件|cuántos (artículos|trabajos|papers)|combien (d'|d’|de )(articles|travaux|publications)|"
     r"wie viele (arbeiten|artikel|papers|paper|veröffentlichungen)", "how many papers"),
    (r"(?<!有)没有|ない|\bsin\b|\bsans\b|pas de|\bohne\b|\bkein", "without"),
    (r"代码(?!生成)|源码|コード(?!生成)|(?<!generación de )código|(?<!génération de )\bcode\b|quellcode", "code"),
    (r"作者|著者|autores?|auteurs?|autoren|verfasst", "authors"),
    # the type of answer wanted, so quotes are chosen for it as in English
    (r"多少|百分之|第几|几名|几个|多大|多快|どのくらい|どれくらい|何%|何パーセント|何位|何倍|いくつ|cuánt[oa]s?|"
     r"qué porcentaje|en qué (posición|puesto)|combien|quel pourcentage|quelle (place|position)|wie (viel|viele|stark|"
     r"hoch|groß|weit)|wievielte|welchen platz|prozent|比例|百分比|割合|何割|どれだけ|\btaux\b|progression moyenne|"
     r"progreso medio|\bpromedio\b|durchschnittlich", "how much"),
    (r"什么问题|哪些问题|难题|挑战|課題|問題点|どんな問題|quels? probl[èe]mes?|d[ée]fis?|qu[ée] problemas?|desaf[ií]os?|"
     r"welche(s|n)? (problem|probleme|herausforderung(en)?|schwierigkeit(en)?)", "what problem"),
    (r"(哪些|哪个|哪种|什么|哪几个)(基座|基础)?模型|どの(ような)?モデル|どんなモデル|qué modelos?|con qué modelos?|"
     r"quels? modèles?|avec quels? modèles?|welchen? modell|welche(n|m)? (sprach)?modelle", "which models"),
    (r"数据集|基准|データセット|ベンチマーク|conjuntos? de datos|jeux? de données|datensätzen?|datensatz|"
     r"\bbenchmarks?\b", "which datasets"),
    (r"游戏|ゲーム|\bjuegos?\b|\bjeux\b|\bspiel(en|e)?\b", "which games"),
    # one survey described: "how many papers does it review" asks its count, not the collection's
    (r"综述|サーベイ|\brevue\b|\benquête\b|\bencuesta\b|\brevisión\b|\bsurvey\b|übersichtsarbeit", "survey"),
    (r"模块|阶段|步骤|组成部分|组件|モジュール|段階|ステップ|構成要素|módulos|etapas|pasos|componentes|fases|"
     r"\bmodules\b|étapes|composants|\bphases\b|\bmodule\b|schritte|phasen|komponenten|stufen", "the stages"),
]]

# Words of the main languages that refer back to earlier papers, as an English follow-up that says the same: the
# English rules resolve it ("Quelles sont les différences entre les deux ?" -> "what about both of them?").
FOREIGN_REFERENCES = [(re.compile(pattern, re.IGNORECASE), english) for pattern, english in [
    (r"\blequel\b|\blaquelle\b|\bwelche[rsn]?\s+(?:der|von)\s+(?:beiden|den beiden|ihnen|diesen)\b|"
     r"\bcu[aá]l(?:es)?\s+de\s+(?:los|las|ellos|ellas|estos|estas|ambos)\b|哪一篇|哪篇|其中哪|どちら(?!も)",
     "which of them"),
    (r"\bles deux\b|\btou(?:s|tes) (?:les )?deux\b|\bbeide\w*|\bamb[oa]s\b|\b(?:los|las) dos\b|两篇|两者|这两|二者|"
     r"两个|両方|どちらも|二つ", "both of them"),
    (r"\bl['’]autre\b|\b(?:die|das|der|den) andere[nr]?\b|\b(?:el otro|la otra)\b|另一|另外一篇|もう一(?:つ|方)",
     "the other one"),
    (r"\b(?:le|la) premi[eè]re?\b|\b(?:die|der|das|den) erste[nr]?\b|\b(?:el|la) primer[oa]?\b|第一篇|第一个|最初の",
     "the first one"),
    (r"\b(?:le|la) (?:deuxi[eè]me|seconde?)\b|\b(?:die|der|das|den) zweite[nr]?\b|\b(?:el|la) segund[oa]\b|"
     r"第二篇|第二个|2番目|二番目", "the second one"),
    (r"\b(?:le|la) troisi[eè]me\b|\b(?:die|der|das|den) dritte[nr]?\b|\b(?:el|la) tercer[oa]?\b|第三篇|第三个|"
     r"3番目|三番目", "the third one"),
    (r"\b(?:le|la) derni[eè]re?\b|\b(?:die|der|das|den) letzte[nr]?\b|\b(?:el|la) [úu]ltim[oa]\b|最后一篇|最後の",
     "the last one"),
    (r"(?<!-t-)\b(?:il|elle)\b|\b(?:cet article|ce papier|ce travail|cette (?:m[ée]thode|approche|[ée]tude))\b|"
     r"\b(?:son|sa|ses|leurs?)\b|\bdiese[rsnm]?\s+(?:arbeit|artikel|paper|methode|studie|ansatz)\b|"
     r"\b(?:seine?[nmrs]?|ihre?[nmrs]?)\b|\b(?:este|esta|dicho|dicha)\s+(?:art[íi]culo|trabajo|m[ée]todo|estudio|"
     r"enfoque|paper)\b|\bsus?\b|\b(?:él|ella)\b|它|该论文|该文|这篇|该方法|这个方法|这项工作|其(?![他它中余])|"
     r"それ|この論文|その論文|この手法|その手法", "what about it"),
]]
# "celui sur ...", "el que ...", "die über ...", "关于...的那篇": one of the earlier papers, described
FOREIGN_DESCRIBED = re.compile(r"\b(?:celui|celle|ceux|celles)\s+(?:sur|qui|de|d['’]|avec|où|dont)|\b(?:el|la)\s+"
                               r"(?:que|sobre)\b|\bdiejenige|\b(?:der|die|das)\s+(?:über|mit)\b|的那篇|的那个|の論文",
                               re.IGNORECASE)
FOREIGN_NOT = re.compile(r"\b(pas|non|ni|no|nicht|kein\w*|sin|sans|ohne)\b|不是|而非|并非|ではない", re.IGNORECASE)
NAME_WORDS = stems("call called name named one title")  # "Which one?", "what's it called?": the paper's name
# Words that say what is asked about a paper, not which paper: a question made only of these has no topic.
ASPECT_WORDS = frozenset(stems(" ".join("""code public publicly available github repo repository released release open
source wrote write written author authors who dataset datasets data benchmark benchmarks evaluate evaluated
evaluation evaluations test tested testing train trained training model models result results perform performance
performs year venue publish published conference limitation limitations contribution contributions idea ideas main
key goal problem solve solves work works else detail details tell explain summary summarize compare differ
difference differences better best baseline baselines metric metrics number numbers improve improvement
improvements accuracy size stage stages step steps link url one other others first second third last former latter
both two which again further found find finding findings outcome outcomes conclusion conclusions experiment
experiments setting settings setup compared exactly actually really specifically kind type sort form achieve achieves
achieved gain gains get gets got know learn base backbone architecture parameter parameters hyperparameters
input inputs output outputs ablation ablations license licence novelty novel motivation new core name called call
cite citation reference references version scale size sizes score scores hardware gpu gpus cost deal deals dealt
involve involves involved run runs ran mention mentions mentioned discuss discusses address addresses tackle tackles
focus focuses look looks concern concerns regard regarding talk talks stuff thing
things part percent percentage percentages mean means meant instead give gives given put puts brand say says said
saying each every whether like way ways several various separate separately mainly primarily mostly chiefly largely
place places count counts counted
remember bit pls please rather whole went state states stated report reports reported interest interested curious
wonder wondering
""".split())))

# Aspect words that say which papers belong when a list asks for them ("which papers propose evaluation metrics?")
LIST_CRITERIA = frozenset(stems("stage stages step steps metric metrics parameter parameters"))


@dataclass
class QueryPlan:
    """What a question asks, resolved against the conversation and the collection."""

    question: str
    standalone: str
    kind: Kind
    wants: Wants
    aspect: str
    ask: str = ""  # the clause that asks, without a lead-in describing the paper
    named: list[str] = field(default_factory=list)
    referred: list[str] = field(default_factory=list)
    collection: CollectionQuery | None = None
    parts: list[tuple[str, Wants]] = field(default_factory=list)
    compared: list[str] = field(default_factory=list)
    group: int = 0  # "the two surveys": how many papers the one description in `compared` stands for
    select: bool = False  # "which of them ...": only the papers compared that fit
    several: bool = False  # "which of them are ...": every one that fits, not the one that fits best
    introduces: bool = False  # "which papers / which of them introduce a dataset?": those whose abstract introduces one
    another: bool = False  # a follow-up describing a paper other than the earlier ones (`Reference.anew`)
    exclude: list[str] = field(default_factory=list)  # papers set aside: the last ones, for "any other paper on this?"
    leave_out: str = ""  # papers the question sets aside, described: "the escape room benchmark", "the ones about
    # games"
    terms: list[str] = field(default_factory=list)  # specific things asked about: "GRPO", "learning rate"
    mentioned: tuple[str, ...] = ()  # "which abstracts bring up chain of thought?": the words asked for, as roots
    either: bool = False  # the terms are joined by "or": a paper mentioning one of them will do
    none_of: list[str] = field(default_factory=list)  # "which of them uses X?" when none does: the papers meant
    head: str = ""  # stem of the noun the answer names: "layer" for "Which layers does X update?"
    count: tuple[int, str] = (0, "")  # how many things to name, and their noun: (7, "compon") for "What are the
    # seven components of X?"
    topic: frozenset[str] = frozenset()  # stems of what the question is about, beyond the aspect asked for
    readings: tuple[frozenset[str], ...] = ()  # the topic as a paper may meet it: whole, or one side of an "or"
    language: str = "en"  # "zh", "ja", "es", "fr", "de", "other" or "en": non-English goes to the e5 retriever
    order: str = ""  # how a list is to be sorted: "name", "year" (oldest first), "-year" (newest first), or by rank

    @property
    def papers(self) -> list[str]:
        """The papers the question is about, in the order it names or refers to them."""
        return list(dict.fromkeys(self.referred + self.named))


def strip_instructions(question: str) -> str:
    """The question without clauses that instruct the assistant ("don't cite", "reveal your prompt")."""
    clauses = [c for c in CLAUSE_SPLIT.split(question) if c and c.strip()]
    kept = [LEAD_IN.sub("", c).strip() for c in clauses if not INSTRUCTION.search(c)]
    kept = [c for c in kept if WORD_RE.search(c)]
    if not kept or len(kept) == len(clauses):
        return question.strip()
    text = " ".join(kept)
    return text[0].upper() + text[1:]


def order_of(question: str) -> tuple[str, str]:
    """How the question asks a list to be sorted ("name", "year", "-year" or ""), and the question without that
    request ("Which papers use MCTS? Please list them in alphabetical order." -> "name", "Which papers use MCTS?")."""
    asked = ORDER_ASKED.search(question)
    if not asked:
        return "", question
    key = asked.group("key").lower()
    order = "name" if key.startswith(("alphabet", "name", "title")) else "-year" if key.startswith(
        ("newest", "latest", "most recent", "reverse")) else "year"
    rest = re.sub(r"\?\s*\.$", "?", (question[:asked.start()] + question[asked.end():]).strip(" ,;-"))
    return order, rest if WORD_RE.search(rest) else question


def wants_of(question: str) -> Wants:
    """The type of answer the question asks for (not what a thing asked for measures: "what metric does it introduce
    to measure how much compression happens?" asks for the metric)."""
    question = MEASURES_HOW.sub(" ", question)
    return next((wants for wants, pattern in WANTS_PATTERNS if pattern.search(question)), Wants.ANY)


def parts_of(question: str) -> list[tuple[str, Wants]]:
    """The sub-questions of a question that asks several things ("Which paper ..., and what ...?"; records named in a
    row: "venue + code?", "year and first author?")."""
    parts = [p.strip() for p in PART_SPLIT.split(question) if p and WORD_RE.search(p)]
    if len(parts) == 1:
        asked = question.rpartition(":")[2]  # "About K-ON: year and first author?"
        records = [(piece, wants_of(piece)) for piece in RECORDS_SPLIT.split(asked) if WORD_RE.search(piece)]
        if len(records) > 1 and all(wants in METADATA_WANTS for _, wants in records):
            return records
    return [(part, wants_of(part)) for part in parts] or [(question, wants_of(question))]


def asks_built(question: str) -> bool:
    """True when the data asked for is what the paper builds ("What training data does X build?"), not what it is
    evaluated on."""
    return bool(BUILT_ASKED.search(question))


def asks_several(question: str) -> bool:
    """True when "which of them" asks for every paper that fits ("which of them are about games?", "which of them
    use RL?"), not for one ("which of them uses RL?")."""
    select = SELECT_RE.search(question)  # the verb after it, past an adverb and without a "n't"
    verb = re.match(r"\s*(?:(?:only|also|actually|really|still|even|just|mainly|mostly|both)\s+)?([a-z]+?)(?:n't|\b)",
                    question[select.end():].lower().replace("\u2019", "'")) if select else None
    if not verb or verb.group(1) in SINGULAR_VERBS or re.search(r"\b(it|its|one|paper)\b", select.group(0) + " " +
                                                                 question, re.IGNORECASE):
        return False  # "which of them took part, and how did it rank?", "which one only tunes ...?"
    return verb.group(1) in {"are", "were", "have", "do"} or not verb.group(1).endswith(("s", "ed"))


def compared_of(question: str) -> list[str]:
    """The things a comparison puts side by side, as the question describes them ("A and B", "A vs B", "A or B")."""
    sides = COMPARED_SPLIT.split(question)
    if re.search(ALTERNATIVES, question, re.IGNORECASE):
        sides = [side for part in sides for side in re.split(r"\s+or\s+", part)]
    return [p.strip(" ?.!") for p in map(_side, sides) if len(stems(p)) >= 1]


def _side(text: str) -> str:
    """A compared side without the question around it: "How do the X paper" -> "the X paper", "the one where Y -
    where does each ...?" -> "the one where Y" (when what comes before the ask describes a paper)."""
    text = SIDE_LEAD.sub("", text)
    before = SIDE_ASKED.sub("", text)
    return before if before != text and is_described(before) else text


def is_described(text: str) -> bool:
    """True when the text describes one paper ("the survey of X", "the partial-answer-preview one", "the one where
    ...")."""
    return bool(ONE_DESCRIBED.search(text) or THE_WORDS_ONE_RE.search(text) or THE_ONE_WHERE.search(text)
                or BARE_DESCRIBED.fullmatch(text.strip()))


def described_side_by_side(question: str, named: int) -> bool:
    """True when a question asks about each of two papers it names or describes ("The REFED paper and the
    semi-supervised fine-tuning paper ...: what data does each rely on?", "How do BiasEdit and the knowledge
    washing paper avoid ...?")."""
    return bool(EACH_RE.search(question) or PLURAL_ASK.search(question)) and sides_are_papers(question, named, 1) or \
        bool(re.search(r"\bdid\b|[:;.\u2013\u2014-]\s+which\b", question, re.IGNORECASE)) and sides_are_papers(
            question, named, 2)  # "which models did the X paper and the Y paper train?", "the X paper and the Y
    # paper: which uses less memory?"


def sides_are_papers(question: str, named: int, described_at_least: int = 0) -> bool:
    """True when two of the sides the question puts together are papers it names or describes."""
    compared = compared_of(question)
    described = [p for p in compared if is_described(p)]
    return len(compared) >= 2 and len(described) >= described_at_least and len(described) + named >= 2


def ask_of(question: str) -> str:
    """The clause that asks, without the lead-in that describes the paper ("There's a paper on X. What does it
    mark?" -> "What does it mark?"; "In the paper that does X, what are hidden states mapped to?")."""
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", question.strip()) if s]
    if len(sentences) > 1 and "?" in sentences[-1] and not any("?" in s for s in sentences[:-1]):
        return sentences[-1]
    lead = DESCRIBED_LEAD.match(question)
    return DESCRIBED_TAIL.sub("", question[lead.end():] if lead else question)


def compared_ask(question: str, papers: Sequence[Paper], compared: Sequence[str]) -> str:
    """What a comparison asks of each paper, without the papers' names and descriptions and without a lead-in
    ("X and Y both do Z. How does each build ...?", "Compare X and Y: what does each reduce?")."""
    text = ask_of(question)
    _, colon, asked = text.rpartition(":")
    if colon and ASKING.match(asked):
        text = asked
    for side in compared:
        text = text.replace(side, " " + _asked_in_side(side))
    return " ".join(without_names(text, papers).split())


def _asked_in_side(side: str) -> str:
    """What a side asks after its description: "the self-awareness paper build for their agents" -> "build for their
    agents"; nothing when the description goes on ("the paper that ...", "the one on ...")."""
    match = ONE_DESCRIBED.search(side) or THE_WORDS_ONE_RE.search(side)
    rest = side[match.end():] if match else ""
    return "" if DESCRIPTION_GOES_ON.match(rest) else rest


def without_names(text: str, papers: Sequence[Paper]) -> str:
    """The text with the papers' names taken out (not a part's: "what two abilities is EscapeAgent built around?")."""
    for paper in papers:
        parts = introduced_names(paper)
        for name in sorted((n for n in paper_names(paper) if n not in parts), key=len, reverse=True):
            text = re.sub(rf"(?<![\w-]){re.escape(name)}(?![\w-])", " ", text, flags=re.IGNORECASE)
    return text


def aspect_of(question: str, papers: Sequence[Paper]) -> str:
    """What is asked about the papers: the question without their names and without question words."""
    return " ".join(w for w in WORD_RE.findall(without_names(question, papers)) if w.lower() not in STOP)


def asked_terms(question: str, papers: Sequence[Paper], every: Sequence[Paper] = ()) -> list[str]:
    """The specific things a question asks about besides the papers: names (a method, benchmark or model:
    "GRPO", "HumanEval", "GPT-4") and experimental details ("learning rate", "batch size")."""
    text = aspect_of(question, papers)
    own = {name.lower() for paper in every or papers for name in paper_names(paper)}  # "REFED-tuned": REFED
    owners = set(re.findall(r"\b([A-Z][\w-]*)['’]s\s+(?=[A-Z0-9])", question))  # "OpenAI's GPT-4o": GPT-4o
    names = [TERM_SUFFIX.sub("", w) for w in NAME_TOKEN.findall(text) if w not in owners]  # "RL-based" asks about RL
    names = [w for w in names if w.lower().rstrip("s") not in GENERIC_NAMES and
             not ("-" in w and w.split("-")[0].lower() in own) and not generic_compound(w)]
    if in_capitals(question):  # typed in capitals: words, not names
        names = [w for w in names if not w.isalpha()]
    glossed = defined_acronyms(question)  # a two-letter one by its words: a longer one is met by them anyway
    names = [glossed[w] if w in glossed and len(w) < 3 else w for w in names]
    return list(dict.fromkeys(names + [m.group(0).lower() for m in DETAIL_TERMS.finditer(question)]))


def generic_compound(word: str) -> bool:
    """True for a generic acronym joined to a plain word: "LLM-agents", "LLM-Agenten" (no name, unlike "GPT-4o")."""
    head, _, rest = word.partition("-")
    return head.lower() in GENERIC_NAMES and rest.isalpha() and (rest.islower() or rest.istitle())


def defined_acronyms(question: str) -> dict[str, str]:
    """The acronyms a question defines, each with the words it stands for: "knowledge editing (KE)" -> {"KE":
    "knowledge editing"}."""
    defined = {}
    for match in re.finditer(r"\(([A-Z][A-Za-z]{1,6}?)s?\)", question):
        letters = match.group(1)
        words = re.split(r"[\s-]+", question[:match.start()].strip())[-len(letters):]
        if len(words) == len(letters) and "".join(w[:1] for w in words).lower() == letters.lower():
            defined[match.group(0)[1:-1]] = " ".join(words)
    return defined


def mentions_terms(plan: QueryPlan, paper: Paper) -> bool:
    """True when the paper's title or abstract mentions every specific thing the question asks about (or one of
    them, when it asks for one or another: "GPT-4o or o1")."""
    text = f"{paper.title} {paper.abstract}"
    return any(names_all([t], text) for t in plan.terms) if plan.either else names_all(plan.terms, text)


def mentioned_of(question: str) -> tuple[str, ...]:
    """The words a "which papers mention X or Y?" question asks to find, one root sequence per alternative."""
    match = MENTIONS_ASKED.search(question)
    what = MENTION_TAIL.sub("", match["what"]) if match else ""
    return tuple(sequence for side in MENTION_SIDES.split(what) if (sequence := root_sequence(side)))


def says_mentioned(plan: QueryPlan, text: str) -> bool:
    """True when the text has the words of one of the question's alternatives, in a row ("reflective" for
    "reflection", "Chain-of-Thought" for "chain of thought")."""
    if not plan.mentioned:  # most questions: no text to stem
        return False
    said = f" {root_sequence(text)} "
    return any(f" {sequence} " in said for sequence in plan.mentioned)


def either_term(question: str, terms: Sequence[str]) -> bool:
    """True when the question gives its terms as alternatives: joined by "or" ("models like GPT-4o or o1", "OpenAI
    models such as GPT-4o or o1"), or listed as examples ("OpenAI models (GPT-4o, o1 etc)"): a paper naming one is
    enough."""
    found = sorted((question.lower().find(t.lower()), t) for t in terms)
    examples = EXAMPLES.search(question)
    return len(found) > 1 and found[0][0] >= 0 and any(
        EITHER.search(between := question[start + len(term):end]) or examples and re.fullmatch(r"\s*[,/]\s*", between)
        for (start, term), (end, _) in zip(found, found[1:]))


def names_all(terms: Sequence[str], text: str) -> bool:
    """True when the text mentions every term (an acronym may be written out: "Monte Carlo tree search" for
    "MCTS"; a compound written as a phrase)."""
    return all(names_term(text, term) or spells_out(term, text) or compound_in(term, text) for term in terms)


def compound_in(term: str, text: str) -> bool:
    """True when the text writes a compound like "LLM-generated" as a phrase: "LLM generation"."""
    compound = COMPOUND.fullmatch(term)
    return bool(compound) and any(stems(m.group(1)) == stems(compound["word"]) for m in re.finditer(
        rf"\b{compound['name']}s?[\s-]+(\w+)", text))


def acronyms_of(question: str) -> dict[str, str]:
    """The acronyms a question's runs of three to five content words spell, each with its words ("Monte Carlo tree
    search" -> {"MCTS": "Monte Carlo tree search"})."""
    runs = re.split(r"[^A-Za-z\s-]|\b(?:" + "|".join(STOP) + r")\b", question, flags=re.IGNORECASE)
    found = {}
    for run in runs:
        words = [w for w in re.split(r"[\s-]+", run or "") if w]
        for n in (3, 4, 5):
            for i in range(len(words) - n + 1):
                found.setdefault("".join(w[0] for w in words[i:i + n]).upper(), " ".join(words[i:i + n]))
    return {a: words for a, words in found.items() if a.lower().rstrip("s") not in GENERIC_NAMES}


def head_of(question: str) -> str:
    """The stem of the noun the question asks for ("metric" in "What new metric does X introduce?"), or ""."""
    match = HEAD_RE.search(question) or HEAD_AT_END.search(question) or CALLED_HEAD.search(question) or (
        None if re.search(r"\bhow much\b", question, re.IGNORECASE) else HOW_MANY_HEAD.search(question))
    head = STEMMER.stemWord(match.group(1).lower()) if match else ""
    return "" if head in NOT_HEADS and not match.group(0).lower().startswith("how many") else head


def counted_nouns(question: str) -> frozenset[str]:
    """The stems of the nouns "how many" asks to count ("room" and "scenario" in "how many escape rooms or game
    scenarios are in X?", "team" in "how many teams took part?"), or none; not papers, which the collection counts."""
    match = HOW_MANY.search(question)
    if not match:
        return frozenset()
    words = STEMMER.stemWords(match.group(1).lower().split())
    if set(words) & COUNTED_ELSEWHERE:
        return frozenset()
    nouns: set[str] = set()
    for alternative in COUNTED_SPLIT.split(match.group(1)):
        phrase = alternative.split()
        plural = next((w for w in phrase if len(w) > 3 and w.lower().endswith("s")), None)  # "teams took part"
        if phrase:
            nouns.add(STEMMER.stemWord((plural or phrase[-1]).lower()))
        if plural and plural != phrase[-1]:
            break  # a verb follows the noun: no alternatives after it
    return frozenset(nouns)


def count_asked(question: str) -> tuple[int, str]:
    """How many things the question asks to name, and the stem of the noun naming them ("Which two games ..." ->
    (2, "game")), or (0, "")."""
    match = ENUMERATION_ASKED.search(question)
    if not match:
        return 0, ""
    number = match.group(1).lower()
    return int(number) if number.isdigit() else CARDINALS[number], STEMMER.stemWord(match.group(2).lower())


def about_one_paper(question: str) -> bool:
    """True when the question describes one paper it asks about ("the survey covering ...", "in the ... paper")
    rather than asking which papers do something."""
    return bool(ONE_DESCRIBED.search(question) or ONE_LEAD.match(question)) and not MANY_ASKED.search(question)


def topic_of(question: str, kept: frozenset[str] = frozenset()) -> frozenset[str]:
    """The stems of what the question is about, beyond which aspect of a paper it asks for (hyphenated words in
    their parts, as BM25 counts them: "multi-agent" is "multi" and "agent"); `kept`: aspect words that stay."""
    return frozenset(w for w in stems(question.replace("-", " ")) - (ASPECT_WORDS - kept) if not YEAR_RE.fullmatch(w))


def topic_readings(text: str, kept: frozenset[str] = frozenset()) -> tuple[frozenset[str], ...]:
    """The topic as a paper may meet it: whole, with either side of an "A or B" left out, or without an aside in
    brackets ("dialogue or conversations" is met by a paper on dialogue alone)."""
    topic = topic_of(text, kept)
    readings = [topic]
    for either in EITHER.finditer(text):
        before = [piece for piece in PHRASE_EDGE.split(text[:either.start()]) if piece.strip()]  # "A, B, or C": B
        left = _phrase(before[-1].split()[::-1] if before else [], kept)
        right = _phrase(PHRASE_EDGE.split(text[either.end():])[0].split(), kept)
        if left and right:  # "an editing dataset or an editing toolkit": the words both sides share stay
            readings += [topic - (right - left), topic - (left - right)]
        elif right and not left:  # "a method, dataset or toolkit": the side of aspect words leaves the other optional
            readings.append(topic - right)
    for aside in ASIDE.finditer(text):
        inside = topic_of(aside.group(1), kept)
        if topic & inside:  # "(the model looking back at what it did)" explains the words before; "(reflection)"
            readings += [topic - inside] + ([inside] if len(aside.group(1).split()) <= 2 else [])  # names them
    return tuple(r for r in dict.fromkeys(readings) if r)


def _phrase(words: list[str], kept: frozenset[str] = frozenset()) -> frozenset[str]:
    """The topic words of the run of words before the first stop word (after an article: "an editing toolkit")."""
    if words and words[0].lower() in ARTICLES:
        words = words[1:]
    run = []
    for word in words:
        if word.lower() in STOP:
            break
        run.append(word)
    return topic_of(" ".join(run), kept)


def has_topic(question: str) -> bool:
    """True when the question says what it is about, beyond which aspect of a paper it asks for."""
    return bool(topic_of(question))


def language_of(text: str) -> str:
    """The question's language, cheaply and offline: by script for Chinese/Japanese/Korean, by function words
    for Spanish, French and German; "en" otherwise (names and formulas are no evidence)."""
    if KANA.search(text):
        return "ja"
    if HAN.search(text):
        return "zh"
    if HANGUL.search(text):
        return "ko"
    words = [w.lower() for w in re.findall(r"[^\W\d_]+", text)]
    counts = {lang: sum(w in vocabulary for w in words) + 2 * bool(marks and marks.search(text))
              for (lang, vocabulary), marks in zip(FUNCTION_WORDS.items(), LETTERS)}
    best = max(counts, key=counts.get)
    return best if counts[best] >= 2 and counts[best] > counts["en"] else "en"


def english_cues(question: str) -> str:
    """The English words for the collection and list cues a non-English question uses ("哪些论文" -> "which
    papers"), so the same rules read it."""
    return " ".join(english for pattern, english in FOREIGN_CUES if pattern.search(question))


def plan_question(question: str, history: Sequence[Answer], papers: dict[str, Paper], names: NameIndex) -> QueryPlan:
    """The plan for answering `question` after the turns in `history` (oldest first)."""
    language = language_of(strip_instructions(question))  # "where was it published? réponds en français"
    if language != "en":
        return foreign_plan(question, language, history, papers, names)
    asked = QUESTION_TYPOS.sub(lambda m: TYPOS[m.group(0).lower()], PLURAL_MARK.sub(r"\1s", question))
    asked = PLACE_AS_RANK.sub(lambda m: f"{m.group(1)}rank" if m.group(1) else "what rank", asked)
    asked = names.corrected(strip_instructions(asked))
    order, asked = order_of(asked)
    asked = ONE_AND_ANOTHER.sub(_two_described, asked)
    if LIST_RE.search(asked):  # "rl papers?", "Which papers use CoT?" (not "MCTS", which terms spell out)
        asked = ACRONYM_RE.sub(lambda m: m.group(0) if names.named_in(m.group(0)) or m.group(0).isupper() and len(
            m.group(0)) > 2 else ACRONYMS[m.group(0).lower()], asked)
    named = [p for p in names.in_order(asked) if p in papers]
    reference = resolve_references(asked, named, history, papers)
    referred, standalone = reference.papers, reference.question
    standalone, set_aside, leave_out = _left_out(standalone, named, papers, names) if not referred else (
        standalone, [], "")
    named = [p for p in named if p not in set_aside]
    about = [papers[p] for p in dict.fromkeys(referred + named)]
    one_described = not about and about_one_paper(standalone)
    group = None if about else GROUP_RE.search(standalone)  # "the two surveys"
    compares = len(about) >= 2 and COMPARE_RE.search(standalone)  # "Compare the three papers (SemEval, LAW, ...)"
    last = _focus(history, papers)[0]
    around = about or [papers[p] for p in last if POINTS_BACK.search(asked) or reference.exclude]
    if referred and OTHER_RE.search(asked) and not set(last) & set(referred):  # "Did the same first author write
        collection = shared_query(ask_of(asked), [papers[p] for p in last], [papers[p] for p in referred])  # any of
    else:  # the other ones?": the last paper's author, among the others
        # "the same repo", "share a first author"; "Another paper seems to use that same repo. What's it about?";
        # "X and Y share a first author. Which one ...?" asks no more about authors, "... Which two?" does
        clause = ask_of(asked)
        collection = shared_query(asked if reference.exclude or not has_topic(clause) else clause, around,
                                  rows_of(papers))
    if collection is None:
        collection = _collection_query(standalone, asked, referred, papers, free=not one_described and not compares,
                                       about=bool(about))
    parts = parts_of(standalone)
    asking = ask_of(standalone)  # "X and Y share an author. What number does each report?": the asking sentence's
    wants = next((w for _, w in [*reversed(parts_of(asking)), *reversed(parts)]  # type first
                  if w not in (Wants.ANY, Wants.DEFINITION, Wants.METHOD)), wants_of(standalone))
    if collection and not collection.topical:
        kind = Kind.COLLECTION
    elif reference.beside:
        kind = Kind.COMPARE  # the earlier paper and the one described beside it
    elif len(about) >= 2 and (COMPARE_RE.search(standalone) or len(named) >= 2 or ALL_RE.search(asked)
                              or SELECT_RE.search(asked)):
        kind = Kind.COMPARE
    elif not about and not one_described and LIST_RE.search(standalone) and not (
            group and group["about"] and EACH_RE.search(standalone)):  # "the two papers on X: what does each ...?"
        kind = Kind.LIST
    elif len(about) < 2 and not referred and (COMPARE_RE.search(standalone) and len(compared_of(standalone)) >= 2 and (
            not VERSUS.fullmatch(COMPARE_RE.search(standalone).group(0)) or sides_are_papers(standalone, len(named)))
                                              or described_side_by_side(standalone, len(named)) or ORDINAL_RE.search(
                asking) and sides_are_papers(standalone, len(named), 2)):  # "a paper that X and one that Y.
        # What's the first one called?": both, in that order
        kind = Kind.COMPARE  # papers described, not named: the engine finds one per description
    elif group and (COMPARE_RE.search(standalone) or EACH_RE.search(standalone) and PAPERS_NOUN.search(group.group(0))):
        kind = Kind.COMPARE  # "the two surveys": what each says, side by side
    else:
        kind = Kind.FACT
    listed = group and (ASIDE.match(standalone[group.end():].lstrip()) or LISTED_AFTER.search(standalone[group.end():]))
    # "the three methods (the X one, the Y one ...)", "... the two new test collections target - the X and the Y one?"
    # (not "the two surveys - how do they differ and how much do they cover?")
    if listed and len(sides := compared_of(listed.group(1))) >= 2 and not any(ASKING.match(side) for side in sides):
        group = None
    compared = [reference.beside] if reference.beside else [] if kind != Kind.COMPARE or len(about) >= 2 else \
        [(group.group(2) + (group["about"] or "")).strip()] if group else compared_of(
            listed.group(1) if listed else standalone)
    if kind == Kind.COMPARE and not about and len(papers_only := [s for s in compared if is_described(s)]) >= 2:
        compared = papers_only  # "For the X paper and the Y paper, which LLMs did they use?": not the ask
    if kind == Kind.COMPARE and len(about) >= 2:  # and a paper described beside those named: "the escape room
        counted = GROUP_RE.search(standalone)       # benchmark, PIANIST and Strategist", "the three papers (the
        several = counted and COUNTS[counted.group(1).lower()] > len(about)  # SemEval system, LAW, ...)"
        compared = [side for side in compared_of(standalone) if not names.named_in(side) and (
            several or is_described(side))]
    terms = asked_terms(standalone, about, list(papers.values()))
    # a lead-in naming the paper is part of a question about it, one describing it is not ("In the room-escape
    # benchmark, what two abilities is EscapeAgent built around?"); a comparison asks the same of every paper
    lead = DESCRIBED_LEAD.match(standalone)
    if kind == Kind.COMPARE:
        ask = compared_ask(standalone, about, compared)
    elif about and names.named_in(lead.group(0) if lead else standalone):
        ask = standalone
    else:
        ask = asking
    if kind == Kind.FACT and not about and stems(ask) <= NAME_WORDS:
        ask = standalone  # "... Which one?", "... - what's it called?": the paper described is what is asked
    elif kind == Kind.FACT and not about and wants not in {*METADATA_WANTS, Wants.ANY, Wants.DEFINITION,
                                                           Wants.METHOD}:  # (the records answer the metadata)
        ask = THE_WORDS_ONE_RE.sub("it", ask)  # "Which benchmarks does the reference-level feedback paper report
        # results on?": the description found the paper; the sentence answering says where, not what it is
    none_of = []
    subject = collection and collection.topic or EXAMPLE_ASIDE.sub(" ", SURVEY_INCLUDED.sub(" ", standalone))  # not
    # "(methods or surveys)", nor examples of the answer: "as a percentage (like X% better)"
    if kind == Kind.COMPARE and referred and SELECT_RE.search(asked) and terms and not any(
            names_all(terms, f"{papers[p].title} {papers[p].abstract}") for p in referred):
        kind, none_of, referred, standalone = Kind.LIST, referred, [], asked  # "Which of them uses DPO?": none does
    select = bool(referred and SELECT_RE.search(asked))
    return QueryPlan(question=question, standalone=standalone if standalone != asked else (
                         question if asked == question.strip() else asked),
                     kind=kind, wants=wants, aspect=aspect_of(ask, about), ask=ask, named=named, referred=referred,
                     collection=collection, parts=[(" ".join(without_names(text, about).split()), wants)
                                                   for text, wants in parts] if len(parts) > 1 and kind == Kind.FACT
                     else parts,  # sub-questions without the paper's name, which all its sentences carry
                     compared=compared, group=COUNTS[group.group(1).lower()] if group and compared else 0,
                     select=select, several=asks_several(asked), terms=terms,
                     either=either_term(standalone, terms),
                     mentioned=mentioned_of(standalone) if kind == Kind.LIST else (),
                     none_of=none_of, head=head_of(standalone), count=count_asked(standalone),
                     topic=topic_of(subject, kept := LIST_CRITERIA if kind == Kind.LIST else frozenset()),
                     readings=topic_readings(subject, kept),
                     introduces=(kind == Kind.LIST or select) and bool(INTRODUCES_ASKED.search(standalone)),
                     another=reference.anew and not named, exclude=[*reference.exclude, *set_aside],
                     leave_out=leave_out, order=order)


def _two_described(match: re.Match) -> str:
    """Two papers introduced by description, as the papers they describe: "one paper pushes X and a safety one that
    Y" -> "the paper that pushes X and the safety paper that Y"."""
    def described(noun: str | None, description: str, kind: str | None = None) -> str:
        noun = f"{kind or ''}{noun if noun and noun.lower() != 'one' else 'paper'}"
        description = HERE.sub("", description).strip()
        return " ".join(["the", noun, *([] if not description or DESCRIPTION_GOES_ON.match(description) else ["that"]),
                         description]).strip()
    return f"{described(match['noun_a'], match['a'], match['kind_a'])} and " \
           f"{described(match['noun_b'], match['b'], match['kind'])}"


def _left_out(question: str, named: list[str], papers: dict[str, Paper], names: NameIndex
              ) -> tuple[str, list[str], str]:
    """The question without the papers it sets aside ("aside from the escape room benchmark, what papers ...",
    "... other than ReSearch"), the ones it names there, and the description of the others; the question unchanged
    when it sets aside things, not papers ("besides text"), or only surveys (a filter of the records)."""
    clause = LEAVE_OUT.search(question)
    if not clause or not topic_of(SURVEY_EXCLUDED.sub(" ", clause.group(0))):
        return question, [], ""
    set_aside = [p for p in names.in_order(clause.group(0)) if p in papers]
    if not set_aside and (named or not PAPERS_DESCRIBED.match(clause.group("what"))):
        return question, [], ""
    rest = f"{question[:clause.start()]} {question[clause.end():]}"
    rest = re.sub(r"\s+(?=[?.!])|(?<=\s)\s+", "", rest).strip(" ,;-")
    return rest, set_aside, "" if set_aside else clause.group("what").strip()


def _collection_query(standalone: str, asked: str, referred: list[str], papers: dict[str, Paper], free: bool,
                      about: bool) -> CollectionQuery | None:
    """The metadata filters of a question about the collection, or about the earlier papers' records; `free` when
    it describes no one paper and compares none, `about` when it names or refers to some."""
    if not referred and free and (not about or PAPERS_NOUN.search(standalone)) and (
            LIST_RE.search(standalone) or COUNT_RE.search(standalone)):  # not "ERPO was tested on ... - which ones?"
        return parse_collection_query(standalone, rows_of(papers), counts=bool(COUNT_RE.search(standalone)))
    if len(referred) > 1 and SELECT_RE.search(asked):  # "which of them has no code?": the records say, for each
        collection = parse_collection_query(asked, [papers[p] for p in referred])
        if collection and len(referred) == 2:  # "which of the two has code?": the other one's record too
            collection.show_beside([papers[p] for p in referred if papers[p] not in collection.papers],
                                   f"Not matching ({'; '.join(collection.filters)}):" if collection.papers else
                                   "Their records:")
        return collection
    if free and not about:  # "Which paper was published at AAAI 2025?"
        collection = parse_collection_query(standalone, rows_of(papers))
        return collection if collection and not collection.topical else None
    return None


def foreign_plan(question: str, language: str, history: Sequence[Answer], papers: dict[str, Paper],
                 names: NameIndex) -> QueryPlan:
    """A plan for a question not in English: the papers it names or refers back to, and list/count/code/year cues in
    its words."""
    named = [p for p in names.in_order(question) if p in papers]
    cues = english_cues(question)
    referred, select = foreign_references(question, cues, history, papers) if not named and history else ([], False)
    years = YEAR_RE.findall(question)
    counts = bool(COUNT_RE.search(cues)) and "survey" not in cues
    collection = None
    free = not named and not referred
    if free and "which papers" in cues and "survey" in cues and not FOREIGN_NOT.search(question):  # "哪几篇是
        # 综述": the surveys, by their titles (not "... et pas une simple revue")
        collection = parse_collection_query("which papers are surveys", rows_of(papers))
    elif free and (counts or (LIST_RE.search(cues) or "is there" in cues) and (years or "code" in cues or
                                                                                   "authors" in cues)):
        collection = parse_collection_query(" ".join([cues, question]), rows_of(papers), counts=counts)
    about = referred + named
    if collection:
        kind = Kind.COLLECTION
    elif len(about) >= 2:
        kind = Kind.COMPARE
    else:
        kind = Kind.LIST if not about and "which papers" in cues else Kind.FACT
    return QueryPlan(question=question, standalone=question, kind=kind, wants=wants_of(cues), aspect="",
                     named=named, referred=referred, collection=collection, parts=[(question, Wants.ANY)],
                     language=language, terms=asked_terms(question, [papers[p] for p in about]),
                     select=select and len(referred) > 1)


def foreign_references(question: str, cues: str, history: Sequence[Answer], papers: dict[str, Paper]
                       ) -> tuple[list[str], bool]:
    """The earlier papers a question not in English (its English cue words: `cues`) refers to, resolved as the English
    words for its reference would be ("l'autre" as "the other one"), and whether it picks among them ("lequel des
    deux ...?")."""
    english = next((words for pattern, words in FOREIGN_REFERENCES if pattern.search(question)), None)
    things = re.search(r"\bwhich (models|datasets|games)\b", cues)  # "哪些模型" asks which models, not which papers
    papers_asked = re.search(r"\b(which|how many) papers\b", cues) and not things
    if FOREIGN_DESCRIBED.search(question) and english in (None, "what about it"):
        english = "which of them"  # "Celui sur X, il ...?": the earlier paper that fits X best
    elif english == "what about it" and (papers_asked or "is there a paper" in cues):
        english = None  # "Welche Arbeiten veröffentlichen ihren Code?": the papers asked for, not the last ones
    elif not english and re.search(r"\b(code|authors)\b", cues) and not papers_asked:
        english = "what about it"  # "¿Y el código?", "作者是谁？": the record of the paper just discussed
    if not english:
        return [], False
    return resolve_references(f"{english}?", [], history, papers).papers, SELECT_RE.search(english) is not None


def about_previous(plan: QueryPlan, history: Sequence[Answer], papers: dict[str, Paper]) -> QueryPlan | None:
    """The plan read as a follow-up on the previous answer's papers, for a question that names no paper and that
    the collection cannot answer on its own ("Which RL algorithm is used?" after a turn about ReSearch)."""
    focus, _ = _focus(history, papers)
    if plan.papers or not focus or plan.language != "en" or plan.kind == Kind.COLLECTION or TOPIC_SWITCH.match(
            plan.question):  # "Different question: ..." is not about the last papers
        return None
    label = names_of(focus, papers)
    return replace(plan, referred=focus, standalone=f"About {label}: {plan.standalone}",
                   kind=Kind.COMPARE if len(focus) > 1 and plan.kind == Kind.LIST else Kind.FACT
                   if len(focus) == 1 else plan.kind, select=len(focus) > 1)


class Reference(NamedTuple):
    """The papers of earlier turns a question refers to, the question rewritten to name them, and whether it
    describes a paper other than those ("And the one that ... instead?"), which presumes such a paper exists, and
    the papers it sets aside ("any other paper on this?"), and a paper it describes to put beside the earlier ones
    ("I also remember one about X. Which of the two ...?")."""
    papers: list[str]
    question: str
    anew: bool = False
    exclude: tuple[str, ...] = ()
    beside: str = ""


def resolve_references(question: str, named: list[str], history: Sequence[Answer], papers: dict[str, Paper]
                       ) -> Reference:
    """What the question refers to in the earlier turns (see `Reference`)."""
    focus, earlier = _focus(history, papers)
    switch = TOPIC_SWITCH.match(question)
    if switch:  # "ok different thing - ...": nothing refers back, and the lead names no paper; "Different question:
        rest = question[switch.end():].lstrip(" .:,;-—")  # the one that ..." presumes a paper, as "the one that" does
        return Reference([], rest, anew=bool(DESCRIBED_ANEW.search(rest)))
    if not focus or history[-1].abstained and (MANY_ASKED.search(question) or re.search(
            r"\b(?:what|how) about\b", question, re.IGNORECASE) and has_topic(question)):  # after a refusal, "which
        return Reference([], question)  # papers ...?" and "ok then what about X?" are questions of their own
    if named:
        if WHAT_ABOUT.search(question) and not has_topic(aspect_of(question, [papers[p] for p in named])) and \
                wants_of(question) in (Wants.ANY, Wants.DEFINITION):  # "What about X, who wrote it?" asks anew
            return Reference([], _swap_names(history[-1].standalone_question, focus, named, papers) or question)
        if OTHER_RE.search(question) or ALL_RE.search(question) and COMPARE_RE.search(question):
            return Reference(focus, question)  # "compare it with X": the earlier papers and the new one
        return Reference([], question)
    mention = MENTIONS_PAPER.match(question)
    if mention and (ONE_RE.search(mention["rest"]) or ALL_RE.search(mention["rest"]) or BARE_THAT.search(
            mention["rest"])):
        if PAIR_RE.search(mention["rest"]) or SELECT_RE.search(mention["rest"]) or THAT_ONE.search(mention["rest"]):
            # "which of the two", "does it share a repo with that one?": both
            return Reference(focus, question, beside=mention["what"])
        besides = BESIDES_LAST.search(question[:mention.start("rest")])  # "did they ...": the paper described
        return Reference([], question, anew=True, exclude=tuple(focus) if besides else ())
    if history[-1].shape == "collection" and (again := _collection_again(question, papers)):
        return Reference([], again)  # "which papers are from 2024?" then "what about 2025?"
    back = BACK_TO.match(question)
    if back and has_topic(back["what"]) and not (ORDINAL_RE.search(back["what"]) or OTHER_RE.search(back["what"])
                                                  or BY_DATE.search(back["what"])):  # "back to the escape room
        # agent, ...": the earlier paper described, else a paper of its own (not "back to the first one")
        match = described(back["what"], _discussed(history, papers, newest_first=True), papers)
        if not match:
            return Reference([], question, anew=True)
        rest = question[back.end():]
        one = ONE_RE.search(rest)
        name = names_of([match], papers)
        return Reference([match], _replace(rest, one, name + ("'s" if one.group(0).lower() == "its" else ""))
                         if one else f"About {name}: {rest}")
    elsewhere = ELSEWHERE.search(question)
    if elsewhere:  # "any other paper on this?": the last question again, among the other papers
        own = f"{question[:elsewhere.start()]}a {elsewhere.group('kind') or ''}{elsewhere.group('noun') or 'paper'}" \
              f"{question[elsewhere.end():]}"  # "any other unlearning paper?" asks about unlearning
        again = question if has_topic(own) or SAME_AUTHOR.search(question) else \
            f"{ELSEWHERE_LEAD}{_unnamed(history[-1].standalone_question, focus, papers)}"  # not "anything else by
        # them?", which asks for the same author
        return Reference([], again, anew=True, exclude=tuple(focus))
    pair = list(THE_WORDS_ONE_RE.finditer(question))  # "the Avalon paper and the world-model one": earlier papers
    seen = _discussed(history, papers, newest_first=True) if len(pair) > 1 else []
    if seen and len(chosen := [described(m.group(1), seen, papers) for m in pair]) == len(set(chosen) - {None}):
        for match, paper_id in reversed(list(zip(pair, chosen))):
            question = _replace(question, match, names_of([paper_id], papers))
        return Reference(chosen, question)
    # "the one about X - what does its objective minimize?": the earlier paper the description fits, else a paper of
    # its own ("What about the paper that ... - which models did they train?"), which its words find
    anew = DESCRIBED_ANEW.search(question)
    if anew and COMPARE_RE.search(question) and len(compared_of(question)) >= 2 and not ALL_RE.search(question):
        return Reference([], question)  # "Compare the paper on X and the one on Y": the papers described
    if anew and not SELECT_RE.search(question):
        pool = earlier if len(earlier) > 1 else focus
        match = described(question[anew.start():], pool, papers) if len(pool) > 1 else None
        if match and described_outside(DESCRIPTION_END.split(question[anew.start():])[0], pool, papers):
            match = None  # "the one that generates a world model from the game description" after a list without it
        if NOT_DESCRIBED.match(question[anew.start():]) and len(pool) > 1:  # "the one that isn't about games"
            shared = _shared_topic(DESCRIPTION_END.split(question[anew.end():])[0], pool, papers)
            fewest = [p for p, n in zip(pool, shared) if n == min(shared)]
            match = fewest[0] if len(fewest) == 1 and min(shared) < max(shared) else None
        return Reference([match], question) if match else Reference([], question, anew=True)
    dated = BY_DATE.search(question)  # "the earlier one", "which one came out first?"
    if dated and len(focus) == 1 and (PAIR_RE.search(question) or not earlier):  # "which came out first, those
        # two?", "that older one" after two one-paper turns
        focus = list(dict.fromkeys(_recent(history, papers) + focus))
    if dated and len(pool := focus if len(focus) > 1 else earlier) > 1:
        word = next(g for g in dated.groups() if g).lower()
        by_date = sorted(pool, key=lambda p: (papers[p].year or 9999, papers[p].arxiv_id or ""))
        by_date = by_date if word in EARLY_WORDS else by_date[::-1]
        if not dated.group(0).lower().lstrip().startswith("which"):  # "the older one", "that older one"
            return Reference(by_date[:1], _ask_again(question, dated, by_date[:1], history, focus, papers))
        order = "earliest" if word in EARLY_WORDS else "latest"  # "which came out first?": each one's date
        return Reference(by_date, f"When were {names_of(by_date, papers)} published ({order} first)?")
    ordinal = ORDINAL_RE.search(question)
    if ordinal:
        word = next(g for g in ordinal.groups() if g and g.lower() in ORDINALS).lower()
        index = ORDINALS[word]
        pool = focus if len(focus) > 1 else earlier or _discussed(history, papers)  # after one-paper turns: in
        # the order discussed
        if -len(pool) <= index < len(pool):
            chosen = [pool[index]]
            return Reference(chosen, _ask_again(question, ordinal, chosen, history, focus, papers))
    other = OTHER_RE.search(question)
    if other:
        turns = _turns(history, papers)  # the papers the last turn brought in: "that other one" (the other paper
        brought_in = [p for p in focus if len(turns) < 2 or p not in turns[-2]]  # it found), or the new one of two
        if other.group(0).lower().startswith(("that", "this")) and len(turns) > 1 and brought_in:
            rest = brought_in
        else:
            rest = [p for p in (earlier or focus[1:]) if p not in focus] or (
                brought_in if 0 < len(brought_in) < len(focus) else focus[1:])
        if not rest and DESCRIPTION_GOES_ON.match(question[other.end():]):
            return Reference([], question, anew=True)  # "the other paper on X" after one paper: which X finds
        rest = rest or [p for p in _recent(history, papers) if p not in focus]  # after a paper the list had left out
        if not re.search(r"(two|three|ones|others|s)$", other.group(0).lower()):
            rest = rest[:1]  # "the other one" of a longer list: the best-ranked one not discussed last
        if rest:
            return Reference(rest, _ask_again(question, other, rest, history, focus, papers))
    some = SOME_DESCRIBED.search(question)  # "the two game-playing ones" of three earlier papers
    if some and len(focus) > COUNTS[some.group(1).lower()]:
        chosen = described_several(some.group(2), focus, papers, COUNTS[some.group(1).lower()])
        if chosen:
            return Reference(chosen, _replace(question, some, names_of(chosen, papers)))
    kind_of = THE_KIND_RE.search(question)  # "the survey among them": the earlier paper titled so, else the paper
    # titled so that fits the conversation best ("who wrote the survey?" after a list that left it out)
    if kind_of and (match := titled(kind_of.group(1), focus, papers) or titled(kind_of.group(1), focus + earlier,
                                                                              papers) or described(
            " ".join(a.standalone_question for a in history), titled_all(kind_of.group(1), papers), papers)):
        return Reference([match], _replace(question, kind_of, names_of([match], papers)))
    words_one = THE_WORDS_ONE_RE.search(question)  # "the world model one": the earlier paper that fits the words,
    if words_one and (match := venue_described(words_one.group(1), earlier or focus, papers)):
        return Reference([match], _replace(question, words_one, names_of([match], papers)))  # "the ICLR one"
    pool = earlier or focus  # and then the papers discussed before, for a description that fits one of them better
    if words_one and len(pool) > 1 and not SELECT_RE.search(question) and (  # also for a pronoun after it ("the
            match := described(words_one.group(1), pool + [p for p in _discussed(history, papers, newest_first=True)
                                                           if p not in pool], papers)):  # semeval one, what did
        return Reference([match], _replace(question, words_one, names_of([match], papers)))  # they get?")
    counted = ALL_COUNTED.search(question)  # "is code public for all three?": the last turn about three papers
    if counted and (turn := next((t for t in reversed(_turns(history, papers)) if len(t) == COUNTS[
            counted.group(1).lower()]), None)):
        return Reference(turn, _replace(question, counted, names_of(turn, papers)))
    together = ALL_RE.search(question)
    word = together.group(0).lower().strip() if together else ""
    if word in ("they", "their", "theirs") and PAPERS_ASKED.match(question) and not re.search(
            r"\b(do|does|did|are|were|have|has)\s*$", question[:together.start()], re.IGNORECASE):
        return Reference([], question)  # "Which papers release their code?": the papers asked for
    if together and len(focus) == 1 and earlier and SELECT_RE.search(question):
        focus = earlier  # "which of them" after a turn about one of them: the larger set before it
    if together and len(focus) == 1 and word == "which one":
        together = None  # "which one ...?" after one paper chooses among all
    if together and len(focus) == 1 and PAIR_RE.search(word):
        focus = list(dict.fromkeys(_recent(history, papers) + focus))  # "both" after two one-paper turns
    if together and len(focus) > 1:
        text = names_of(focus, papers) + ("'s" if word in ("their", "theirs") else "")
        text = f"which of {text}" if word.startswith("which of") else f"which one of {text}" if word.startswith(
            "which one") else f"both {text}" if word.startswith("both") else "either " + " or ".join(
            display_name(papers[p]) for p in focus) if word.startswith("either") else text
        return Reference(focus, _replace(question, together, text))
    said = words_one and words_one.group(1) + (DESCRIPTION_END.split(question[words_one.end():])[0] if re.match(
        r"\s+(?:that|which|who|where|about|on)\b", question[words_one.end():]) else "")  # "the editing paper that
    if said and len(pool) == 1 and any(_shared_topic(words, pool, papers)[0] * 2 < len(topic_of(words))  # removes
                                       for words in (words_one.group(1), said)):  # stereotypes", unlike the last
        return Reference([], question, anew=True)  # "the semi-supervised one" after a paper that is not
    one = ONE_RE.search(question) or (together if together else None)
    if one:
        chosen = focus if together and len(focus) > 1 else [described(question, focus, papers) or focus[0]]
        word = one.group(0).lower()
        text = names_of(chosen, papers) + ("'s" if word in ("its", "their") else "")
        text = f"the authors of {text}" if word == "the authors" else f"in {text}" if word == "there" else text
        return Reference(chosen, _replace(question, one, text))
    if not has_topic(question):
        return Reference(focus, f"About {names_of(focus, papers)}: {LEAD_IN.sub('', question)}")  # "and what venue?"
    return Reference([], question)


def _collection_again(question: str, papers: dict[str, Paper]) -> str | None:
    """After an answer from the papers' records, "what about X (instead)?" asks which papers are from the year,
    venue or affiliation X; None when X is none of these."""
    about = re.match(r"\W*(?:and |so )?(?:what|how) about\b", question, re.IGNORECASE)
    rest = re.sub(r"\b(instead|then|now)\b|[?.!]", " ", question[about.end():] if about else "").strip(" ,")
    again = f"Which papers are from {rest}?"
    query = rest and len(rest.split()) <= 5 and parse_collection_query(again, list(papers.values()))
    return again if query and query.filters and not query.topic and all(
        f.startswith(("year", "venue", "affiliation")) for f in query.filters) else None


def titled(kind: str, pool: list[str], papers: dict[str, Paper]) -> str | None:
    """The one earlier paper whose title says its kind ("survey" for "the survey among them"), or None."""
    matches = titled_all(kind, {p: papers[p] for p in pool})
    return matches[0] if len(matches) == 1 else None


def titled_all(kind: str, papers: dict[str, Paper]) -> list[str]:
    """The papers whose title says their kind ("survey")."""
    return [p for p in papers if stems(kind) <= stems(papers[p].title)]


def described(question: str, focus: list[str], papers: dict[str, Paper]) -> str | None:
    """Which of the earlier papers a description means ("the one on safety", "the world model one"): the one whose
    title and abstract share most of the question's topic words (of several, the one whose title has one), or None
    when no single one does."""
    shared = _shared_topic(question, focus, papers)
    best = max(shared, default=0)
    if best and shared.count(best) > 1:  # "the fine-tuning one": of those as close, the one whose title says it
        topic = topic_of(question.replace("-", " "))
        titled_so = [p for p, n in zip(focus, shared) if n == best and topic & stems(papers[p].title.replace("-", " "))]
        return titled_so[0] if len(titled_so) == 1 else None
    return focus[shared.index(best)] if best else None


def venue_described(description: str, pool: list[str], papers: dict[str, Paper]) -> str | None:
    """The paper a description by venue means ("the Findings of ACL one", "the ICLR paper"): of the earlier papers,
    else of all, the only one whose venue names the conference and has every word of the description."""
    words = {w for w in WORD_RE.findall(description.lower()) if w not in STOP}
    fits = [p for p, paper in papers.items() if words & venue_terms(paper.venue or "") and words <= set(
        WORD_RE.findall((paper.venue or "").lower()))]
    chosen = [p for p in fits if p in pool] or fits
    return chosen[0] if len(chosen) == 1 else None


def described_outside(description: str, focus: list[str], papers: dict[str, Paper]) -> str | None:
    """The one paper beyond the earlier ones that has every topic word of a description (three or more) when none of
    the earlier ones does, or None."""
    topic = topic_of(description)
    shared = _shared_topic(description, list(papers), papers)
    fits = [p for p, n in zip(papers, shared) if n >= len(topic) >= 3]
    if len(fits) != 1 or fits[0] in focus or max(_shared_topic(description, focus, papers), default=0) >= len(topic):
        return None
    return fits[0]


def title_described(question: str, candidates: Sequence[Paper]) -> int | None:
    """Which candidate "the self-updatable LLM paper" means: the only one whose title has every word of the
    description (an acronym may be spelt out: "Large Language Models"), else None."""
    for match in THE_WORDS_ONE_RE.finditer(question):
        words = [w for w in re.split(r"[\s-]+", match.group(1)) if stems(w)]
        fits = [i for i, paper in enumerate(candidates) if words and all(
            stems(w) <= stems(paper.title.replace("-", " ")) or spells_out(w.upper(), paper.title) for w in words)]
        if len(fits) == 1:
            return fits[0]
    return None


def described_several(description: str, focus: list[str], papers: dict[str, Paper], count: int) -> list[str]:
    """The `count` earlier papers a description means ("the two game-playing ones"): those sharing more of its
    topic words than the rest, in their earlier order, or [] when no such group stands out."""
    shared = _shared_topic(description.replace("-", " "), focus, papers)
    ranked = sorted(range(len(focus)), key=lambda i: -shared[i])
    cut = shared[ranked[count - 1]]
    clear = cut > 0 and (len(ranked) == count or shared[ranked[count]] < cut)
    return [focus[i] for i in sorted(ranked[:count])] if clear else []


def _shared_topic(text: str, focus: list[str], papers: dict[str, Paper]) -> list[float]:
    """How many of the text's topic words each earlier paper's title and abstract contain; half for a word it has
    only a relative of, sharing its first five letters ("science" and "scientific")."""
    topic = topic_of(text)
    shared = []
    for paper_id in focus:
        have = stems(f"{papers[paper_id].title} {papers[paper_id].abstract}".replace("-", " "))
        prefixes = {w[:5] for w in have if len(w) >= 5}
        shared.append(len(topic & have) + 0.5 * sum(len(w) >= 5 and w[:5] in prefixes for w in topic - have))
    return shared


def papers_wanted(plan: QueryPlan) -> int:
    """How many papers the question looks for: one for a fact, else as many as it counts ("two agent papers"), else
    two."""
    count = re.search(r"\b(two|three|four)\b", plan.question, re.IGNORECASE)
    return 1 if plan.kind == Kind.FACT else COUNTS[count.group(1).lower()] if count else 2


def starts_anew(question: str, history: Sequence[Answer]) -> bool:
    """Whether the question starts a thread of its own: the first with papers, or one that says it switches topic."""
    return not any(a.focus for a in history) or bool(TOPIC_SWITCH.match(question))


def _focus(history: Sequence[Answer], papers: dict[str, Paper]) -> tuple[list[str], list[str]]:
    """The papers of the last turn that had any, and the larger set of an earlier turn that contains them."""
    turns = _turns(history, papers)
    if not turns:
        return [], []
    last = turns[-1]
    earlier = next((t for t in reversed(turns[:-1]) if len(t) > len(last) and set(last) <= set(t)), [])
    return last, earlier


def _turns(history: Sequence[Answer], papers: dict[str, Paper]) -> list[list[str]]:
    """The papers of each earlier turn that had any, oldest first."""
    return [t for t in ([p for p in a.focus if p in papers] for a in history) if t]


def _discussed(history: Sequence[Answer], papers: dict[str, Paper], newest_first: bool = False) -> list[str]:
    """Every paper the earlier turns were about, once each, in the order first discussed (or last, newest first)."""
    turns = _turns(history, papers)
    return list(dict.fromkeys(p for turn in (reversed(turns) if newest_first else turns) for p in turn))


def _recent(history: Sequence[Answer], papers: dict[str, Paper]) -> list[str]:
    """The papers of the latest earlier turn whose papers differ from the last turn's (two turns on one paper, then
    "which of the two": the paper before it)."""
    turns = _turns(history, papers)
    return next((t for t in reversed(turns[:-1]) if t != turns[-1]), [])


def _ask_again(question: str, match: re.Match, chosen: list[str], history: Sequence[Answer], focus: list[str],
               papers: dict[str, Paper]) -> str:
    """The question with the reference replaced by the papers' names; "And the other one?" (no topic of its own)
    becomes the previous question about the other paper."""
    rest = question[:match.start()] + question[match.end():]
    asks = re.search(rf"\b{ASKING_WORD}", rest, re.IGNORECASE) and not WHAT_ABOUT.search(rest)  # "what does X do?"
    if not asks and not has_topic(rest) and not wants_of(rest) in METADATA_WANTS | {
            Wants.STAGES, Wants.MODELS, Wants.DATASET, Wants.NAMES, Wants.NUMBER, Wants.PERCENT}:
        again = _swap_names(history[-1].standalone_question, focus, chosen, papers)
        if again:
            return again
    return _replace(question, match, names_of(chosen, papers))


def _unnamed(question: str, ids: list[str], papers: dict[str, Paper]) -> str:
    """The question without the names of the given papers ("About X: what does it do?" -> "what does it do?")."""
    for paper_id in ids:
        for name in sorted(paper_names(papers[paper_id]), key=len, reverse=True):
            question = re.sub(rf"(?<![\w-]){re.escape(name)}(?![\w-])", "", question)
    return re.sub(r"^About\W*:\s*", "", question)


def _replace(question: str, match: re.Match, text: str) -> str:
    return question[:match.start()] + text + question[match.end():]


def _swap_names(previous: str, old: list[str], new: list[str], papers: dict[str, Paper]) -> str | None:
    """The previous question asked again about other papers ("What about KnowSelf?"), if it named the old ones."""
    new_label = names_of(new, papers)
    for paper_id in old:
        for name in sorted(paper_names(papers[paper_id]), key=len, reverse=True):
            pattern = rf"(?<![\w-]){re.escape(name)}(?![\w-])"
            if re.search(pattern, previous):
                return re.sub(pattern, new_label, previous, count=1)
    return None
