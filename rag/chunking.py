"""Split abstracts into chunks that fit the embedding model's window, title included."""

from __future__ import annotations

from collections.abc import Callable

from llama_index.core.node_parser import SentenceSplitter
from llama_index.core.schema import NodeRelationship, RelatedNodeInfo, TextNode

from rag.store import chunk_metadata
from rag.types import Paper

EMBED_KEYS = {"title"}


def make_splitter(chunk_tokens: int, overlap: int, tokenizer: Callable[[str], list]) -> SentenceSplitter:
    """A sentence-aware splitter that counts the embedding model's own word pieces."""
    return SentenceSplitter(chunk_size=chunk_tokens, chunk_overlap=overlap, tokenizer=tokenizer,
                            include_metadata=False)


def chunk_paper(paper: Paper, splitter: SentenceSplitter) -> list[TextNode]:
    """The chunks of one paper, with stable ids `<paper_id>:<n>`; the embedded text starts with the title."""
    metadata = chunk_metadata(paper)
    nodes = []
    for n, text in enumerate(splitter.split_text(paper.abstract)):
        node = TextNode(id_=f"{paper.paper_id}:{n}", text=text, metadata=metadata,
                        excluded_embed_metadata_keys=[k for k in metadata if k not in EMBED_KEYS],
                        excluded_llm_metadata_keys=list(metadata))
        node.relationships[NodeRelationship.SOURCE] = RelatedNodeInfo(node_id=paper.paper_id)
        nodes.append(node)
    return nodes
