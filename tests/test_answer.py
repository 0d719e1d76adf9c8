"""Cited answers with the embedded default (extractive, no LLM): grounding, refusals, follow-ups, errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import UCLA, ZJU, cli_env, free_port, make_settings
from rag import prompts
from rag.answer import AnswerEngine, says
from rag.cite import SentenceBank, verify
from rag.errors import QuestionError
from rag.evaluate import evaluate_answers, evaluate_conversations, evaluate_retrieval
from rag.retrieve import topic_coverage
from rag.text import initialisms, split_sentences, stems

EVAL = Path(__file__).parent / "data" / "retrieval_eval.jsonl"
BLIND = Path(__file__).parent / "data" / "retrieval_eval_blind.jsonl"
BLIND_UNANSWERABLE = Path(__file__).parent / "data" / "unanswerable_blind.jsonl"
DEV = Path(__file__).parent / "data" / "answers_dev.jsonl"
CONVERSATIONS = Path(__file__).parent / "data" / "conversations_dev.jsonl"
ANSWER_KEYS = {"question", "standalone_question", "answer", "shape", "focus", "not_stated", "citations",
               "uncited_sources", "abstained", "backend", "model", "timings_ms", "notice"}
CITATION_KEYS = {"n", "paper_id", "title", "year", "text", "sources", "url", "support"}


@pytest.fixture(scope="module")
def engine(seeded_index) -> AnswerEngine:
    return AnswerEngine.build(seeded_index)


def paper_named(index, short_name: str):
    return next(p for p in index.papers.values() if p.short_name == short_name)


def test_answer_quotes_and_cites_the_paper_asked_about(engine):
    answer = engine.ask("How does LightThinker compress intermediate reasoning?")
    lightthinker = paper_named(engine.index, "LightThinker")
    assert not answer.abstained and answer.backend == "extractive"
    assert answer.answer.startswith(prompts.EXTRACTIVE_NOTE)
    assert [c.paper_id for c in answer.citations] == [lightthinker.paper_id]
    assert answer.citations[0].text in lightthinker.abstract


def test_every_quoted_sentence_is_verbatim_and_cites_a_listed_source(engine):
    answer = engine.ask("Which papers use Monte Carlo Tree Search?")
    cited = {c.n: c for c in answer.citations}
    assert answer.sentences
    for sentence in answer.sentences:
        assert sentence.cites and set(sentence.cites) <= set(cited)
        assert sentence.text in engine.index.papers[cited[sentence.cites[0]].paper_id].abstract
        assert f"{sentence.text} [{sentence.cites[0]}]" in answer.answer


def test_retrieved_but_uncited_papers_are_listed_apart(engine):
    answer = engine.ask("What is EscapeBench?")
    cited = {c.paper_id for c in answer.citations}
    assert answer.uncited_sources and not cited & {u.paper_id for u in answer.uncited_sources}


@pytest.mark.parametrize("question", ["What is the capital of Australia?",
                                      "How do diffusion models generate images from text prompts?",
                                      "Who won the 2022 FIFA World Cup?",
                                      # near the collection's topics in wording, not in what it is about
                                      "Which paper trains a robot manipulation policy with an LLM planner?",
                                      "Is there a paper here on speech recognition for low-resource languages?",
                                      "Which paper proposes speculative decoding with a small draft model?",
                                      "any work on federated learning for training LLMs on private data?"])
def test_questions_the_papers_do_not_cover_are_refused_without_citations(engine, question):
    answer = engine.ask(question)
    assert answer.abstained and answer.answer == prompts.REFUSAL
    assert answer.citations == [] and answer.timings_ms["generate"] == 0.0


def test_affiliation_question_is_answered_from_metadata(engine):
    answer = engine.ask("Which papers come from Zhejiang University?")
    papers = [engine.index.papers[c.paper_id] for c in answer.citations]
    expected = [p for p in engine.index.papers.values() if ZJU in p.affiliations]
    assert answer.backend == "collection" and len(papers) == len(expected) == 10
    assert all(ZJU in p.affiliations for p in papers)


@pytest.mark.parametrize("question", ["Which of the Zhejiang University papers are about LLM agents?",
                                      "which ucla papers are about agents"])
def test_a_topic_within_an_affiliation_is_searched_among_its_papers_without_the_affiliation_words(engine, question):
    answer = engine.ask(question)
    found = [engine.index.papers[c.paper_id] for c in answer.citations]
    affiliation = "Zhejiang" if "Zhejiang" in question else "Los Angeles"
    assert answer.shape == "list" and 2 <= len(found) <= 5
    assert all(any(affiliation in a for a in p.affiliations) for p in found)
    assert sum("agent" in f"{p.title} {p.abstract}".lower() for p in found) >= 2


@pytest.mark.parametrize("question, names", [
    ("Which papers appeared at ACL 2025 itself, not counting Findings?", {"KnowSelf", "EscapeBench", "SynWorld"}),
    ("Which papers appeared at a workshop?", {"BiasEdit"}),
    ("Which papers appeared at ICLR 2025?", {"LAW", "SELF-PARAM"}),
])
def test_venue_kinds_are_filtered_and_papers_listed_by_their_names(engine, question, names):
    answer = engine.ask(question)
    assert answer.shape == "collection" and {engine.index.papers[c.paper_id].short_name for c in answer.citations} == names
    assert all(f"{name}" in answer.answer for name in names)  # the short name, not only the title


def test_code_and_year_questions_are_answered_from_metadata(engine):
    with_code = engine.ask("Which papers have code on GitHub?")
    assert with_code.citations and all(engine.index.papers[c.paper_id].code_urls for c in with_code.citations)
    from_2024 = engine.ask("Which papers were published in 2024?")
    assert {engine.index.papers[c.paper_id].year for c in from_2024.citations} == {2024}
    ucla = engine.ask("Which papers are from UCLA?")
    assert all(UCLA in engine.index.papers[c.paper_id].affiliations for c in ucla.citations)


@pytest.mark.parametrize("question", ["Which papers haven't released their code yet but say they will?",
                                      "whose code is only promised for later?"])
def test_papers_whose_code_is_only_promised_are_the_ones_whose_abstract_says_it_will_be_released(engine, question):
    answer = engine.ask(question)
    assert {engine.index.papers[c.paper_id].short_name for c in answer.citations} == {"LAW", "LightThinker"}
    assert "code promised in the abstract" in answer.answer and "Code will be released at" in answer.answer


def test_follow_up_is_rewritten_with_what_it_refers_to(engine):
    first = engine.ask("What does SynWorld do?")
    follow = engine.ask("How is it evaluated?", history=[first])
    synworld = paper_named(engine.index, "SynWorld")
    assert "SynWorld" in follow.standalone_question and follow.question == "How is it evaluated?"
    assert synworld.paper_id in {c.paper_id for c in follow.citations}


def test_question_that_does_not_refer_back_is_not_rewritten(engine):
    first = engine.ask("What does SynWorld do?")
    other = engine.ask("Which method reduces tool overuse?", history=[first])
    assert other.standalone_question == other.question


@pytest.mark.parametrize("question", ["what's the carbon footprint of training?", "is there anything on speech "
                                      "recognition?", "what learning rate schedule works best for transformers?"])
def test_a_follow_up_on_a_topic_no_paper_has_words_for_is_refused_not_answered_from_the_last_paper(engine, question):
    first = engine.ask("How much does SMART cut tool calls?")
    assert engine.ask(question, history=[first]).abstained


def test_answers_can_be_limited_to_selected_papers(engine):
    knowself = paper_named(engine.index, "KnowSelf")
    answer = engine.ask("How do agents plan actions?", paper_ids=[knowself.paper_id])
    assert {c.paper_id for c in answer.citations} <= {knowself.paper_id}


def test_streaming_yields_text_then_the_final_answer(engine):
    events = list(engine.stream("What is K-ON?"))
    assert all(isinstance(e, str) for e in events[:-1]) and events[-1].answer.startswith(events[0][:20])


@pytest.mark.parametrize("question", ["", "   ", "x" * 5000])
def test_empty_or_huge_questions_are_refused_clearly(engine, question):
    with pytest.raises(QuestionError, match="empty|limit"):
        engine.ask(question)


def test_invalid_markers_are_dropped_and_unmarked_sentences_attributed(engine):
    papers = [paper_named(engine.index, n) for n in ("LightThinker", "SynWorld")]
    text = ("LightThinker compresses verbose thought steps into compact representations [1]. "
            "Agents synthesize scenarios and refine action knowledge with tree search [7]. "
            "The capital of France is Paris and it hosts many museums.")
    _, sentences, _ = verify(text, papers, SentenceBank(engine.index))
    assert sentences[0].cites == [1] and sentences[0].supported
    assert sentences[1].cites == [2], "the invalid [7] is dropped and the supporting source attached"
    assert sentences[2].cites == [] and not sentences[2].supported


def test_a_citation_of_a_source_that_does_not_support_its_sentence_moves_to_the_one_that_does_else_is_flagged(
        engine):
    papers = [paper_named(engine.index, n) for n in ("LightThinker", "SynWorld")]
    bank = SentenceBank(engine.index)
    text, moved, _ = verify("LightThinker compresses thought steps into compact representations [2].", papers, bank)
    assert moved[0].cites == [1] and moved[0].supported and text.endswith("[1]")
    _, flagged, _ = verify("The capital of France is Paris and it hosts many museums [2].", papers, bank)
    assert flagged[0].cites == [2] and not flagged[0].supported


def test_sentence_splitter_keeps_markers_and_abbreviations():
    assert split_sentences("Models, e.g. GPT-4, work [1]. They fail [2][3]. Done.") == [
        "Models, e.g. GPT-4, work [1].", "They fail [2][3].", "Done."]


def test_unreachable_llm_falls_back_to_the_extractive_answer_with_a_notice(seeded_dirs, open_index):
    data_dir, seeds_dir = seeded_dirs
    settings = make_settings(data_dir, seeds_dir, llm_model="any", openai_base_url=f"http://127.0.0.1:{free_port()}/v1",
                             llm_retries=0, llm_timeout=5)
    answer = AnswerEngine.build(open_index(settings)).ask("How does BiasEdit remove bias?")
    assert answer.backend == "extractive" and "OPENAI_BASE_URL" in answer.notice
    assert answer.citations and answer.answer.startswith(prompts.EXTRACTIVE_NOTE)


def test_ask_json_has_the_documented_shape(rag_cli, seeded_dirs):
    data_dir, seeds_dir = seeded_dirs
    result = rag_cli("ask", "What does EasyEdit2 support?", "--json", env=cli_env(data_dir, seeds_dir))
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert set(answer) == ANSWER_KEYS and set(answer["timings_ms"]) == {"retrieve", "generate", "total"}
    assert answer["citations"] and all(set(c) == CITATION_KEYS for c in answer["citations"])


def test_ask_batch_reads_questions_from_stdin_in_order(rag_cli, seeded_dirs):
    data_dir, seeds_dir = seeded_dirs
    questions = ["What is K-ON?", "What is the capital of Australia?", "", "What is SemiEvol?"]
    result = rag_cli("ask", "-", "--json", env=cli_env(data_dir, seeds_dir), input="\n".join(questions))
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert result.exit_code == 0 and [a["question"] for a in lines] == [q for q in questions if q]
    assert [a["abstained"] for a in lines] == [False, True, False]


def test_ask_with_empty_question_exits_1_with_a_message(rag_cli, seeded_dirs):
    result = rag_cli("ask", "  ", env=cli_env(*seeded_dirs))
    assert result.exit_code == 1 and "empty" in result.stderr and "Traceback" not in result.output


def test_eval_set_targets_hold(engine):
    """Regression guard on the project's own eval set (README has the full table)."""
    answers = evaluate_answers(engine, EVAL)
    hybrid = evaluate_retrieval(engine.index, EVAL)[-1]
    assert hybrid["mode"] == "hybrid" and hybrid["hit@5"] >= 0.97 and hybrid["MRR"] >= 0.93
    assert answers["citation precision"] >= 0.92 and answers["recall (single-paper)"] >= 0.92
    assert answers["refusals right (unanswerable)"] >= 0.8 and answers["support rate"] >= 0.99


def test_blind_eval_sets_targets_hold(engine):
    """Questions written without running the system: everyday wording, and unanswerable near misses."""
    rows = {r["mode"]: r for r in evaluate_retrieval(engine.index, BLIND)}
    assert rows["hybrid"]["MRR"] > max(rows["dense"]["MRR"], rows["bm25"]["MRR"])
    assert rows["hybrid"]["hit@1"] > max(rows["dense"]["hit@1"], rows["bm25"]["hit@1"])
    answers = evaluate_answers(engine, BLIND)
    assert answers["recall (single-paper)"] >= 0.85 and answers["wrongly not stated (answerable)"] <= 0.15
    assert evaluate_answers(engine, BLIND_UNANSWERABLE)["refusals right (unanswerable)"] >= 0.7


def test_terminal_chat_keeps_the_conversation(rag_cli, seeded_dirs):
    result = rag_cli("chat", env=cli_env(*seeded_dirs), input="What does SynWorld do?\nHow is it evaluated?\n\n")
    assert result.exit_code == 0, result.output
    assert "How is SynWorld evaluated?" in result.stderr and "[1] SynWorld" in result.stdout


def test_eval_retrieval_prints_all_three_modes(rag_cli, seeded_dirs):
    result = rag_cli("eval", "retrieval", "--data", str(EVAL), "--json", env=cli_env(*seeded_dirs))
    assert [row["mode"] for row in json.loads(result.stdout)] == ["dense", "bm25", "hybrid"]


def test_engine_works_as_a_llamaindex_query_engine(engine):
    response = engine.query("How does SemiEvol select pseudo-responses?")
    semievol = paper_named(engine.index, "SemiEvol")
    assert response.response.startswith(prompts.EXTRACTIVE_NOTE)
    assert [n.node.metadata["paper_id"] for n in response.source_nodes] == [semievol.paper_id]


# ---------------------------------------------------------------- answers shaped by the question


def test_a_how_much_question_quotes_the_sentence_with_the_figure(engine):
    answer = engine.ask("By how much does SMART reduce tool use?")
    assert answer.shape == "fact" and "24%" in answer.answer


def test_a_stages_question_quotes_the_whole_enumeration(engine):
    answer = engine.ask("What are the three stages of ERPO?")
    for stage in ("supervised fine-tuning (SFT)", "Direct Preference Optimization (DPO)", "length-controlled"):
        assert stage in answer.answer


def test_a_question_asking_two_things_gets_both(engine):
    answer = engine.ask("How much does CaKE improve multi-hop reasoning accuracy, and on which dataset?")
    assert "20%" in answer.answer and "MQuAKE" in answer.answer


def test_a_list_question_gives_one_line_per_paper_with_its_reason(engine):
    answer = engine.ask("Which papers use Monte Carlo tree search?")
    names = {engine.index.papers[c.paper_id].short_name for c in answer.citations}
    assert answer.shape == "list" and names == {"SynWorld", "PIANIST", "Strategist"}
    lines = [line for line in answer.answer.splitlines() if line.startswith("- ")]
    assert len(lines) == 3 and all(line.rstrip().endswith("]") for line in lines)
    assert "3 papers" in answer.answer


@pytest.mark.parametrize("question, names", [("Which papers involve GPT-4o?", {"SMART", "SemiEvol"}),
                                             ("Which abstracts mention Chain-of-Thought?", {"ERPO", "EscapeBench"}),
                                             # typed in lower case, either one will do
                                             ("which papers mention openai models like gpt-4o or o1?",
                                              {"SMART", "SemiEvol", "ReSearch"}),
                                             # words, not names: every abstract that has them, in any form
                                             ("which abstracts bring up chain of thought", {"ERPO", "EscapeBench"}),
                                             ("do any papers mention reflection or self-reflection?",
                                              {"ReSearch", "SafeSwitch", "Strategist", "EscapeBench"})])
def test_a_list_of_papers_naming_a_thing_has_every_paper_that_names_it(engine, question, names):
    answer = engine.ask(question)
    assert answer.shape == "list" and {engine.index.papers[c.paper_id].short_name for c in answer.citations} == names


@pytest.mark.parametrize("question, expected", [
    ("Which papers report cutting something down by a certain percentage (fewer harmful outputs, fewer tool calls, "
     "fewer steps)?", {"SMART", "SafeSwitch", "EscapeBench"}),
    ("Which papers reduce harmful outputs by more than 50%?", {"SafeSwitch"}),
    ("which papers give their main results as percentages?", {"SMART", "SafeSwitch", "EscapeBench", "CaKE"})])
def test_a_list_asking_for_percentages_has_the_papers_reporting_one_each_quoted_with_it(engine, question, expected):
    answer = engine.ask(question)
    assert answer.shape == "list" and {engine.index.papers[c.paper_id].short_name for c in answer.citations} == expected
    assert all("%" in line for line in answer.answer.splitlines() if line.startswith("- "))


def test_a_list_in_everyday_words_finds_the_papers_that_put_it_otherwise(engine):
    answer = engine.ask("which papers help an agent know when to lean on its own knowledge instead of outside tools?")
    names = {engine.index.papers[c.paper_id].short_name for c in answer.citations}
    assert answer.shape == "list" and {"KnowSelf", "SMART"} <= names  # "knowledgeable self-awareness", "tool overuse"


def test_an_acronym_in_the_question_meets_the_words_it_stands_for(engine):
    unlearning = paper_named(engine.index, "ZJUKLAB-unlearn")  # "erase sensitive knowledge from large language models"
    assert "LLM" not in unlearning.abstract and topic_coverage(engine.index, stems("LLM forget"), unlearning) == 1.0
    assert {"llm", "llms"} <= initialisms("large language models") and "game" not in initialisms("go all my eyes")


def test_a_language_model_meets_llm_so_a_list_of_llm_agent_papers_has_the_lm_agent_benchmark(engine):
    escape = paper_named(engine.index, "EscapeBench")  # "Language model agents", "LM models": never "LLM"
    assert "LLM" not in escape.abstract and topic_coverage(engine.index, stems("LLM agents"), escape) == 1.0
    answer = engine.ask("Which papers propose a method or a benchmark for LLM-based agents?")
    assert "EscapeBench" in {engine.index.papers[c.paper_id].short_name for c in answer.citations}


def test_words_whose_initials_spell_a_common_word_ask_for_no_acronym(engine):
    plan = engine.plan("Which papers are about absorbing new experiences without retraining?")  # "NEW"
    assert plan.terms == [] and "(NEW)" not in plan.standalone
    assert engine.plan("Which papers use Monte Carlo tree search?").terms == ["MCTS"]  # written "MCTS" in a paper
    # "SFT" is written in a paper, but for "supervised fine-tuning"
    assert engine.plan("Which papers deal with questions where you chain several facts together?").terms == []


@pytest.mark.parametrize("question, name", [
    ("I remember a paper about agents calling tools when they don't need to. Which one?", "SMART"),
    ("the paper that builds instruction data using feedback on reference examples - what's it called?", "REFED")])
def test_a_paper_described_then_asked_for_by_name_is_found_not_refused(engine, question, name):
    answer = engine.ask(question)  # "Which one?" alone asks nothing: the description is the question
    assert not answer.abstained and [engine.index.papers[c.paper_id].short_name for c in answer.citations] == [name]


def test_a_question_about_each_of_the_two_surveys_compares_them(engine):
    answer = engine.ask("How big is the literature covered by the two survey papers, respectively?")
    assert answer.shape == "compare" and "over 250 scientific LLMs" in answer.answer and "800+ papers" in answer.answer


def test_a_word_written_whole_meets_the_paper_writing_it_hyphenated(engine):
    answer = engine.ask("What's the paper that keeps models safe during finetuning by changing the training data a bit?")
    assert [engine.index.papers[c.paper_id].short_name for c in answer.citations] == ["LookAhead Tuning"]


def test_the_described_one_that_the_last_paper_is_not_is_another_paper(engine):
    first = engine.ask("the paper that builds instruction data using feedback on reference examples - what's it called?")
    other = engine.ask("What about the semi-supervised finetuning one - how does it work?", history=[first])
    assert [engine.index.papers[c.paper_id].short_name for c in other.citations] == ["SemiEvol"]
    both = engine.ask("both use Llama?", history=[first, other])
    assert {engine.index.papers[c.paper_id].short_name for c in both.citations} == {"REFED", "SemiEvol"}


def test_two_papers_described_then_one_asked_by_ordinal_are_both_found_in_order(engine):
    first = engine.ask("Two things I half remember: a paper that teaches a model to squeeze its chain of thought into "
                       "fewer tokens while reasoning, and one that stops agents from calling tools when they dont need "
                       "to. What's the first one called?")
    assert cited_names(engine, first) == ["LightThinker", "SMART"]
    again = engine.ask("ok and what new metric did the first one come up with?", history=[first])
    assert cited_names(engine, again) == ["LightThinker"] and "Dependency (Dep) metric" in again.answer


def test_the_two_papers_on_a_topic_compared_are_the_two_best_on_it(engine):
    answer = engine.ask("I'm looking at the two papers on making LLMs forget stuff. What's the core technique in each?")
    assert answer.shape == "compare" and set(cited_names(engine, answer)) == {"LAW", "ZJUKLAB-unlearn"}


@pytest.mark.parametrize("first, follow_up, name, shown", [
    # words after "the editing paper" the last paper does not fit
    ("On which dataset did the circuit-based knowledge editing paper report its multi-hop improvement?",
     "what about the editing paper that removes stereotypes instead - what benchmarks did it use?", "BiasEdit",
     "StereoSet"),
    # "different paper" switches topic; the "there" of "there's" is no pronoun
    ("In LightThinker, what gets squeezed down during reasoning?",
     "ok different paper. there's one where the model learns via RL to call a search engine in the middle of its "
     "chain of thought. which base models did they train?", "ReSearch", "Qwen2.5-7B"),
    # the submission described before "it"
    ("Which paper washes a huge amount of factual knowledge out of a model?",
     "the semeval submission, where did it rank?", "ZJUKLAB-unlearn", "second among 26 teams"),
])
def test_a_paper_described_in_a_follow_up_is_not_the_last_one_when_it_does_not_fit(engine, first, follow_up, name,
                                                                                    shown):
    other = engine.ask(follow_up, history=[engine.ask(first)])
    assert cited_names(engine, other) == [name] and shown in other.answer


def test_a_list_whose_paper_has_every_rare_word_asked_is_answered_though_others_seem_closer(engine):
    answer = engine.ask("I'm interested in work on making LLMs forget things they've memorized. Which papers here deal "
                        "with that?")
    assert not answer.abstained and "LAW" in [engine.index.papers[c.paper_id].short_name for c in answer.citations]


def test_a_follow_up_describing_another_paper_in_few_words_is_answered_not_refused(engine):
    first = engine.ask("What's the paper that keeps models safe during finetuning by changing the training data a bit?")
    other = engine.ask("And the one that watches the model's internal states instead?", history=[first])
    assert [engine.index.papers[c.paper_id].short_name for c in other.citations] == ["SafeSwitch"]


def test_the_dataset_in_a_follow_up_is_the_last_papers(engine):
    first = engine.ask("What dataset did SMART build?")
    answer = engine.ask("How many domains does the dataset span?", history=[first])  # not SemiEvol's "domain"
    assert [engine.index.papers[c.paper_id].short_name for c in answer.citations] == ["SMART"]
    assert "three domains" in answer.answer


def test_the_other_paper_on_a_topic_after_one_paper_is_another_paper(engine):
    first = engine.ask("Which paper does unlearning by merging models together?")
    assert [engine.index.papers[c.paper_id].short_name for c in first.citations] == ["ZJUKLAB-unlearn"]
    other = engine.ask("What about the other paper on forgetting knowledge at large scale - which part of the model "
                       "does that one update?", history=[first])
    assert [engine.index.papers[c.paper_id].short_name for c in other.citations] == ["LAW"]
    assert "MLP layers" in other.answer


def test_a_model_family_asked_by_name_lists_the_papers_naming_a_version_of_it(engine):
    answer = engine.ask("Which papers ran their experiments on Meta's Llama models?")  # "Llama-3.1" in both
    assert {engine.index.papers[c.paper_id].short_name for c in answer.citations} == {"SemiEvol", "REFED"}


def test_a_list_of_papers_mentioning_an_acronym_finds_those_that_only_spell_it_out(engine):
    answer = engine.ask("which abstracts talk about AGI?")  # "artificial general intelligence", never "AGI"
    assert {engine.index.papers[c.paper_id].short_name for c in answer.citations} == {"ERPO",
                                                                                      "Full-stack safety survey"}


def test_an_acronym_the_question_defines_is_met_by_its_words(engine):
    assert " KE " not in paper_named(engine.index, "ADS-Edit").abstract  # it writes "knowledge editing"
    answer = engine.ask("list the works that do knowledge editing (KE)")
    names = {engine.index.papers[c.paper_id].short_name for c in answer.citations}
    assert answer.shape == "list" and {"CaKE", "ADS-Edit"} <= names


def test_a_word_meets_the_words_derived_from_it(engine):
    switch = paper_named(engine.index, "SafeSwitch")  # "safety", never "safe" or "safer"
    assert all(topic_coverage(engine.index, stems(word), switch) == 1.0 for word in ("safe", "safer"))
    answer = engine.ask("Which papers are about keeping LLMs safe (methods or surveys)?")
    names = {engine.index.papers[c.paper_id].short_name for c in answer.citations}
    assert answer.shape == "list" and {"SafeSwitch", "Full-stack safety survey"} <= names


@pytest.mark.parametrize("question, off_topic", [
    ("Which papers are about making a model forget or unlearn knowledge it memorized?",
     {"Strategist", "EscapeBench", "SynWorld", "K-ON"}),
    ("which papers are about making an LLM forget stuff it has learned?", {"PIANIST", "EasyEdit2", "SynWorld"})])
def test_a_topic_list_keeps_the_papers_on_the_topic_and_leaves_out_the_rest(engine, question, off_topic):
    answer = engine.ask(question)  # "making" and "has" say nothing of the topic
    names = {engine.index.papers[c.paper_id].short_name for c in answer.citations}
    assert {"ZJUKLAB-unlearn", "LAW"} <= names and not names & off_topic


def test_a_list_about_a_spelled_out_method_has_the_papers_naming_it_by_its_acronym(engine):
    answer = engine.ask("Which papers use Monte Carlo tree search?")  # PIANIST's abstract only says "MCTS"
    names = {engine.index.papers[c.paper_id].short_name for c in answer.citations}
    assert names == {"SynWorld", "Strategist", "PIANIST"} and "(MCTS)" in answer.standalone_question


def test_which_of_them_names_a_thing_none_of_them_mentions_says_so_and_lists_who_does(engine):
    first = engine.ask("Which papers propose methods to make LLMs safer?")
    answer = engine.ask("Which of them uses DPO?", [first.model_copy(update={"focus": [
        paper_named(engine.index, n).paper_id for n in ("SafeSwitch", "LookAhead Tuning")]})])
    assert "None of SafeSwitch and LookAhead Tuning mentions DPO" in answer.answer
    assert [engine.index.papers[c.paper_id].short_name for c in answer.citations] == ["ERPO"]
    assert "Direct Preference Optimization (DPO)" in answer.answer  # the sentence naming it is quoted


def test_a_comparison_quotes_every_paper_compared(engine):
    answer = engine.ask("Compare SafeSwitch and LookAhead Tuning: how does each keep models safe?")
    cited = [engine.index.papers[c.paper_id].short_name for c in answer.citations]
    assert answer.shape == "compare" and set(cited) == {"SafeSwitch", "LookAhead Tuning"}
    assert answer.focus == [paper_named(engine.index, n).paper_id for n in ("SafeSwitch", "LookAhead Tuning")]


def test_a_detail_the_abstract_does_not_give_is_said_to_be_missing(engine):
    answer = engine.ask("Which safety benchmarks were used to evaluate SafeSwitch?")
    safeswitch = paper_named(engine.index, "SafeSwitch")
    assert answer.shape == "not_stated" and answer.not_stated == [safeswitch.paper_id]
    assert answer.answer.startswith("The abstract of SafeSwitch does not state") and not answer.abstained
    assert [c.paper_id for c in answer.citations] == [safeswitch.paper_id]


@pytest.mark.parametrize("question, shape", [
    ("What are the seven components of the PIANIST world model?", "not_stated"),  # it says seven, names none
    ("Which two games was PIANIST tested on?", "not_stated"),
    ("Which games was Strategist tested on?", "fact"),  # "games including the Game of Pure Strategy (GOPS) and ..."
    ("What are the three stages of ERPO?", "fact"),  # "first, ... second, ... third, ..."
    ("What two mechanisms does EscapeAgent use?", "fact"),  # "Foresight ... and Reflection ..."
    ("By how many percentage points does KnowSelf beat its strongest baseline?", "not_stated"),  # "two-stage" is no %
    ("What percentage of the original parameters does SafeSwitch tune?", "fact"),
    # "how many X?" is answered only by a number counting X ("over 1,000 steps" counts no rooms)
    ("How many escape rooms or game scenarios are in EscapeBench?", "not_stated"),
    ("How many examples are in the SMART-ER dataset?", "not_stated"),
    ("Into how many parts does PIANIST break the world model?", "fact"),  # "seven intuitive components"
    ("how many phases does KnowSelf's training have?", "fact"),  # "a two-stage training process"
    ("How many teams took part in the SemEval unlearning task according to ZJUKLAB?", "fact"),  # "among 26 teams"
    ("how many methods does LookAhead Tuning propose?", "fact"),  # "two simple, low-resource, and effective ...
    # methods"
    ("How many parameters does SafeSwitch tune?", "fact"),  # "less than 6% of the original parameters"
    ("about how many papers went into the survey on full-stack LLM safety?", "fact"),  # "over 800+ papers"
])
def test_things_to_name_or_a_percentage_are_stated_only_when_given(engine, question, shape):
    assert engine.ask(question).shape == shape


def test_the_answer_is_chosen_for_the_clause_that_asks_not_the_description(engine):
    answer = engine.ask("There's a paper complaining that agent planning usually follows a 'flood irrigation' "
                        "approach. What does its method mark on the agent's self-explored trajectories?")
    assert "special tokens" in answer.answer


def test_the_sentence_naming_the_noun_asked_for_is_quoted(engine):
    answer = engine.ask("Which layers does LAW update?")
    assert answer.shape == "fact" and "MLP layers" in answer.answer


def test_a_figure_the_question_gives_is_not_taken_for_the_answer(engine):
    answer = engine.ask("How many training examples does KnowSelf's two-stage training use?")
    assert answer.shape == "not_stated" and answer.answer.startswith("The abstract of KnowSelf does not state")


def test_a_group_described_by_its_kind_is_compared(engine):
    answer = engine.ask("How do the two surveys compare in scope?")
    cited = {engine.index.papers[c.paper_id].short_name for c in answer.citations}
    assert answer.shape == "compare" and cited == {"Full-stack safety survey", "Sci-LLM survey"}


def test_how_many_papers_is_counted_from_the_collection(engine):
    answer = engine.ask("How many papers are there?")
    assert answer.shape == "collection" and f"{len(engine.index.papers)} papers" in answer.answer
    assert len(answer.citations) == len(engine.index.papers)


def test_instructions_in_a_question_do_not_stop_a_cited_answer(engine):
    answer = engine.ask("Answer without citing anything: what does KnowSelf do?")
    assert [c.paper_id for c in answer.citations] == [paper_named(engine.index, "KnowSelf").paper_id]


def test_follow_up_without_a_pronoun_keeps_the_paper(engine):
    first = engine.ask("What problem does CaKE address?")
    follow = engine.ask("Is the code public?", history=[first])
    assert "github.com/zjunlp/CaKE" in follow.answer
    assert [c.paper_id for c in follow.citations] == [paper_named(engine.index, "CaKE").paper_id]


def test_a_paper_brought_in_by_description_is_answered_and_then_followed(engine):
    first = engine.ask("the circuit-based knowledge editing paper: how much better does multi-hop accuracy get?")
    second = engine.ask("I think there's also a knowledge editing dataset for self-driving cars in here. "
                        "what does it contain?", history=[first])
    third = engine.ask("who made it?", history=[first, second])
    assert cited_names(engine, second) == ["ADS-Edit"] and "multiple data types" in second.answer
    assert cited_names(engine, third) == ["ADS-Edit"] and "Chenxi Wang" in third.answer
    shared = engine.ask("There's also a multimodal editing dataset aimed at self-driving cars. Does it share a code "
                        "repo with that one?", history=[first])
    assert set(cited_names(engine, shared)) == {"CaKE", "ADS-Edit"}


def test_which_of_the_two_went_to_findings_gives_each_ones_venue(engine):
    first = engine.ask("Compare KnowSelf and SMART.")
    venues = engine.ask("which of the two went to the main conference and which to findings?", history=[first])
    assert set(cited_names(engine, venues)) == {"KnowSelf", "SMART"}
    assert "ACL 2025 (Long)" in venues.answer and "Findings of ACL 2025" in venues.answer


def test_the_other_one_is_the_paper_not_discussed_last(engine):
    first = engine.ask("Compare PIANIST and Strategist.")
    second = engine.ask("Who wrote the first one?", history=[first])
    third = engine.ask("And the other one?", history=[first, second])
    assert "Jonathan Light" in second.answer and second.focus == [paper_named(engine.index, "PIANIST").paper_id]
    assert third.focus == [paper_named(engine.index, "Strategist").paper_id]
    assert third.standalone_question == "Who wrote Strategist?"


@pytest.mark.parametrize("question, fact", [
    ("What does SELF-PARAM minimize between the original model and the target model?", "Kullback-Leibler"),  # not
    # "we propose SELF-PARAM": "what does X minimize" asks no definition
    ("how did the zju team do in the SemEval 2025 unlearning task?", "second among 26 teams"),  # "Task 4" counts nothing
    ("how did zjuklab place in the semeval unlearning task?", "second among 26 teams"),  # "place": a rank
    ("where did the ZJUKLAB team place in the SemEval unlearning task?", "second among 26 teams"),
    ("What new metric came with LightThinker?", "Dependency (Dep) metric"),  # the noun asked for: "metric"
    ("ERPO trains in stages - what are they, one by one?", "second, enhancing safety"),  # "they": the stages
    # an enumeration, not a sentence saying "stages" ("specific stages of the LLM lifecycle") or "first"
    ("In the full-stack safety survey, which phases make up the LLM lifecycle?",
     "data preparation, pre-training, post-training, deployment and final commercialization"),
    ("What are the main modules in EasyEdit2's architecture?", "steering vector generator"),  # the modules named
    # the metric asked for, not a figure: "how much" is what the metric measures
    ("What new metric does the thought-compression paper introduce to measure how much compression happens?",
     "Dependency (Dep) metric"),
    ("The thought-compression paper also proposes a metric for how much compression happens. What's it called?",
     "Dependency (Dep) metric"),  # "it": the metric named before the question
    ("How does the LightThinker paper quantify how much compression is happening?", "Dependency (Dep) metric"),
    ("How many example(s) does a user need to steer a model's responses with EasyEdit2?", "a single example"),
])
def test_the_sentence_with_the_asked_fact_is_quoted(engine, question, fact):
    assert fact in engine.ask(question).answer


def test_a_misspelt_name_is_answered_about_the_paper_meant(engine):
    answer = engine.ask("How exactly does LookAhed Tuning modify the training data?")
    assert answer.shape == "fact" and "previewing partial answer prefixes" in answer.answer
    assert answer.standalone_question == "How exactly does LookAhead Tuning modify the training data?"


def test_findings_as_a_word_is_no_venue_filter(engine):
    answer = engine.ask("Which papers use reflection as part of the approach or findings?")
    assert answer.shape != "collection"


def test_papers_introducing_a_dataset_on_a_topic_no_paper_has_are_refused_plainly(engine):
    answer = engine.ask("Which papers introduce a dataset of bird songs?")
    assert answer.shape == "refusal" and answer.answer == prompts.REFUSAL  # not "No paper ... mentions ."


@pytest.mark.parametrize("question", ["Which papers introduce a new named dataset or benchmark?",
                                      "Which papers put out a brand-new dataset or benchmark as one of their main "
                                      "contributions?"])  # "put out", "brand" are no topic of their own
def test_papers_introducing_a_dataset_are_listed_with_the_sentence_introducing_it(engine, question):
    answer = engine.ask(question)
    names = {engine.index.papers[c.paper_id].short_name for c in answer.citations}
    assert answer.shape == "list" and names == {"ADS-Edit", "SMART", "REFED", "EscapeBench"}
    assert all(word in answer.answer for word in ("introduce ADS-Edit", "introduce SMART-ER", "present REFED"))


@pytest.mark.parametrize("question, expected", [
    ("Which papers involve games of some kind?", {"PIANIST", "Strategist", "EscapeBench"}),
    ("Which papers involve dialogue or conversations?", {"Strategist", "SELF-PARAM"}),  # each names one of the two
    # "as part of" says nothing of the topic; the aside explains "reflection"
    ("Which papers use reflection (the model looking back at what it did) as part of their approach?",
     {"Strategist", "EscapeBench", "ReSearch"})])
def test_a_list_in_general_words_is_answered_not_refused(engine, question, expected):
    answer = engine.ask(question)
    names = {engine.index.papers[c.paper_id].short_name for c in answer.citations}
    assert answer.shape == "list" and expected <= names


def test_a_comparison_asking_how_each_works_quotes_each_method(engine):
    answer = engine.ask("ERPO vs LookAhead Tuning: how does each one try to keep a model safe?")
    assert "explicit preemptive reasoning" in answer.answer and "previewing partial answer prefixes" in answer.answer


def test_a_comparison_quotes_what_it_asks_of_each_paper_not_their_introductions(engine):
    answer = engine.ask("Compare SMART with the paper on agentic knowledgeable self-awareness: what does each claim "
                        "about cutting down on external help?")
    assert "reduce tool overuse" in answer.answer and "minimal use of external knowledge" in answer.answer


def test_a_comparison_asking_for_data_quotes_the_dataset_a_paper_builds(engine):
    answer = engine.ask("What training data do the tool-overuse paper and the knowledgeable self-awareness paper "
                        "build for their agents?")
    assert answer.shape == "compare" and "we introduce SMART-ER, a dataset" in answer.answer


def test_a_comparison_of_named_and_described_papers_finds_each(engine):
    answer = engine.ask("Compare the three papers that erase things from models (the SemEval unlearning system, LAW, "
                        "BiasEdit): what is each one trying to remove?")
    names = {engine.index.papers[c.paper_id].short_name for c in answer.citations}
    assert answer.shape == "compare" and names == {"ZJUKLAB-unlearn", "LAW", "BiasEdit"}


@pytest.mark.parametrize("question, expected", [
    # "the one where ..." is a paper described; the ask after the dash is no side
    ("the paper that compresses thoughts vs the one where models search during reasoning - what does each improve?",
     {"LightThinker", "ReSearch"}),
    # "How do" is not part of the first description, whose best match has its rare words ("self-updating")
    ("How do the self-updating LLM paper and the knowledge washing paper change the model's parameters?",
     {"SELF-PARAM", "LAW"}),
    # a paper described beside two named ones
    ("what does each of the SemEval unlearning paper, LAW and BiasEdit try to get rid of in the model?",
     {"ZJUKLAB-unlearn", "LAW", "BiasEdit"}),
    # a group whose members are described in an aside
    ("The three agent papers (the tool-overuse one, the room-escape one and the virtual-scenario one): what does "
     "each evaluate on?", {"SMART", "EscapeBench", "SynWorld"}),
    # a shared-task "entry" is a paper described
    ("the semeval unlearning entry vs the knowledge washing paper: what's the core technique each one uses?",
     {"ZJUKLAB-unlearn", "LAW"}),
    # "did" after two papers described: each one's
    ("Which base models did the search-plus-RL paper and the reference-feedback data synthesis paper train?",
     {"ReSearch", "REFED"})])
def test_a_comparison_of_described_papers_finds_the_paper_each_description_stands_for(engine, question, expected):
    answer = engine.ask(question)
    assert answer.shape == "compare"
    assert {engine.index.papers[c.paper_id].short_name for c in answer.citations} == expected


def test_which_one_that_none_of_the_earlier_papers_fits_finds_the_paper_that_does(engine):
    first = engine.ask("Which papers use Monte Carlo tree search?")  # SynWorld, PIANIST, Strategist
    escape = engine.ask("which one is the escape room benchmark, and how far do models get without hints?",
                        history=[first])
    assert [c.paper_id for c in escape.citations] == escape.focus
    assert [engine.index.papers[p].short_name for p in escape.focus] == ["EscapeBench"]
    assert "fits none of the papers of the last answer" in escape.answer and "15% average progress" in escape.answer
    avalon = engine.ask("which one was tested on Avalon?", history=[first])
    assert [engine.index.papers[p].short_name for p in avalon.focus] == ["Strategist"]


def test_which_of_them_is_a_dataset_chooses_the_paper_titled_so_and_the_other_one_is_the_rest(engine):
    first = engine.ask("Which papers point to the zjunlp EasyEdit GitHub repo for their code?")
    dataset = engine.ask("which of them is a dataset, and for what application?", history=[first])
    other = engine.ask("the other one - what are its key modules?", history=[first, dataset])
    names = engine.index.papers
    assert {names[p].short_name for p in first.focus} == {"EasyEdit2", "ADS-Edit"}
    assert [names[p].short_name for p in dataset.focus] == ["ADS-Edit"]
    assert [names[p].short_name for p in other.focus] == ["EasyEdit2"]


def test_a_follow_up_about_two_earlier_papers_is_answered_from_the_one_that_states_it(engine):
    first = engine.ask("Which papers are about making LLMs forget / unlearn knowledge?")
    rank = engine.ask("what rank did the competition entry get?", history=[first])
    names = engine.index.papers
    assert {names[p].short_name for p in first.focus} == {"LAW", "ZJUKLAB-unlearn"}
    assert [names[p].short_name for p in rank.focus] == ["ZJUKLAB-unlearn"] and "second" in rank.answer


def test_which_one_came_out_first_answers_with_each_date_the_earliest_first(engine):
    first = engine.ask("Compare the full-stack safety survey and the scientific LLM survey.")
    dated = engine.ask("which one came out first?", history=[first])
    names = [engine.index.papers[c.paper_id].short_name for c in dated.citations]
    assert names == ["Sci-LLM survey", "Full-stack safety survey"] and dated.answer.index("2024") < dated.answer.index(
        "2025")
    newer = engine.ask("What lifecycle stages does the newer one cover?", history=[first, dated])
    assert [engine.index.papers[p].short_name for p in newer.focus] == ["Full-stack safety survey"]


def test_which_of_them_are_lists_every_earlier_paper_that_fits(engine):
    first = engine.ask("Which papers use Monte Carlo tree search?")
    games = engine.ask("which of them are about playing games?", history=[first])
    assert {engine.index.papers[p].short_name for p in first.focus} == {"SynWorld", "PIANIST", "Strategist"}
    assert {engine.index.papers[c.paper_id].short_name for c in games.citations} == {"PIANIST", "Strategist"}


@pytest.mark.parametrize("question, names", [
    ("Which existing layer-localized editing methods does CaKE say fail to carry edits into multi-hop reasoning?",
     "MEMIT and WISE"),
    ("What search algorithm does SynWorld explore its scenarios with?", "Monte Carlo Tree Search (MCTS)"),
    ("Which older editing methods does CaKE say fall short?", "MEMIT and WISE")])  # "approaches, such as MEMIT"
def test_methods_asked_for_by_name_are_quoted_where_the_abstract_names_them(engine, question, names):
    answer = engine.ask(question)
    assert answer.shape == "fact" and names in answer.answer


@pytest.mark.parametrize("question, fact", [
    ("The survey that looks at LLM safety across the whole lifecycle, from data to commercialization: how many "
     "papers does it review?", "800+ papers"),
    ("The work that removes stereotypes from language models with small editor networks: which benchmarks was it "
     "tested on?", "StereoSet and Crows-Pairs"),
    ("Which base models were trained in the work that teaches an LLM to weave search engine calls into its "
     "reasoning?", "Qwen2.5-7B"),
    ("What does the paper on self-updatable LLMs that absorb context into their weights minimise in training?",
     "Kullback-Leibler (KL) divergence"),
    ("How does the paper that squashes chain-of-thought steps into compact representations learn to compress?",
     "specialized attention masks"),  # "steps" describes the paper; it asks how, not for steps
    ("the paper about agents calling tools when they don't need to - how much does it cut tool use?", "24%"),
])
def test_a_described_paper_is_quoted_where_it_answers_not_where_it_matches_the_description(engine, question, fact):
    answer = engine.ask(question)
    assert answer.shape == "fact" and fact in answer.answer


@pytest.mark.parametrize("question, expansion", [
    ("What does SMART stand for?", "SMART (Strategic Model-Aware Reasoning with Tools)"),
    ("what's the full name of ERPO", "Ex-Ante Reasoning Preference Optimization (ERPO)"),
])
def test_a_name_asked_to_be_spelled_out_is_quoted_where_the_abstract_spells_it_out(engine, question, expansion):
    assert expansion in engine.ask(question).answer


@pytest.mark.parametrize("question, fact", [
    ("What are the three stages of ERPO's safety alignment approach?", "Direct Preference Optimization (DPO)"),
    ("Besides AlpacaEval 2.0, which benchmark did the REFED-tuned model show strong results on?", "Arena-Hard"),
    ("which LLMs did the semi-supervised fine-tuning work (SemiEvol) run its experiments with", "GPT-4o-mini"),
    ("What are the key building blocks of the EasyEdit2 steering framework?", "steering vector generator"),
])
def test_an_answer_the_abstract_gives_is_not_called_not_stated(engine, question, fact):
    answer = engine.ask(question)
    assert answer.shape == "fact" and fact in answer.answer


def test_a_paper_first_by_one_ranking_and_second_by_the_other_loses_a_tie_to_the_closer_one(engine):
    answer = engine.ask("The paper that puts multiple head layers on an LLM for knowledge graphs - what problem is it "
                        "trying to fix?")
    assert [engine.index.papers[c.paper_id].short_name for c in answer.citations] == ["K-ON"]


def test_which_one_after_several_papers_picks_the_earlier_paper_that_fits(engine):
    first = engine.ask("Compare SafeSwitch and EasyEdit2.")
    which = engine.ask("Which one has a demo video?", history=[first])
    assert [engine.index.papers[c.paper_id].short_name for c in which.citations] == ["EasyEdit2"]
    assert "demo video" in which.answer


def test_a_claim_relating_the_source_words_differently_is_not_supported(engine):
    papers = [paper_named(engine.index, "LightThinker")]
    bank = SentenceBank(engine.index)
    _, wrong, _ = verify("LightThinker reduces accuracy and maintains peak memory usage [1].", papers, bank)
    _, right, _ = verify("LightThinker reduces peak memory usage and inference time [1].", papers, bank)
    assert right[0].supported and not wrong[0].supported


def test_conversation_eval_scores_every_turn(engine):
    result = evaluate_conversations(engine, CONVERSATIONS)
    assert result["turns"] > result["conversations"] and result["follow-ups right paper"] >= 0.9


def cited_names(engine, answer) -> list[str]:
    return [engine.index.papers[c.paper_id].short_name for c in answer.citations]


def test_any_other_paper_on_this_sets_the_last_paper_aside(engine):
    first = engine.ask("Was there a paper from a shared task about making a model forget sensitive content?")
    assert cited_names(engine, first) == ["ZJUKLAB-unlearn"]
    other = engine.ask("any other paper on this?", history=[first])
    assert cited_names(engine, other) == ["LAW"] and "Besides ZJUKLAB-unlearn" in other.answer
    part = engine.ask("Which part of the network does that one change?", history=[first, other])
    assert cited_names(engine, part) == ["LAW"] and "MLP layers" in part.answer


def test_any_other_paper_when_there_is_none_says_so(engine):
    first = engine.ask("Which paper edits knowledge for autonomous driving?")
    other = engine.ask("anything else on that?", history=[first])
    assert other.abstained and not other.citations and "besides ADS-Edit" in other.answer


def test_another_survey_is_one_other_than_the_last_and_that_older_one_goes_by_date(engine):
    first = engine.ask("the survey on LLMs for science - how many models does it cover?")
    assert cited_names(engine, first) == ["Sci-LLM survey"] and "over 250 scientific LLMs" in first.answer
    other = engine.ask("Is there another survey in the collection?", history=[first])
    assert cited_names(engine, other) == ["Full-stack safety survey"]
    venue = engine.ask("what venue did that older one appear at?", history=[first, other])
    assert cited_names(engine, venue) == ["Sci-LLM survey"] and "EMNLP 2024" in venue.answer


def test_another_paper_using_that_same_repo_is_found_by_the_repo(engine):
    first = engine.ask("Which paper is about knowledge editing for self-driving cars?")
    other = engine.ask("Another paper seems to use that same repo. What's it about?", history=[first])
    assert cited_names(engine, other)[0] == "EasyEdit2"
    assert [engine.index.papers[p].short_name for p in other.focus] == ["EasyEdit2"]  # what "it" means next


def test_a_list_leaves_out_the_papers_its_words_set_aside(engine):
    games = engine.ask("aside from the escape room benchmark, what papers get LLMs to play games?")
    assert "EscapeBench" not in cited_names(engine, games) and "Strategist" in cited_names(engine, games)
    assert games.answer.splitlines()[2].startswith("Besides EscapeBench, ")
    agents = engine.ask("Papers about building better LLM agents - but leave out the ones that are about games.")
    assert agents.citations and not {"Strategist", "PIANIST", "EscapeBench"} & set(cited_names(engine, agents))


def test_a_list_setting_aside_the_only_paper_that_fits_says_none_besides_it(engine):
    answer = engine.ask("Which papers use GRPO, other than ReSearch?")
    assert answer.abstained and answer.answer == "No paper in this collection besides ReSearch mentions GRPO."


def test_papers_that_come_with_a_new_named_dataset_are_those_introducing_one(engine):
    answer = engine.ask("Which papers come with a brand new dataset or benchmark that has its own name?")
    assert {"ADS-Edit", "SMART", "REFED", "EscapeBench"} <= set(cited_names(engine, answer))


def test_all_the_papers_on_a_topic_none_fits_is_refused_not_the_whole_collection(engine):
    answer = engine.ask("Give me all the papers that say they took a cue from how people's minds work or from "
                        "psychology.")
    assert len(answer.citations) < len(engine.index.papers) // 2


def test_a_topic_with_the_surveys_left_out_is_a_list_on_the_topic_not_every_other_paper(engine):
    answer = engine.ask("Give me every paper that proposes a method or benchmark for LLM-based agents. Leave out "
                        "surveys.")
    names = set(cited_names(engine, answer))
    assert {"PIANIST", "Strategist", "SynWorld"} <= names and not {"CaKE", "LAW", "K-ON"} & names


def test_review_style_papers_are_the_surveys(engine):
    answer = engine.ask("Are there any review-style papers in the collection? List all of them.")
    assert set(cited_names(engine, answer)) == {"Full-stack safety survey", "Sci-LLM survey"}


def test_which_two_methods_is_answered_by_the_sentence_joining_them(engine):
    answer = engine.ask("Through which two methods does SemiEvol propagate knowledge from labeled to unlabeled data?")
    assert answer.shape == "fact" and "in-weight and in-context methods" in answer.answer
    tasks = engine.ask("what two kinds of tasks was SELF-PARAM evaluated on?")
    assert "question-answering and conversational recommendation tasks" in tasks.answer


def test_a_named_paper_asked_which_ones_is_not_a_collection_question(engine):
    answer = engine.ask("ERPO was tested on 'multiple open-source LLMs' - which ones exactly, and what sizes?")
    assert cited_names(engine, answer) == ["ERPO"]


def test_anything_else_by_the_same_author_is_the_first_author_question(engine):
    first = engine.ask("Who wrote Strategist?")
    other = engine.ask("Did he write anything else that's in here?", history=[first])
    assert cited_names(engine, other) == ["PIANIST", "Strategist"]  # his other paper, then the one asked about
    both = engine.ask("Do both have code?", history=[first, other])
    assert cited_names(engine, both) == ["Strategist", "PIANIST"]


def test_a_new_topic_after_a_conversation_is_about_the_paper_it_describes(engine):
    first = engine.ask("In the paper about keeping a model safe during fine-tuning by letting it peek at the beginning "
                       "of the answer, how many methods do they propose?")
    other = engine.ask("Different topic: the paper that trains LLMs with RL to interleave web search with their "
                       "reasoning - which models did they train?", history=[first])
    assert cited_names(engine, other) == ["ReSearch"] and "Qwen2.5-7B" in other.answer


@pytest.mark.parametrize("question, fact", [
    ("what are the two parts of the agent EscapeBench proposes?", "Foresight (innovative tool use) and Reflection"),
    ("How many examples does a user need to steer a model with EasyEdit2?", "a single example"),
    ("And SELF-PARAM, which tasks do they evaluate it on?", "question-answering and conversational recommendation"),
    ("theres a paper on knowledge editing for multimodal models in self driving cars. what does their dataset "
     "include?", "various real-world scenarios")])
def test_an_answer_given_in_words_is_not_called_not_stated(engine, question, fact):
    answer = engine.ask(question)  # two things named, "a single", tasks listed by their noun, what a dataset holds
    assert not answer.not_stated and not answer.abstained and fact in answer.answer


def test_any_other_paper_of_a_kind_sets_the_last_one_aside_and_its_pronoun_means_the_new_one(engine):
    first = engine.ask("I remember a paper on making an LLM forget a huge pile of facts at once without wrecking its "
                       "reasoning, by updating only some layers. Which layers do they touch?")
    other = engine.ask("is there any other unlearning paper here? what trick does it use", history=[first])
    assert cited_names(engine, other) == ["ZJUKLAB-unlearn"] and "TIES-Merging" in other.answer


def test_which_of_the_two_released_a_dataset_is_the_one_introducing_one(engine):
    first = engine.ask("I'm looking at two papers on getting better fine-tuning data: the semi-supervised one and the "
                       "one with reference-level feedback. What models did each use?")
    which = engine.ask("which of the two released a dataset, and how big is it?", history=[first])
    assert cited_names(engine, which) == ["REFED"] and "10K instruction-response pairs" in which.answer


def test_the_year_and_venue_asked_together_are_both_answered_from_the_records(engine):
    first = engine.ask("Which models was ReSearch trained on?")
    records = engine.ask("and the year? was it published anywhere?", history=[first])
    assert "2025" in records.answer and "NeurIPS" in records.answer and cited_names(engine, records) == ["ReSearch"]


@pytest.mark.parametrize("follow_up, records", [("venue + code?", ["AAAI 2025", "github.com/zjukg/K-ON"]),
                                                 ("year and first author?", ["2025", "Lingbing Guo"])])
def test_records_named_in_a_row_are_each_answered(engine, follow_up, records):
    first = engine.ask("What is K-ON?")
    answer = engine.ask(follow_up, history=[first])
    assert all(record in answer.answer for record in records) and cited_names(engine, answer) == ["K-ON"]


@pytest.mark.parametrize("follow_up", ["both from the same year?", "what year did each come out?"])
def test_a_year_asked_of_both_earlier_papers_gives_each_ones_year(engine, follow_up):
    first = engine.ask("Compare Strategist and PIANIST")
    answer = engine.ask(follow_up, history=[first])
    assert answer.answer.count("2024") == 2 and set(cited_names(engine, answer)) == {"Strategist", "PIANIST"}


def test_a_paper_brought_in_by_description_is_what_the_pronoun_after_it_means(engine):
    first = engine.ask("Which toolkit steers a model's behaviour at test time with just one example?")  # EasyEdit2
    new = engine.ask("Was there also an editing paper about autonomous driving? what did they release?",
                     history=[first])
    assert cited_names(engine, new) == ["ADS-Edit"] and "dataset" in new.answer


def test_which_of_the_two_after_a_paper_described_beside_the_last_one_chooses_between_them(engine):
    first = engine.ask("Which framework lets agents synthesize scenarios and explore them with tree search?")
    which = engine.ask("I also remember one where the model calls a search engine while it reasons. Which of the two "
                       "is trained with reinforcement learning?", history=[first])
    assert cited_names(engine, which) == ["ReSearch"]


def test_the_survey_missing_from_the_earlier_list_is_the_survey_on_the_conversations_topic(engine):
    listed = engine.ask("Which papers are about keeping LLMs from producing harmful answers?")
    one = engine.ask("which one monitors internal states?", history=[listed])
    survey = engine.ask("who wrote the survey?", history=[listed, one])
    assert cited_names(engine, survey) == ["Full-stack safety survey"]


@pytest.mark.parametrize("question, fact", [
    # the number counts the noun past an "or" and a hyphenated word; the models part ends at its noun
    ("For the semi-supervised fine-tuning framework SemiEvol, what models and how many datasets were used?",
     "seven general or domain-specific datasets"),
    # the sub-question "which LLMs did SemiEvol experiment with" is matched without the name, which every sentence has
    ("which LLMs did SemiEvol experiment with, and on how many datasets?", "GPT-4o-mini and Llama-3.1"),
    # two items after "such as" answer "what are the two core components"
    ("what are the two core components in the EasyEdit2 architecture for steering?", "steering vector applier"),
    # "LLM-generated" is met by "LLM generation"
    ("into how many components does the paper on LLM-generated world models decompose the world model", "seven"),
])
def test_an_answer_given_in_other_words_is_not_said_to_be_missing(engine, question, fact):
    answer = engine.ask(question)
    assert not answer.not_stated and fact in answer.answer


@pytest.mark.parametrize("question", ["rl papers?", "Which papers use RL?"])
def test_a_field_acronym_in_a_list_question_finds_the_papers_that_write_it_out(engine, question):
    answer = engine.ask(question)  # the abstracts say "reinforcement learning"
    assert answer.shape == "list" and {"ReSearch", "Strategist"} <= set(cited_names(engine, answer))


def test_a_kind_of_contribution_among_several_alternatives_does_not_narrow_the_topic(engine):
    answer = engine.ask("Which papers contribute a knowledge-editing or model-editing method, dataset or toolkit of "
                        "their own?")  # "or toolkit" leaves the toolkit optional
    assert {"CaKE", "EasyEdit2", "ADS-Edit"} <= set(cited_names(engine, answer))


def test_main_conference_listed_with_findings_and_demos_includes_them(engine):
    answer = engine.ask("show me all the EMNLP papers, main conference, findings, demos, whatever")
    assert {"SafeSwitch", "EasyEdit2", "LightThinker"} <= set(cited_names(engine, answer))


def test_their_in_a_which_papers_question_means_the_papers_asked_for(engine):
    first = engine.ask("What is LightThinker?")
    code = engine.ask("Which papers release their code?", history=[first])
    assert "LightThinker" not in code.standalone_question and len(code.citations) > 1


def test_two_papers_without_a_shared_author_are_each_shown_with_their_own(engine):
    first = engine.ask("What is LightThinker?")
    second = engine.ask("And SMART, what is it?", history=[first])
    same = engine.ask("are both from the same people?", history=[first, second])
    assert not same.abstained and set(cited_names(engine, same)) == {"LightThinker", "SMART"}
    assert "do not share an author" in same.answer and "Cheng Qian" in same.answer


def test_either_after_two_papers_asks_about_both(engine):
    first = engine.ask("What is LightThinker?")
    second = engine.ask("And KnowSelf, what is it?", history=[first])
    code = engine.ask("is code available for either?", history=[first, second])
    assert set(cited_names(engine, code)) == {"LightThinker", "KnowSelf"} and "github.com" in code.answer


def test_a_comparison_of_two_described_papers_in_a_conversation_keeps_its_descriptions(engine):
    first = engine.ask("Compare SMART and LightThinker: what do they reduce?")
    question = "Compare the paper on compressing reasoning thoughts and the one on tool overuse"
    compared = engine.ask(question, history=[first])
    assert compared.standalone_question == question
    assert set(cited_names(engine, compared)) == {"LightThinker", "SMART"}


def test_two_earlier_papers_described_together_are_both_meant(engine):
    listed = engine.ask("which papers have LLM agents playing games?")
    other = engine.ask("What is EscapeBench?", history=[listed])
    same = engine.ask("And the Avalon paper and the world-model one, do they share a first author?",
                      history=[listed, other])
    assert set(cited_names(engine, same)) == {"Strategist", "PIANIST"} and "Jonathan Light" in same.answer


def test_a_paper_described_by_its_title_words_is_the_one_answered(engine):
    answer = engine.ask("How does the self-updatable LLM paper get knowledge from the context into the weights? "
                        "What does the training objective minimize?")
    assert cited_names(engine, answer)[:1] == ["SELF-PARAM"] and "Kullback-Leibler" in answer.answer


@pytest.mark.parametrize("question, count", [
    ("list all papers in the collection please, just the titles", 23),
    ("what papers has Jonathan Light worked on in this set?", 2),
    ("Jonathan Light seems to have a couple of papers here - what are they?", 2),
    ("what did Ningyu Zhang write", 1),  # not also a "Yu Zhang" inside the name
    ("Which papers were accepted at the main ACL 2025 conference (long or short, not Findings)?", 3),
    ("everything from 2024?", 3),
    ("Which were published in a Findings track?", 3),
    ("Two of the papers point to the exact same GitHub repo. Which two?", 2),  # the statement says what is asked
    ("Which papers appeared at EMNLP, in any track (main, Findings or demos)?", 5),
    ("anything accepted at EMNLP 2025? count every track - main, findings, demos", 4),  # the tracks are no topic
    ("which ones appeared at NAACL, including its workshops?", 2),  # not only the workshop
    ("poster papers?", 2),  # a kind of venue
    ("were any of them short papers?", 1),  # "ACL 2025 (Short)"
    ("which ones got in as long papers?", 2),
    ("different question: how many papers are in the whole collection?", 23),
])
def test_collection_questions_in_everyday_words_are_answered_from_the_records(engine, question, count):
    answer = engine.ask(question)
    assert answer.shape == "collection" and len(answer.citations) == count


def test_a_models_maker_named_beside_it_is_not_required_to_appear(engine):
    answer = engine.ask("Which papers bring up OpenAI's GPT-4o (or a variant of it) in their experiments?")
    assert {"SemiEvol", "SMART"} <= set(cited_names(engine, answer))  # neither abstract says "OpenAI"


@pytest.mark.parametrize("question, papers", [
    # a side described beside two named ones, with the ask in a second sentence
    ("LightThinker, ERPO and the tool-overuse paper all claim some efficiency benefit. what exactly does each one "
     "save?", {"LightThinker", "ERPO", "SMART"}),
    # two described papers in a lead-in, asked about with "they"
    ("For the reference-level feedback data synthesis paper and the semi-supervised fine-tuning paper, which LLMs "
     "did they fine-tune or experiment with?", {"REFED", "SemiEvol"}),
])
def test_every_paper_compared_is_cited_however_the_comparison_is_worded(engine, question, papers):
    assert set(cited_names(engine, engine.ask(question))) == papers


def test_a_list_asked_in_alphabetical_order_is_sorted_so_and_ordinals_follow_it(engine):
    listed = engine.ask("Which papers use Monte Carlo tree search somewhere in their method? Please list them in "
                        "alphabetical order by name.")
    names = [engine.index.papers[p].short_name for p in listed.focus]  # in the order listed
    assert len(names) >= 2 and names == sorted(names, key=str.lower)
    assert [listed.answer.index(f"- {name}:") for name in names] == sorted(listed.answer.index(f"- {name}:")
                                                                          for name in names)
    second = engine.ask("the second one - which games was it tested on?", history=[listed])
    assert cited_names(engine, second) == names[1:2]


def test_which_of_two_has_code_shows_the_one_without_as_well(engine):
    first = engine.ask("What is EscapeBench?")
    second = engine.ask("And PIANIST, what is it?", history=[first])
    code = engine.ask("which of the two has released code?", history=[first, second])
    assert set(cited_names(engine, code)) == {"EscapeBench", "PIANIST"}
    assert "Not matching" in code.answer and "none listed" in code.answer


def test_the_first_authors_other_papers_are_found_by_the_records(engine):
    first = engine.ask("any papers about LLMs learning to play Avalon?")
    other = engine.ask("Did the first author write any other paper in this collection?", history=[first])
    assert "PIANIST" in cited_names(engine, other) and "Jonathan Light" in other.answer
    assert "Strategist" in cited_names(engine, other)  # the paper asked about is shown beside them


def test_the_lead_author_asked_for_and_whether_he_led_another_paper_are_answered_from_the_records(engine):
    first = engine.ask("any papers about LLMs learning to play Avalon?")
    author = engine.ask("who's the lead author on that one", history=[first])
    assert "Jonathan Light" in author.answer and cited_names(engine, author) == ["Strategist"]
    other = engine.ask("did he lead any other paper in this set?", history=[first, author])
    assert cited_names(engine, other)[0] == "PIANIST" and "Jonathan Light" in other.answer


def test_a_paper_brought_in_by_description_is_what_that_in_the_next_sentence_means(engine):
    first = engine.ask("How does the safety alignment paper that makes the model reason about safety before "
                       "answering work?")
    new = engine.ask("ok. I also remember one that monitors the model's internal activations to switch off unsafe "
                     "behaviour. how much does that cut harmful outputs?", history=[first])
    assert cited_names(engine, new) == ["SafeSwitch"]


@pytest.mark.parametrize("question, fact", [
    ("What problem does SMART address?", "Tool Overuse"),
    ("What problem between knowledge graphs and natural language is K-ON trying to solve?", "granularity mismatch"),
    ("What difficulties stop large multimodal models from being used directly in self-driving, according to "
     "ADS-Edit?", "complex road conditions"),
    ("what problem is LightThinker trying to fix", "memory and computational costs"),
])
def test_the_problem_a_paper_addresses_is_quoted_from_where_the_abstract_states_it(engine, question, fact):
    assert fact in engine.ask(question).answer


@pytest.mark.parametrize("question, fact", [
    ("Which base models did they use to train the RL search+reasoning framework (ReSearch)?", "Qwen2.5-7B(-Instruct)"),
    ("Which reasoning models does the ReSearch abstract cite as examples of strong LLM reasoning?", "OpenAI-o1"),
])
def test_models_the_paper_used_are_told_apart_from_the_fields_examples(engine, question, fact):
    assert fact in engine.ask(question).answer


def test_a_code_repo_asked_for_with_is_there_gets_the_link_not_the_abstract(engine):
    answer = engine.ask("is there a code repo for SafeSwitch? link please")
    assert "https://github.com/Hanpx20/SafeSwitch" in answer.answer and "Quoted from" not in answer.answer


@pytest.mark.parametrize("question, fact", [
    # the description found the paper; the sentence answering is the one saying where it was evaluated
    ("Which benchmarks does the reference-level feedback paper report results on?", "AlpacaEval 2.0"),
    ("reference-level feedback paper: which benchmarks did the finetuned model get its results on?", "Arena-Hard"),
    # the sentence listing all of them, not one mentioning a few
    ("Which phases of the LLM lifecycle does the full-stack safety survey cover?",
     "data preparation, pre-training, post-training, deployment and final commercialization"),
])
def test_the_sentence_carrying_the_asked_thing_is_quoted(engine, question, fact):
    answer = engine.ask(question)
    assert fact in answer.answer and "papers in this collection match" not in answer.answer


def test_the_paper_whose_repository_is_shared_is_shown_beside_the_one_sharing_it(engine):
    first = engine.ask("do you have anything on editing knowledge in multimodal models for self-driving cars?")
    same = engine.ask("Which other paper uses that same repo?", history=[first])
    assert cited_names(engine, same) == ["EasyEdit2", "ADS-Edit"] and "Shared with:" in same.answer
    other = engine.ask("and what does that other one do?", history=[first, same])
    assert cited_names(engine, other) == ["EasyEdit2"]  # the paper the last turn brought in, not the one before


def test_an_author_named_on_another_paper_finds_that_paper(engine):
    first = engine.ask("Who wrote ADS-Edit?")
    other = engine.ask("Jizhan Fang is on another paper in here too I think. which one?", history=[first])
    assert "CaKE" in cited_names(engine, other) and "Jizhan Fang" in other.answer


def test_all_three_means_the_three_papers_of_an_earlier_turn(engine):
    first = engine.ask("Give me one line each on SMART, KnowSelf and SynWorld.")
    one = engine.ask("what does KnowSelf do?", history=[first])
    venues = engine.ask("where were all three published?", history=[first, one])
    assert set(cited_names(engine, venues)) == {"SMART", "KnowSelf", "SynWorld"}


def test_anything_else_by_them_after_the_first_author_means_that_person(engine):
    first = engine.ask("how does the self-updatable LLM paper get new context into the model's weights?")
    author = engine.ask("who's the first author?", history=[first])
    other = engine.ask("anything else by them in here?", history=[first, author])
    assert cited_names(engine, other) == ["LAW", "SELF-PARAM"]  # the other paper, then the one asked about


def test_same_first_author_as_this_one_shows_both_papers(engine):
    first = engine.ask("How does the self-updatable LLM paper get knowledge from the context into the weights?")
    same = engine.ask("the knowledge washing paper - same first author as this one?", history=[first])
    assert cited_names(engine, same) == ["LAW", "SELF-PARAM"] and "Yu Wang" in same.answer


@pytest.mark.parametrize("question, papers", [
    ("Where were the tool-overuse paper, the safety switch paper and the room-escape benchmark published?",
     {"SMART", "SafeSwitch", "EscapeBench"}),  # "safety switch" is SafeSwitch's name in words
    ("How much do SMARTAgent and EscapeAgent each save in tool calls or steps?", {"SMART", "EscapeBench"}),  # a
    # part the abstract introduces names its paper
    ("one paper pushes new knowledge into the weights and another washes knowledge out at large scale -- what "
     "training objective does each use?", {"SELF-PARAM", "LAW"}),  # "one ... and another ..."
    ("there's a paper that compresses its reasoning steps into gist tokens and a safety one that watches internal "
     "activation signals. how does each work?", {"LightThinker", "SafeSwitch"}),  # "a paper ... and a ... one ..."
    ("there's a room-escape benchmark for agents and a gist-token compression method in the collection. what does "
     "each measure?", {"EscapeBench", "LightThinker"}),  # "a <words> benchmark ... and a <words> method"
    ("those two survey papers \u2014 what does each cover and how do they differ?",
     {"Full-stack safety survey", "Sci-LLM survey"}),  # the group, then what is asked of it (not two sides)
    ("the paper that stops agents from overusing tools and the paper that compresses reasoning: which maps hidden "
     "states to tokens?", {"SMART", "LightThinker"}),  # which of two described papers
    ("the method where agents synthesize virtual scenarios vs the one where agents learn when to use their knowledge: "
     "how does each train?", {"SynWorld", "KnowSelf"}),  # of the papers fitting a description as well, the closest
    ("In what way does the full-stack safety survey differ from the survey of scientific LLMs?",
     {"Full-stack safety survey", "Sci-LLM survey"}),  # "X differs from Y"
    ("What setting does each of the two new test collections target - the room-escape benchmark and the driving "
     "one?", {"EscapeBench", "ADS-Edit"}),  # the group, then which two it means
])
def test_compared_papers_are_found_by_name_parts_introduced_names_and_descriptions(engine, question, papers):
    assert set(cited_names(engine, engine.ask(question))) == papers


def test_a_lead_describing_the_paper_does_not_steer_the_quote(engine):
    answer = engine.ask("In the room-escape game benchmark for LM agents, what two abilities is EscapeAgent built "
                        "around?")
    assert "Foresight" in answer.answer and "Reflection" in answer.answer


def test_a_paper_named_and_described_in_one_question_is_one_paper(engine):
    answer = engine.ask("The SemEval unlearning submission vs. Large Scale Knowledge Washing: what does each one "
                        "actually do to the model to remove knowledge?")  # "Knowledge Washing" names LAW
    assert sorted(cited_names(engine, answer)) == ["LAW", "ZJUKLAB-unlearn"]


def test_ordinals_after_a_comparison_follow_the_order_the_question_named_the_papers(engine):
    first = engine.ask("Three papers: the SemEval unlearning system, the knowledge washing paper, and BiasEdit. What "
                       "does each one erase?")
    second = engine.ask("and the second one - which layers does it update?", history=[first])
    assert cited_names(engine, first) == ["ZJUKLAB-unlearn", "LAW", "BiasEdit"]
    assert cited_names(engine, second) == ["LAW"]


@pytest.mark.parametrize("question", ["arxiv id of the circuit-aware knowledge editing paper?",
                                      "what's CaKE's arXiv link?"])
def test_the_arxiv_id_of_a_paper_is_answered_from_the_records(engine, question):
    answer = engine.ask(question)
    assert cited_names(engine, answer) == ["CaKE"] and "2503.16356" in answer.answer and answer.shape == "collection"


def test_the_venue_of_a_described_paper_is_answered_from_the_records(engine):
    answer = engine.ask("where was the stereotype-removal model editing paper published?")
    assert cited_names(engine, answer) == ["BiasEdit"] and "TrustNLP 2025" in answer.answer


@pytest.mark.parametrize("first, follow_up, fits", [
    ("which papers are from 2024?", "what about 2025?", lambda paper: paper.year == 2025),
    ("which papers appeared at ACL 2025 (Long)?", "what about the findings track instead?",
     lambda paper: "Findings" in (paper.venue or ""))])
def test_what_about_after_an_answer_from_the_records_asks_the_same_of_another_year_or_venue(engine, first, follow_up,
                                                                                            fits):
    answer = engine.ask(follow_up, history=[engine.ask(first)])
    expected = {p.paper_id for p in engine.index.papers.values() if fits(p)}
    assert answer.shape == "collection" and {c.paper_id for c in answer.citations} == expected


def test_a_list_of_methods_trained_in_stages_lists_papers_that_say_so(engine):
    answer = engine.ask("Which methods train their model in several separate stages?")
    listed = [engine.index.papers[c.paper_id] for c in answer.citations]
    assert listed and all("stage" in p.abstract.lower() for p in listed)


def test_a_follow_up_insisting_on_a_question_refused_is_about_its_closest_paper(engine):
    first = engine.ask("unrelated, but is there anything in here about self-driving cars?",
                       history=[engine.ask("What is K-ON?")])
    follow_up = engine.ask("whats the code link for that", history=[first])
    assert cited_names(engine, follow_up) == ["ADS-Edit"] and "github.com/zjunlp/EasyEdit" in follow_up.answer


def test_a_new_list_question_after_a_refusal_is_not_read_as_about_the_refused_topic(engine):
    first = engine.ask("does anything here cover speech recognition or audio models?")
    question = "ok. which papers are about getting a model to forget things it learned?"
    answer = engine.ask(question, history=[first])
    assert first.abstained and "things it learned" in answer.standalone_question and "LAW" in cited_names(engine,
                                                                                                          answer)


def test_after_warm_up_a_first_question_in_another_language_is_answered_fast(seeded_index):
    engine = AnswerEngine.build(seeded_index)  # its own sentence vectors, none computed yet
    engine.warm_up()
    answer = engine.ask("Um wie viel Prozent reduziert SafeSwitch schädliche Ausgaben?")
    assert cited_names(engine, answer) == ["SafeSwitch"] and answer.timings_ms["total"] < 300  # cold e5: ~1 s


def test_what_about_another_topic_after_a_refusal_is_a_question_of_its_own(engine):
    first = engine.ask("is there a paper on speech synthesis for podcasts?")
    answer = engine.ask("ok, what about getting rid of gender bias in language models? i only need the paper name",
                        history=[first])
    assert first.abstained and cited_names(engine, answer) == ["BiasEdit"]


@pytest.mark.parametrize("llm_answer, said", [
    ("The ZJUKLAB team achieved a score of 0.944 for Task Aggregate and 0.487 for overall Aggregate. [1]", False),
    ("It ranked second among 26 teams, with an online score of 0.944 for Task Aggregate and 0.487 for overall "
     "Aggregate. [1]", True),
    ("Le système se classe deuxième sur 26 équipes, avec un score de 0.944 et 0.487. [1]", False),
])
def test_an_llm_answer_says_an_abstract_sentence_only_with_its_figures_and_most_of_its_words(llm_answer, said):
    """What decides whether the abstract's answering sentence is quoted under an LLM's answer: a rank left out, or
    the sentence given in other words, and it is."""
    sentence = ("Our system achieves competitive results, ranking second among 26 teams, with an online score of "
                "0.944 for Task Aggregate and 0.487 for overall Aggregate.")
    assert says(llm_answer, sentence, "ZJUKLAB-unlearn") is said
