"""Scoring functions for the evals, pure and small so each can be checked by hand.

Matching is done on normalised text (``rag.text.normalize_text``: NFKC, straight
quotes and dashes, Latin look-alike letters, single spaces) and case-folded, so
a curly apostrophe, a non-breaking space or a Cyrillic "е" inside a Latin name
never turns a right answer into a miss. Answer scores (exact match, token F1)
follow SQuAD: lower case, no punctuation, no articles.
"""

from __future__ import annotations

import math
import re
import string
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from rag.text import canonical_word, normalize_text

_ARTICLES = re.compile(r"\b(a|an|the)\b")
_ASCII_PUNCT = set(string.punctuation)


def _strip_punctuation(text: str) -> str:
    return "".join(
        ch for ch in text if ch not in _ASCII_PUNCT and not unicodedata.category(ch).startswith("P")
    )


def normalize_answer(text: str) -> str:
    """SQuAD normalisation on top of ``normalize_text``: lower, no punctuation or articles.

    Number words and ordinals become digits too ("Four" = "4", "15th" = "15"):
    the same answer should not fail exact match for its spelling.
    """
    text = normalize_text(text).casefold()
    text = _strip_punctuation(text)
    text = _ARTICLES.sub(" ", text)
    return " ".join(canonical_word(word) for word in text.split())


def _as_list(golds: str | Sequence[str]) -> list[str]:
    return [golds] if isinstance(golds, str) else [g for g in golds if g is not None]


def exact_match(prediction: str, golds: str | Sequence[str]) -> float:
    """1.0 when the normalised prediction equals any normalised gold answer."""
    pred = normalize_answer(prediction)
    return float(any(pred == normalize_answer(g) for g in _as_list(golds)))


def _f1(prediction: str, gold: str) -> float:
    pred_tokens = normalize_answer(prediction).split()
    gold_tokens = normalize_answer(gold).split()
    if not pred_tokens or not gold_tokens:
        return float(pred_tokens == gold_tokens)
    common = Counter(pred_tokens) & Counter(gold_tokens)
    same = sum(common.values())
    if same == 0:
        return 0.0
    precision, recall = same / len(pred_tokens), same / len(gold_tokens)
    return 2 * precision * recall / (precision + recall)


def token_f1(prediction: str, golds: str | Sequence[str]) -> float:
    """SQuAD token F1, the best over the gold answers."""
    return max((_f1(prediction, g) for g in _as_list(golds)), default=0.0)


def match_form(text: str) -> str:
    """What containment compares: normalised and case-folded."""
    return normalize_text(text).casefold()


def needle_pattern(needle: str, stem: bool = False) -> re.Pattern[str] | None:
    """The regex ``contains`` uses, compiled once when one needle meets many texts.

    A needle starts on a word boundary. It must end on one too, unless ``stem``
    is set and it ends in a letter ("helicopter" then finds "helicopters"). A
    number never continues into more digits ("3" is not in "30" or "3,000"),
    though with ``stem`` an ordinal suffix may follow ("October 15" in "October 15th").
    """
    target = match_form(needle)
    if not target:
        return None
    pattern = re.escape(target)
    if target[0].isalnum():
        pattern = r"(?<!\w)" + pattern
    if target[-1].isdigit():
        pattern += r"(?![.,]\d)" + (r"(?!\d)" if stem else r"(?!\w)")
    elif target[-1].isalnum() and not stem:
        pattern += r"(?!\w)"
    return re.compile(pattern)


def contains(haystack: str, needle: str, stem: bool = False) -> bool:
    """Is ``needle`` in ``haystack`` once both are normalised, on word boundaries?

    Word boundaries keep "3" from matching inside "2023" and "Iran" inside
    "Iranian"; ``stem`` loosens the end (see ``needle_pattern``). An empty
    needle is never found.
    """
    pattern = needle_pattern(needle, stem)
    return pattern is not None and pattern.search(match_form(haystack)) is not None


def first_hit_rank(texts: Sequence[str], evidence: str | Sequence[str]) -> int | None:
    """1-based rank at which every evidence piece has appeared in some text; None if never.

    One piece: the rank of the first text containing it. Several pieces (a
    comparison across articles): the rank by which all of them are covered.
    """
    pieces = _as_list(evidence)
    if not pieces:
        return None
    ranks = []
    for piece in pieces:
        rank = next((i for i, text in enumerate(texts, start=1) if contains(text, piece)), None)
        if rank is None:
            return None
        ranks.append(rank)
    return max(ranks)


def hit_at_k(rank: int | None, k: int) -> float:
    return float(rank is not None and rank <= k)


def reciprocal_rank(rank: int | None) -> float:
    return 1.0 / rank if rank else 0.0


def key_facts_present(answer: str, key_facts: Sequence[Sequence[str]]) -> bool:
    """Every group of key facts has at least one of its variants in the answer.

    A variant may be a word stem: "soldier" is present in "two soldiers died".
    """
    return all(
        any(contains(answer, variant, stem=True) for variant in group) for group in key_facts
    )


def claim_supported(
    claim: str,
    passage: str,
    evidence: Sequence[str] = (),
    key_facts: Sequence[Sequence[str]] = (),
    threshold: float = 0.5,
    support: Any = None,
) -> bool:
    """Does the cited passage really contain what the sentence claims?

    Yes when the claim's content words are in the passage (``support``, by
    default ``rag.citations.lexical_support``, reaches ``threshold``), or when
    the passage holds a gold evidence piece and the claim states a key fact that
    piece states too (a paraphrase: "the raid left three people dead" for "3 US citizens
    ... lost their lives").
    """
    if support is None:
        from rag.citations import lexical_support as support
    if support(claim, passage) >= threshold:
        return True
    for piece in evidence:
        if not contains(passage, piece):
            continue
        for group in key_facts:
            in_claim = any(contains(claim, v, stem=True) for v in group)
            if in_claim and any(contains(piece, v, stem=True) for v in group):
                return True
    return False


def citation_precision(supported: Sequence[bool]) -> float | None:
    """Share of (sentence, cited passage) pairs where the passage supports the sentence."""
    return sum(supported) / len(supported) if supported else None


def citation_recall(cited_texts: Sequence[str], evidence: str | Sequence[str]) -> float | None:
    """Share of the gold evidence pieces found in at least one cited passage."""
    pieces = _as_list(evidence)
    if not pieces:
        return None
    found = sum(any(contains(text, piece) for text in cited_texts) for piece in pieces)
    return found / len(pieces)


def refusal_scores(
    refused: Sequence[bool], unanswerable: Sequence[bool]
) -> dict[str, float | None]:
    """Refusal precision (refusals that were right) and recall (unanswerables refused).

    Both are None when their denominator is empty (no refusals, no unanswerable
    questions); ``refusal_rate`` is over all questions.
    """
    pairs = list(zip(refused, unanswerable, strict=True))
    true_pos = sum(r and u for r, u in pairs)
    n_refused = sum(r for r, _ in pairs)
    n_unanswerable = sum(u for _, u in pairs)
    return {
        "refusal_precision": true_pos / n_refused if n_refused else None,
        "refusal_recall": true_pos / n_unanswerable if n_unanswerable else None,
        "refusal_rate": n_refused / len(pairs) if pairs else None,
        "false_refusals": n_refused - true_pos,
        "false_refusal_rate": (n_refused - true_pos) / (len(pairs) - n_unanswerable)
        if len(pairs) > n_unanswerable
        else None,
        "unanswerable_answered": n_unanswerable - true_pos,
    }


def mean(values: Iterable[float | bool | None]) -> float | None:
    """Mean of the values that are not None; None when there are none."""
    kept = [float(v) for v in values if v is not None]
    return sum(kept) / len(kept) if kept else None


def percentile(values: Sequence[float], q: float) -> float | None:
    """Linear-interpolated percentile (``q`` in 0..100), as numpy's default."""
    data = sorted(values)
    if not data:
        return None
    pos = (len(data) - 1) * q / 100
    low, high = math.floor(pos), math.ceil(pos)
    return data[low] + (data[high] - data[low]) * (pos - low)


def latency_summary(timings: Sequence[Mapping[str, float]]) -> dict[str, dict[str, float | None]]:
    """Per stage: count, mean, p50, p90, max seconds, over the records that have the stage."""
    stages: dict[str, list[float]] = {}
    for record in timings:
        for stage, seconds in record.items():
            if seconds is not None:
                stages.setdefault(stage, []).append(float(seconds))
    return {
        stage: {
            "n": len(values),
            "mean": mean(values),
            "p50": percentile(values, 50),
            "p90": percentile(values, 90),
            "max": max(values),
        }
        for stage, values in stages.items()
    }


def mean_by(
    records: Sequence[Mapping[str, Any]], group_key: str, metrics: Sequence[str]
) -> dict[str, dict[str, float | None]]:
    """For each value of ``group_key``: the count and the mean of each metric (None skipped)."""
    groups: dict[str, list[Mapping[str, Any]]] = {}
    for record in records:
        groups.setdefault(str(record.get(group_key)), []).append(record)
    return {
        name: {"n": len(rows), **{m: mean(r.get(m) for r in rows) for m in metrics}}
        for name, rows in groups.items()
    }
