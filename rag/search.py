"""What the answer chain retrieves for a question: the window, the search, a second try.

The question's date phrase sets a publish-date window (``rag.dates``); a
current-state question ("when will it open?") leans on the newest articles
(``rag.newest``); a calendar date that names an event rather than the news is
searched again without the window; and an unsure search is run again with a
sketched answer (``rag.expand``). The RealTime QA runner calls this too, so
it measures what a user's question gets.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, NamedTuple

from rag import expand
from rag.config import Settings
from rag.dates import Window, search_window
from rag.newest import is_current_state
from rag.types import AskOptions

if TYPE_CHECKING:
    from llama_index.core.schema import NodeWithScore

    from rag.retrieve import HybridRetriever


class Found(NamedTuple):
    """One question's search: the passages (``top_k`` and then ``extra``), the as-of day,
    the window, whether it asks about the current state, and the query the passages were
    found with (the question, or the question and a sketched answer). ``own`` is what the
    question alone found: retrieval confidence (``rag.confidence``) reads its similarity to
    the question, not the sketch's."""

    nodes: list[NodeWithScore]
    as_of: date | None
    window: Window | None
    current: bool
    query: str
    own: list[NodeWithScore]


def window_for(
    settings: Settings,
    retriever: HybridRetriever,
    question: str,
    options: AskOptions,
    parse: bool = True,
) -> tuple[date | None, Window | None]:
    """The as-of day and publish-date window for ``question`` (``rag.dates.search_window``)."""
    from rag.event_dates import event_day

    return search_window(
        question,
        options.as_of,
        options.date_from,
        options.date_to,
        parse=parse and settings.question_windows,
        event_date=lambda name: event_day(retriever, name, options.as_of),
    )


def worth_a_sketch(
    settings: Settings, retriever: HybridRetriever, shown: list[NodeWithScore]
) -> bool:
    """Whether a second search with a sketched answer may find what the first missed: the
    first looks unsure, and it did not already rank every chunk. When the index holds no
    more chunks than each ranking's candidates, a second search only reorders them; on the
    11-chunk seed corpus that cost 2.4 s on 34 of 50 dev questions and moved 7 answers,
    4 of them to wrong (README, RealTime QA, "Cross-validated by time")."""
    return expand.unsure(shown, settings.expand_below) and retriever.size > settings.candidates


def within(
    retriever: HybridRetriever,
    query: str,
    options: AskOptions,
    window: Window | None,
    top_k: int,
    extra: int = 0,
    recency_weight: float | None = None,
) -> list[NodeWithScore]:
    """``retriever.search`` under the user's options (as-of day, files, dated only) and a
    publish-date window."""
    return retriever.search(
        query,
        top_k=top_k,
        extra=extra,
        as_of=options.as_of,
        date_from=window.start_int if window else None,
        date_to=window.end_int if window else None,
        dated_only=options.dated_only,
        files=options.files,
        recency_weight=recency_weight,
    )


def search(
    settings: Settings,
    retriever: HybridRetriever,
    sketch: Callable[[str], str] | None,
    question: str,
    options: AskOptions,
    extra: int = 0,
    timings: dict[str, float] | None = None,
) -> Found:
    """Retrieve for ``question`` within its window; ``extra`` more passages follow the
    ``top_k`` (``rag.conflict_search``). ``sketch`` (question -> one sentence, or None for
    no second search) is asked when the first search looks unsure; its time goes in
    ``timings["expand"]``. Unsure is judged on the passages a default answer shows, so a
    deeper search (the evals' top 10) sketches for the same questions."""
    as_of, window = window_for(settings, retriever, question, options)
    current = is_current_state(question)
    top_k = options.top_k or settings.top_k

    def run(window: Window | None, query: str) -> list[NodeWithScore]:
        weight = settings.current_recency_weight if current else None
        return within(retriever, query, options, window, top_k, extra, weight)

    nodes = run(window, question)
    dated = any(int(n.node.metadata.get("date_int") or 0) for n in nodes[:top_k])
    if not dated and window is not None and not window.strict:
        # "the October 15th meeting": a calendar date that names the event, not the news.
        as_of, window = window_for(settings, retriever, question, options, parse=False)
        nodes = run(window, question)
    query, own = question, nodes[: min(top_k, settings.top_k)]
    if sketch is not None and worth_a_sketch(settings, retriever, own):
        started = time.perf_counter()
        sketched = sketch(question)
        if sketched:
            query = expand.expanded_query(question, sketched)
            nodes = run(window, query)
        if timings is not None:
            timings["expand"] = time.perf_counter() - started
    return Found(nodes, as_of, window, current, query, own)
