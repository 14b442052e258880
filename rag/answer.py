"""The answer chain: question -> passages -> cited answer, checked against its sources.

Steps, each timed:
1. validate the question; rewrite a follow-up into a standalone question;
2. retrieve passages (``rag.search``: the question's window, the hybrid retriever,
   and a second search with a sketched answer when the first looks unsure);
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
from datetime import date
from typing import TYPE_CHECKING, Any

from rag import confidence, conflict_report, conflicts, expand, grounding, reask, window_hint
from rag.citations import strip_markup
from rag.claims import question_type
from rag.config import Settings
from rag.conflict_search import Fitted, with_other_side
from rag.context import Prepared, extractive_answer, fit_context, passages_from_nodes
from rag.errors import BadQuestionError, LLMError
from rag.followups import looks_like_followup, standalone_question
from rag.grounding import is_refusal, refusal_answer
from rag.newest import CHANGE_NOTE, needs_change_note, stale_prefix
from rag.prompts import REFUSAL, build_messages, format_passages
from rag.search import Found, search
from rag.text import respelled
from rag.tokens import count_tokens as default_count_tokens
from rag.types import Answer, AskOptions, StreamEvent
from rag.verify import answers_probability, yes_probability

if TYPE_CHECKING:
    from llama_index.core.llms import LLM
    from llama_index.core.schema import NodeWithScore

    from rag.retrieve import HybridRetriever

# Kept importable from here: the web UI, app.py, the evals and the tests use these names.
__all__ = [
    "LOW_CONFIDENCE_NOTE",
    "REFUSAL",
    "AnswerChain",
    "Prepared",
    "clean_question",
    "format_passages",
    "is_refusal",
    "looks_like_followup",
]

MAX_QUESTION_CHARS = 1000
SKETCHES_KEPT = 256
LOW_CONFIDENCE_NOTE = (
    "The articles found may not be about this question; treat this answer with care."
)


ASK_FOR = {
    "question": "Type a question about the articles, for example: Who was attacked?",
    "topic": "Type a topic to follow through the articles, for example: Palmyra attack.",
}


def clean_question(question: object, kind: str = "question") -> str:
    """The text with control characters and runs of spaces gone; ``BadQuestionError`` when
    empty or too long, worded for what was asked for (a question, or a timeline's topic)."""
    if not isinstance(question, str):
        raise BadQuestionError(f"The {kind} must be text.")
    cleaned = re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", " ", question)
    cleaned = re.sub(r"\s+", " ", cleaned).strip()
    if not re.search(r"\w", cleaned):
        raise BadQuestionError(ASK_FOR[kind])
    if len(cleaned) > MAX_QUESTION_CHARS:
        raise BadQuestionError(
            f"The {kind} is {len(cleaned)} characters long; keep it under {MAX_QUESTION_CHARS}."
        )
    return cleaned


def dated(answer: Answer, prepared: Prepared) -> Answer:
    """The answer with its as-of day and window, and "As of <date>:" when its sources are old.

    The prefix goes on cited answers to current-state questions, and on any cited
    answer asked with an as-of day, whose newest cited source is over 30 days older.
    """
    answer.as_of, answer.window = prepared.as_of, prepared.window
    if answer.refused or prepared.style != "cited" or not answer.citations:
        return answer
    if prepared.current_state or prepared.as_of:
        reference = date.fromisoformat(prepared.as_of) if prepared.as_of else date.today()
        prefix = stale_prefix(answer.citations, reference)
        if prefix and not answer.answer.startswith("As of"):
            answer.answer = prefix + answer.answer
    return answer


def noted(prepared: Prepared) -> bool:
    """Whether this answer opens with the low-confidence note: cited answers only (a short
    answer is a bare phrase that the benchmark scores by its words)."""
    return prepared.low_confidence and prepared.style == "cited"


def flagged(answer: Answer, prepared: Prepared) -> Answer:
    """The answer marked low-confidence, its text opening with the note unless refused.

    The note is streamed first too (``AnswerChain.stream``), so the draft the user
    watched and the checked answer both start with it.
    """
    answer.low_confidence = prepared.low_confidence
    if noted(prepared) and not answer.refused:
        answer.answer = f"{LOW_CONFIDENCE_NOTE}\n\n{answer.answer}"
    return answer


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
        self._sketches: dict[str, str] = {}  # rag.expand, by question, oldest first

    @property
    def embed_model(self) -> Any:
        return self.retriever.embed_model

    # -- follow-ups
    def standalone_question(self, question: str, history: Sequence[dict[str, str]] | None) -> str:
        """Rewrite a follow-up into a standalone question (``rag.followups``)."""
        if not self.settings.rewrite_followups:
            return question
        return standalone_question(self.llm, question, history, self.settings.history_turns)

    # -- retrieval and context
    def prepare(self, question: str, options: AskOptions) -> Prepared:
        timings: dict[str, float] = {}
        started = time.perf_counter()
        question = clean_question(question)
        standalone = self.standalone_question(question, options.history)
        respell = self.retriever.bm25.corrections(standalone) if self.retriever.size else {}
        if self.settings.correct_spelling and respell:
            # Retrieval searches the corrected words; here the prompt's sentences, the model
            # and the checks read them too (off by default: README, Quality).
            standalone = self.retriever.bm25.correct_query(standalone)
        timings["rewrite"] = time.perf_counter() - started

        t = time.perf_counter()
        wants_value = options.style != "short" and conflicts.expected_kind(standalone) is not None
        extra = self.settings.conflict_reserve if wants_value else 0
        nodes, as_of, window, current, query, own = self.search(standalone, options, extra, timings)
        top_k = options.top_k or self.settings.top_k
        nodes, reserve = nodes[:top_k], nodes[top_k:]
        timings["retrieve"] = time.perf_counter() - t - timings.get("expand", 0.0)

        t = time.perf_counter()

        def fit(chosen: Sequence[NodeWithScore]) -> Fitted:
            passages = passages_from_nodes(chosen)
            vectors = fit_context(
                standalone,
                passages,
                self.embed_model,
                self.settings.context_tokens,
                self.count_tokens,
                best_last=self.settings.best_passage_last,
            )
            scorer = conflicts.sentence_scorer(standalone, vectors, self.embed_model)
            return passages, vectors, conflicts.detect(standalone, passages, scorer)

        fitted = fit(nodes)
        passages, vectors, found = fitted
        if not found and reserve:
            swapped = with_other_side(standalone, nodes, fitted, reserve, fit, self.embed_model)
            if swapped is not None:
                nodes, (passages, vectors, found) = swapped
        note = conflict_report.prompt_note(found) if options.style != "short" else ""
        timings["select"] = time.perf_counter() - t
        messages = build_messages(standalone, passages, options.style, note)
        if current and options.style == "cited" and needs_change_note(passages):
            messages[-1].content = f"{messages[-1].content}\n({CHANGE_NOTE})"
        prepared = Prepared(
            question, standalone, passages, messages, options.style, timings, {}, vectors
        )
        prepared.as_of = as_of.isoformat() if as_of else None
        prepared.window = window.to_dict() if window else None
        prepared.window_phrase = window.phrase if window else ""
        prepared.respell = respell
        prepared.current_state = current
        prepared.search_query = query
        prepared.conflicts = found
        judged = nodes if query == standalone else own  # the question's own similarity
        prepared.low_confidence = confidence.is_low(
            standalone, confidence.from_nodes(judged), self.settings.low_confidence
        )
        return prepared

    def search(
        self,
        question: str,
        options: AskOptions,
        extra: int = 0,
        timings: dict[str, float] | None = None,
    ) -> Found:
        """Retrieve for ``question`` as a user's question is (``rag.search``)."""
        sketch = self.sketch if self.llm is not None else None
        return search(self.settings, self.retriever, sketch, question, options, extra, timings)

    def sketch(self, question: str) -> str:
        """The LLM's sketched answer for an unsure search (``rag.expand``), kept for the
        last questions: asking again (or the evals' retrieval record, then the answer)
        costs one generation, not two."""
        assert self.llm is not None
        if question not in self._sketches:
            self._sketches[question] = expand.sketch(self.llm, question)
            while len(self._sketches) > SKETCHES_KEPT:
                self._sketches.pop(next(iter(self._sketches)))
        return self._sketches[question]

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
        if prepared.search_query != prepared.standalone:
            yield StreamEvent("status", "Searched again with related words")
        if not any(p.in_prompt for p in prepared.passages):
            prepared.timings["total"] = time.perf_counter() - started
            refused = self.explained(refusal_answer(prepared, ""), prepared, options)
            yield StreamEvent("answer", answer=flagged(dated(refused, prepared), prepared))
            return
        shown = sum(p.in_prompt for p in prepared.passages)
        yield StreamEvent("status", f"Reading {shown} passage{'s' if shown != 1 else ''}")
        if noted(prepared):
            yield StreamEvent("delta", LOW_CONFIDENCE_NOTE + "\n\n")
        t = time.perf_counter()
        yield StreamEvent("status", "Writing the answer")
        raw = yield from self._generate(prepared, started)
        prepared.timings["generate"] = time.perf_counter() - t
        yield StreamEvent("status", "Checking the answer against the passages")
        t = time.perf_counter()
        answer = self.finalize(prepared, raw)
        if answer.refused and self.reasks(prepared):
            yield StreamEvent("status", "Reading the best sentences again")
            answer = self.reask(prepared, answer)
        if not answer.refused:  # the user's typo echoed ("Et Tanff") in the corpus's spelling
            answer.answer = respelled(answer.answer, prepared.respell)
        answer = flagged(dated(self.explained(answer, prepared, options), prepared), prepared)
        answer.timings["check"] = time.perf_counter() - t
        answer.timings["total"] = time.perf_counter() - started
        yield StreamEvent("answer", answer=answer)

    def _generate(self, prepared: Prepared, started: float) -> Generator[StreamEvent, None, str]:
        """Yield the answer's text as deltas and return it whole (raw, before any check)."""
        if self.llm is not None and not self.quotes(prepared):
            return (yield from self._stream_llm(self.llm, prepared, started))
        raw = extractive_answer(
            prepared.standalone,
            prepared.passages,
            prepared.sentence_vectors,
            self.embed_model,
            newest_first=prepared.current_state,
        )
        prepared.timings["first_token"] = time.perf_counter() - started
        yield StreamEvent("delta", raw)
        return raw

    def reasks(self, prepared: Prepared) -> bool:
        """Whether a refusal gets a second, focused draft (``rag.reask``)."""
        return (
            self.llm is not None
            and self.settings.reask_sentences > 0
            and prepared.style == "cited"
            and not self.quotes(prepared)
        )

    def explained(self, answer: Answer, prepared: Prepared, options: AskOptions) -> Answer:
        """A refusal under the question's own date window names what lies outside it."""
        return window_hint.explained(answer, prepared, self.settings, self.retriever, options)

    def reask(self, prepared: Prepared, refused: Answer) -> Answer:
        """The focused draft's checked answer, or ``refused`` when it refuses too."""
        found = reask.second_draft(
            prepared, self.embed_model, self.llm, self.settings, self.finalize
        )
        return found or refused

    def quotes(self, prepared: Prepared) -> bool:
        """Whether the answer quotes the passages' own sentences instead of asking the LLM.

        Yes/no questions: the 1.5B model's yes or no was wrong on most dev yes/no
        questions whose settling sentence it had read, while that sentence, quoted,
        answers them (README, Quality).
        """
        return (
            self.settings.quote_yes_no
            and prepared.style == "cited"
            and question_type(prepared.standalone) == "yes_no"
        )

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
        llm, settings = self.llm, self.settings
        drafted = llm is not None and not self.quotes(prepared)
        verifier = refusal_check = None
        if llm is not None and settings.verify_answers:

            def verifier(passages: str, question: str, answer: str) -> float:
                return yes_probability(llm, passages, question, answer)

        if llm is not None and settings.check_refusals:

            def refusal_check(title: str, sentence: str, question: str) -> float:
                return answers_probability(llm, title, sentence, question)

        policy = grounding.Policy(
            self.settings.fallback_score,
            self.settings.rescue_score,
            # the passages' own sentences (extractive, yes/no) are no paraphrase
            quote_paraphrase_below=settings.quote_paraphrase_below if drafted else 0.0,
            verifier=verifier,
            verify_min_yes=self.settings.verify_min_yes,
            refusal_check=refusal_check,
            refusal_check_min_yes=self.settings.refusal_check_min_yes,
        )
        answer = grounding.finalize(prepared, raw, self.embed_model, policy)
        if llm is not None and answer.route == "draft" and self.quotes(prepared):
            answer.route = "quoted"  # the passages' sentences, not the model's words
        answer.answer = strip_markup(answer.answer)  # quoted article text may carry links too
        if prepared.style == "short":
            answer.conflicts = [conflict_report.public(c) for c in prepared.conflicts]
            return answer
        return conflict_report.settle(answer, prepared.conflicts, prepared.passages)
