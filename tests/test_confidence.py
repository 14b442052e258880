"""Retrieval confidence: the signals on hand-made passages, and the note through the pipeline.

The pipeline tests use the real embedder, a real Chroma holding the seed corpus
(two articles on the Palmyra attack) and the extractive backend.
"""

from __future__ import annotations

import json

import pytest

from rag import confidence
from rag.answer import LOW_CONFIDENCE_NOTE
from rag.confidence import Retrieved
from rag.pipeline import RAG
from tests.contract import ANSWER_KEYS

QUESTION = "How many US soldiers were killed in the Palmyra attack?"
RELATED = [
    Retrieved(
        "Two US soldiers and one civilian interpreter were killed in the attack in Palmyra.",
        title="US soldiers killed in Palmyra",
        dense_score=0.71,
        dense_rank=1,
        bm25_rank=1,
    ),
    Retrieved("The US struck back at ISIS targets.", dense_score=0.55, dense_rank=3, bm25_rank=2),
]
UNRELATED = [
    Retrieved(
        "Mix the flour, sugar and ripe bananas, then bake for an hour.",
        title="Banana bread",
        dense_score=0.08,
        dense_rank=1,
        bm25_rank=None,
    ),
    Retrieved("The router's password is printed under the device.", dense_score=0.05),
]


def test_related_passages_score_above_unrelated_on_every_signal() -> None:
    related = confidence.signals(QUESTION, RELATED)
    unrelated = confidence.signals(QUESTION, UNRELATED)
    assert set(related) == set(unrelated)
    assert related["top_dense"] == pytest.approx(0.71)
    assert unrelated["top_dense"] == pytest.approx(0.08)
    assert related["salient_coverage"] == 1.0  # US, Palmyra
    assert unrelated["salient_coverage"] == 0.0
    assert related["word_coverage"] > 0.8 > 0.2 > unrelated["word_coverage"]
    assert related["agreement"] == pytest.approx(2 / 5)
    assert unrelated["agreement"] == 0.0
    for name in related:
        assert related[name] > unrelated[name], name


def test_low_only_under_the_threshold_and_never_when_off_or_empty() -> None:
    assert confidence.confidence(QUESTION, RELATED) == pytest.approx(0.71)
    assert confidence.is_low(QUESTION, UNRELATED, 0.40)
    assert not confidence.is_low(QUESTION, RELATED, 0.40)
    assert confidence.is_low(QUESTION, RELATED, 0.80)
    assert not confidence.is_low(QUESTION, UNRELATED, 0.0)  # 0 turns it off
    assert not confidence.is_low(QUESTION, [], 0.40)  # nothing retrieved: a refusal, not a note
    no_dense = [Retrieved("Palmyra soldiers", dense_rank=None, bm25_rank=1)]
    assert confidence.top_dense(no_dense) == 0.0
    assert confidence.salient_coverage("what happened?", RELATED) == 1.0  # no names to miss


def test_the_retrievers_nodes_carry_what_confidence_reads(seed_index, embedder) -> None:
    rag = RAG(seed_index, embed_model=embedder, llm=None)
    nodes = rag.retriever.search(QUESTION)
    passages = confidence.from_nodes(nodes)
    assert len(passages) == len(nodes) > 0
    assert all(p.text and p.title for p in passages)
    assert 0.4 < confidence.top_dense(passages) <= 1.0
    assert passages[0].dense_rank is not None or passages[0].bm25_rank is not None


def test_unrelated_question_is_low_confidence_and_related_is_not(seed_index, embedder) -> None:
    rag = RAG(seed_index, embed_model=embedder, llm=None)
    assert seed_index.low_confidence == pytest.approx(0.40)  # the default
    related = rag.ask(QUESTION)
    assert related.low_confidence is False
    assert not related.answer.startswith(LOW_CONFIDENCE_NOTE)
    unrelated = rag.ask("How do I reset my router password?")
    assert unrelated.low_confidence is True
    assert unrelated.refused or unrelated.answer.startswith(LOW_CONFIDENCE_NOTE)
    for answer, flag in ((related, False), (unrelated, True)):
        data = json.loads(json.dumps(answer.to_dict()))
        assert set(data) == ANSWER_KEYS
        assert data["low_confidence"] is flag


def test_a_low_confidence_answer_opens_with_the_note_streamed_first(seed_index, embedder) -> None:
    strict = seed_index.model_copy(update={"low_confidence": 0.99})
    rag = RAG(strict, embed_model=embedder, llm=None)
    events = list(rag.chain.stream("Where were the wounded taken after the assault?"))
    deltas = [e.text for e in events if e.kind == "delta"]
    (answer,) = [e.answer for e in events if e.kind == "answer"]
    assert answer is not None and not answer.refused and answer.low_confidence
    assert deltas[0] == LOW_CONFIDENCE_NOTE + "\n\n"
    assert answer.answer.startswith(LOW_CONFIDENCE_NOTE + "\n\n")
    assert "Et-Tanf" in answer.answer
    assert answer.to_dict()["low_confidence"] is True
    short = rag.ask("Where were the wounded taken after the assault?", style="short")
    assert short.low_confidence and not short.answer.startswith(LOW_CONFIDENCE_NOTE)
    off = RAG(seed_index.model_copy(update={"low_confidence": 0.0}), embed_model=embedder, llm=None)
    unrelated = off.ask("How do I reset my router password?")
    assert unrelated.low_confidence is False
