"""Look past the prompt's passages for the other side of a disagreement.

The prompt holds the top few passages, one per story. When a second report that
gives a different value ranks just below them (the ministry's toll in sixth place
behind five passages of the first report's story and its follow-ups), the answer
would state one side as fact. So when the question asks for a value and the shown
passages agree or only one gives a value, the next few ranked passages are read
too; a passage of another story about the same event that contradicts a shown one
takes the place of the lowest-ranked shown passage that is no side of the
disagreement. Nothing changes when no such passage is found.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from rag import conflicts
from rag.context import fit_context, passages_from_nodes
from rag.types import Passage

if TYPE_CHECKING:
    from llama_index.core.schema import NodeWithScore

# (passages, their sentence vectors, the conflicts found) for a list of nodes
Fitted = tuple[list[Passage], dict[str, Any], list[dict[str, Any]]]


def with_other_side(
    question: str,
    nodes: Sequence[NodeWithScore],
    fitted: Fitted,
    reserve: Sequence[NodeWithScore],
    fit: Callable[[Sequence[NodeWithScore]], Fitted],
    embed_model: Any,
) -> tuple[list[NodeWithScore], Fitted] | None:
    """The nodes with one reserve passage swapped in and their fit, when that passage makes
    a disagreement with a shown passage; None when the reserve adds no side. ``fitted`` is
    ``fit(nodes)``, already done."""
    shown_ids = {n.node.node_id for n in nodes}
    reserve = [n for n in reserve if n.node.node_id not in shown_ids]
    if not reserve or conflicts.expected_kind(question) is None:
        return None
    first, first_vectors, _ = fitted
    extra = passages_from_nodes(reserve)
    extra_vectors = fit_context(question, extra, embed_model, 10_000, len)
    for offset, passage in enumerate(extra, start=len(first) + 1):
        passage.number, passage.in_prompt = offset, True
    scorer = conflicts.sentence_scorer(question, first_vectors | extra_vectors, embed_model)
    found = conflicts.detect(question, [p for p in first if p.in_prompt] + extra, scorer)
    cited = {n for side in (found[0]["values"] if found else []) for n in side["citations"]}
    new = [p for p in extra if p.number in cited]
    if not new:
        return None
    sides = {p.chunk_id for p in first if p.number in cited}
    droppable = [n for n in nodes if n.node.node_id not in sides]
    if not droppable:
        return None
    out = droppable[-1]  # the lowest-ranked passage that is no side
    incoming = reserve[extra.index(new[0])]
    swapped = [incoming if n is out else n for n in nodes]
    fitted = fit(swapped)
    return (swapped, fitted) if fitted[2] else None
