"""Paper records on demand: a read-only mapping over the catalog, looked up by id and cached."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator, Mapping

from rag.catalog import Catalog, PaperRow
from rag.types import Paper

CACHE_SIZE = 4096


class Records(Mapping[str, Paper]):
    """Every indexed paper by id, read from the catalog when asked for; the cache lives until the next change.

    `rows()` gives every paper's metadata without abstracts, for tables, counts and metadata filters.
    """

    def __init__(self, catalog: Catalog, version: int):
        self.catalog, self.version = catalog, version
        self._cache: OrderedDict[str, Paper | None] = OrderedDict()
        self._rows: list[PaperRow] | None = None
        self._len: int | None = None

    def __getitem__(self, paper_id: str) -> Paper:
        paper = self._get(paper_id)
        if paper is None:
            raise KeyError(paper_id)
        return paper

    def __contains__(self, paper_id: object) -> bool:
        return isinstance(paper_id, str) and self._get(paper_id) is not None

    def _get(self, paper_id: str) -> Paper | None:
        if paper_id in self._cache:
            self._cache.move_to_end(paper_id)
            return self._cache[paper_id]
        paper = self.catalog.records([paper_id]).get(paper_id)
        self._cache[paper_id] = paper
        if len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)
        return paper

    def __len__(self) -> int:
        if self._len is None:
            self._len = self.catalog.count()
        return self._len

    def __iter__(self) -> Iterator[str]:
        return iter(self.catalog.ids())

    def values(self):  # one query instead of one per paper
        """Every record (reads them all: for exports and evaluation, not for answering)."""
        return list(self.catalog.all_records())

    def rows(self) -> list[PaperRow]:
        """Every paper's metadata, without abstracts (read once per change)."""
        if self._rows is None:
            self._rows = self.catalog.rows()
        return self._rows


def rows_of(papers: Mapping[str, Paper]) -> list:
    """The papers' metadata for tables and filters: the catalog's compact rows, or the papers themselves."""
    return papers.rows() if isinstance(papers, Records) else list(papers.values())
