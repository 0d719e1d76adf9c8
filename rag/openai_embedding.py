"""Embeddings from any server that speaks the OpenAI /v1/embeddings API."""

from __future__ import annotations

import numpy as np
from llama_index.core.base.embeddings.base import BaseEmbedding
from pydantic import PrivateAttr

from rag.errors import EmbeddingError


class OpenAICompatibleEmbedding(BaseEmbedding):
    """Embeddings from any server that speaks the OpenAI /v1/embeddings API."""

    _client: object = PrivateAttr()
    _base_url: str = PrivateAttr()

    def __init__(self, model_name: str, base_url: str, api_key: str, timeout: float, **kwargs):
        super().__init__(model_name=model_name, **kwargs)
        from openai import OpenAI

        self._client = OpenAI(base_url=base_url, api_key=api_key, timeout=timeout, max_retries=2)
        self._base_url = base_url

    def _embed(self, texts: list[str]) -> list[list[float]]:
        import openai

        server = f"embeddings server at {self._base_url} (RAG_EMBED_BASE_URL)"
        try:
            response = self._client.embeddings.create(model=self.model_name, input=texts)
        except openai.AuthenticationError as err:
            raise EmbeddingError(f"The {server} refused the API key (OPENAI_API_KEY): {err.message}") from err
        except openai.NotFoundError as err:
            raise EmbeddingError(f"The {server} has no model {self.model_name!r} (RAG_EMBED_MODEL) or no "
                                 f"/embeddings endpoint (the URL should end in /v1): {err.message}") from err
        except (openai.APIConnectionError, openai.APITimeoutError) as err:
            raise EmbeddingError(f"Cannot reach the {server}: {str(err).rstrip('.')}. Start the server, or unset "
                                 "RAG_EMBED_BASE_URL to use the local model.") from err
        except openai.OpenAIError as err:
            raise EmbeddingError(f"The {server} failed: {err}") from err
        return [pooled(item.embedding) for item in response.data]

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return self._embed(texts)

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._embed([text])[0]

    def _get_query_embedding(self, query: str) -> list[float]:
        return self._embed([query])[0]

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)


def pooled(embedding: list) -> list[float]:
    """The text's vector; a server that returns one vector per token (llama.cpp without pooling) is averaged."""
    if embedding and isinstance(embedding[0], list):
        return np.asarray(embedding, dtype=np.float32).mean(axis=0).tolist()
    return embedding
