"""What a question asks for and what an answer asserts, without a model.

Word overlap lets a sentence through that adds a year, a weekday or a name the
passage never gives ("October 15th, 2025" from a passage that says "October
15th"), and cannot tell that a "where" answer names no place. This module makes
both checks explicit and cheap:

* ``question_type`` sorts a question into who / where / when / how_many / list /
  yes_no / why_how / what, and ``supplies_type`` says whether an answer gives
  that kind of thing at all;
* ``atoms`` lists the checkable facts of a sentence (numbers, years, months,
  weekdays, names) and ``unsupported_atoms`` those a passage does not contain;
* ``malformed`` spots drafts that must never be shown (only citation markers,
  the question repeated) and ``strip_headings`` removes section headings a
  small model glues onto its sentences.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from rag.text import DEMONYMS, canonical_word, content_stems, normalize_text

QuestionType = Literal["who", "where", "when", "how_many", "list", "yes_no", "why_how", "what"]

MONTHS = (
    "january february march april may june july august september october november december"
).split()
WEEKDAYS = "monday tuesday wednesday thursday friday saturday sunday".split()
_MONTH_ABBR = {m[:3]: m for m in MONTHS} | {"sept": "september"}
_NUMBER_WORDS = (
    "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety "
    "hundred hundreds thousand thousands million millions billion billions dozen dozens"
).split()
_COUNT_WORDS = {w: i for i, w in enumerate(["two", "three", "four", "five", "six", "seven"], 2)}
_RELATIVE_DATES = re.compile(
    r"\b(yesterday|today|tonight|tomorrow|last (week|month|year|night)|this (week|month|year)|"
    r"next (week|month|year)|\d+ (days?|weeks?|months?|years?) ago|earlier this|"
    r"(early|mid|late)[- ](january|february|march|april|may|june|july|august|september|"
    r"october|november|december|\d{4}))\b",
    re.I,
)
_EVENT_TIMES = re.compile(
    r"\b(?:in the (?:aftermath|wake) of|(?:shortly |soon |right |immediately )?(?:after|before|"
    r"following|during|since) the|in the (?:coming|next|past|last) "
    r"(?:period|days|weeks|months|years|decades?)|"
    r"at the (?:start|end|beginning|height|time) of)\b[^,.;]*",
    re.I,
)
_PLACE_NOUNS = frozenset(
    "hospital hospitals base bases city cities town village province region area border capital "
    "headquarters camp facility airport port country countries desert district embassy palace "
    "street square prison school university field site center centre state island coast".split()
)
_ACTOR_NOUNS = frozenset(
    "forces force soldiers troops army military officials official president minister ministry "
    "government group groups militants fighters organization organisation police spokesman "
    "spokesperson leader leaders authorities agency administration coalition member members "
    "citizens civilians people man woman men women chief commander officer team company".split()
)
_FIRST_WORD_OK = frozenset(
    "according after although as at before both but by despite during following for from "
    "however if in it its on since so that the their there these they this those though to "
    "under until when where while with yes no".split()
)
_TOKEN = re.compile(r"[A-Za-z][\w'’.-]*[A-Za-z]|[A-Za-z]|\d[\d,.]*\d|\d")
_CITATION = re.compile(r"\s*\[\d+(?:\s*[,;]\s*\d+)*\]")


def question_type(question: str) -> QuestionType:
    """The kind of answer a question asks for (first match wins, most specific first)."""
    q = normalize_text(question).lower().strip()
    if re.search(r"\bhow (many|much)\b|\bwhat (number|percentage|share|amount)\b", q):
        return "how_many"
    if re.search(
        r"^(when|what time)\b|\b(what|which) (date|day|year|month|time|night|morning|evening|"
        r"afternoon|weekend)\b|\bon what (date|day)\b"
        r"|\bwhen (did|was|were|will|is|does|do|had)\b",
        q,
    ):
        return "when"
    if requested_items(question) or re.search(
        r"^(name|list)\b|\b(which|what) (countries|cities|groups|organizations|organisations|"
        r"people|officials|leaders|actors|nations|states|steps|measures|items|names)\b",
        q,
    ):
        return "list"
    if re.search(
        r"^where\b|\bwhere (did|was|were|is|are|will|do|does|had)\b|\b(in|to|at|from) "
        r"(which|what) (city|town|country|place|region|province|hospital|area|location|base)\b"
        r"|^(which|what) (city|town|country|place|region|province|hospital|location|base)\b",
        q,
    ):
        return "where"
    if re.search(r"\bname[sd]?\b|\bcalled\b", q) and not re.match(
        r"(is|are|was|were|did|does)\b", q
    ):
        return "who"
    if re.search(
        r"^(who|whom)\b|\bwho(m)? (did|was|were|is|are|attacked|said|called|blamed)\b|"
        r"\b(which|what) (person|official|organization|organisation|group|leader|president|"
        r"minister|agency|channel|outlet|newspaper|company|country|army|force|forces)\b",
        q,
    ):
        return "who"
    if re.match(
        r"(is|are|was|were|did|does|do|has|have|had|can|could|will|would|should)\b", q
    ) and not re.search(r"\bor\b", q):
        return "yes_no"
    if re.match(r"(why|how)\b", q):
        return "why_how"
    return "what"


def requested_items(question: str) -> int:
    """How many items a list question names ("the three countries" -> 3), else 0."""
    q = normalize_text(question).lower()
    match = re.search(
        r"\b(?:name|list|what are|what were|who are|who were|which are|which were)\s+(?:the\s+)?"
        r"(two|three|four|five|six|seven|[2-7])\s+\w+",
        q,
    )
    if not match:
        return 0
    word = match[1]
    return int(word) if word.isdigit() else _COUNT_WORDS[word]


_LONG_NAMES = (
    (re.compile(r"\bUnited States(?: of America)?\b"), "USA"),
    (re.compile(r"\bUnited Kingdom\b"), "UK"),
)


def _clean(text: str) -> str:
    """Citations removed; long country names in the short form the stems use."""
    text = _CITATION.sub("", normalize_text(text)).strip()
    for pattern, short in _LONG_NAMES:
        text = pattern.sub(short, text)
    return text


_ENUMERATOR = re.compile(r"(?:^|(?<=\s))(?:\d{1,2}|[a-z]|[ivx]{1,4})[.)]\s+(?=\S)")


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(_clean(text))


def _atom_tokens(text: str) -> list[str]:
    """Tokens of a sentence without list enumerators ("1. Russia 2. Iran" states no numbers)."""
    return _TOKEN.findall(_ENUMERATOR.sub(" ", _clean(text)))


@dataclass(frozen=True)
class Atom:
    """One checkable fact of a sentence: its text as written and its comparable key."""

    text: str
    kind: Literal["number", "month", "weekday", "name"]
    key: str


def _number_key(token: str) -> str:
    digits = token.replace(",", "")
    if re.fullmatch(r"\d+\.0+", digits):
        digits = digits.split(".")[0]
    return digits


def atoms(sentence: str) -> list[Atom]:
    """Numbers (digits, number words, ordinals), months, weekdays and names in a sentence.

    A name is a capitalised word that is not the sentence's first word (the first
    word is capitalised anyway) unless it is a month or weekday.
    """
    found: list[Atom] = []
    tokens = _atom_tokens(sentence)
    for i, token in enumerate(tokens):
        lower = token.lower().rstrip(".")
        canon = canonical_word(lower)
        if token[0].isdigit():
            ordinal = re.fullmatch(r"(\d+)(st|nd|rd|th)", lower)
            key = ordinal[1] if ordinal else _number_key(token)
            found.append(Atom(token, "number", key))
        elif canon.isdigit():
            found.append(Atom(token, "number", canon))
        elif lower in MONTHS or (lower in _MONTH_ABBR and token[0].isupper()):
            found.append(Atom(token, "month", _MONTH_ABBR.get(lower, lower)))
        elif lower in WEEKDAYS:
            found.append(Atom(token, "weekday", lower))
        elif token[0].isupper() and i > 0 and len(token) > 1:
            stems = content_stems(token)
            if stems:
                found.append(Atom(token, "name", stems[0]))
    return found


def _evidence_keys(texts: Iterable[str]) -> set[str]:
    keys: set[str] = set()
    for text in texts:
        text = _clean(text)
        keys.update(content_stems(text))
        for atom in atoms("x " + text):  # "x " so the first real word counts as a name too
            keys.add(atom.key)
    return keys


def unsupported_atoms(sentence: str, evidence: Iterable[str]) -> list[Atom]:
    """The atoms of ``sentence`` that none of the ``evidence`` texts contains.

    Compared after normalisation: "15th" = "15", "three" = "3", "US" = "United
    States" = "American", look-alike Cyrillic letters folded.
    """
    keys = _evidence_keys(evidence)
    missing = []
    for atom in atoms(sentence):
        if atom.key in keys:
            continue
        if atom.kind == "number" and _number_in(atom.key, keys):
            continue
        if atom.kind == "name" and _spelling_variant(atom.key, keys):
            continue
        missing.append(atom)
    return missing


def _spelling_variant(key: str, keys: set[str]) -> bool:
    """A transliteration of the same name: "sharaa" / "sharara", "zelenski" / "zelenskyy".

    Same first four letters and at most two edits apart, for names of five or more letters.
    """
    if len(key) < 5 or not key.isalpha():
        return False
    return any(
        k[:4] == key[:4] and abs(len(k) - len(key)) <= 2 and _edits(key, k) <= 2
        for k in keys
        if len(k) >= 5
    )


def _edits(a: str, b: str) -> int:
    """Levenshtein distance (short words only)."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def _number_in(key: str, keys: set[str]) -> bool:
    """'1,500' in the answer is '1' and '500' in a tokenised passage, and the other way round."""
    parts = [p for p in re.split(r"[,.]", key) if p]
    return len(parts) > 1 and all(p in keys for p in parts)


_MONTH_RE = (
    "|".join(m.capitalize() for m in MONTHS) + "|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec"
)
_YEAR_AFTER_DATE = re.compile(
    rf"(?P<date>\b(?:(?:{_MONTH_RE})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?|\d{{1,2}}(?:st|nd|rd|th)?\s+"
    rf"(?:of\s+)?(?:{_MONTH_RE})\.?))\s*,?\s+(?P<year>\d{{4}})\b"
)


def strip_unsupported_years(sentence: str, evidence: Iterable[str]) -> str:
    """Drop a year glued to a day ("October 15th, 2025") when no evidence gives that year."""
    keys = _evidence_keys(evidence)

    def fix(match: re.Match[str]) -> str:
        return match["date"] if match["year"] not in keys else match[0]

    return _YEAR_AFTER_DATE.sub(fix, sentence)


def supplies_type(qtype: QuestionType, answer: str, question: str) -> bool:
    """Whether ``answer`` gives the kind of thing ``qtype`` asks for at all."""
    text = _clean(answer)
    tokens = _tokens(text)
    lowers = [t.lower() for t in tokens]
    if qtype == "how_many":  # a count, not the day of a date ("on October 15th")
        lowers = [t.lower() for t in _TOKEN.findall(_DATE_NUMBERS.sub(" ", text))]
        return any(
            t[0].isdigit() or t in _NUMBER_WORDS or canonical_word(t).isdigit() for t in lowers
        )
    if qtype == "when":
        # "in the aftermath of the assault", "in the coming period": a time told by events,
        # when the question did not already give it.
        told = [m[0].lower() for m in _EVENT_TIMES.finditer(text)]
        return bool(
            _RELATIVE_DATES.search(text)
            or any(t not in question.lower() for t in told)
            or any(t in MONTHS or t in WEEKDAYS or re.fullmatch(r"(19|20)\d\d", t) for t in lowers)
            or any(re.fullmatch(r"\d{1,2}(st|nd|rd|th)", t) for t in lowers)
        )
    if qtype == "list":
        return list_items(text) >= max(2, requested_items(question))
    if qtype in ("who", "where"):
        nouns = _PLACE_NOUNS if qtype == "where" else _ACTOR_NOUNS
        names = new_names(text, question)
        if qtype == "where":  # "American helicopters" names no place
            names = [n for n in names if n.lower() not in DEMONYMS]
        if re.search(r"\bname[sd]?\b|\bcalled\b", question, re.I):  # a name, not a role
            return bool(names)
        return bool(names) or any(t in nouns for t in lowers)
    return True


_DATE_NUMBERS = re.compile(
    r"\b(?:(?:" + "|".join(MONTHS) + r")\s+\d{1,2}(?:st|nd|rd|th)?(?:,?\s+(?:19|20)\d\d)?"
    r"|\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:" + "|".join(MONTHS) + r")(?:,?\s+(?:19|20)\d\d)?"
    r"|(?:in|since|until|by)\s+(?:19|20)\d\d)\b",
    re.I,
)


def new_names(answer: str, question: str) -> list[str]:
    """Capitalised words of the answer (first word included) that the question does not use."""
    asked = {t.lower() for t in _tokens(question)}
    names = []
    for i, token in enumerate(_tokens(answer)):
        lower = token.lower()
        if not token[0].isupper() or lower in asked:
            continue
        if i == 0 and lower in _FIRST_WORD_OK:
            continue
        names.append(token)
    return names


def list_items(text: str) -> int:
    """Items in an enumeration: parts split by commas, semicolons, 'and', sentences, lines."""
    parts = re.split(r",|;|\band\b|\bas well as\b|\n|\s-\s|(?<=[.!?])\s+", _clean(text))
    return len([p for p in parts if re.search(r"\w", p)])


def malformed(answer: str, question: str) -> bool:
    """A draft never to show: no words besides citation markers, or the question repeated.

    A yes/no answer may restate its question ("Trump blamed ISIS [1]"), so it is
    never counted as a repetition; nor is an answer that uses only some of the
    question's words (it picks one of the options the question offers).
    """
    text = _clean(answer)
    if re.fullmatch(r"\W*(yes|no)\b.*", text, re.I | re.S):
        return False
    if not content_stems(text):
        return True
    if question_type(question) == "yes_no":
        return False
    answer_stems = set(content_stems(text))
    question_stems = set(content_stems(question))
    if not answer_stems or not answer_stems <= question_stems:
        return False
    # "Palmyra [1]" for "Was it in Palmyra or Homs?" picks an option; a repetition
    # restates (nearly) the whole question. Without options, an answer that adds no
    # word of its own ("The bail was set for X" to "What bail was set for X?") answers
    # nothing.
    if re.search(r"\bor\b", question, re.I):
        return len(answer_stems) >= 0.8 * len(question_stems)
    return True


# "how much", "how long": the word after "how" says what kind of answer, not what it is about
_HOW_WORD = re.compile(
    r"\bhow (?:much|many|long|far|often|old|big|large|tall|high|deep|wide|soon|early|late|few)\b",
    re.I,
)


def focus_stems(question: str, passages: Iterable[str]) -> set[str]:
    """The question's content stems that not every passage shares: what tells passages apart.

    "What is the population of Palmyra?" over passages that all mention Palmyra
    has the focus {"popul"}; a sentence without it does not answer the question.
    The word of "how much" or "how long" is left out: the answer's type
    (``supplies_type``) checks it, and a sentence rarely repeats it, so over one
    article "How much did the bridge cost?" would have had the focus {"much"}.
    """
    stems = set(content_stems(_clean(_HOW_WORD.sub("how", question))))
    texts = [set(content_stems(_clean(t))) for t in passages]
    if not texts:
        return stems
    return {s for s in stems if not all(s in t for t in texts)}


def heading_lines(texts: Iterable[str]) -> list[str]:
    """Short lines without end punctuation: section headings of the passages."""
    headings = []
    for text in texts:
        for line in text.splitlines():
            line = line.strip()
            words = line.split()
            if 1 <= len(words) <= 12 and line[-1] not in '.!?:;,"”' and len(line) > 3:
                headings.append(line)
    return headings


def title_lines(texts: Iterable[str]) -> list[str]:
    """Lines without end punctuation, mostly capitalised words: headings of any length.

    Longer than ``heading_lines`` allows ("Changing Balance of Power in the USA and the
    Region: The Strategic Importance of Palmyra"), so only ever used to tell an answer
    made of nothing but echoed headings, never to cut words out of an answer.
    """
    found = []
    for text in texts:
        for line in text.splitlines():
            line = line.strip()
            words = [w for w in re.findall(r"[^\W\d_][\w'’-]*", line) if len(w) > 3]
            if not words or line[-1] in '.!?;,"”' or len(line.split()) > 30:
                continue
            if sum(w[0].isupper() for w in words) * 3 >= len(words) * 2:
                found.append(line)
    return found


def strip_headings(answer: str, headings: Iterable[str]) -> str:
    """Remove passage headings echoed at the start of answer sentences."""
    result = answer
    for heading in sorted(set(headings), key=len, reverse=True):
        pattern = re.compile(
            r"(^|(?<=[.!?]\s)|(?<=\n))\s*" + re.escape(heading) + r"[\s:.-]*", re.I
        )
        result = pattern.sub(lambda m: m[1], result)
    return result.strip()
