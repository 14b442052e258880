"""The answer chain: question -> passages -> cited answer, checked against its sources.

Steps, each timed:
1. validate the question; rewrite a follow-up into a standalone question;
2. retrieve passages (hybrid retriever);
3. fit the context: keep the sentences of each passage closest to the
   question within a token budget (prefill time on a CPU grows with it);
4. generate with a fixed system prompt (cached by llama.cpp between questions),
   numbered passages with title and date, and the question;
5. check every cited sentence against its passage, repair or drop wrong
   numbers, and refuse when nothing in the answer is supported.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

import numpy as np
from llama_index.core.base.llms.types import ChatMessage, MessageRole

from rag.citations import CITATION_RE, lexical_support, repair_citations, unfinished
from rag.config import Settings
from rag.errors import BadQuestionError, LLMError
from rag.text import content_stems, split_sentences
from rag.tokens import count_tokens as default_count_tokens
from rag.types import Answer, AskOptions, Passage, StreamEvent, Style

if TYPE_CHECKING:
    from llama_index.core.llms import LLM
    from llama_index.core.schema import NodeWithScore

    from rag.retrieve import HybridRetriever

REFUSAL = "I could not find the answer in the articles."
MAX_QUESTION_CHARS = 1000

_REFUSAL_PATTERNS = re.compile(
    r"could not find the answer|can ?not find the answer|"
    r"(passages?|articles?|context|texts?|sources?) (do|does|did) not (contain|mention|say|provide|"
    r"include|specify|state|give|answer)|"
    r"\b(is|are|was|were) not (mentioned|specified|provided|stated|given|named|disclosed|reported|"
    r"included|found)\b|"
    r"\bno (information|mention)\b|"
    r"(cannot|can't|unable to) (be )?(answer|determin|find|tell)",
    re.I,
)
_FOLLOWUP = re.compile(
    r"\b(he|she|it|they|them|him|his|her|hers|its|their|theirs|there|that|those|this|these|"
    r"then|the same|the other|former|latter)\b|^(and|but|so|also|what about|how about|and what)\b",
    re.I,
)


@cache
def prompt_file(name: str) -> str:
    return resources.files("rag.prompts").joinpath(name).read_text(encoding="utf-8")


def prompt(name: str) -> str:
    return prompt_file(f"{name}.txt")


@dataclass
class Prepared:
    """Everything decided before generation; ``messages`` is what the LLM gets."""

    question: str
    standalone: str
    passages: list[Passage]
    messages: list[ChatMessage]
    style: Style
    timings: dict[str, float]
    usage: dict[str, Any] = field(default_factory=dict)
    sentence_vectors: dict[str, np.ndarray] = field(default_factory=dict)
    claim_vectors: dict[str, np.ndarray] = field(default_factory=dict)


# --- pure helpers -----------------------------------------------------------------------


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


def is_refusal(text: str) -> bool:
    first = split_sentences(CITATION_RE.sub("", text).strip())
    head = first[0].text if first else text
    return bool(_REFUSAL_PATTERNS.search(head)) or not re.search(r"\w", text)


def looks_like_followup(question: str) -> bool:
    """Does the question lean on earlier turns (a pronoun, 'and ...', very short)?"""
    return bool(_FOLLOWUP.search(question)) or len(question.split()) <= 3


def passages_from_nodes(nodes: Sequence[NodeWithScore]) -> list[Passage]:
    passages = []
    for number, item in enumerate(nodes, start=1):
        node = item.node
        meta = node.metadata
        text = node.get_content()
        passages.append(
            Passage(
                number=number,
                chunk_id=node.node_id,
                source=str(meta.get("file", "")),
                title=str(meta.get("title", "")),
                date=str(meta.get("date", "")),
                url=str(meta.get("url", "")),
                text=text,
                score=float(item.score or 0.0),
                publisher=str(meta.get("source", "")),
                start_char=getattr(node, "start_char_idx", None),
                end_char=getattr(node, "end_char_idx", None),
                sentences=split_sentences(text),
            )
        )
    return passages


def overlap(question_stems: set[str], sentence: str) -> float:
    """Share of the question's content words present in the sentence."""
    if not question_stems:
        return 0.0
    return len(question_stems & set(content_stems(sentence))) / len(question_stems)


def select_sentences(
    passages: list[Passage],
    scores: dict[tuple[int, int], float],
    budget_tokens: int,
    count_tokens: Any,
    best_last: bool = False,
) -> None:
    """Greedy: best-scoring sentences first until the token budget is spent.

    Each chosen sentence brings its successor when that still fits (answers
    often sit in the sentence after the one that matches the question).
    Passages left with no sentence are marked ``in_prompt = False``.
    """
    used = 0
    chosen: dict[int, set[int]] = {p.number: set() for p in passages}
    by_number = {p.number: p for p in passages}
    seen: set[str] = set()  # overlapping chunks repeat sentences; show each once
    for (number, index), _ in sorted(scores.items(), key=lambda kv: -kv[1]):
        passage = by_number[number]
        for i in (index, index + 1):
            if i >= len(passage.sentences) or i in chosen[number]:
                continue
            key = passage.sentences[i].text.lower()
            if key in seen:
                continue
            cost = count_tokens(passage.sentences[i].text) + 1
            if used + cost > budget_tokens:
                if i == index:
                    break
                continue
            chosen[number].add(i)
            seen.add(key)
            used += cost
        if used >= budget_tokens:
            break
    for passage in passages:
        passage.selected = sorted(chosen[passage.number])
        passage.in_prompt = bool(passage.selected)
    # Number the passages the model sees 1..m in the order shown; the rest follow.
    shown = [p for p in passages if p.in_prompt]
    if best_last:
        shown.reverse()
    ordered = shown + [p for p in passages if not p.in_prompt]
    for number, passage in enumerate(ordered, start=1):
        passage.number = number
    passages[:] = ordered


def format_passages(passages: Sequence[Passage]) -> str:
    return "\n\n".join(f"{p.header()}\n{p.context_text()}" for p in passages if p.in_prompt)


@cache
def example_turns(style: Style) -> tuple[ChatMessage, ...]:
    """Worked examples as earlier chat turns: small models follow shown answers best.

    They sit in the fixed prefix of every prompt, so llama.cpp evaluates them once.
    """
    data = json.loads(prompt_file("examples.json"))
    turns = []
    for example in data[style]:
        user = prompt("answer_user").format(
            question=example["question"], passages=data["passages"][example["passages"]]
        )
        turns.append(ChatMessage(role=MessageRole.USER, content=user.strip()))
        turns.append(
            ChatMessage(
                role=MessageRole.ASSISTANT, content=example["answer"].format(refusal=REFUSAL)
            )
        )
    return tuple(turns)


def build_messages(question: str, passages: Sequence[Passage], style: Style) -> list[ChatMessage]:
    system = prompt("short_system" if style == "short" else "answer_system").format(refusal=REFUSAL)
    user = prompt("answer_user").format(passages=format_passages(passages), question=question)
    return [
        ChatMessage(role=MessageRole.SYSTEM, content=system.strip()),
        *example_turns(style),
        ChatMessage(role=MessageRole.USER, content=user.strip()),
    ]


def format_history(history: Sequence[dict[str, str]], turns: int) -> str:
    lines = []
    for message in list(history)[-2 * turns :]:
        role = "User" if message.get("role") == "user" else "Assistant"
        content = CITATION_RE.sub("", str(message.get("content", ""))).strip()
        lines.append(f"{role}: {content[:600]}")
    return "\n".join(lines)


def _cosine_matrix(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    a = a / (np.linalg.norm(a, axis=-1, keepdims=True) + 1e-9)
    b = b / (np.linalg.norm(b, axis=-1, keepdims=True) + 1e-9)
    return a @ b.T


def calibrated_cosine(cos: float, low: float = 0.35, high: float = 0.75) -> float:
    """Map MiniLM cosine to [0, 1]: below ``low`` is unrelated, above ``high`` a paraphrase."""
    return float(min(1.0, max(0.0, (cos - low) / (high - low))))


# --- the chain ---------------------------------------------------------------------------


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
            last_user = next(
                (m["content"] for m in reversed(history) if m.get("role") == "user"), ""
            )
            return f"{question} ({last_user})" if last_user else question
        messages = [
            ChatMessage(role=MessageRole.SYSTEM, content=prompt("rewrite_system").strip()),
            ChatMessage(
                role=MessageRole.USER,
                content=prompt("rewrite_user")
                .format(
                    history=format_history(history, self.settings.history_turns), question=question
                )
                .strip(),
            ),
        ]
        try:
            reply = self.llm.chat(messages, max_tokens=60, temperature=0.0)
        except Exception as exc:
            raise LLMError(f"Rewriting the follow-up question failed: {exc}") from exc
        rewritten = (reply.message.content or "").strip().splitlines()
        rewritten_text = rewritten[0].strip().strip('"') if rewritten else ""
        return rewritten_text if len(rewritten_text) > 3 else question

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
        vectors = self._score_and_select(standalone, passages)
        timings["select"] = time.perf_counter() - t
        messages = build_messages(standalone, passages, options.style)
        return Prepared(
            question, standalone, passages, messages, options.style, timings, {}, vectors
        )

    def _score_and_select(self, question: str, passages: list[Passage]) -> dict[str, np.ndarray]:
        if not passages:
            return {}
        texts = [s.text for p in passages for s in p.sentences]
        q_vec = np.asarray(self.embed_model.get_query_embedding(question))
        s_vecs = np.asarray(self.embed_model.get_text_embedding_batch(texts))
        cos = _cosine_matrix(q_vec[None, :], s_vecs)[0]
        q_stems = set(content_stems(question))
        scores: dict[tuple[int, int], float] = {}
        vectors: dict[str, np.ndarray] = {}
        k = 0
        for rank, passage in enumerate(passages):
            n = len(passage.sentences)
            vectors[passage.chunk_id] = s_vecs[k : k + n]
            for i, sentence in enumerate(passage.sentences):
                scores[(passage.number, i)] = (
                    float(cos[k + i]) + 0.5 * overlap(q_stems, sentence.text) - 0.02 * rank
                )
            k += n
        select_sentences(
            passages,
            scores,
            self.settings.context_tokens,
            self.count_tokens,
            best_last=self.settings.best_passage_last,
        )
        return vectors

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
        style = options.style
        started = time.perf_counter()
        prepared = self.prepare(question, options)
        if prepared.standalone != prepared.question:
            yield StreamEvent("status", f"Searching for: {prepared.standalone}")
        if not any(p.in_prompt for p in prepared.passages):
            prepared.timings["total"] = time.perf_counter() - started
            yield StreamEvent("answer", answer=self._refusal(prepared, ""))
            return
        t = time.perf_counter()
        if self.llm is None:
            raw = self._extractive(prepared)
            prepared.timings["first_token"] = time.perf_counter() - started
            yield StreamEvent("delta", raw)
        else:
            raw = ""
            try:
                for chunk in self.llm.stream_chat(
                    prepared.messages,
                    max_tokens=16 if style == "short" else self.settings.max_answer_tokens,
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
        prepared.timings["generate"] = time.perf_counter() - t
        t = time.perf_counter()
        answer = self.finalize(prepared, raw)
        answer.timings["check"] = time.perf_counter() - t
        answer.timings["total"] = time.perf_counter() - started
        yield StreamEvent("answer", answer=answer)

    def _extractive(self, prepared: Prepared) -> str:
        """The best-supported sentences of the passages, cited: no LLM needed."""
        question = prepared.standalone
        q_vec = np.asarray(self.embed_model.get_query_embedding(question))
        q_stems = set(content_stems(question))
        best: list[tuple[float, int, int]] = []
        for passage in prepared.passages:
            vecs = prepared.sentence_vectors.get(passage.chunk_id)
            if vecs is None or not len(vecs):
                continue
            cos = _cosine_matrix(q_vec[None, :], vecs)[0]
            for i, sentence in enumerate(passage.sentences):
                score = float(cos[i]) + 0.5 * overlap(q_stems, sentence.text)
                best.append((score, passage.number, i))
        best.sort(reverse=True)
        if not best or best[0][0] < 0.45:
            return REFUSAL
        chosen = [b for b in best[:2] if b[0] >= best[0][0] - 0.1]
        by_number = {p.number: p for p in prepared.passages}
        return " ".join(f"{by_number[n].sentences[i].text} [{n}]" for _, n, i in chosen)

    def _refusal(self, prepared: Prepared, raw: str) -> Answer:
        return Answer(
            question=prepared.question,
            answer=REFUSAL,
            refused=True,
            citations=[],
            passages=prepared.passages,
            standalone_question=prepared.standalone,
            timings=prepared.timings,
            usage=prepared.usage,
            raw_answer=raw,
        )

    def support(self, prepared: Prepared, claim: str, number: int) -> tuple[float, str]:
        """How well passage ``number`` supports ``claim``, and its best sentence."""
        passage = next(p for p in prepared.passages if p.number == number)
        lexical = lexical_support(claim, f"{passage.header()}\n{passage.text}")
        vecs = prepared.sentence_vectors.get(passage.chunk_id)
        quote, cos = "", 0.0
        if vecs is not None and len(vecs):
            c_vec = prepared.claim_vectors.get(claim)
            if c_vec is None:
                c_vec = np.asarray(self.embed_model.get_text_embedding(claim))
                prepared.claim_vectors[claim] = c_vec
            sims = _cosine_matrix(c_vec[None, :], vecs)[0]
            lex = np.array([lexical_support(claim, s.text) for s in passage.sentences])
            best = int(np.argmax(sims + lex))
            cos, quote = float(sims[best]), passage.sentences[best].text
        return max(lexical, (lexical + calibrated_cosine(cos)) / 2), quote

    def finalize(self, prepared: Prepared, raw: str) -> Answer:
        """Check citations against the passages; refuse when nothing is supported."""
        text = raw.strip()
        if prepared.style == "short":
            text = text.splitlines()[0].strip() if text else ""
        if not text or is_refusal(text):
            return self._refusal(prepared, raw)
        numbers = [p.number for p in prepared.passages if p.in_prompt]
        cache_: dict[tuple[str, int], tuple[float, str]] = {}

        def support(claim: str, number: int) -> float:
            if (claim, number) not in cache_:
                cache_[(claim, number)] = self.support(prepared, claim, number)
            return cache_[(claim, number)][0]

        if prepared.style == "short":
            # A bare phrase: cite the passage that contains it, refuse if none does.
            if unfinished(text):
                return self._refusal(prepared, raw)
            scores = {n: support(text, n) for n in numbers}
            best = max(numbers, key=lambda n: scores[n])
            if scores[best] < 0.5:
                return self._refusal(prepared, raw)
            repaired_text, cited = CITATION_RE.sub("", text).strip(), [best]
        else:
            repair = repair_citations(text, numbers, support)
            if not repair.cited_ids:
                return self._refusal(prepared, raw)
            repaired_text, cited = repair.answer, repair.cited_ids
            for claim in repair.claims:
                for n in claim.kept:
                    support(claim.text, n)
        by_number = {p.number: p for p in prepared.passages}
        citations = []
        for n in cited:
            passage = by_number[n]
            quotes = [v for (claim, m), v in cache_.items() if m == n]
            if quotes:
                passage.quote = max(quotes)[1]
            citations.append(passage)
        return Answer(
            question=prepared.question,
            answer=repaired_text,
            refused=False,
            citations=citations,
            passages=prepared.passages,
            standalone_question=prepared.standalone,
            timings=prepared.timings,
            usage=prepared.usage,
            raw_answer=raw,
        )
