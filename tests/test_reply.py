"""What counts as the model's answer in its reply (replies as Qwen2.5-Coder-1.5B gave them)."""

from rag.reply import leaks_prompt, restates, unframed, with_source_names


def test_echoed_question_lines_and_answer_labels_are_not_the_answer():
    reply = ("Question: Which abilities showed up on their own during training? [1]\n"
             "Answer: ReSearch elicits reflection and self-correction [1].")
    assert unframed(reply) == "ReSearch elicits reflection and self-correction [1]."
    french = "Réponse : [1]\nL'article utilise 4 jeux de données [1]."
    assert unframed(french) == "[1]\nL'article utilise 4 jeux de données [1]."
    assert unframed("答案：LightThinker 压缩思维 [1]。") == "LightThinker 压缩思维 [1]。"


def test_the_format_placeholders_copied_from_the_prompt_are_not_the_answer():
    reply = "- : ReSearch: Learning to Reason with Search [n][1]\n: 250 scientific LLMs [n]: over 800+ papers [n][1][2]"
    assert unframed(reply) == "- ReSearch: Learning to Reason with Search[1]\n250 scientific LLMs: over 800+ papers[1][2]"
    assert unframed("- SMART: Tool use drops by 24% [2].") == "- SMART: Tool use drops by 24% [2]."


def test_a_sentence_copied_from_the_worked_example_leaks_the_prompt():
    assert leaks_prompt("LightThinker shortens its answers by 37% without losing accuracy.")
    assert leaks_prompt("End every sentence with the number of its source in brackets, like.")
    assert leaks_prompt("- Use only the sources.") and leaks_prompt("Example:")
    assert not leaks_prompt("LightThinker reduces peak memory usage by 70% and inference time by 26%.")
    assert not leaks_prompt("GRPO.") and not leaks_prompt("It uses the sources of both.")


def test_a_sentence_saying_only_the_question_and_the_paper_name_restates():
    question = "The RL paper that interleaves search calls with thinking: which abilities showed up on their own?"
    assert restates("ReSearch.", question, ["ReSearch"])
    assert restates("The RL paper interleaves search calls with thinking.", question, ["ReSearch"])
    assert not restates("ReSearch shows reflection and self-correction.", question, ["ReSearch"])
    assert not restates("It covers over 250 models.", "How many models does the survey cover?", [])
    assert not restates("SMART reduces tool use.", "Which papers reduce tool use?", [])  # a list's member


def test_the_worked_examples_paper_names_copied_as_names_become_the_cited_sources_names():
    reply = ("- ModelA: ModelA uses reflection to understand its reasoning. [4]\n"
             "- ModelB: ModelB employs self-correction during reasoning. [2]\n"
             "Both rethink their steps.")
    assert with_source_names(reply, {2: "Strategist", 4: "ReSearch"}) == (
        "- ReSearch: ReSearch uses reflection to understand its reasoning. [4]\n"
        "- Strategist: Strategist employs self-correction during reasoning. [2]\n"
        "Both rethink their steps.")
