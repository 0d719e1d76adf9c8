"""The MCP server: the collection as tools for MCP clients (Claude Desktop, Cursor, agents).

`rag mcp` serves it over stdio; the web app serves the same tools over streamable HTTP at /mcp.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import ToolAnnotations
from pydantic import Field

from rag.api import MAX_RESULTS, CollectionAPI
from rag.errors import RagError

INSTRUCTIONS = ("A collection of research-paper abstracts. search_papers finds papers, ask_papers answers a "
                "question with every sentence cited to an abstract (pass conversation_id back for follow-ups), "
                "list_papers and get_paper give the records.")
LISTED = ("paper_id", "title", "short_name", "authors", "year", "venue", "url")  # list_papers leaves out abstracts
READ_ONLY = ToolAnnotations(read_only_hint=True, destructive_hint=False, open_world_hint=False)

Question = Annotated[str, Field(description="The question, in plain words.")]
PaperIds = Annotated[list[str] | None, Field(description="Only these paper ids (from list_papers); none = all.")]


@contextmanager
def tool_errors() -> Iterator[None]:
    """Report an expected failure (empty question, unknown id) as the tool's error message."""
    try:
        yield
    except RagError as error:
        raise ToolError(str(error)) from None


def build_mcp(api: CollectionAPI) -> MCPServer:
    """An MCP server whose tools call `api` (the same operations as the web API)."""
    server = MCPServer("rag", title="rag: cited answers from paper abstracts", instructions=INSTRUCTIONS,
                       log_level="WARNING")

    @server.tool(annotations=READ_ONLY)
    def search_papers(question: Question,
                      k: Annotated[int, Field(ge=1, le=MAX_RESULTS, description="Papers to return.")] = 5
                      ) -> dict[str, Any]:
        """The papers that best match a question, best first, each with its best passage and score."""
        with tool_errors():
            return api.search(question, k)

    @server.tool(annotations=READ_ONLY)
    def ask_papers(question: Question,
                   conversation_id: Annotated[str | None, Field(
                       description="The conversation_id of an earlier answer, to ask a follow-up.")] = None,
                   paper_ids: PaperIds = None,
                   bibtex: Annotated[bool, Field(description="Also give the cited papers' BibTeX.")] = False
                   ) -> dict[str, Any]:
        """A cited answer from the abstracts: `answer` with [n] markers, `citations` (n, paper_id, title, year,
        url, the quoted passage), `abstained` when the papers do not cover it, and a `conversation_id`."""
        with tool_errors():
            return api.ask(question, conversation_id=conversation_id, paper_ids=paper_ids, bibtex=bibtex)

    @server.tool(annotations=READ_ONLY)
    def list_papers() -> dict[str, Any]:
        """Every paper in the collection (id, title, authors, year, venue, url), newest first, without abstracts."""
        papers = api.list_papers()
        return {"count": len(papers), "papers": [{key: p[key] for key in LISTED} for p in papers]}

    @server.tool(annotations=READ_ONLY)
    def get_paper(paper_id: Annotated[str, Field(description="A paper_id from list_papers or search_papers.")]
                  ) -> dict[str, Any]:
        """One paper's full record: abstract, title, authors, year, venue, arXiv id, code links, sources."""
        with tool_errors():
            return api.get_paper(paper_id)

    return server
