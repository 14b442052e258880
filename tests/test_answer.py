"""The answer chain: prompt, refusal, grounding guard, follow-ups, JSON contract.

A scripted LLM tests the logic around the model; the real embedder and a real
Chroma hold the seed corpus. The real default LLM runs in test_gold.py.
"""

from __future__ import annotations

import json

import pytest

from rag.answer import clean_question, looks_like_followup
from rag.errors import BadQuestionError
from rag.grounding import is_refusal
from rag.pipeline import RAG
from rag.prompts import REFUSAL
from tests.contract import ANSWER_KEYS, CITATION_KEYS
from tests.test_trust import rag_with


def test_prompt_numbers_passages_with_title_and_keeps_budget(seed_index, embedder) -> None:
    rag, llm = rag_with(seed_index, embedder, ["The wounded were taken to the Et-Tanf base [1]."])
    answer = rag.ask("Where were the wounded taken?")
    messages = llm.prompts[0]
    assert messages[0].role.value == "system" and REFUSAL in messages[0].content
    user = messages[-1].content
    assert user.startswith("Question: Where were the wounded taken?")
    assert "[1] Joint Syrian-US Attack in Palmyra" in user
    shown = [p for p in answer.passages if p.in_prompt]
    assert [p.number for p in shown] == list(range(1, len(shown) + 1))
    context = sum(rag.chain.count_tokens(p.context_text()) for p in shown)
    assert context <= seed_index.context_tokens
    assert "Et-Tanf" in user


def test_cited_answer_and_json_contract(seed_index, embedder) -> None:
    rag, _ = rag_with(seed_index, embedder, ["The wounded were taken to the Et-Tanf base [1]."])
    answer = rag.ask("Where were the wounded taken?")
    assert not answer.refused
    assert answer.answer == "The wounded were taken to the Et-Tanf base [1]."
    data = json.loads(json.dumps(answer.to_dict()))
    assert set(data) == ANSWER_KEYS
    assert data["question"] == "Where were the wounded taken?"
    (citation,) = data["citations"]
    assert set(citation) == CITATION_KEYS
    assert citation["id"] == 1
    assert citation["source"] == "syria-us-palmyra-attack-russia-bases.txt"
    assert "Et-Tanf" in citation["text"]
    assert citation["score"] > 0
    assert "Et-Tanf" in answer.citations[0].quote


def test_wrong_citation_number_is_repaired(seed_index, embedder) -> None:
    rag, _ = rag_with(seed_index, embedder, ["The wounded were taken to the Et-Tanf base [9]."])
    answer = rag.ask("Where were the wounded taken?")
    (citation,) = answer.citations
    assert "Et-Tanf" in citation.text
    assert answer.answer.endswith(f"[{citation.number}].")


def test_model_refusal_is_normalised(seed_index, embedder) -> None:
    rag, _ = rag_with(
        seed_index, embedder, ["The passages do not mention the population of Palmyra."]
    )
    answer = rag.ask("What is the population of Palmyra?")
    assert answer.refused and answer.answer == REFUSAL and answer.citations == []
    assert answer.passages  # the closest passages are still there to show


def test_unsupported_answer_is_refused(seed_index, embedder) -> None:
    """Grounding guard: an answer no passage supports becomes the refusal."""
    rag, _ = rag_with(seed_index, embedder, ["The capital of France is Paris [1]."])
    answer = rag.ask("What is the capital of France?")
    assert answer.refused
    assert answer.raw_answer == "The capital of France is Paris [1]."


def test_followup_is_rewritten_before_retrieval(seed_index, embedder) -> None:
    rag, llm = rag_with(
        seed_index,
        embedder,
        [
            "Where were the wounded of the Palmyra attack taken?",
            "They went to the Et-Tanf base [1].",
        ],
    )
    history = [
        {"role": "user", "content": "What happened in Palmyra?"},
        {"role": "assistant", "content": "Joint forces attacked in Palmyra [1]."},
    ]
    events = list(rag.stream("And where were the wounded taken?", history=history))
    assert events[0].kind == "status" and "Palmyra" in events[0].text
    answer = events[-1].answer
    assert answer.standalone_question == "Where were the wounded of the Palmyra attack taken?"
    rewrite_prompt = llm.prompts[0][-1].content
    assert "User: What happened in Palmyra?" in rewrite_prompt
    assert "[1]" not in rewrite_prompt  # citation markers are stripped from the history
    assert (
        "".join(e.text for e in events if e.kind == "delta") == "They went to the Et-Tanf base [1]."
    )


def test_standalone_question_is_not_rewritten(seed_index, embedder) -> None:
    rag, llm = rag_with(seed_index, embedder, ["Syria TV reported it [1]."])
    history = [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}]
    answer = rag.ask(
        "Which television channel reported the joint attack in Palmyra?", history=history
    )
    assert len(llm.prompts) == 1  # no rewrite call
    assert answer.standalone_question == answer.question


def test_extractive_backend_answers_and_refuses(seed_index, embedder) -> None:
    rag = RAG(seed_index, embed_model=embedder, llm=None)
    answer = rag.ask("Where were the wounded taken after the assault?")
    assert not answer.refused
    assert "Et-Tanf" in answer.answer
    assert answer.citations and "Et-Tanf" in answer.citations[0].text
    assert rag.ask("What is the recipe for chocolate cake?").refused


@pytest.mark.parametrize("bad", ["", "   ", "?!", "x" * 1001, None, 42])
def test_bad_questions_get_a_clear_error(bad) -> None:
    with pytest.raises(BadQuestionError):
        clean_question(bad)


def test_refusal_and_followup_detection() -> None:
    assert is_refusal(REFUSAL)
    assert is_refusal("The name of the civilian is not mentioned in any of the passages [1].")
    assert is_refusal("The passages do not contain that information.")
    assert not is_refusal("The wounded were taken to the Et-Tanf base [1].")
    assert looks_like_followup("And where were the wounded taken?")
    assert looks_like_followup("When did he meet Putin?")
    assert not looks_like_followup("Which television channel reported the joint attack in Palmyra?")
