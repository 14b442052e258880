"""A refusal inside a date window says what lies just outside it.

"What happened at the library this week?" asked on a Monday searches Monday's
articles only: the report from last Thursday is out of the window, and a bare
"I could not find the answer" hides why. So when the question's own date phrase
set the window and the answer is a refusal, the question is searched once more
without the phrase (retrieval only, tens of milliseconds). When that finds a
passage dated outside the window that names every name of the question and is
as close to it as answerable ones are (the low-confidence cut,
``rag.confidence``), the refusal names the range searched and that article, and
says how to include it. A question that names nothing ("what happened this
week?") gets no hint: any article would match it. Nothing is answered from
outside the window: the user decides.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rag import confidence
from rag.config import Settings
from rag.days import as_date, describe, long_date
from rag.search import window_for, within
from rag.text import content_words
from rag.types import Answer, AskOptions

if TYPE_CHECKING:
    from llama_index.core.schema import NodeWithScore

    from rag.context import Prepared
    from rag.retrieve import HybridRetriever

LOOKED_AT = 5  # passages of the search without the phrase that are read for one outside it


def outside(window: dict[str, str | None], nodes: list[NodeWithScore]) -> NodeWithScore | None:
    """The best-ranked dated passage that the window left out."""
    start, end = window.get("from") or "", window.get("to") or "9999-12-31"
    for item in nodes:
        day = str(item.node.metadata.get("date") or "")[:10]
        if day and not start <= day <= end:
            return item
    return None


def hint(
    settings: Settings,
    retriever: HybridRetriever,
    question: str,
    options: AskOptions,
    window: dict[str, str | None],
    phrase: str,
) -> str:
    """One or two sentences for a refusal under ``window`` (set by ``phrase``); "" when
    nothing close to the question lies outside it."""
    if not any(salient for _, salient in content_words(question)):
        return ""  # "what happened this week?": any article would do, none is the one
    _, bounds = window_for(settings, retriever, question, options, parse=False)
    nodes = within(retriever, question, options, bounds, LOOKED_AT)
    found = outside(window, nodes)
    if found is None:
        return ""
    passage = confidence.from_nodes([found])
    close = confidence.confidence(question, passage)
    if close <= 0 or close < settings.low_confidence:
        return ""
    if confidence.salient_coverage(question, passage) < 1.0:
        return ""  # another story: "the World Cup" asked, a stadium's opening found
    meta = found.node.metadata
    title = str(meta.get("title") or meta.get("file") or "an article")
    try:
        day = as_date(str(meta.get("date") or "")[:10])
    except ValueError:
        day = None
    about = ", ".join(
        v for v in (str(meta.get("source") or ""), long_date(day) if day else "") if v
    )
    named = f'"{title}" ({about})' if about else f'"{title}"'
    searched = describe(window).removeprefix("searched ")  # "articles from 9–15 March 2026"
    return (
        f'Only {searched} were searched, for "{phrase}"; {named} is outside that range. '
        f'Ask again without "{phrase}" to include it.'
    )


def explained(
    answer: Answer,
    prepared: Prepared,
    settings: Settings,
    retriever: HybridRetriever,
    options: AskOptions,
) -> Answer:
    """``answer``, its refusal followed by the ``hint`` when the question's phrase set a window."""
    if answer.refused and prepared.style == "cited" and prepared.window_phrase:
        note = hint(
            settings,
            retriever,
            prepared.standalone,
            options,
            prepared.window or {},
            prepared.window_phrase,
        )
        answer.answer = f"{answer.answer} {note}" if note else answer.answer
    return answer
