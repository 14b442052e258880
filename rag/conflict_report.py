"""Telling a conflict: the prompt's note, the answer's sentence, the ``Answer.conflicts`` entry.

``rag.conflicts`` finds that two stories give different values; this module
words it for the model and the reader, and keeps the checked answer honest:
an answer that leaves a side out gets a cited sentence naming every side.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from rag.types import Answer, Passage


def _side(value: dict[str, Any], newest: str) -> str:
    parts = []
    for source in value["sources"]:
        label = source["publisher"] or f"source [{source['id']}]"
        when = source["date"]
        if when and when == newest:
            when += ", the newer report"
        parts.append(f"{label}" + (f" ({when})" if when else "") + f" [{source['id']}]")
    return f"{' and '.join(parts)} gives {value['value']}"


def _newest(conflict: dict[str, Any]) -> str:
    """The latest date among the sides, when the sides do not share it."""
    dates = [max((s["date"] for s in v["sources"]), default="") for v in conflict["values"]]
    latest = max(dates, default="")
    return latest if latest and dates.count(latest) == 1 else ""


def prompt_note(conflicts: Sequence[dict[str, Any]]) -> str:
    """The short instruction added to the prompt when the passages disagree."""
    notes = []
    for conflict in conflicts:
        newest = _newest(conflict)
        sides = "; ".join(_side(v, newest) for v in conflict["values"])
        notes.append(f"The passages disagree: {sides}. Give each value with its source and date.")
    return " ".join(notes)


def statement(conflict: dict[str, Any]) -> str:
    """One sentence stating the sides of a conflict, each cited."""
    newest = _newest(conflict)
    return "Reports differ: " + "; ".join(_side(v, newest) for v in conflict["values"]) + "."


def mentions(answer: str, conflict: dict[str, Any]) -> bool:
    """Whether the answer already gives every side's value and cites every side."""
    from rag.citations import CITATION_RE

    cited = {int(n) for group in CITATION_RE.findall(answer) for n in re.split(r"[,;]", group)}
    text = answer.lower()
    return all(
        v["value"].lower() in text and cited & set(v["citations"]) for v in conflict["values"]
    )


def public(conflict: dict[str, Any]) -> dict[str, Any]:
    """The ``Answer.conflicts`` entry: what is disputed, each value with its citations."""
    return {
        "about": conflict["about"],
        "values": [{"value": v["value"], "citations": v["citations"]} for v in conflict["values"]],
    }


def settle(answer: Answer, found: Sequence[dict[str, Any]], passages: Sequence[Passage]) -> Answer:
    """Record the conflicts on the answer and make sure its text states every side.

    A cited answer that leaves a side out gets one sentence naming both, cited;
    a refusal while two stories answer differently becomes that sentence.
    """
    answer.conflicts = [public(c) for c in found]
    if not found:
        return answer
    by_number = {p.number: p for p in passages}
    if answer.refused:
        answer.answer, answer.refused, answer.citations = "", False, []
        answer.route = "conflict"
    for conflict in found:
        if not mentions(answer.answer, conflict):
            answer.answer = f"{answer.answer} {statement(conflict)}".strip()
        for value in conflict["values"]:
            for n in value["citations"]:
                if by_number[n] not in answer.citations:
                    answer.citations.append(by_number[n])
    return answer


_CLAUSE = re.compile(
    r"(\[\d+(?:\s*[,;]\s*\d+)*\])\s*[;,]\s*(?:(?:but|while|whereas|and)\s+)?(?=\S)"
)


def split_cited_clauses(text: str) -> str:
    """'A said 31 [1]; B said 27 [2].' -> 'A said 31 [1]. B said 27 [2].'

    The citation check reads sentence by sentence, each against the passages it
    cites; a sentence giving both sides of a conflict would fail against each.
    """

    def cut(match: re.Match[str]) -> str:
        return f"{match[1]}. "

    parts = _CLAUSE.split(text)
    if len(parts) == 1:
        return text
    out = _CLAUSE.sub(cut, text)
    return re.sub(r"(\]\. )([a-z])", lambda m: m[1] + m[2].upper(), out)
