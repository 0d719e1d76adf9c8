"""The one LLM client: any OpenAI-compatible server, with errors that name the setting to fix."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import openai
from llama_index.core.llms import ChatMessage, MessageRole
from llama_index.llms.openai_like import OpenAILike

from rag.errors import LLMError
from rag.settings import Settings

LOCAL_KEY = "not-needed"


def build_llm(settings: Settings) -> OpenAILike:
    """The configured chat model behind LlamaIndex's OpenAI-compatible client; retries are ours."""
    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
    if not key and not settings.openai_base_url:
        raise LLMError("RAG_LLM_MODEL is set but neither OPENAI_API_KEY (for OpenAI) nor OPENAI_BASE_URL "
                       "(for a local server) is.", setting="OPENAI_API_KEY")
    return OpenAILike(model=settings.llm_model, api_base=settings.openai_base_url or "https://api.openai.com/v1",
                      api_key=key or LOCAL_KEY, is_chat_model=True, context_window=settings.llm_context_window,
                      max_tokens=settings.llm_max_tokens, temperature=settings.llm_temperature,
                      timeout=settings.llm_timeout, max_retries=0)


def explain(error: Exception, settings: Settings) -> LLMError:
    """A specific message for an error from the LLM server, with the key never shown."""
    where = settings.openai_base_url or "api.openai.com"
    if isinstance(error, LLMError):
        return error
    if isinstance(error, (openai.APITimeoutError, httpx.TimeoutException)):
        found = LLMError(f"The LLM at {where} did not answer within {settings.llm_timeout:g} s "
                         "(RAG_LLM_TIMEOUT).", "RAG_LLM_TIMEOUT", transient=True)
    elif isinstance(error, (openai.APIConnectionError, httpx.TransportError)):
        found = LLMError(f"Cannot reach the LLM server at {where}: is it running? (OPENAI_BASE_URL)",
                         "OPENAI_BASE_URL", transient=True)
    elif isinstance(error, openai.AuthenticationError):
        found = LLMError(f"The LLM server at {where} rejected the API key (OPENAI_API_KEY).", "OPENAI_API_KEY")
    elif isinstance(error, openai.NotFoundError):
        found = LLMError(f"The LLM server at {where} has no model {settings.llm_model!r} (RAG_LLM_MODEL), "
                         "or OPENAI_BASE_URL does not end in /v1.", "RAG_LLM_MODEL")
    elif isinstance(error, openai.RateLimitError):
        found = LLMError(f"The LLM server at {where} is rate limiting requests; try again later.",
                         "RAG_LLM_MODEL", transient=True)
    elif isinstance(error, openai.BadRequestError) and "context" in str(error).lower():
        found = LLMError("The question and sources do not fit the model's context window "
                         "(RAG_LLM_CONTEXT_WINDOW, RAG_TOP_K).", "RAG_LLM_CONTEXT_WINDOW")
    elif isinstance(error, openai.APIStatusError):
        found = LLMError(f"The LLM server at {where} answered HTTP {error.status_code}.", "OPENAI_BASE_URL",
                         transient=error.status_code >= 500)
    else:
        found = LLMError(f"The LLM failed: {type(error).__name__}: {error}", "OPENAI_BASE_URL")
    return LLMError(redact(str(found), settings), found.setting, found.transient)


def redact(text: str, settings: Settings) -> str:
    """The text with the API key masked."""
    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else ""
    return text.replace(key, "***") if len(key) >= 4 else text


def stream_chat(llm: OpenAILike, system: str, user: str, settings: Settings) -> Iterator[str]:
    """Stream the reply's text; transient errors before the first token are retried with backoff."""
    messages = [ChatMessage(role=MessageRole.SYSTEM, content=system), ChatMessage(role=MessageRole.USER, content=user)]
    for attempt in range(settings.llm_retries + 1):
        started = False
        try:
            for chunk in llm.stream_chat(messages):
                if chunk.delta:
                    started = True
                    yield chunk.delta
            return
        except Exception as error:  # classified below; nothing unexpected is swallowed
            found = explain(error, settings)
            if started or not found.transient or attempt == settings.llm_retries:
                raise found from None
            time.sleep(0.5 * 2 ** attempt)


def complete(llm: OpenAILike, system: str, user: str, settings: Settings) -> str:
    """The whole reply as one string."""
    return "".join(stream_chat(llm, system, user, settings))
