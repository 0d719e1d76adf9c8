"""Questions about the collection itself (affiliation, year, venue, code) answered from paper metadata."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from rag.text import STOP, WORD_RE, split_sentences
from rag.types import Paper

CODE_WORDS = {"code", "github", "implementation", "open-source", "repository", "repo", "released", "source"}
GENERIC = STOP | CODE_WORDS | {"which", "list", "many", "come", "comes", "published", "appear", "appeared",
                               "available", "year", "affiliation", "affiliated", "university", "department",
                               "collection", "show", "name", "have", "has", "release", "venue", "conference",
                               "accepted", "author", "authors", "first", "written", "institution", "lab", "labs",
                               "listed", "link", "links", "including", "main", "conference", "findings",
                               "workshop", "workshops", "long", "short", "demo", "demonstrations", "public",
                               "publicly", "don", "doesn", "didn", "haven", "hasn", "isn", "aren",
                               # "what papers has X worked on in this set?", "list all papers please, just the titles"
                               "please", "just", "title", "titles", "set", "worked", "wrote", "write", "authored",
                               "co-authored", "involved", "contributed", "here", "two", "three", "either",
                               # "X seems to have a couple of papers here", "has X written more than one of these?"
                               "seem", "seems", "couple", "several", "one", "ones", "else", "others", "besides",
                               "track", "tracks", "everything", "poster", "posters"}
MISSING_RE = re.compile(r"\b(no|without|lack|lacks|missing|(do|does|did)(n't| not)|ha(ve|s)(n't| not))\b"
                        r"\W+(?:\w+\W+){0,3}?"
                        r"(?P<field>affiliation|venue|code|github|repository|link)", re.IGNORECASE)
# "whose code is only promised?": the papers whose abstract says it will be released
CODE_LATER = re.compile(r"\b(?:later|promised?|promises|coming|upcoming|future|soon|will)\b", re.IGNORECASE)
PROMISES_CODE = re.compile(r"\b(?:code|implementation|source)\b[^.]{0,40}\bwill be\b[^.]{0,20}\b(?:released|open[- ]?sourced|"
                           r"available|public)|\bwill (?:release|open[- ]?source)\b", re.IGNORECASE)
LATER_WORDS = {"later", "promise", "promised", "coming", "upcoming", "yet", "future", "soon", "will", "out", "already",
               "rather", "only", "say", "says", "but"}
# "not counting Findings", "main conference only": venues of that kind left out
EXCLUDED_VENUE_RE = re.compile(r"\b(?:not|excluding|except|without|no|other than)\b(?:\s+(?:counting|including|in|at|"
                               r"the))*\s+(findings|workshops?)\b|"
                               r"\bmain (?:conference|track)\b(?![\s,]+(?:or\s+|and\s+|plus\s+)?(?:findings|workshops?|"
                               r"demos?|demonstrations))", re.IGNORECASE)  # not "main conference, findings, demos"
# "published in Findings", "at a workshop": a kind of venue (not "the approach or its findings")
VENUE_KIND = re.compile(r"\b(?:in|at|to|from|of)\s+(?:the\s+|a\s+|an\s+)?(?:ACL\s+|EMNLP\s+|NAACL\s+)?"
                        r"(findings|workshops?|posters?)\b|\b(Findings|workshops?|posters?)\b"
                        r"(?!\s+(?:of|about|on)\s+(?:the|this|its))|"  # "poster papers?"
                        r"\b(?i:(short|long|demo)\s+papers?)\b")  # "which of those was a short paper?"
# "in any track (main, Findings or demos)": no one kind of venue
ANY_TRACK = re.compile(r"\b(?:any|all|every|whatever)\s+(?:tracks?|kinds?|types?)\b|"
                       r"\bmain\b[^.?!]*\b(?:findings|workshops?)\b|\b(?:findings|workshops?)\b[^.?!]*\bmain\b|"
                       r"\b(?:including|incl\.?|plus)\s+(?:its\s+|the\s+|any\s+)?(?:findings|workshops?|demos?)\b",
                       re.IGNORECASE)  # "... at NAACL, including its workshops?"
TRACK_WORDS = {"track", "tracks", "main", "findings", "workshop", "workshops", "demo", "demos", "count", "counting",
               "every", "any", "all", "kind", "kinds", "type", "types", "including", "incl", "plus", "its"}
# "Which papers are surveys (rather than new methods)?": papers of that kind, by their titles
SURVEY_ASKED = re.compile(r"\b(surveys|survey papers|(literature )?reviews|review papers|overviews|"
                          r"(survey|review|overview)[- ]style)\b|"
                          r"\b(is|are|was|were) (a |the )?(survey|review|overview)s?\b", re.IGNORECASE)
SURVEY_EXCLUDED = re.compile(r"\b(?:not|excluding|except|without|other than|besides|apart from|no|leave out|"
                             r"leaving out|skip|skipping|ignore|ignoring|omit|omitting|drop)\s+(?:counting\s+|"
                             r"including\s+|just\s+|only\s+|merely\s+)?(?:a |the |any )?(?:literature )?"
                             r"(?:survey|review|overview)s?\b|"
                             r"\b(?:leave|leaving|keep|keeping) (?:the |any )?(?:survey|review|overview)s? out\b",
                             re.IGNORECASE)  # "Leave the surveys out."
# "(methods or surveys)", "including surveys": surveys among the papers asked for, not a filter to them
SURVEY_INCLUDED = re.compile(r"\b(?:methods?|approaches|papers|works?|tools|benchmarks)\s+(?:or|and|and/or|plus)\s+"
                             r"(?:surveys?|reviews?)\b|"
                             r"\b(?:surveys?|reviews?)\s+(?:or|and|and/or|plus)\s+(?:new\s+)?"
                             r"(?:methods?|approaches|papers|works?|tools|benchmarks)\b|"
                             r"\b(?:including|incl\.|also|even)\s+(?:the\s+)?(?:surveys?|reviews?)\b|"
                             r"\b(?:surveys?|reviews?)\s+(?:included|too|as well|count)\b", re.IGNORECASE)
SURVEY_TITLE = re.compile(r"\b(survey|review|overview)\b", re.IGNORECASE)
SURVEY_WORDS = {"survey", "surveys", "review", "reviews", "literature", "overview", "overviews", "rather", "instead",
                "new", "original", "research", "proposing"}  # beside GENERIC's
# "Which other paper points to that same repo?", "Which of them share a first author?"
SAME_CODE = re.compile(r"\b(same|shares?|sharing)\b.*\b(repo|repository|code|github|link|url)\b|"
                       r"\b(repo|repository|code|github|link|url)\b.*\b(same|in common|shared)\b", re.IGNORECASE)
SAME_AUTHOR = re.compile(r"\b(same|shares?|sharing|in common)\b.*\b((first )?authors?|person|people)\b|"
                         r"\b(first )?authors?\b.*\b(same|in common|shared)\b|"  # "what other papers is that first
                         r"\bother\b.*\b(that|this) ((first )?author|person)\b|\b(?:(that|this|the|its|their) "
                         r"((first )?author|person)|(its|their) authors)\b"
                         r".*\b(?:(?:an)?other|else)\b|"  # "did he write anything else here?", "anything else by them?"
                         r"\b(he|she|they)\b.*\b(wrote|write|written|lead|leads|led|authored)\b.*\b(else|other|more)\b|"
                         r"\b(else|others?|more|papers?) (?:in here |here )?(by|from) (him|her|them|that author|"
                         r"the same (people|team|authors?))\b|"
                         r"\b(?:is|are|was|were|appears?|shows? up) (?:also )?(?:on|in) (?:another|other|a different) "
                         r"(?:paper|one|work)\b",  # "Jizhan Fang is on another paper in here too"
                         re.IGNORECASE)  # author on?"
FIRST_AUTHOR = re.compile(r"\bfirst[- ]authors?\b", re.IGNORECASE)
# the one person asked about before ("who's the first author?" then "anything else by them?"), not "the same people"
ONE_PERSON = re.compile(r"\b(that|this|the same) (person|author|guy|researcher)\b|\b(he|she|him|her|they|them)\b",
                        re.IGNORECASE)
COUNT_WORDS = {"paper", "papers", "abstract", "abstracts", "article", "articles", "document", "documents", "entries",
               "publications", "total", "indexed", "every", "there", "you", "your", "give", "me", "tell", "altogether",
               "ones", "whole", "entire", "overall"}  # "how many papers are in the whole collection?"
AFFILIATION_NOISE = {"university", "department", "computer", "science", "school", "institute", "college",
                     "laboratory", "of", "and", "the"}


NOT_SURVEYS = "not surveys"
ALL_PAPERS = "all papers"


@dataclass
class CollectionQuery:
    """The metadata filters a question names, and the papers that pass them."""

    filters: list[str]
    papers: list[Paper]
    code: bool = False
    promised: bool = False  # "whose code is only promised?": those of `papers` whose abstract says it will be released
    topic: str = ""  # a topic beside the filters, without their words ("Which UCLA papers are about agents?")
    # "are both from the same people?" when they are not: each paper asked about with its own value
    unshared: list[tuple[Paper, str]] = field(default_factory=list)
    # papers shown after the matches, under a heading: the ones asked about that fail the filters ("which of the two
    # has code?"), or the one whose repository or author the matches share
    beside: list[Paper] = field(default_factory=list)
    beside_heading: str = ""

    def show_beside(self, papers: list[Paper], heading: str) -> CollectionQuery:
        """The query with `papers` shown after its matches under `heading` (none shown when there are none)."""
        self.beside, self.beside_heading = papers, heading
        return self

    @property
    def topical(self) -> bool:
        """Whether the question asks about a topic within the filtered papers."""
        return bool(self.topic)

    @property
    def filtered(self) -> bool:
        """Whether any metadata filter applies ("from 2024", "with code"), not just "all papers"."""
        return self.filters != [ALL_PAPERS]

    @property
    def selective(self) -> bool:
        """Whether a filter picks papers out ("from 2024", "with code"), not just leaves the surveys out: the
        records alone then answer a question on a topic no paper covers."""
        return any(f not in (ALL_PAPERS, NOT_SURVEYS) for f in self.filters)


def affiliation_terms(affiliation: str) -> set[str]:
    """Words and acronyms a user may call an affiliation by (e.g. "Zhejiang", "UCLA")."""
    words = {w.lower() for w in re.findall(r"[A-Za-z]+", affiliation) if w.lower() not in AFFILIATION_NOISE}
    parts = [p.strip() for p in affiliation.split(",") if p.strip()]
    for start in range(len(parts)):
        initials = "".join(w[0] for p in parts[start:] for w in p.split() if w[0].isupper())
        if len(initials) >= 2:
            words.add(initials.lower())
    return {w for w in words if len(w) >= 3}


def author_names(paper: Paper) -> list[str]:
    """The full names in a paper's author list ("et al." dropped)."""
    names = [n.strip() for n in (paper.authors or "").split(",")]
    return [n for n in names if len(n.split()) >= 2 and "et al" not in n]


def authors_named(question: str, papers: list[Paper]) -> set[str]:
    """The full names of the papers' authors that the question mentions."""
    asked = question.lower()
    return {a for p in papers for a in author_names(p) if a.lower() in asked and  # cheap test first, then
            re.search(rf"(?<![\w-]){re.escape(a.lower())}(?![\w-])", asked)}  # whole words: not "Yu Zhang" in "Ningyu"


def venue_terms(venue: str) -> set[str]:
    """Conference names in a venue string (e.g. "EMNLP", "ACL")."""
    return {w.lower() for w in re.findall(r"\b[A-Z][A-Za-z]*[A-Z][A-Za-z]*\b", venue)}


def parse_collection_query(question: str, papers: list[Paper], counts: bool = False) -> CollectionQuery | None:
    """The metadata filters a list question names; None when it names none and does not ask for a count."""
    words = {w.lower() for w in WORD_RE.findall(question)}
    filters: list[str] = []
    matched: set[str] = set()
    selected = list(papers)
    affiliations = {a for p in papers for a in p.affiliations}
    hit_affiliations = {a for a in affiliations if affiliation_terms(a) & words}
    if hit_affiliations:
        matched |= {w.lower() for a in hit_affiliations for w in WORD_RE.findall(a)} | {
            t for a in hit_affiliations for t in affiliation_terms(a) & words}  # "UCLA"
        selected = [p for p in selected if hit_affiliations & set(p.affiliations)]
        filters.append("affiliation: " + " or ".join(sorted(hit_affiliations)))
    years = {int(y) for y in re.findall(r"(?<![\d.])((?:19|20)\d\d)(?![\d.%])", question)}  # "2024年" too
    if years:
        matched |= {str(y) for y in years}
        selected = [p for p in selected if p.year in years]
        filters.append("year: " + ", ".join(map(str, sorted(years))))
    venues = set().union(*(venue_terms(p.venue or "") for p in papers)) & words
    if venues:
        matched |= venues
        selected = [p for p in selected if venue_terms(p.venue or "") & venues]
        filters.append("venue: " + ", ".join(sorted(v.upper() for v in venues)))
    any_track = ANY_TRACK.search(question)  # "which went to the main conference and which to findings?": both,
    excluded = EXCLUDED_VENUE_RE.search(question)  # unlike "main conference, not Findings"
    if any_track and not re.search(r"\b(not|excluding|except|without)\b", question, re.IGNORECASE):
        excluded = None
    if any_track:
        matched |= TRACK_WORDS
    venue_kind = VENUE_KIND.search(question)
    if venue_kind and not excluded and not any_track:  # "Which papers appeared at a workshop?"
        kind = next(group for group in venue_kind.groups() if group).lower().rstrip("s")
        selected = [p for p in selected if kind in (p.venue or "").lower()]
        filters.append(f"venue: {kind}")
    if excluded:
        kinds = [excluded.group(1).lower().rstrip("s")] if excluded.group(1) else ["findings", "workshop"]
        selected = [p for p in selected if not any(k in (p.venue or "").lower() for k in kinds)]
        filters.append("not " + " or ".join(kinds))
        matched |= {"main", "conference", "track", "counting", "excluding", "except", "findings", "workshop",
                    "workshops"}
    named = authors_named(question, papers)
    if named:
        matched |= {w.lower() for a in named for w in a.split()}
        selected = [p for p in selected if named & set(author_names(p))]
        filters.append("author: " + ", ".join(sorted(named)))
    if SURVEY_EXCLUDED.search(question):  # "(not counting surveys)", "not a survey or a toolkit"
        matched |= {"survey", "surveys", "review", "reviews", "counting", "excluding", "except", "other", "than",
                    "leave", "leaving", "out", "skip", "skipping", "ignore", "ignoring", "omit", "omitting", "drop",
                    "keep", "keeping", "apart"}
        selected = [p for p in selected if not SURVEY_TITLE.search(p.title)]
        filters.append(NOT_SURVEYS)
    elif SURVEY_INCLUDED.search(question):
        matched |= SURVEY_WORDS | {"including", "included", "too", "count"}
    elif SURVEY_ASKED.search(question):
        matched |= SURVEY_WORDS
        selected = [p for p in selected if SURVEY_TITLE.search(p.title)]
        filters.append("surveys")
    code = bool(words & {"code", "github", "implementation", "open-source", "repository", "repo"})
    promised = code and bool(CODE_LATER.search(question))  # "which papers haven't released code but say they will?"
    missing = not promised and MISSING_RE.search(question)
    if missing:
        field_name = missing.group("field").lower()
        lacks = {"affiliation": lambda p: not p.affiliations, "venue": lambda p: not p.venue}.get(
            field_name, lambda p: not p.code_urls)
        selected = [p for p in selected if lacks(p)]
        filters.append(f"no {field_name} listed")
        code = False
    elif promised:  # the abstracts say which ones: `promised` has them read
        selected = [p for p in selected if p.code_urls]
        filters.append("code promised in the abstract")
        matched |= LATER_WORDS
    elif code:
        selected = [p for p in selected if p.code_urls]
        filters.append("code available")
    if not filters and not counts:
        return None
    topic = " ".join(w for w in re.findall(r"\S+", question) if w.lower().strip("?,.!;:()") not in matched) \
        if words - GENERIC - COUNT_WORDS - matched else ""
    return CollectionQuery(filters=filters or [ALL_PAPERS], papers=selected, code=code, topic=topic,
                           promised=promised)


def shared_query(question: str, about: list[Paper], papers: list[Paper]) -> CollectionQuery | None:
    """The papers that share a code repository or an author with the papers a follow-up is about ("Which other
    paper points to that same repo?": shown beside them; "what other papers is that first author on?"), or, among
    several (or all), those that share one with each other ("Which of them share a first author?"); None when the
    question asks neither."""
    named: set[str] = set()
    if SAME_CODE.search(question):
        key, what = (lambda p: set(p.code_urls)), "code repository"
    elif SAME_AUTHOR.search(question):  # the records' authors are read only for a question about people
        named = authors_named(question, papers)  # "Jizhan Fang ... is there another paper by them?"
        key, what = (lambda p: set(author_names(p)[:1])), "first author"
        if not FIRST_AUTHOR.search(question) and not ONE_PERSON.search(question):  # "by the same people?"
            key, what = (lambda p: set(author_names(p))), "author"
    else:
        return None
    if not about or len(about) > 1 and not re.search(r"\bother\b", question, re.IGNORECASE):  # among them (or all)
        pool = about or papers
        counts = Counter(k for p in pool for k in key(p))
        selected = [p for p in pool if any(counts[k] > 1 for k in key(p))]
        if about and not selected:
            return CollectionQuery(filters=[f"same {what}"], papers=[], code=what.startswith("code"), unshared=[
                (p, ", ".join(sorted(key(p))) or "none listed") for p in about])
    else:
        ids = {p.paper_id for p in about}
        shared = set().union(*(key(p) for p in about))
        if what != "code repository":  # the person meant (named, or the first author) anywhere in an author list
            shared = named or shared
            key = lambda p: set(author_names(p)) & shared  # noqa: E731
        selected = [p for p in papers if p.paper_id not in ids and key(p) & shared]
    query = CollectionQuery(filters=[f"same {what}: " + ", ".join(sorted(set().union(*(key(p) for p in selected))))
                                     if selected else f"same {what}"], papers=selected, code=what.startswith("code"))
    others = about and selected and selected[0].paper_id not in {p.paper_id for p in about}  # not among them: the
    return query.show_beside(about, "Shared with:") if others else query  # paper asked about is shown beside them


def code_promise(paper: Paper) -> str:
    """The abstract's sentence saying the code will be released ("Code will be released at ..."), or ""."""
    return next((s for s in split_sentences(paper.abstract) if PROMISES_CODE.search(s)), "")


def passage_for(paper: Paper, code: bool) -> str:
    """The sentence of the abstract to show as evidence: the one with the code link, else the first."""
    sentences = split_sentences(paper.abstract)
    if code:
        linked = [s for s in sentences if "http" in s]
        if linked:
            return linked[0]
    return sentences[0] if sentences else paper.abstract[:200]
