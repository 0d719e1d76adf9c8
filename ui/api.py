"""The app's program interfaces over one CollectionAPI: JSON routes at /api (FastAPI), gr.api endpoints
(gradio_client and the "Use via API" page) and MCP over streamable HTTP at /mcp, behind the RAG_UI_AUTH login.
"""

# No `from __future__ import annotations`: gr.api reads the endpoints' return annotations as live types.

import json
import secrets
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, contextmanager
from itertools import chain
from typing import Any

import gradio as gr
from fastapi import FastAPI, Query, Request
from fastapi.exceptions import HTTPException, RequestValidationError
from fastapi.responses import JSONResponse, Response, StreamingResponse
from fastapi.security import HTTPBasic
from mcp.server.streamable_http_manager import StreamableHTTPASGIApp
from pydantic import BaseModel, Field
from starlette.routing import BaseRoute, Mount, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from rag.api import MAX_RESULTS, CollectionAPI
from rag.errors import NotFoundError, RagError
from rag.mcp_server import build_mcp

API_PATH = "/api"
MCP_PATH = "/mcp"
NDJSON = "application/x-ndjson"
BIBTEX = "application/x-bibtex; charset=utf-8"


# ---------------------------------------------------------------- the login


class LoginRequired:
    """An ASGI app that passes requests on only with the RAG_UI_AUTH user and password (HTTP Basic)."""

    def __init__(self, app: ASGIApp, auth: tuple[str, str] | None):
        self.app, self.auth = app, auth
        self._basic = HTTPBasic(auto_error=False, realm="rag")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not await self.allows(Request(scope)):
            refusal = JSONResponse({"error": "Log in with the RAG_UI_AUTH user and password (HTTP Basic auth)."},
                                   status_code=401, headers={"WWW-Authenticate": 'Basic realm="rag"'})
            await refusal(scope, receive, send)
            return
        await self.app(scope, receive, send)

    async def allows(self, request: Request) -> bool:
        """True without a login configured, or when the request carries the right user and password."""
        if self.auth is None:
            return True
        try:
            given = await self._basic(request)
        except HTTPException:  # a malformed Authorization header
            return False
        user, password = self.auth
        return given is not None and (secrets.compare_digest(given.username.encode(), user.encode())
                                      & secrets.compare_digest(given.password.encode(), password.encode()))


# ---------------------------------------------------------------- JSON routes at /api


class AskRequest(BaseModel):
    """The body of POST /api/ask and /api/ask/stream."""

    question: str = Field("", description="The question.")
    conversation_id: str | None = Field(None, description="The conversation_id of an earlier answer (follow-up).")
    history: list[dict[str, Any]] | None = Field(None, description="Or the earlier answers themselves, oldest first.")
    paper_ids: list[str] | None = Field(None, description="Answer from these papers only; none = all.")
    bibtex: bool = Field(False, description="Also give the cited papers' BibTeX (field `bibtex`).")


def json_routes(api: CollectionAPI) -> FastAPI:
    """The JSON API: the shapes of `rag ask|search|papers --json`, errors as {"error": message}."""
    routes = FastAPI(title="rag JSON API", description="Cited answers from research-paper abstracts.",
                     docs_url=None, redoc_url=None)  # their pages load scripts from a CDN; the schema is served

    @routes.exception_handler(RagError)
    async def rag_error(request: Request, error: RagError) -> JSONResponse:
        return JSONResponse({"error": str(error)}, status_code=404 if isinstance(error, NotFoundError) else 400)

    @routes.exception_handler(RequestValidationError)
    async def bad_request(request: Request, error: RequestValidationError) -> JSONResponse:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
        return JSONResponse({"error": f"Bad request: {problems}"}, status_code=422)

    @routes.post("/ask")
    def ask(body: AskRequest) -> dict[str, Any]:
        """A cited answer (`rag ask --json` plus `conversation_id`)."""
        return api.ask(body.question, body.history, body.conversation_id, body.paper_ids, body.bibtex)

    @routes.post("/ask/stream", response_class=StreamingResponse)
    def ask_stream(body: AskRequest) -> StreamingResponse:
        """The answer as it is written, one JSON object per line: {"type": "text", "text": the answer so far},
        then {"type": "answer", "answer": what /ask returns}."""
        events = api.ask_stream(body.question, body.history, body.conversation_id, body.paper_ids, body.bibtex)
        first = next(events)  # a bad request fails here, before the 200 status is sent
        return StreamingResponse((json.dumps(e, ensure_ascii=False) + "\n" for e in chain([first], events)),
                                 media_type=NDJSON)

    @routes.get("/search")
    def search(question: str, k: int | None = Query(None, ge=1, le=MAX_RESULTS)) -> dict[str, Any]:
        """The papers that best match a question (`rag search --json`)."""
        return api.search(question, k)

    @routes.get("/papers")
    def papers() -> list[dict[str, Any]]:
        """Every paper, newest first (`rag papers --json`)."""
        return api.list_papers()

    @routes.get("/papers/{paper_id}")
    def paper(paper_id: str) -> dict[str, Any]:
        """One paper by id."""
        return api.get_paper(paper_id)

    @routes.get("/bibtex", response_class=Response, responses={200: {"content": {BIBTEX: {}}}})
    def bibtex(paper_id: list[str] | None = Query(None, description="Repeat for each paper; none = all.")
               ) -> Response:
        """BibTeX entries for the papers."""
        return Response(api.bibtex(paper_id), media_type=BIBTEX)

    return routes


# ---------------------------------------------------------------- gr.api endpoints


@contextmanager
def gradio_errors() -> Iterator[None]:
    """Show an expected failure to gradio_client as the error message, not a traceback."""
    try:
        yield
    except RagError as error:
        raise gr.Error(str(error)) from None


def add_gradio_endpoints(api: CollectionAPI) -> None:
    """Typed endpoints for gradio_client and the "Use via API" page; call inside the Blocks."""

    def ask_papers(question: str, conversation_id: str | None = None, paper_ids: list[str] | None = None,
                   history: list[dict] | None = None, bibtex: bool = False) -> dict:
        """A cited answer: the JSON of `rag ask --json` plus the conversation_id to send with a follow-up.

        Args:
            question: the question.
            conversation_id: the conversation_id of an earlier answer, to ask a follow-up.
            paper_ids: answer from these papers only (ids from /list_papers); none = all.
            history: or the earlier answers themselves, oldest first.
            bibtex: also give the cited papers' BibTeX (field `bibtex`).
        """
        with gradio_errors():
            return api.ask(question, history, conversation_id, paper_ids, bibtex)

    def ask_papers_stream(question: str, conversation_id: str | None = None, paper_ids: list[str] | None = None,
                          history: list[dict] | None = None, bibtex: bool = False) -> dict:  # type of each value
        """The answer as it is written: {"type": "text", "text": the answer so far}, then {"type": "answer",
        "answer": what /ask_papers returns}. Iterate over `Client.submit(...)` to read them.

        Args:
            question: the question.
            conversation_id: the conversation_id of an earlier answer, to ask a follow-up.
            paper_ids: answer from these papers only (ids from /list_papers); none = all.
            history: or the earlier answers themselves, oldest first.
            bibtex: also give the cited papers' BibTeX (field `bibtex`).
        """
        with gradio_errors():
            yield from api.ask_stream(question, history, conversation_id, paper_ids, bibtex)

    def search_papers(question: str, k: int = 5) -> dict:
        """The papers that best match a question, best first: the JSON of `rag search --json`.

        Args:
            question: the question.
            k: how many papers to return.
        """
        with gradio_errors():
            return api.search(question, k)

    def list_papers() -> list[dict]:
        """Every paper, newest first: the JSON of `rag papers --json`."""
        return api.list_papers()

    def get_paper(paper_id: str) -> dict:
        """One paper by id, as in /list_papers.

        Args:
            paper_id: the paper's id.
        """
        with gradio_errors():
            return api.get_paper(paper_id)

    def papers_bibtex(paper_ids: list[str] | None = None) -> str:
        """BibTeX entries for the papers.

        Args:
            paper_ids: the papers' ids; none = every paper.
        """
        with gradio_errors():
            return api.bibtex(paper_ids)

    for endpoint in (ask_papers, ask_papers_stream, search_papers, list_papers, get_paper, papers_bibtex):
        gr.api(endpoint, api_name=endpoint.__name__)


# ---------------------------------------------------------------- mounting


def routes_and_lifespan(api: CollectionAPI, auth: tuple[str, str] | None, host: str
                        ) -> tuple[list[BaseRoute], Callable[[Any], AbstractAsyncContextManager[None]]]:
    """The routes of /api and /mcp (both behind the login), and the lifespan that runs MCP's sessions."""
    mcp = build_mcp(api)
    mcp.streamable_http_app(host=host)  # creates the session manager, with DNS-rebinding checks on loopback
    manager = mcp.session_manager

    @asynccontextmanager
    async def lifespan(app: Any) -> AsyncIterator[None]:
        async with manager.run():
            yield

    routes = [Mount(API_PATH, LoginRequired(json_routes(api), auth)),
              Route(MCP_PATH, LoginRequired(StreamableHTTPASGIApp(manager), auth))]
    return routes, lifespan
