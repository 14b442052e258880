"""`rag eval feedback`: the web chat's thumbs up/down turned into gold questions.

* thumbs up on an answer: a gold question whose answer is the checked answer
  (citation markers removed) and whose evidence is the sentences it cited;
* thumbs up on a refusal: an unanswerable gold question;
* thumbs down with a note: the note is taken as the right answer, the shown
  sentences as evidence, and the item is marked ``"needs_review": true``;
* thumbs down without a note says what is wrong but not what is right: skipped.

Every written line passes ``evals.gold.parse_item``, so the file runs as is with
``rag eval <file>``; review it before adding it to a gold set.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

from evals.gold import parse_item
from rag import feedback
from rag.citations import CITATION_RE
from rag.claims import question_type


def gold_item(entry: dict[str, Any]) -> tuple[dict[str, Any] | None, str]:
    """One feedback entry as a gold line, or None, and the kind (or why it was skipped)."""
    question = str(entry.get("question") or "").strip()
    if not question:
        return None, "no question"
    sources = [s for s in entry.get("sources") or [] if isinstance(s, dict)]
    evidence = [str(s["quote"]) for s in sources if s.get("quote")]
    files = list(dict.fromkeys(str(s["source"]) for s in sources if s.get("source")))
    item: dict[str, Any] = {
        "id": f"fb-{entry['id']}",
        "question": question,
        "split": "dev",
        "origin": "feedback",
    }
    note = str(entry.get("note") or "").strip()
    if entry["rating"] == "up" and entry.get("refused"):
        return {**item, "type": "unanswerable", "unanswerable": True}, "unanswerable"
    if entry["rating"] == "up":
        answer = " ".join(CITATION_RE.sub(" ", str(entry.get("answer") or "")).split())
        answer = re.sub(r"\s+([.,;:!?])", r"\1", answer)
        kind = "confirmed"
    elif note:
        answer, kind = note, "corrected"
        item["needs_review"] = True
        item["rejected_answer"] = str(entry.get("answer") or "")
    else:
        return None, "thumbs down without a note"
    if not answer or not evidence:
        return None, "no answer or no cited sentence"
    item.update(
        type=question_type(question) or "other",
        answer=answer,
        accepted=[],
        key_facts=[],
        evidence=evidence,
        source=files,
    )
    if note and kind == "confirmed":
        item["note"] = note
    return item, kind


def convert(feedback_path: Path, out_path: Path) -> Counter[str]:
    """Write the gold JSONL; returns how many of each kind were written or skipped."""
    counts: Counter[str] = Counter()
    lines = []
    for entry in feedback.read(feedback_path):
        item, kind = gold_item(entry)
        if item is None:
            counts[f"skipped: {kind}"] += 1
            continue
        parse_item(item)  # the gold format, checked before it is written
        lines.append(json.dumps(item, ensure_ascii=False))
        counts[kind] += 1
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    return counts
