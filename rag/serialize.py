"""The JSON shapes of `rag papers|search --json`, shared by the CLI, the web API and the MCP server."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from rag.types import Hit, Paper


def newest_first(papers: Iterable[Paper]) -> list[Paper]:
    """Papers by year, newest first, then by title (the order of `rag papers`)."""
    return sorted(papers, key=lambda p: (p.year or 0, p.title), reverse=True)


def paper_json(paper: Paper) -> dict[str, Any]:
    """One paper as `rag papers --json` prints it."""
    return paper.model_dump(exclude={"content_hash"}) | {"url": paper.url}


def search_json(query: str, hits: Sequence[Hit]) -> dict[str, Any]:
    """Ranked hits as `rag search --json` prints them, one per paper."""
    return {"query": query, "results": [
        {"rank": r, "paper_id": h.paper.paper_id, "title": h.paper.title, "year": h.paper.year,
         "score": round(h.score, 6), "text": h.text, "sources": h.paper.sources, "url": h.paper.url}
        for r, h in enumerate(hits, start=1)]}
