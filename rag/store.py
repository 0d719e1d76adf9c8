"""The paper store: Chroma (embedded or server) holding chunk vectors and one record per paper."""

from __future__ import annotations

import json

import chromadb
from chromadb.config import Settings as ChromaSettings
from functools import cached_property
from typing import TYPE_CHECKING

from rag.errors import StoreError
from rag.settings import Settings
from rag.types import Paper

if TYPE_CHECKING:
    from llama_index.core.schema import BaseNode

MAX_FILTER_IDS = 500
RECORD_KEY = "record"  # the paper's record, as JSON, in its first chunk's metadata


def open_client(settings: Settings) -> chromadb.ClientAPI:
    """The embedded client in RAG_DATA_DIR, or a Chroma server when CHROMA_HOST is set."""
    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_host:
        try:
            client = chromadb.HttpClient(host=settings.chroma_host, port=settings.chroma_port,
                                         settings=chroma_settings)
            client.heartbeat()
            return client
        except Exception as err:  # chromadb raises several unrelated types for a refused connection
            raise StoreError(f"Cannot reach the Chroma server at {settings.chroma_host}:{settings.chroma_port} "
                             f"(CHROMA_HOST, CHROMA_PORT): {err}. Start it with `chroma run --path DIR "
                             f"--port {settings.chroma_port}`, or unset CHROMA_HOST for the embedded store.") from err
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(settings.data_dir / "chroma"), settings=chroma_settings)


class PaperStore:
    """Chunk vectors of one embedding configuration (`tag` names the collection); each paper's record rides on
    its first chunk, so the store alone can rebuild the catalog."""

    def __init__(self, client: chromadb.ClientAPI, tag: str, embed_model: str):
        self.client, self.tag, self.embed_model = client, tag, embed_model
        self.chunks = client.get_or_create_collection(
            f"chunks-{tag}", configuration={"hnsw": {"space": "cosine"}}, metadata={"embed_model": embed_model},
            embedding_function=None)

    @cached_property
    def vector_store(self):
        """LlamaIndex's writer for the chunk collection (imported only when something is written)."""
        from llama_index.vector_stores.chroma import ChromaVectorStore

        return ChromaVectorStore(chroma_collection=self.chunks)

    def other_models(self) -> list[str]:
        """Embedding models that built other collections in the same store."""
        return sorted(str((self.client.get_collection(name).metadata or {}).get("embed_model", name))
                      for name in self._collection_names() - {self.chunks.name} if name.startswith("chunks-"))

    def put_papers(self, papers: list[Paper], nodes: dict[str, list[BaseNode]]) -> None:
        """Replace the papers' chunks, then put each record on its first chunk, last: a paper without one is
        redone by the next ingest. Old chunks are found by id: a metadata filter scans a large collection."""
        ids = [p.paper_id for p in papers]
        held = {m["paper_id"] for m in self.chunks.get(ids=[f"{i}:0" for i in ids], include=["metadatas"])["metadatas"]}
        if held:
            self.chunks.delete(where={"paper_id": {"$in": sorted(held)}})
        self.vector_store.add([n for p in papers for n in nodes[p.paper_id]])
        self.chunks.update(ids=[nodes[p.paper_id][0].node_id for p in papers],
                           metadatas=[{RECORD_KEY: p.model_dump_json()} for p in papers])

    def update_metadata(self, paper: Paper) -> None:
        """Refresh a paper's record and chunk metadata without re-embedding it."""
        got = self.chunks.get(where={"paper_id": paper.paper_id}, include=["metadatas"])
        if not got["ids"]:
            return
        fields = chunk_metadata(paper)
        self.chunks.update(ids=got["ids"], metadatas=[m | fields | ({RECORD_KEY: paper.model_dump_json()}
                                                                    if RECORD_KEY in m else {})
                                                      for m in got["metadatas"]])

    def delete_paper(self, paper_id: str) -> None:
        """Remove a paper's chunks (and with them its record)."""
        self.chunks.delete(where={"paper_id": paper_id})

    def contents(self) -> tuple[dict[str, Paper], dict[str, list[tuple[str, str]]]]:
        """Every paper record and its chunks as (chunk id, text) (read once, to fill a new catalog). A store
        written before records rode on chunks has them in a collection of their own."""
        got = get_all(self.chunks, ["documents", "metadatas"])
        records = self._legacy_records()
        chunks: dict[str, list[tuple[str, str]]] = {}
        for chunk_id, text, meta in zip(got["ids"], got["documents"], got["metadatas"]):
            chunks.setdefault(meta["paper_id"], []).append((chunk_id, text))
            if RECORD_KEY in meta:
                records[meta["paper_id"]] = Paper.model_validate_json(meta[RECORD_KEY])
        return records, {paper_id: chunks.get(paper_id, []) for paper_id in records}

    def _collection_names(self) -> set[str]:
        return {c.name if hasattr(c, "name") else str(c) for c in self.client.list_collections()}

    def _legacy_records(self) -> dict[str, Paper]:
        if f"papers-{self.tag}" not in self._collection_names():
            return {}
        metadatas = get_all(self.client.get_collection(f"papers-{self.tag}"), ["metadatas"])["metadatas"]
        return {p.paper_id: p for p in (Paper.model_validate_json(m[RECORD_KEY]) for m in metadatas)}

    def dense_query(self, embedding: list[float], n: int, paper_ids: list[str] | None = None
                    ) -> list[tuple[str, str, str, float]]:
        """Nearest chunks as (chunk id, paper id, text, cosine similarity), optionally of some papers only.

        A long id list is filtered after the query: as a `$in` filter it would overflow SQLite's variables.
        """
        in_query = paper_ids if paper_ids and len(paper_ids) <= MAX_FILTER_IDS else None
        where = {"paper_id": {"$in": in_query}} if in_query else None
        n = n if in_query or not paper_ids else n * 10  # Chroma returns fewer when the store holds fewer
        got = self.chunks.query(query_embeddings=[embedding], n_results=n, where=where,
                                include=["documents", "metadatas", "distances"])
        allowed = set(paper_ids) if paper_ids else None
        return [(i, m["paper_id"], d, 1.0 - dist) for i, m, d, dist in
                zip(got["ids"][0], got["metadatas"][0], got["documents"][0], got["distances"][0])
                if allowed is None or m["paper_id"] in allowed]


def get_all(collection, include: list[str], where: dict | None = None, page: int = 5000) -> dict[str, list]:
    """Every record of a collection (that matches `where`), read in pages: one read of 100k records overflows
    SQLite's variables."""
    result: dict[str, list] = {"ids": [], **{key: [] for key in include}}
    offset = 0
    while True:
        got = collection.get(include=include, where=where, limit=page, offset=offset)
        for key in result:
            result[key].extend(got[key])
        if len(got["ids"]) < page:
            return result
        offset += page


def chunk_metadata(paper: Paper) -> dict:
    """What every chunk of a paper carries besides its text."""
    return {"paper_id": paper.paper_id, "title": paper.title, "year": paper.year or 0,
            "authors": paper.authors or "", "affiliations": json.dumps(paper.affiliations),
            "sources": json.dumps(paper.sources)}
