"""Where a value sits in its sentence, beyond the words around it.

A report's sentence can hold a value that is not what it reports: the day
something was said ("engineers said on Wednesday"), a value someone wished for
("a 2 percent rise would have been enough"), or a change told by a comparative
("will pay 6 percent more") that no verb of change sits beside.
"""

from __future__ import annotations

import re
from functools import lru_cache

from rag.conflict_values import TOKEN as _TOKEN
from rag.stories import DATELINE as _DATELINE
from rag.text import normalize_text


@lru_cache(maxsize=2048)
def tokens(sentence: str) -> tuple[str, ...]:
    """The sentence's tokens as value positions count them (dateline dropped).

    Cached: one sentence is read for every value in it and every window width.
    """
    return tuple(_TOKEN.findall(_DATELINE.sub("", normalize_text(sentence), count=1)))


SAID = frozenset("said says told announced stated reported confirmed added".split())


def said_on(sentence: str, position: int) -> bool:
    """The value is when something was said ("engineers said on Wednesday"), not the event."""
    before = [t.lower() for t in tokens(sentence)[max(0, position - 2) : position]]
    return len(before) == 2 and before[0] in SAID and before[1] == "on"


_COMPARATIVE = {"more": "increas", "higher": "increas", "less": "decreas", "lower": "decreas"}


def _after(sentence: str, position: int, width: int) -> list[str]:
    return [t.lower() for t in tokens(sentence)[position + 1 : position + 1 + width]]


def hypothetical(sentence: str, position: int) -> bool:
    """A value someone wished for ("a 2 percent rise would have been enough"), not reported."""
    after = " ".join(_after(sentence, position, 6))
    return bool(re.search(r"\b(?:would|could|should|might) have\b", after))


def changed_by(sentence: str, position: int, head: set[str]) -> bool:
    """The change the question asks about, told by a comparative ("will pay 6 percent more")."""
    return any(_COMPARATIVE.get(t, "") in head for t in _after(sentence, position, 2))
