"""The MCP server, used by the `mcp` SDK's own client: over streamable HTTP at /mcp of the running app (with and
without a login) and over stdio against a real `rag mcp` subprocess. Nothing is mocked."""

from __future__ import annotations

import asyncio
import json
import os

import httpx2
import pytest
from mcp import Client, StdioServerParameters
from mcp.client.streamable_http import streamable_http_client

from conftest import API_LOGIN, RAG_BIN, SEED_PAPERS, cli_env

QUESTION = "What is SynWorld?"
SYNWORLD = "SynWorld: Virtual Scenario Synthesis for Agentic Action Knowledge Refinement"
TOOLS = {"search_papers", "ask_papers", "list_papers", "get_paper"}


async def check_tools(client: Client) -> None:
    """List the tools and call each one as an MCP client would; citations come back as structured content."""
    tools = (await client.list_tools()).tools
    assert {t.name for t in tools} == TOOLS
    assert all(t.description and t.annotations.read_only_hint for t in tools)
    ask = next(t for t in tools if t.name == "ask_papers")
    assert ask.input_schema["required"] == ["question"] and "conversation_id" in ask.input_schema["properties"]

    listed = await client.call_tool("list_papers", {})
    assert not listed.is_error and listed.structured_content["count"] == SEED_PAPERS
    synworld = next(p for p in listed.structured_content["papers"] if p["title"] == SYNWORLD)
    assert "abstract" not in synworld and synworld["url"] == "https://arxiv.org/abs/2504.03561"

    paper = (await client.call_tool("get_paper", {"paper_id": synworld["paper_id"]})).structured_content
    assert paper["title"] == SYNWORLD and "Monte Carlo Tree Search" in paper["abstract"]

    hits = (await client.call_tool("search_papers", {"question": QUESTION, "k": 2})).structured_content
    assert len(hits["results"]) == 2 and hits["results"][0]["paper_id"] == synworld["paper_id"]

    answered = await client.call_tool("ask_papers", {"question": QUESTION})
    answer = answered.structured_content
    assert not answered.is_error and json.loads(answered.content[0].text) == answer
    (cited, *_) = answer["citations"]
    assert cited["n"] == 1 and cited["paper_id"] == synworld["paper_id"] and cited["title"] == SYNWORLD
    assert cited["text"] in answer["answer"] and "[1]" in answer["answer"] and not answer["abstained"]

    follow_up = await client.call_tool("ask_papers", {"question": "How is it evaluated?",
                                                      "conversation_id": answer["conversation_id"]})
    assert "SynWorld" in follow_up.structured_content["standalone_question"]
    with_bibtex = await client.call_tool("ask_papers", {"question": QUESTION, "bibtex": True})
    assert "2504.03561" in with_bibtex.structured_content["bibtex"]

    for tool, arguments, message in [("get_paper", {"paper_id": "nope"}, "No paper has the id 'nope'"),
                                     ("ask_papers", {"question": "  "}, "The question is empty"),
                                     ("ask_papers", {"question": QUESTION, "paper_ids": ["nope"]},
                                      "Unknown paper ids: 'nope'")]:
        failed = await client.call_tool(tool, arguments)
        assert failed.is_error and message in failed.content[0].text and "Traceback" not in failed.content[0].text


async def over_http(url: str, login: tuple[str, str] | None) -> None:
    async with httpx2.AsyncClient(auth=login, timeout=120) as http:
        async with Client(streamable_http_client(f"{url}/mcp", http_client=http)) as client:
            await check_tools(client)


def test_tools_over_http_with_login(locked_app):
    asyncio.run(over_http(locked_app, API_LOGIN))


def test_tools_over_http_without_login(open_app):
    asyncio.run(over_http(open_app, None))


@pytest.mark.parametrize("login", [None, ("ann", "wrong")])
def test_http_refuses_a_client_without_the_login(locked_app, login):
    with pytest.raises(Exception) as caught:
        asyncio.run(over_http(locked_app, login))
    assert "Server returned an error response" in repr(caught.value)


def test_tools_over_stdio(seeded_dirs, tmp_path):
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path), "LANG": "C.UTF-8", **cli_env(*seeded_dirs)}
    server = StdioServerParameters(command=str(RAG_BIN), args=["mcp"], env=env)

    async def run() -> None:
        async with Client(server) as client:
            await check_tools(client)

    asyncio.run(run())
