"""Checking and repairing the ``[n]`` citations in a generated answer.

Small models often cite the wrong passage number, or none. Each sentence of
the answer is checked against the passages: a citation stays only if its
passage supports the sentence; a wrong one is moved to the passage that does;
a sentence no passage supports is dropped (grounding before fluency). The
support measure is passed in, so this module stays pure and testable.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from rag.text import content_stems, content_words, split_sentences

CITATION_RE = re.compile(r"\s*\[(\d+(?:\s*[,;]\s*\d+)*)\]")
_TRAILING_PUNCT = re.compile(r"[.!?;:,]+$")

_MD_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_MD_LINK = re.compile(r"(?<!!)\[([^\]]*[^\d\s,;\]][^\]]*)\]\([^)]*\)")
_HTML_TAG = re.compile(r"</?[a-zA-Z!][^<>]*>|<!--.*?-->", re.DOTALL)

# support(claim_text, passage_number) -> score in [0, 1]
SupportFn = Callable[[str, int], float]


def strip_markup(text: str) -> str:
    """An answer is plain text with ``[n]`` markers: links, images and HTML copied from an
    article (a tracking pixel, a link to click) are reduced to their words."""
    text = _HTML_TAG.sub(" ", text)
    text = _MD_IMAGE.sub(lambda m: m.group(1), text)
    text = _MD_LINK.sub(lambda m: m.group(1), text)
    return re.sub(r"[ \t]{2,}", " ", text).strip()


@dataclass
class Claim:
    """One sentence of an answer with the passage numbers it cites."""

    text: str
    cited: list[int] = field(default_factory=list)


@dataclass
class CheckedClaim:
    text: str
    cited: list[int]
    kept: list[int]
    support: float
    dropped: bool = False


@dataclass
class CitationRepair:
    answer: str
    claims: list[CheckedClaim]

    @property
    def cited_ids(self) -> list[int]:
        """Passage numbers cited in the repaired answer, in order of first use."""
        seen: list[int] = []
        for claim in self.claims:
            for n in claim.kept:
                if n not in seen and not claim.dropped:
                    seen.append(n)
        return seen

    @property
    def changed(self) -> bool:
        return any(c.dropped or c.kept != c.cited for c in self.claims)


def _numbers(text: str) -> list[int]:
    return [int(n) for group in CITATION_RE.findall(text) for n in re.split(r"[,;]", group)]


_LEADING_MARKERS = re.compile(r"^(?:\s*\[\d+(?:\s*[,;]\s*\d+)*\])+")


def parse_claims(answer: str) -> list[Claim]:
    """Split an answer into sentences and the ``[n]`` markers each carries.

    A marker placed after the full stop ("... base. [1]") belongs to the
    sentence before it.
    """
    claims: list[Claim] = []
    for sentence in split_sentences(answer):
        text = sentence.text
        leading = _LEADING_MARKERS.match(text)
        if leading and claims:
            claims[-1].cited.extend(n for n in _numbers(leading[0]) if n not in claims[-1].cited)
            text = text[leading.end() :]
        numbers = _numbers(text)
        text = CITATION_RE.sub("", text).strip()
        if not re.search(r"\w", text):
            if claims:
                claims[-1].cited.extend(n for n in numbers if n not in claims[-1].cited)
            continue
        claims.append(Claim(text=text, cited=list(dict.fromkeys(numbers))))
    return claims


# Words a finished sentence does not end on: "The civilian killed was [3]." restates
# the question and leaves the answer out, a known failure of small models.
_DANGLING = frozenset(
    "a an the of to by for from with as at in on into and or but was were is are be been "
    "being named called his her their its our my your this that these those".split()
)


def unfinished(claim: str) -> bool:
    """True for a sentence cut off before its point (it ends on a function word)."""
    words = re.findall(r"[A-Za-z']+", CITATION_RE.sub("", claim))
    return bool(words) and words[-1].lower() in _DANGLING


def _number_pairs(words: list[tuple[str, bool]]) -> list[tuple[str, str]]:
    """(number, the name right after it): "3 Syrian soldiers" -> ("3", "syrian")."""
    return [
        (stem, words[i + 1][0])
        for i, (stem, _) in enumerate(words[:-1])
        if stem.isdigit() and words[i + 1][1] and not words[i + 1][0].isdigit()
    ]


def lexical_support(claim: str, passage: str) -> float:
    """Weighted share of the claim's content words found in the passage.

    Numbers and capitalised words (names) count double: they are what a wrong
    citation usually gets wrong. A claim whose numbers are all absent from the
    passage gets half its score: "3 died" is not supported by "2 died". So does
    a number tied to a different name than in the passage: "three Syrian
    soldiers" is not supported by "three US citizens ... Syrian soldiers".
    """
    words = content_words(claim)
    if not words:
        return 0.0
    passage_words = content_stems(passage)
    passage_stems = set(passage_words)
    total = sum(2.0 if salient else 1.0 for _, salient in words)
    hit = sum(2.0 if salient else 1.0 for stem, salient in words if stem in passage_stems)
    score = hit / total
    numbers = {stem for stem, _ in words if stem.isdigit()}
    if (numbers and not numbers & passage_stems) or any(
        not _number_named(number, name, passage_words) for number, name in _number_pairs(words)
    ):
        score /= 2
    return score


def _number_named(number: str, name: str, passage_words: list[str], window: int = 3) -> bool:
    """Whether ``name`` follows ``number`` closely somewhere in the passage."""
    return any(
        name in passage_words[i + 1 : i + 1 + window]
        for i, word in enumerate(passage_words)
        if word == number
    )


def render(claims: list[CheckedClaim]) -> str:
    parts = []
    for claim in claims:
        if claim.dropped:
            continue
        text = claim.text
        if claim.kept:
            markers = "".join(f"[{n}]" for n in claim.kept)
            punct = _TRAILING_PUNCT.search(text)
            if punct:
                text = f"{text[: punct.start()]} {markers}{punct.group(0)}"
            else:
                text = f"{text} {markers}"
        parts.append(text)
    return " ".join(parts)


def repair_citations(
    answer: str,
    passage_numbers: list[int],
    support: SupportFn,
    keep_threshold: float = 0.5,
) -> CitationRepair:
    """Keep citations whose passage supports the sentence, fix or drop the rest.

    * a cited passage scoring ``>= keep_threshold`` is kept;
    * if none of the cited passages does, the best supporting passage replaces
      them (when it clears the threshold);
    * a sentence no passage supports is dropped, unless it is the only one,
      in which case the caller decides (it is returned with no citation).
    """
    claims = parse_claims(answer)
    valid = set(passage_numbers)
    checked: list[CheckedClaim] = []
    for claim in claims:
        if unfinished(claim.text):
            checked.append(CheckedClaim(claim.text, claim.cited, [], 0.0, dropped=True))
            continue
        scores: Mapping[int, float] = {n: support(claim.text, n) for n in passage_numbers}
        kept = [n for n in claim.cited if n in valid and scores[n] >= keep_threshold]
        if not kept and scores:
            best = max(passage_numbers, key=lambda n: (scores[n], -n))
            if scores[best] >= keep_threshold:
                kept = [best]
        best_score = max(scores.values(), default=0.0)
        checked.append(
            CheckedClaim(
                text=claim.text,
                cited=claim.cited,
                kept=kept,
                support=best_score,
                dropped=not kept,
            )
        )
    if checked and all(c.dropped for c in checked):
        # Nothing is supported: hand back the text uncited and let the caller refuse.
        for c in checked:
            c.dropped = False
        return CitationRepair(answer=render(checked), claims=checked)
    return CitationRepair(answer=render(checked), claims=checked)
