"""Questions in other languages: language detection, the e5 retriever built by ingest, refusals, notes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import cli_env
from rag import prompts
from rag.answer import AnswerEngine
from rag.evaluate import evaluate_answers
from rag.intent import Kind, language_of

DEV = Path(__file__).parent / "data" / "multilingual_dev.jsonl"


@pytest.fixture(scope="module")
def engine(seeded_index) -> AnswerEngine:
    return AnswerEngine.build(seeded_index)


def paper_named(index, short_name: str):
    return next(p for p in index.papers.values() if p.short_name == short_name)


@pytest.mark.parametrize("question, language", [
    ("LightThinker 是如何压缩推理过程的？", "zh"),
    ("LightThinker はどのように推論を圧縮しますか？", "ja"),
    ("¿Qué artículos tratan sobre la edición de conocimiento en los modelos de lenguaje?", "es"),
    ("Quels articles proposent un benchmark pour les agents ?", "fr"),
    ("Welche Arbeiten verwenden Monte-Carlo-Baumsuche?", "de"),
    ("How does LightThinker compress reasoning?", "en"),
    ("What is K-ON?", "en"),
    ("LightThinker", "en"),
])
def test_language_is_detected_offline(question, language):
    assert language_of(question) == language


def test_ingest_builds_the_multilingual_vectors_once(seeded, seeded_index):
    _, report = seeded
    assert report.multilingual_papers == len(seeded_index.papers) and report.multilingual_seconds > 0
    again = seeded_index.ingest()
    assert again.multilingual_papers == 0


@pytest.mark.parametrize("question, short_name", [
    ("哪篇论文让大模型在推理时压缩中间思考步骤以减少内存？", "LightThinker"),
    ("¿Qué benchmark usa juegos de escape para evaluar la creatividad de los agentes?", "EscapeBench"),
    ("Quelle méthode supprime les stéréotypes des modèles de langue par édition de modèle ?", "BiasEdit"),
    ("Welche Arbeit löscht große Mengen an Faktenwissen aus einem Sprachmodell?", "LAW"),
])
def test_a_question_in_another_language_finds_and_cites_the_paper(engine, question, short_name):
    answer = engine.ask(question)
    assert not answer.abstained
    assert answer.citations[0].paper_id == paper_named(engine.index, short_name).paper_id


def test_the_note_is_in_the_question_language(engine):
    answer = engine.ask("LightThinker 是如何压缩推理过程的？")
    assert answer.answer.startswith(prompts.EXTRACTIVE_NOTES["zh"])


@pytest.mark.parametrize("question", ["今天北京的天气怎么样？", "¿Cuál es la capital de Australia?",
                                      "Wie backe ich ein Sauerteigbrot?",
                                      # near the collection's topics: "is there a paper" asks for one, not a list
                                      "有没有论文研究用扩散模型来生成视频？",
                                      "Gibt es ein Paper zu Speculative Decoding mit einem kleinen Draft-Modell?"])
def test_an_off_topic_question_in_another_language_is_refused(engine, question):
    answer = engine.ask(question)
    assert answer.abstained and not answer.citations


def test_collection_questions_understand_other_languages(engine):
    answer = engine.ask("这个集合里有多少篇论文？")
    assert answer.shape == "collection" and str(len(engine.index.papers)) in answer.answer


@pytest.mark.parametrize("question, short_name", [("knowself的训练过程分几个阶段", "KnowSelf"),
                                                  ("LAW这篇论文提出的问题叫什么", "LAW")])
def test_a_name_written_against_chinese_characters_names_its_paper(engine, question, short_name):
    assert engine.plan(question).named == [paper_named(engine.index, short_name).paper_id]


@pytest.mark.parametrize("question, kind, filters", [
    ("有没有2024年的论文？", Kind.COLLECTION, ["year: 2024"]),  # "有没有" is "is there", not "without"
    ("哪些论文没有代码？", Kind.COLLECTION, ["no code listed"]),
    ("HumanEvalのようなコード生成のベンチマークを新しく作った論文はある？", Kind.FACT, None),  # code generation, no link
    ("Quels articles utilisent MCTS ?", Kind.LIST, None),
    # the survey's count of papers, not the collection's; the surveys asked for, unless set aside
    ("Réponds en français : combien d'articles la revue sur la sécurité « full-stack » des LLM a-t-elle analysés ?",
     Kind.FACT, None),
    ("这个合集里有哪几篇是综述（survey）类的文章？", Kind.COLLECTION, ["surveys"]),
    ("Quels articles proposent une méthode d'alignement de sécurité (et pas une simple revue de la littérature) ?",
     Kind.LIST, None),
    ("Il y a des articles sur l'oubli de connaissances, non ? Lesquels ?", Kind.LIST, None),  # "which ones?"
])
def test_other_languages_are_planned_by_their_cue_words(engine, question, kind, filters):
    plan = engine.plan(question)
    assert plan.kind == kind and (plan.collection.filters if plan.collection else None) == filters


def test_json_keeps_non_english_text_readable(rag_cli, seeded_dirs):
    result = rag_cli("ask", "LightThinker 是如何压缩推理过程的？", "--json", env=cli_env(*seeded_dirs))
    assert result.exit_code == 0 and "是如何压缩" in result.stdout
    assert json.loads(result.stdout)["citations"]


def test_multilingual_dev_targets_hold(engine):
    result = evaluate_answers(engine, DEV)
    assert result["recall (single-paper)"] >= 0.85 and result["refusals right (unanswerable)"] >= 0.6


def test_english_questions_do_not_use_the_multilingual_retriever(engine):
    plan = engine.plan("How does LightThinker compress reasoning?")
    assert plan.language == "en" and engine._mode(plan) == "hybrid"


def test_a_claim_in_another_language_with_figures_the_source_lacks_is_not_supported(engine):
    from rag.cite import SentenceBank, verify

    papers = [paper_named(engine.index, "LightThinker")]
    bank = SentenceBank(engine.index)
    _, right, _ = verify("LightThinker 降低了峰值内存占用和推理时间 [1]。", papers, bank, multilingual=True)
    _, wrong, _ = verify("LightThinker 将峰值内存降低了 90%，并在 GPT-5 上测试 [1]。", papers, bank, multilingual=True)
    assert right[0].supported and not wrong[0].supported


@pytest.mark.parametrize("question, fact", [
    ("In welchen Spielen wurde Strategist evaluiert?", "The Resistance: Avalon"),  # games asked for
    ("Dans le benchmark construit à partir de jeux d'escape room, quel taux de progression moyen les modèles actuels "
     "atteignent-ils sans indices ?", "15%"),  # a figure asked for
    ("¿Cómo se llama el problema que SMART quiere resolver, qué problemas causa?", "Tool Overuse"),  # a problem
])
def test_the_answer_type_is_read_from_other_languages_cue_words(engine, question, fact):
    assert fact in engine.ask(question).answer


@pytest.mark.parametrize("follow_up, expected", [
    ("Quelles sont les différences entre les deux dans leur façon d'utiliser le LLM ?", {"Strategist", "PIANIST"}),
    ("Und worum geht es in der anderen Arbeit?", {"PIANIST"}),
    ("¿Y qué hace el segundo?", {"PIANIST"}),
    ("它用了哪些模型？", {"Strategist"}),
    ("¿Y el código?", {"Strategist"}),  # a record asked for, and nothing else
])
def test_a_follow_up_in_another_language_keeps_the_papers_of_the_conversation(engine, follow_up, expected):
    """"les deux", "der anderen", "el segundo", "它" refer back as their English words would."""
    first = engine.ask("What does Strategist do?" if expected == {"Strategist"} else "Compare Strategist and PIANIST.")
    answer = engine.ask(follow_up, history=[first])
    assert {engine.index.papers[c.paper_id].short_name for c in answer.citations} == expected


def test_a_new_question_in_another_language_is_not_read_as_a_follow_up(engine):
    """"ihren" in a question asking for papers is theirs, not the last paper's."""
    first = engine.ask("What does Strategist do?")
    answer = engine.ask("Welche Arbeiten veröffentlichen ihren Code auf GitHub?", history=[first])
    assert len(answer.citations) > 1 and answer.shape in ("list", "collection")


def test_a_paper_described_in_a_follow_up_in_another_language_is_not_the_last_one(engine):
    """"Celui sur ..., il ...?" is about the paper described, though "il" would refer back."""
    first = engine.ask("Compare KnowSelf and SMART.")
    answer = engine.ask("Celui sur l'usage excessif des outils, il a construit quel jeu de données ?", history=[first])
    assert [engine.index.papers[c.paper_id].short_name for c in answer.citations] == ["SMART"]
