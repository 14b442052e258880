"""A second search with a sketched answer when the first looks unsure (``rag.expand``).

A scripted LLM writes the sketch over a tiny corpus with a hashed-words embedder,
so which passage each search finds is known; the real model and embedder take the
path at the end (the seed gold runs do not: 11 chunks are fewer than a ranking's
candidates, so their searches are never sketched).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from llama_index.core.schema import NodeWithScore, TextNode

from rag import expand
from rag.components import build_vector_store
from rag.ingest import ingest
from rag.pipeline import RAG
from rag.prompts import prompt
from rag.retrieve import HybridRetriever
from rag.search import search
from rag.types import AskOptions
from tests.conftest import make_settings
from tests.fakes import HashEmbedding, ScriptedLLM

QUESTION = "Which company did the regulator fine?"
FINE = "The watchdog ordered Meta to pay 200 million euros over data transfers to America."
SKETCH = "The watchdog ordered Meta to pay millions over data transfers."
DECOYS = [
    "Which company a regulator may fine is set by law, the minister told parliament.",
    "The regulator said the company did not reply to its letters in time.",
    "Did the company fine its drivers? The union asked the regulator to look.",
]


@pytest.fixture
def tiny(tmp_path: Path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for n, text in enumerate([FINE, *DECOYS]):
        (corpus / f"a{n}.txt").write_text(f"---\ntitle: Report {n}\n---\n{text}\n")
    # the question is 0.72 similar to its best passage, the sentence itself 0.94; each ranking
    # takes 3 candidates of the 4 chunks, so a second search can find one the first did not
    settings = make_settings(tmp_path, top_k=1, candidates=3, expand_below=0.85)
    fake = HashEmbedding()
    ingest(settings, embed_model=fake)
    return settings, HybridRetriever(settings, fake, build_vector_store(settings)), fake


def sketcher(llm: ScriptedLLM):
    return lambda question: expand.sketch(llm, question)


def _file(found) -> str:
    return str(found.nodes[0].node.metadata["file"])


def test_an_unsure_search_runs_again_with_the_sketch(tiny) -> None:
    settings, retriever, _ = tiny
    assert _file(search(settings, retriever, None, QUESTION, AskOptions())) != "a0.txt"
    llm = ScriptedLLM(replies=[f"{SKETCH}\nIt was the largest fine so far."])
    timings: dict[str, float] = {}
    found = search(settings, retriever, sketcher(llm), QUESTION, AskOptions(), timings=timings)
    assert _file(found) == "a0.txt" and "expand" in timings
    assert str(found.own[0].node.metadata["file"]) != "a0.txt"  # what the question found alone
    assert found.query == f"{QUESTION} {SKETCH}"  # the first line only, after the question
    (messages,) = llm.prompts
    assert messages[0].content == prompt("expand_system").strip()
    assert messages[-1].content == QUESTION


def test_a_confident_search_or_a_cut_of_zero_asks_no_sketch(tiny) -> None:
    settings, retriever, _ = tiny
    llm = ScriptedLLM(replies=[])  # any call would fail: the script is empty
    found = search(settings, retriever, sketcher(llm), FINE, AskOptions())  # the sentence itself
    assert _file(found) == "a0.txt" and found.query == FINE and not llm.prompts
    off = settings.model_copy(update={"expand_below": 0.0})
    found = search(off, retriever, sketcher(llm), QUESTION, AskOptions())
    assert found.query == QUESTION and not llm.prompts


def test_no_sketch_when_the_first_search_ranked_every_chunk(tiny) -> None:
    settings, _, fake = tiny
    every = settings.model_copy(update={"candidates": 4})  # the corpus holds 4 chunks
    retriever = HybridRetriever(every, fake, build_vector_store(every))
    llm = ScriptedLLM(replies=[])
    assert search(every, retriever, sketcher(llm), QUESTION, AskOptions()).query == QUESTION
    assert not llm.prompts


def test_an_empty_sketch_keeps_the_first_search(tiny) -> None:
    settings, retriever, _ = tiny
    first = search(settings, retriever, None, QUESTION, AskOptions())
    llm = ScriptedLLM(replies=["  \n"])
    again = search(settings, retriever, sketcher(llm), QUESTION, AskOptions())
    assert again.query == QUESTION and _file(again) == _file(first) and len(llm.prompts) == 1


def test_the_gate_reads_the_best_dense_similarity() -> None:
    def node(score: float | None) -> NodeWithScore:
        meta = {} if score is None else {"dense_score": score}
        return NodeWithScore(node=TextNode(text="x", metadata=meta), score=1.0)

    assert expand.unsure([node(0.5), node(0.6)], 0.66)
    assert not expand.unsure([node(0.5), node(0.7)], 0.66)
    assert expand.unsure([node(None)], 0.66)  # found by BM25 alone: nothing says it is close
    assert not expand.unsure([node(0.1)], 0.0) and not expand.unsure([], 0.66)


def test_the_answer_is_drafted_for_the_question_not_the_sketch(tiny) -> None:
    settings, _, fake = tiny
    drafted = "The watchdog ordered Meta to pay 200 million euros [1]."
    llm = ScriptedLLM(replies=[SKETCH, drafted, drafted])
    rag = RAG(settings, embed_model=fake, llm=llm)
    events = list(rag.chain.stream(QUESTION))
    assert "Searched again with related words" in [e.text for e in events if e.kind == "status"]
    answer = events[-1].answer
    assert answer is not None and not answer.refused and "Meta" in answer.answer
    answer_prompt = llm.prompts[1][-1].content
    assert QUESTION in answer_prompt and SKETCH not in answer_prompt and FINE in answer_prompt
    details = answer.to_dict(details=True)
    assert details["search_query"] == f"{QUESTION} {SKETCH}" and "expand" in details["timings"]
    assert SKETCH not in answer.to_dict()["answer"]
    again = rag.ask(QUESTION)  # the sketch is kept: one more generation, the answer's
    assert len(llm.prompts) == 3 and again.search_query == answer.search_query


@pytest.mark.slow
def test_the_real_model_sketches_for_an_unsure_seed_question(seed_index, embedder, qwen) -> None:
    sketched = expand.sketch(qwen, "Where were the wounded soldiers taken after the attack?")
    assert sketched and "\n" not in sketched and len(sketched.split()) <= 48
    # candidates 3: the 11 seed chunks are more than a ranking takes, as on a real corpus
    settings = seed_index.model_copy(update={"candidates": 3, "expand_below": 0.66})
    rag = RAG(settings, embed_model=embedder, llm=qwen)
    question = "Where were the injured taken?"
    answer = rag.ask(question)
    assert "expand" in answer.timings
    assert answer.search_query.startswith(f"{question} ") and len(answer.search_query) > 40
    assert answer.passages and answer.answer
