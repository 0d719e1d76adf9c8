"""The JSON API of the running app: plain HTTP (httpx) on /api and gradio_client on the gr.api endpoints.

Nothing is mocked: the real app (`ui.app.launch`) runs on 127.0.0.1 over the session's store of the seed papers,
with the real engine and embedding model; one app has no login, one has RAG_UI_AUTH=ann:s3cret.
"""

from __future__ import annotations

import json
import re

import httpx
import pytest
from gradio_client import Client

from conftest import API_LOGIN, SEED_PAPERS, cli_env
from rag.api import Conversations
from rag.errors import NotFoundError
from rag.types import Answer

QUESTION = "What is SynWorld?"
SYNWORLD = "SynWorld: Virtual Scenario Synthesis for Agentic Action Knowledge Refinement"
TIMEOUT = 60
pytestmark = [pytest.mark.filterwarnings("ignore:'future.no_silent_downcasting' is deprecated"),
              pytest.mark.filterwarnings("ignore:The copy keyword is deprecated")]  # inside Gradio's queue


def ids_by_name(base: str) -> dict[str, str]:
    """Paper ids by short name, from GET /api/papers."""
    return {p["short_name"] or p["title"]: p["paper_id"] for p in httpx.get(f"{base}/api/papers").json()}


def entries(bibtex: str) -> list[str]:
    """The entry types and keys of a BibTeX text, e.g. "@inproceedings{fang2025synworld"."""
    return re.findall(r"^@\w+\{[^,]+", bibtex, flags=re.MULTILINE)


def ask(base: str, timeout: float = TIMEOUT, **body) -> httpx.Response:
    return httpx.post(f"{base}/api/ask", json=body, timeout=timeout)


# ---------------------------------------------------------------- plain HTTP, no login


def test_papers_are_the_cli_json(open_app, seeded_dirs, rag_cli):
    response = httpx.get(f"{open_app}/api/papers", timeout=TIMEOUT)
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    papers = response.json()
    cli = rag_cli("papers", "--json", env=cli_env(*seeded_dirs))
    assert cli.exit_code == 0 and papers == json.loads(cli.stdout)
    assert len(papers) == SEED_PAPERS
    synworld = next(p for p in papers if p["title"] == SYNWORLD)
    one = httpx.get(f"{open_app}/api/papers/{synworld['paper_id']}", timeout=TIMEOUT)
    assert one.status_code == 200 and one.json() == synworld
    assert synworld["url"] == "https://arxiv.org/abs/2504.03561" and "Monte Carlo Tree Search" in synworld["abstract"]


def test_unknown_paper_is_a_json_404(open_app):
    response = httpx.get(f"{open_app}/api/papers/no-such-id", timeout=TIMEOUT)
    assert response.status_code == 404
    assert response.json() == {"error": "No paper has the id 'no-such-id'; the ids are in the list of papers."}


def test_search_is_the_cli_json(open_app, seeded_dirs, rag_cli):
    response = httpx.get(f"{open_app}/api/search", params={"question": QUESTION, "k": 3}, timeout=TIMEOUT)
    assert response.status_code == 200
    result = response.json()
    cli = rag_cli("search", QUESTION, "-k", "3", "--json", env=cli_env(*seeded_dirs))
    assert cli.exit_code == 0 and result == json.loads(cli.stdout)
    assert [r["rank"] for r in result["results"]] == [1, 2, 3] and result["results"][0]["title"] == SYNWORLD


def test_ask_gives_a_cited_answer_and_a_conversation(open_app):
    response = ask(open_app, question=QUESTION)
    assert response.status_code == 200
    answer = response.json()
    assert set(answer) == set(Answer.model_fields) - {"sentences"} | {"conversation_id"}  # `rag ask --json` + id
    assert answer["question"] == QUESTION and "[1]" in answer["answer"] and not answer["abstained"]
    first = answer["citations"][0]
    assert first["n"] == 1 and first["title"] == SYNWORLD and first["text"] in answer["answer"]
    assert first["url"] == "https://arxiv.org/abs/2504.03561"

    by_id = ask(open_app, question="How is it evaluated?", conversation_id=answer["conversation_id"]).json()
    assert "SynWorld" in by_id["standalone_question"] and by_id["conversation_id"] == answer["conversation_id"]
    assert by_id["citations"][0]["title"] == SYNWORLD

    by_history = ask(open_app, question="How is it evaluated?", history=[answer]).json()
    assert by_history["standalone_question"] == by_id["standalone_question"]
    assert by_history["conversation_id"] != answer["conversation_id"]  # a new conversation, kept from now on


def test_ask_limited_to_papers(open_app):
    ids = ids_by_name(open_app)
    chosen = [ids["SynWorld"], ids["KnowSelf"]]
    answer = ask(open_app, question="How do agents explore new environments?", paper_ids=chosen).json()
    cited = {c["paper_id"] for c in answer["citations"] + answer["uncited_sources"]}
    assert answer["citations"] and cited <= set(chosen)
    unknown = ask(open_app, question=QUESTION, paper_ids=[ids["SynWorld"], "nope"])
    assert unknown.status_code == 404 and unknown.json() == {
        "error": "Unknown paper ids: 'nope'; the ids are in the list of papers."}


def test_ask_streams_ndjson_ending_with_the_cited_answer(open_app):
    with httpx.stream("POST", f"{open_app}/api/ask/stream", json={"question": QUESTION}, timeout=TIMEOUT) as reply:
        assert reply.status_code == 200 and reply.headers["content-type"] == "application/x-ndjson"
        events = [json.loads(line) for line in reply.iter_lines() if line]
    *texts, last = events
    assert texts and {e["type"] for e in texts} == {"text"} and last["type"] == "answer"
    answer = last["answer"]
    assert texts[-1]["text"] == answer["answer"]
    assert answer["citations"][0]["title"] == SYNWORLD and answer["conversation_id"]


@pytest.mark.parametrize("body, status, message", [
    ({"question": "   "}, 400, "The question is empty"),
    ({}, 400, "The question is empty"),
    ({"question": "why " * 600}, 400, "the limit is 2000 (RAG_MAX_QUESTION_CHARS)"),
    ({"question": QUESTION, "conversation_id": "never-started"}, 404, "Unknown conversation_id 'never-started'"),
    ({"question": QUESTION, "conversation_id": "x", "history": [{"question": "q"}]}, 400, "either history or"),
    ({"question": QUESTION, "history": [{"question": "only a question"}]}, 400, "history[0] is not an answer"),
    ({"question": QUESTION, "paper_ids": "not a list"}, 422, "Bad request: body.paper_ids"),
])
def test_bad_requests_are_json_errors(open_app, body, status, message):
    for path in ("/api/ask", "/api/ask/stream"):
        response = httpx.post(f"{open_app}{path}", json=body, timeout=TIMEOUT)
        assert response.status_code == status, response.text
        assert message in response.json()["error"] and "Traceback" not in response.text


def test_bad_search_and_body_are_json_errors(open_app):
    bad_k = httpx.get(f"{open_app}/api/search", params={"question": QUESTION, "k": 0}, timeout=TIMEOUT)
    assert bad_k.status_code == 422 and bad_k.json() == {
        "error": "Bad request: query.k: Input should be greater than or equal to 1"}
    not_json = httpx.post(f"{open_app}/api/ask", content=b"{not json", timeout=TIMEOUT,
                          headers={"content-type": "application/json"})
    assert not_json.status_code == 422 and not_json.json()["error"].startswith("Bad request: body")


def test_bibtex_of_papers_and_of_an_answer(open_app):
    ids = ids_by_name(open_app)
    response = httpx.get(f"{open_app}/api/bibtex", params={"paper_id": [ids["SynWorld"], ids["KnowSelf"]]},
                         timeout=TIMEOUT)
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/x-bibtex")
    assert len(entries(response.text)) == 2
    assert "{SynWorld}" in response.text and "2504.03561" in response.text
    answer = ask(open_app, question=QUESTION, bibtex=True).json()
    assert answer["bibtex"].startswith("@") and "2504.03561" in answer["bibtex"]
    assert "bibtex" not in ask(open_app, question=QUESTION).json()
    everything = httpx.get(f"{open_app}/api/bibtex", timeout=TIMEOUT).text
    assert len(entries(everything)) == SEED_PAPERS
    assert httpx.get(f"{open_app}/api/bibtex", params={"paper_id": "nope"}, timeout=TIMEOUT).status_code == 404


def test_schema_lists_the_routes(open_app):
    schema = httpx.get(f"{open_app}/api/openapi.json", timeout=TIMEOUT).json()
    assert set(schema["paths"]) == {"/ask", "/ask/stream", "/search", "/papers", "/papers/{paper_id}", "/bibtex"}


# ---------------------------------------------------------------- gradio_client and Gradio's own HTTP API


def test_gradio_client_endpoints(open_app):
    client = Client(open_app, verbose=False)
    endpoints = client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    assert {"/ask_papers", "/ask_papers_stream", "/search_papers", "/list_papers", "/get_paper",
            "/papers_bibtex"} <= set(endpoints)
    answer = client.predict(QUESTION, api_name="/ask_papers")
    assert answer["citations"][0]["title"] == SYNWORLD and answer["conversation_id"]
    follow_up = client.predict("How is it evaluated?", answer["conversation_id"], api_name="/ask_papers")
    assert "SynWorld" in follow_up["standalone_question"]
    papers = client.predict(api_name="/list_papers")
    assert papers == httpx.get(f"{open_app}/api/papers", timeout=TIMEOUT).json()
    synworld = next(p for p in papers if p["title"] == SYNWORLD)
    assert client.predict(synworld["paper_id"], api_name="/get_paper") == synworld
    hits = client.predict(QUESTION, 2, api_name="/search_papers")
    assert [r["title"] for r in hits["results"]][:1] == [SYNWORLD] and len(hits["results"]) == 2
    assert "{SynWorld}" in client.predict([synworld["paper_id"]], api_name="/papers_bibtex")


def test_gradio_client_errors_are_messages(open_app):
    client = Client(open_app, verbose=False)
    for args, api_name, message in [(("   ",), "/ask_papers", "The question is empty"),
                                    (("nope",), "/get_paper", "No paper has the id 'nope'")]:
        with pytest.raises(Exception) as caught:
            client.predict(*args, api_name=api_name)
        assert message in str(caught.value) and "Traceback" not in str(caught.value)


def test_gradio_client_streams_the_answer(open_app):
    job = Client(open_app, verbose=False).submit(QUESTION, api_name="/ask_papers_stream")
    events = list(job)
    assert events and events[-1]["type"] == "answer"
    assert any(e["type"] == "text" and e["text"] for e in events[:-1])
    answer = events[-1]["answer"]
    assert answer["citations"][0]["title"] == SYNWORLD and "[1]" in answer["answer"]


def test_gradio_endpoint_over_plain_http(open_app):
    started = httpx.post(f"{open_app}/gradio_api/call/search_papers", json={"data": [QUESTION, 1]},
                         timeout=TIMEOUT)
    assert started.status_code == 200
    stream = httpx.get(f"{open_app}/gradio_api/call/search_papers/{started.json()['event_id']}", timeout=TIMEOUT)
    data = stream.text.split("event: complete\ndata: ", 1)[1].splitlines()[0]
    (result,) = json.loads(data)
    assert result["results"][0]["title"] == SYNWORLD


# ---------------------------------------------------------------- with a login


@pytest.mark.parametrize("method, path, body", [
    ("GET", "/api/papers", None), ("POST", "/api/ask", {"question": QUESTION}),
    ("POST", "/api/ask/stream", {"question": QUESTION}), ("GET", "/api/openapi.json", None),
    ("POST", "/mcp", {"jsonrpc": "2.0", "id": 1, "method": "tools/list"}),
])
def test_login_protects_every_route(locked_app, method, path, body):
    for auth in (None, ("ann", "wrong"), ("bob", API_LOGIN[1])):
        refused = httpx.request(method, f"{locked_app}{path}", json=body, auth=auth, timeout=TIMEOUT)
        assert refused.status_code == 401, (auth, refused.text)
        assert refused.headers["www-authenticate"] == 'Basic realm="rag"'
        assert refused.json() == {"error": "Log in with the RAG_UI_AUTH user and password (HTTP Basic auth)."}
    garbled = httpx.request(method, f"{locked_app}{path}", json=body, timeout=TIMEOUT,
                            headers={"Authorization": "Basic !!not-base64"})
    assert garbled.status_code == 401


def test_login_lets_the_right_user_in(locked_app):
    papers = httpx.get(f"{locked_app}/api/papers", auth=API_LOGIN, timeout=TIMEOUT)
    assert papers.status_code == 200 and len(papers.json()) == SEED_PAPERS
    answer = httpx.post(f"{locked_app}/api/ask", json={"question": QUESTION}, auth=API_LOGIN, timeout=TIMEOUT)
    assert answer.status_code == 200 and answer.json()["citations"][0]["title"] == SYNWORLD


def test_login_protects_the_gradio_endpoints(locked_app):
    refused = httpx.post(f"{locked_app}/gradio_api/call/ask_papers", json={"data": [QUESTION]}, timeout=TIMEOUT)
    assert refused.status_code in (401, 403)
    with pytest.raises(Exception):
        Client(locked_app, auth=("ann", "wrong"), verbose=False)
    client = Client(locked_app, auth=API_LOGIN, verbose=False)
    assert client.predict(QUESTION, api_name="/ask_papers")["citations"][0]["title"] == SYNWORLD
    events = list(client.submit(QUESTION, api_name="/ask_papers_stream"))
    assert events[-1]["answer"]["citations"][0]["title"] == SYNWORLD


# ---------------------------------------------------------------- kept conversations


def test_conversations_are_bounded(seeded_index):
    from rag.answer import AnswerEngine

    answer = AnswerEngine.build(seeded_index).ask(QUESTION)
    kept = Conversations(limit=2, turns=3)
    first, second = kept.save(None, [answer]), kept.save(None, [answer] * 5)
    assert len(kept.get(second)) == 3  # only the last turns
    kept.get(first)  # used: now the most recent
    kept.save(None, [answer])
    assert kept.get(first) == [answer]
    with pytest.raises(NotFoundError, match="Unknown conversation_id"):
        kept.get(second)  # the least recently used was forgotten
