"""The errors users can cause or fix; the CLI and the UI turn them into messages."""


class RagError(Exception):
    """An expected failure whose message says what is wrong and how to fix it."""


class SeedError(RagError):
    """A seed file or folder that cannot be read as abstracts."""


class StoreError(RagError):
    """The vector store is unreachable or holds vectors of another configuration."""


class EmbeddingError(RagError):
    """The embedding model cannot be loaded without reaching a model hub."""


class QuestionError(RagError):
    """A question that is empty or too long."""


class LLMError(RagError):
    """The configured LLM failed; `setting` names what to fix, `transient` says a retry may help."""

    def __init__(self, message: str, setting: str | None = None, transient: bool = False):
        super().__init__(message)
        self.setting = setting
        self.transient = transient


class RequestError(RagError):
    """An API or MCP request that cannot be answered as sent (bad history, bad number of results)."""


class NotFoundError(RequestError):
    """A paper id or conversation id the running app does not know."""
