"""The answer chain: question -> passages -> cited answer, checked against its sources.

Steps, each timed:
1. validate the question; rewrite a follow-up into a standalone question;
2. retrieve passages (hybrid retriever);
3. fit the context (``rag.context``): keep the sentences of each passage
   closest to the question within a token budget;
4. generate (``rag.prompts``) with a fixed system prompt, cached by llama.cpp
   between questions, numbered passages with title and date, and the question;
5. check (``rag.grounding``) every cited sentence against its passage (and each
   number, date and name in it: ``rag.claims``), repair or drop what is not
   supported, quote the best shown sentence instead of a malformed or off-type
   draft, and refuse when nothing in the answer is supported.

This module only runs the steps in order and streams what they produce.
"""

from __future__ import annotations

import re
import time
from collections.abc import Generator, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from rag import conflict_report, conflicts, grounding
from rag.config import Settings
from rag.context import Prepared, extractive_answer, fit_context, passages_from_nodes
from rag.errors import BadQuestionError, LLMError
from rag.followups import looks_like_followup, rewrite_keeps_question, with_previous_question
from rag.grounding import is_refusal, refusal_answer
from rag.prompts import REFUSAL, build_messages, format_passages, rewrite_messages
from rag.tokens import count_tokens as default_count_tokens
from rag.types import Answer, AskOptions, StreamEvent
from rag.verify import yes_probability

if TYPE_CHECKING:
    from llama_index.core.llms import LLM

    from rag.retrieve import HybridRetriever

# Kept importable from here: the web UI, app.py, the evals and the tests use these names.
__all__ = [
    "REFUSAL",
    "AnswerChain",
    "Prepared",
    "clean_question",
    "format_passages",
    "is_refusal",
    "looks_like_followup",
]

MAX_QUESTION_CHARS = 1000


def clean_question(question: object) -> str:
    if not isinstance(question, str):
        raise BadQuestionError("The question must be text.")
    cleaned = re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", " ", question)
    cleaned = re.sub(r"\s+", " ", cleaned).strip()
    if not re.search(r"\w", cleaned):
        raise BadQuestionError("Type a question about the articles, for example: Who was attacked?")
    if len(cleaned) > MAX_QUESTION_CHARS:
        raise BadQuestionError(
            f"The question is {len(cleaned)} characters long; keep it under {MAX_QUESTION_CHARS}."
        )
    return cleaned


class AnswerChain:
    """Retrieve, generate and check; with ``llm=None`` answers are extractive."""

    def __init__(
        self,
        settings: Settings,
        retriever: HybridRetriever,
        llm: LLM | None,
        count_tokens: Any = None,
    ) -> None:
        self.settings = settings
        self.retriever = retriever
        self.llm = llm
        self.count_tokens = count_tokens or default_count_tokens

    @property
    def embed_model(self) -> Any:
        return self.retriever.embed_model

    # -- follow-ups
    def standalone_question(self, question: str, history: Sequence[dict[str, str]] | None) -> str:
        """Rewrite a follow-up into a standalone question (LLM), or enrich it (extractive)."""
        history = [m for m in (history or []) if m.get("content")]
        if not history or not self.settings.rewrite_followups or not looks_like_followup(question):
            return question
        if self.llm is None:
            return with_previous_question(question, history)
        messages = rewrite_messages(question, history, self.settings.history_turns)
        try:
            reply = self.llm.chat(messages, max_tokens=60, temperature=0.0)
        except Exception as exc:
            raise LLMError(f"Rewriting the follow-up question failed: {exc}") from exc
        rewritten = (reply.message.content or "").strip().splitlines()
        rewritten_text = rewritten[0].strip().strip('"') if rewritten else ""
        if len(rewritten_text) <= 3:
            return question
        if not rewrite_keeps_question(question, rewritten_text, history):
            return with_previous_question(question, history)
        return rewritten_text

    # -- retrieval and context
    def prepare(self, question: str, options: AskOptions) -> Prepared:
        timings: dict[str, float] = {}
        started = time.perf_counter()
        question = clean_question(question)
        standalone = self.standalone_question(question, options.history)
        timings["rewrite"] = time.perf_counter() - started

        t = time.perf_counter()
        nodes = self.retriever.search(
            standalone, top_k=options.top_k or self.settings.top_k, as_of=options.as_of
        )
        timings["retrieve"] = time.perf_counter() - t

        t = time.perf_counter()
        passages = passages_from_nodes(nodes)
        vectors = fit_context(
            standalone,
            passages,
            self.embed_model,
            self.settings.context_tokens,
            self.count_tokens,
            best_last=self.settings.best_passage_last,
        )
        scorer = conflicts.sentence_scorer(standalone, vectors, self.embed_model)
        found = conflicts.detect(standalone, passages, scorer)
        note = conflict_report.prompt_note(found) if options.style != "short" else ""
        timings["select"] = time.perf_counter() - t
        messages = build_messages(standalone, passages, options.style, note)
        prepared = Prepared(
            question, standalone, passages, messages, options.style, timings, {}, vectors
        )
        prepared.conflicts = found
        return prepared

    # -- generation
    def ask(self, question: str, options: AskOptions | None = None) -> Answer:
        answer = None
        for event in self.stream(question, options):
            if event.kind == "answer":
                answer = event.answer
        assert answer is not None
        return answer

    def stream(self, question: str, options: AskOptions | None = None) -> Iterator[StreamEvent]:
        """Yield status and text deltas as they come, then the checked Answer."""
        options = options or AskOptions()
        started = time.perf_counter()
        prepared = self.prepare(question, options)
        if prepared.standalone != prepared.question:
            yield StreamEvent("status", f"Searching for: {prepared.standalone}")
        if not any(p.in_prompt for p in prepared.passages):
            prepared.timings["total"] = time.perf_counter() - started
            yield StreamEvent("answer", answer=refusal_answer(prepared, ""))
            return
        t = time.perf_counter()
        raw = yield from self._generate(prepared, started)
        prepared.timings["generate"] = time.perf_counter() - t
        t = time.perf_counter()
        answer = self.finalize(prepared, raw)
        answer.timings["check"] = time.perf_counter() - t
        answer.timings["total"] = time.perf_counter() - started
        yield StreamEvent("answer", answer=answer)

    def _generate(self, prepared: Prepared, started: float) -> Generator[StreamEvent, None, str]:
        """Yield the answer's text as deltas and return it whole (raw, before any check)."""
        if self.llm is not None:
            return (yield from self._stream_llm(self.llm, prepared, started))
        raw = extractive_answer(
            prepared.standalone, prepared.passages, prepared.sentence_vectors, self.embed_model
        )
        prepared.timings["first_token"] = time.perf_counter() - started
        yield StreamEvent("delta", raw)
        return raw

    def _stream_llm(
        self, llm: LLM, prepared: Prepared, started: float
    ) -> Generator[StreamEvent, None, str]:
        raw = ""
        try:
            for chunk in llm.stream_chat(
                prepared.messages,
                max_tokens=16 if prepared.style == "short" else self.settings.max_answer_tokens,
                temperature=self.settings.temperature,
            ):
                if chunk.delta:
                    if not raw:
                        prepared.timings["first_token"] = time.perf_counter() - started
                    raw += chunk.delta
                    yield StreamEvent("delta", chunk.delta)
                if chunk.additional_kwargs:
                    prepared.usage.update(chunk.additional_kwargs)
        except LLMError:
            raise
        except Exception as exc:
            raise LLMError(
                f"The language model failed: {exc}. Check RAG_LLM / RAG_LLM_BASE_URL, or set "
                "RAG_LLM=extractive to answer without one."
            ) from exc
        return raw

    # -- checking
    def support(self, prepared: Prepared, claim: str, number: int) -> tuple[float, str]:
        """How well passage ``number`` supports ``claim``, and its best sentence."""
        return grounding.support(prepared, self.embed_model, claim, number)

    def finalize(self, prepared: Prepared, raw: str) -> Answer:
        """Check citations against the passages; refuse when nothing is supported."""
        verifier = None
        if self.settings.verify_answers and self.llm is not None:
            llm = self.llm

            def verifier(passages: str, question: str, answer: str) -> float:
                return yes_probability(llm, passages, question, answer)

        policy = grounding.Policy(
            self.settings.fallback_score,
            self.settings.rescue_score,
            verifier=verifier,
            verify_min_yes=self.settings.verify_min_yes,
        )
        answer = grounding.finalize(prepared, raw, self.embed_model, policy)
        if prepared.style == "short":
            answer.conflicts = [conflict_report.public(c) for c in prepared.conflicts]
            return answer
        return conflict_report.settle(answer, prepared.conflicts, prepared.passages)
