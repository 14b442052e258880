"""A second search with a sketch of the answer, only when the first looks unsure.

A question and the sentence that answers it often share few words ("Which
company did the regulator fine?" against "The watchdog ordered Meta to pay
..."). When the best passage found is only loosely similar to the question
(top dense cosine under ``RAG_EXPAND_BELOW``), the LLM writes one news-style
sentence that could answer it, and retrieval runs again on the question plus
that sentence. The sketch's words reach both the dense and the BM25 ranking;
its claims are never shown, nor given to the answer prompt: the answer is still
drafted from the passages, for the user's question.

Off by default. On RealTime QA a cut of 0.66, chosen by time, raised
recall@5 on both halves, but on the questions it sketched for, multiple choice
fell and open F1 rose a little (README, RealTime QA): the recall proxy counts any
passage holding the answer's words, and a sketch brings the model's own guess
of the answer into the query. An unsure search pays one short generation
(about 2.4 s with the default model on 2 cores); a confident one pays nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from llama_index.core.base.llms.types import ChatMessage, MessageRole

from rag.confidence import from_nodes, top_dense
from rag.llm_reply import first_line
from rag.prompts import prompt

if TYPE_CHECKING:
    from llama_index.core.llms import LLM
    from llama_index.core.schema import NodeWithScore

MAX_TOKENS = 48


def unsure(nodes: Sequence[NodeWithScore], cut: float) -> bool:
    """Whether the best dense similarity among ``nodes`` is under ``cut`` (0 = never)."""
    return cut > 0 and bool(nodes) and top_dense(from_nodes(nodes)) < cut


def sketch(llm: LLM, question: str) -> str:
    """One sentence the LLM thinks a report answering ``question`` might hold; "" if none."""
    messages = [
        ChatMessage(role=MessageRole.SYSTEM, content=prompt("expand_system").strip()),
        ChatMessage(role=MessageRole.USER, content=question),
    ]
    return first_line(llm, messages, MAX_TOKENS, "Expanding the search")


def expanded_query(question: str, sketched: str) -> str:
    """What the second search looks for: the question first, then the sketch."""
    return f"{question} {sketched}".strip()
