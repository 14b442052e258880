"""One typed settings object for the whole pipeline.

Every field has a default and a description; each can be overridden by an
environment variable named ``RAG_<FIELD>`` (``RAG_TOP_K=8``) or a ``.env`` file
in the working directory. Code receives a ``Settings`` instance as an argument;
nothing below the CLI and the app reads the environment itself. An unknown
``RAG_*`` variable is an error naming the closest known one: a misspelt
``RAG_TOPK=3`` must not be dropped silently.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Mapping
from pathlib import Path

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from rag.types import LLMBackend

ENV_PREFIX = "RAG_"
ENV_FILE = ".env"
SUGGEST_CUTOFF = 0.7  # difflib similarity after "RAG_": TOPK~TOP_K 0.89, FOO~PORT 0.29


def _default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "news-rag"


class Settings(BaseSettings):
    """Configuration of the indexer, retriever, answer chain and app."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, env_file=ENV_FILE, extra="forbid", validate_default=True
    )

    # Where things live
    corpus_dir: Path = Field(Path("corpus"), description="Folder of articles to index.")
    index_dir: Path = Field(
        Path(".rag"), description="Folder for the embedded Chroma store and ingest state."
    )
    chroma_url: str | None = Field(
        None,
        description="URL of a Chroma server (http://host:port); unset uses the embedded store.",
    )
    collection: str = Field("articles", description="Chroma collection name.")
    feedback_path: Path | None = Field(
        None,
        description="Web chat feedback (JSONL); thumbs up/down; unset: <index_dir>/feedback.jsonl.",
    )
    cache_dir: Path = Field(
        default_factory=_default_cache_dir,
        description="Per-user cache for assembled model files (the default GGUF).",
    )

    # Reading and indexing the corpus
    max_file_mb: float = Field(
        20.0, gt=0, description="Largest corpus file read, in MB; bigger ones are skipped by name."
    )
    allow_outside_links: bool = Field(
        False,
        description="Follow links in the corpus folder to files outside it (off: never read).",
    )
    ingest_batch_chunks: int = Field(
        512, ge=1, description="Chunks embedded and committed per step of an ingest."
    )
    watch: bool = Field(
        True, description="Watch the corpus folder in the app and index changes as they land."
    )
    watch_debounce_ms: int = Field(
        1500, ge=50, description="Quiet time after a change in the corpus folder before indexing."
    )

    # Models
    embed_model: str | None = Field(
        None,
        description="Path of a sentence-transformers model; unset: the bundled all-MiniLM-L6-v2.",
    )
    embed_batch_size: int = Field(32, ge=1, description="Passages per embedding batch.")
    llm: LLMBackend = Field(
        "local",
        description="Answer backend: local GGUF, any OpenAI-compatible server, or extractive.",
    )
    llm_model: str | None = Field(
        None,
        description="GGUF path (local) or model name (openai); unset uses the default model.",
    )
    llm_base_url: str | None = Field(
        None,
        description="Base URL of the OpenAI-compatible server (e.g. http://localhost:11434/v1).",
    )
    llm_api_key: SecretStr | None = Field(
        None, description="API key for the OpenAI-compatible server, if it needs one."
    )
    llm_threads: int = Field(
        default_factory=lambda: max(1, os.cpu_count() or 1),
        ge=1,
        description="CPU threads for the local LLM.",
    )
    llm_context_window: int = Field(
        2048, ge=512, description="Context window of the local LLM (prompts use under 1,500)."
    )
    llm_timeout: float = Field(120.0, gt=0, description="Seconds before an LLM request fails.")
    max_answer_tokens: int = Field(160, ge=8, description="Upper bound on generated answer tokens.")
    temperature: float = Field(0.0, ge=0, le=2, description="Sampling temperature of the LLM.")

    # Chunking
    chunk_size: int = Field(
        200,
        ge=32,
        description="Chunk size in cl100k tokens, title included; fits MiniLM's 256 word pieces.",
    )
    chunk_overlap: int = Field(24, ge=0, description="Tokens shared by neighbouring chunks.")

    # Retrieval
    top_k: int = Field(5, ge=1, le=50, description="Passages retrieved for each question.")
    candidates: int = Field(
        40, ge=1, description="Candidates taken from each retriever (dense, BM25) before fusion."
    )
    rrf_k: int = Field(60, ge=1, description="Reciprocal-rank-fusion constant.")
    dense_weight: float = Field(1.0, ge=0, description="Weight of the dense ranking in fusion.")
    bm25_weight: float = Field(1.0, ge=0, description="Weight of the BM25 ranking in fusion.")

    max_chunks_per_article: int = Field(
        2, ge=0, description="Most passages taken from one article (0: no limit)."
    )
    story_threshold: float = Field(
        0.4,
        gt=0,
        le=1,
        description="Estimated word-shingle Jaccard similarity at which two articles are copies "
        "of one story (syndication).",
    )
    one_passage_per_story: bool = Field(
        True, description="Show one copy of each story; list the other copies as also_in."
    )
    conflict_reserve: int = Field(
        3,
        ge=0,
        le=20,
        description="Passages past top_k read for the other side of a disagreement; one that "
        "contradicts a shown passage replaces the lowest-ranked passage (0 = off).",
    )
    recency_weight: float = Field(
        1.0,
        ge=0,
        description="Boost for recent articles in fusion (1 = a top rank in one list for today's).",
    )
    recency_half_life_days: float = Field(
        30.0,
        gt=0,
        description="Age in days at which the recency boost halves (age from the question's "
        "cut-off date, else from the newest article).",
    )
    event_dates: bool = Field(
        True,
        description="Resolve dates written in articles ('on Monday') at ingest, for timelines.",
    )
    question_windows: bool = Field(
        True,
        description="Turn date phrases in questions ('last week', 'in March') into a "
        "publish-date window for retrieval.",
    )
    current_recency_weight: float = Field(
        2.0,
        ge=0,
        description="Recency boost for current-state questions ('when will it open?'), "
        "where the newest article is what is true now.",
    )
    low_confidence: float = Field(
        0.40,
        ge=0,
        le=1,
        description="Top dense (cosine) similarity of question and passages under which the "
        "answer opens with a note that the articles found may not be about the question "
        "(rag.confidence); 0 turns the note off.",
    )
    expand_below: float = Field(
        0.0,
        ge=0,
        le=1,
        description="Top dense similarity under which the LLM sketches an answer and retrieval "
        "runs again with it (rag.expand), on indexes of more chunks than RAG_CANDIDATES; "
        "0 = off. 0.66 raised RealTime QA recall@5 but not multiple choice (README).",
    )

    # Answering
    context_tokens: int = Field(
        180,
        ge=64,
        description="Token budget for passage text in the prompt (prefill time grows with it).",
    )
    best_passage_last: bool = Field(
        False,
        description="Show passages in rising relevance, the best next to the question.",
    )
    fallback_score: float = Field(
        0.45,
        ge=0,
        description="Least score (cosine + 0.5 x word overlap) of a sentence quoted in place of "
        "a malformed or off-type draft.",
    )
    quote_paraphrase_below: float = Field(
        0.0,
        ge=0,
        le=1,
        description="Quote the best sentence instead of a draft when less than this share of "
        "the draft's own words are in the sentences it cites (0 = off).",
    )
    reask_sentences: int = Field(
        3,
        ge=0,
        le=20,
        description="When the model refuses, ask it once more on only this many best-scoring "
        "sentences (0 = off).",
    )
    rescue_score: float = Field(
        0.75,
        ge=0,
        description="Least score of a sentence quoted in place of the model's refusal (it must "
        "also hold every distinguishing question word).",
    )
    verify_answers: bool = Field(
        False,
        description="Ask the LLM a yes/no check of each drafted answer against its cited "
        "sentences (one more short prefill per answer).",
    )
    verify_min_yes: float = Field(
        0.5, ge=0, le=1, description="Least probability of 'Yes' for a checked answer to stand."
    )
    quote_yes_no: bool = Field(
        True,
        description="Answer yes/no questions with the passage sentences that settle them, "
        "quoted and cited, instead of the LLM's yes or no.",
    )
    check_refusals: bool = Field(
        False,
        description="When the LLM refuses, ask it whether the best passage sentence answers the "
        "question (one short prefill), and quote that sentence if it does.",
    )
    refusal_check_min_yes: float = Field(
        0.75,
        ge=0,
        le=1,
        description="Least probability of 'Yes' for a sentence to be quoted over a refusal.",
    )
    rewrite_followups: bool = Field(
        True, description="Rewrite follow-up questions into standalone ones before retrieval."
    )
    history_turns: int = Field(3, ge=0, description="Chat turns used to rewrite a follow-up.")
    correct_spelling: bool = Field(
        False,
        description="Also ask the model the question with misspelled words (unknown to the "
        "corpus, one edit from a corpus word) corrected, as retrieval searches it.",
    )

    # App
    host: str = Field("127.0.0.1", description="Address the web app binds.")
    port: int = Field(7860, ge=1, le=65535, description="Port of the web app.")
    auth: str | None = Field(None, description="Basic auth for the app as user:password.")
    max_upload_mb: float = Field(20.0, gt=0, description="Largest article upload accepted, in MB.")
    allow_open: bool = Field(
        False,
        description="Serve on a non-loopback RAG_HOST without RAG_AUTH (anyone on the network "
        "can then read the corpus and use the model).",
    )
    max_request_mb: float = Field(
        1.0, gt=0, description="Largest API request body accepted, in MB (uploads excepted)."
    )
    max_history_turns: int = Field(
        50, ge=0, description="Most earlier chat turns one API request may carry."
    )
    max_turn_chars: int = Field(
        4000, ge=1, description="Longest earlier chat turn accepted, in characters."
    )

    # Evaluation
    benchmark_dir: Path = Field(
        Path("../shared/benchmarks/realtimeqa-2026-jan-apr"),
        description="RealTime QA data folder read by `make bench` when --data is not given.",
    )
    judge_base_url: str | None = Field(
        None, description="OpenAI-compatible URL of an LLM judge for `rag eval`; unset: no judge."
    )
    judge_model: str | None = Field(None, description="Model name of the LLM judge.")
    judge_api_key: SecretStr | None = Field(None, description="API key of the LLM judge.")

    @field_validator("chroma_url")
    @classmethod
    def _check_url(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        if not value.startswith(("http://", "https://")):
            raise ValueError("RAG_CHROMA_URL must look like http://host:port")
        return value.rstrip("/")

    @field_validator("auth")
    @classmethod
    def _check_auth(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        user, colon, password = value.partition(":")
        if not colon or not user.strip() or not password.strip():
            raise ValueError(
                "RAG_AUTH must be user:password with neither part empty (e.g. desk:long-passphrase)"
            )
        return value

    @property
    def store_kind(self) -> str:
        """'server' when a Chroma server is configured, else 'embedded'."""
        return "server" if self.chroma_url else "embedded"

    @property
    def chroma_path(self) -> Path:
        return self.index_dir / "chroma"

    @property
    def state_path(self) -> Path:
        return self.index_dir / "state.json"

    @property
    def feedback_file(self) -> Path:
        """Where the web chat's feedback goes (``feedback_path`` or the index folder)."""
        return self.feedback_path or self.index_dir / "feedback.jsonl"

    @property
    def docstore_path(self) -> Path:
        return self.index_dir / f"docstore-{self.collection}.json"


def _dotenv_names(path: Path) -> list[str]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return []
    names = []
    for line in lines:
        line = line.strip().removeprefix("export ").strip()
        if line and not line.startswith("#") and "=" in line:
            names.append(line.split("=", 1)[0].strip())
    return names


def unknown_variables(environ: Mapping[str, str] | None = None) -> list[str]:
    """``RAG_*`` names in the environment or ``.env`` that match no setting, each with a hint."""
    environ = os.environ if environ is None else environ
    known = {f"{ENV_PREFIX}{name.upper()}" for name in Settings.model_fields}
    names = [*environ, *_dotenv_names(Path(ENV_FILE))]
    problems = []
    for name in sorted({n for n in names if n.upper().startswith(ENV_PREFIX)}):
        if name.upper() in known:
            continue
        close = closest_setting(name)
        hint = f" (did you mean {close}?)" if close else ""
        problems.append(f"{name} is not a setting{hint}")
    return problems


def closest_setting(name: str) -> str | None:
    """The setting ``name`` likely misspells, compared without the shared ``RAG_`` (which
    alone made ``RAG_FOO`` look 60% like ``RAG_PORT``); None when none is close."""
    typed = name.upper().removeprefix(ENV_PREFIX)
    fields = sorted(field.upper() for field in Settings.model_fields)
    close = difflib.get_close_matches(typed, fields, n=1, cutoff=SUGGEST_CUTOFF)
    return f"{ENV_PREFIX}{close[0]}" if close else None


def load_settings(**overrides: object) -> Settings:
    """Settings from RAG_* variables and ``overrides``; a bad value is one readable line."""
    from rag.errors import ConfigError

    unknown = unknown_variables()
    if unknown:
        raise ConfigError(
            "Unknown settings: " + "; ".join(unknown) + ". `python -m rag.config` lists them all."
        )
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = "; ".join(
            f"{'RAG_' + str(e['loc'][0]).upper() if e['loc'] else 'settings'}: {e['msg']}"
            for e in exc.errors()
        )
        raise ConfigError(f"Invalid settings: {problems}") from exc


def settings_table() -> str:
    """The Markdown table of every setting, for the README (``python -m rag.config``)."""
    rows = ["| Variable | Default | Meaning |", "|---|---|---|"]
    for name, field in Settings.model_fields.items():
        if field.default_factory is not None:
            default = {"cache_dir": "~/.cache/news-rag", "llm_threads": "CPU count"}.get(
                name, "computed"
            )
        else:
            default = "unset" if field.default is None else str(field.default)
        rows.append(f"| `RAG_{name.upper()}` | `{default}` | {field.description} |")
    return "\n".join(rows)


if __name__ == "__main__":
    print(settings_table())
