"""Embeddings from any server that speaks the OpenAI /v1/embeddings API."""

from __future__ import annotations

from llama_index.core.base.embeddings.base import BaseEmbedding
from pydantic import PrivateAttr


class OpenAICompatibleEmbedding(BaseEmbedding):
    """Embeddings from any server that speaks the OpenAI /v1/embeddings API."""

    _client: object = PrivateAttr()

    def __init__(self, model_name: str, base_url: str, api_key: str, timeout: float, **kwargs):
        super().__init__(model_name=model_name, **kwargs)
        from openai import OpenAI

        self._client = OpenAI(base_url=base_url, api_key=api_key, timeout=timeout, max_retries=2)

    def _embed(self, texts: list[str]) -> list[list[float]]:
        response = self._client.embeddings.create(model=self.model_name, input=texts)
        return [item.embedding for item in response.data]

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return self._embed(texts)

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._embed([text])[0]

    def _get_query_embedding(self, query: str) -> list[float]:
        return self._embed([query])[0]

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)
