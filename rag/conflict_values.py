"""Values a sentence gives for what a question asks: counts and amounts, dates and times,
names and places, causes. Pure text work, no model; ``rag.conflicts`` compares them across stories.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from rag.claims import MONTHS, WEEKDAYS, question_type
from rag.stories import DATELINE as _DATELINE
from rag.text import DEMONYMS, normalize_text, stopwords

Kind = Literal["number", "date", "name", "cause"]

_UNITS = "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
_UNITS += "fifteen sixteen seventeen eighteen nineteen"
_WORD_VALUES = {w: i for i, w in enumerate(_UNITS.split())}
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
_WORD_VALUES |= {w: 20 + 10 * i for i, w in enumerate(_TENS)}
_SCALES = {"hundred": 1e2, "thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
_AMOUNT_WORDS = re.compile(
    r"\b(value|valued|worth|price|fee|cost|toll|magnitude|share|percent|percentage|rate|amount|"
    r"number|size|sum|total|age|hectares|score|level|category|grade|height|depth|speed|length|"
    r"distance|temperature|weight|altitude|elevation|capacity|duration)\b"
)
_MEASURE = re.compile(
    r"\bhow (old|long|far|big|large|tall|high|deep|fast|heavy|wide|strong|hot|cold|low|close)\b"
)
_CAUSE_QUESTION = re.compile(
    r"^(?:what|which \w+) (?:caused|started|sparked|triggered|set off|led to)\b"
    r"|\b(?:cause|causes|reason|reasons) (?:of|for|behind)\b|^why\b"
    r"|^what (?:is|was|were) (?:behind|blamed for)\b"
)
_TIME_QUESTION = re.compile(r"\b(?:what|which) (?:time|hour)\b")
TOKEN = re.compile(r"\d+(?:,\d{3})*(?:\.\d+)?(?:-[a-z]+)*|[A-Za-z][A-Za-z'’-]*")
_UNIT_SUFFIXES = frozenset("day days week month year hour minute mile percent".split())
_AGE = re.compile(r"^-?(year-old|years?)$")
_PLACE_PREPS = frozenset("in at near off from to outside inside".split())
_NAME_GLUE = frozenset("of de da del la le van von al bin".split())
_FIRST_WORDS = frozenset(
    "a an the this that these those it its he she they we i in on at by for from with after "
    "before as but and or if when while police officials".split()
)


@dataclass(frozen=True)
class Value:
    """One value a passage gives: as written, and a key that compares equal across wordings."""

    text: str
    key: str
    kind: Kind
    grain: str  # dates: "day" or "year"; only values of one grain are compared


def expected_kind(question: str) -> Kind | None:
    """The kind of value the question asks for, or None when it asks for an explanation."""
    q = normalize_text(question).lower()
    if re.search(
        r"\bwhich\b.*\bwhich\b|\b(?:and|or) (?:who|what|which|where|when|how)\b",
        q,
    ) or re.match(
        r"(?:Which|What) (?:[A-Z]\w+ )?(?!(?:was|is|has|does)\b)[a-z]+(?:ies|[^s]s)\b", question
    ):
        return None  # two things or a list asked ("which officials"): no single value
    if _CAUSE_QUESTION.search(q):
        return "cause"
    qtype = question_type(question)
    if qtype == "how_many" or _MEASURE.search(q):
        return "number"
    if qtype == "when":
        return "date"
    if qtype in ("who", "where"):
        return "name"
    if qtype == "what" and _AMOUNT_WORDS.search(q):
        return "number"
    return None


def _number(tokens: list[str], i: int) -> tuple[str, float, int] | None:
    """The number starting at token ``i`` (digits or words, with a scale), its value, its length."""
    token = tokens[i].lower()
    if token[0].isdigit():
        value = float(token.split("-")[0].replace(",", ""))  # "43-year-old", "10-day"
    else:
        parts = token.split("-")
        if parts[-1] in _UNIT_SUFFIXES:  # "five-day"
            parts = parts[:-1]
        if not parts or not all(p in _WORD_VALUES for p in parts):
            return None
        value = float(sum(_WORD_VALUES[p] for p in parts))
    length = 1
    if i + 1 < len(tokens) and tokens[i + 1].lower() in _SCALES:
        value *= _SCALES[tokens[i + 1].lower()]
        length = 2
    return " ".join(tokens[i : i + length]), value, length


def _is_year(token: str) -> bool:
    return bool(re.fullmatch(r"(19|20)\d\d", token))


def values_in(sentence: str, kind: Kind, question: str) -> list[tuple[Value, int]]:
    """Values of ``kind`` in a sentence with their token positions; the question's own left out."""
    text = _DATELINE.sub("", normalize_text(sentence), count=1)
    if kind == "cause":
        return _causes(text, question)
    if kind == "date" and _TIME_QUESTION.search(question.lower()):
        return _times(text)
    tokens = TOKEN.findall(text)
    asked = {t.lower() for t in TOKEN.findall(normalize_text(question))}
    wants_age = bool(re.search(r"\bhow old\b|\bage\b", question, re.I))
    found: list[tuple[Value, int]] = []
    i = 0
    while i < len(tokens):
        token, lower = tokens[i], tokens[i].lower()
        previous = tokens[i - 1].lower() if i else ""
        if kind == "number":
            number = _number(tokens, i)
            after_month = previous in MONTHS
            following = tokens[i + 1].lower() if i + 1 < len(tokens) else ""
            age = lower.endswith("year-old") or bool(_AGE.match(following)) or following == "old"
            if (
                number
                and not _is_year(token.split("-")[0])
                and not after_month
                and lower not in asked
                and age == wants_age
            ):
                text, value, length = number
                found.append((Value(text, f"{value:g}", "number", ""), i))
                i += length
                continue
        elif kind == "date":
            if lower in MONTHS and i + 1 < len(tokens) and tokens[i + 1].isdigit():
                key = f"{lower} {int(tokens[i + 1])}"
                found.append((Value(f"{token} {tokens[i + 1]}", key, "date", "day"), i))
                i += 2
                continue
            if token.isdigit() and i + 1 < len(tokens) and tokens[i + 1].lower() in MONTHS:
                key = f"{tokens[i + 1].lower()} {int(token)}"
                found.append((Value(f"{token} {tokens[i + 1]}", key, "date", "day"), i))
                i += 2
                continue
            # "on Monday" names a different day in each report (it counts from the
            # report's own date), so weekdays are never compared across reports.
            if _is_year(token):
                found.append((Value(token, token, "date", "year"), i))
        elif token[0].isupper() and lower not in asked and _name_start(tokens, i):
            j = i + 1
            while j < len(tokens) and (
                (tokens[j][0].isupper() and tokens[j].lower() not in asked)
                or (
                    tokens[j].lower() in _NAME_GLUE
                    and j + 1 < len(tokens)
                    and tokens[j + 1][0].isupper()
                )
            ):
                j += 1
            text = " ".join(tokens[i:j])
            grain = "place" if previous in _PLACE_PREPS else "name"
            found.append((Value(text, text.lower(), "name", grain), i))
            i = j
            continue
        i += 1
    return found


def _name_start(tokens: list[str], i: int) -> bool:
    lower = re.sub(r"['’]s$", "", tokens[i].lower())
    if lower in MONTHS or lower in WEEKDAYS or len(tokens[i]) < 2 or _number(tokens, i):
        return False
    if lower in stopwords() or lower in DEMONYMS:  # "; These casualties", "Syrian forces"
        return False
    if i == 0:  # a capitalised first word is a name only when a name goes on after it
        return lower not in _FIRST_WORDS and len(tokens) > 1 and tokens[1][0].isupper()
    return True


_CLOCK = re.compile(
    r"\b(?P<h>\d{1,2})(?:[:.](?P<m>\d{2}))?\s*(?P<ap>[ap])\.?\s?m\b\.?"
    r"|\b(?P<h24>[01]?\d|2[0-3]):(?P<m24>[0-5]\d)\b|\b(?P<word>noon|midday|midnight)\b",
    re.I,
)


def _position(text: str, offset: int) -> int:
    """The token index at character ``offset`` of ``text``."""
    return len(TOKEN.findall(text[:offset]))


def _times(text: str) -> list[tuple[Value, int]]:
    """Clock times ("9:30 p.m.", "21:30", "noon"), keyed on the 24-hour clock."""
    found = []
    for match in _CLOCK.finditer(text):
        if match["word"]:
            key = "00:00" if match["word"].lower() == "midnight" else "12:00"
        elif match["h24"]:
            key = f"{int(match['h24']):02d}:{match['m24']}"
        else:
            hour = int(match["h"]) % 12 + (12 if match["ap"].lower() == "p" else 0)
            if int(match["h"]) > 12:
                continue
            key = f"{hour:02d}:{match['m'] or '00'}"
        found.append((Value(match[0].strip(), key, "date", "time"), _position(text, match.start())))
    return found


_CAUSE_AFTER = re.compile(
    r"\b(?:caused|started|triggered|sparked|set off) by|\bblamed (?:\w+ ){0,3}on|\bdue to"
    r"|\bbecause of|\bthe result of|\b(?:cause|source) (?:was|is|had been)"
    r"|\b(?:suspect|suspects|suspected|believe|believes|think|thinks) ",
    re.I,
)
_CAUSE_BEFORE = re.compile(r"\b(?:caused|started|triggered|sparked|set off|led to)\b", re.I)
_PHRASE_END = frozenset(
    "in at on near during while when which that who whom and but as after before since said says "
    "say according caused started triggered sparked led was were is are had has have could may "
    "might would will to for from by with".split()
)
_CLAUSE_WORDS = frozenset(
    "that believe believes believed suspect suspects suspected think thinks said say says found "
    "concluded confirmed".split()
)
_DETERMINERS = frozenset("a an the its their his her this that some".split())


def _cause_phrase(words: list[str], question: str) -> str:
    """The noun phrase that names a cause: up to its first clause word, determiners dropped."""
    phrase: list[str] = []
    for word in words[:6]:
        if word.lower() in _PHRASE_END:
            break
        phrase.append(word)
    while phrase and phrase[0].lower() in _DETERMINERS:
        phrase.pop(0)
    asked = {t.lower() for t in TOKEN.findall(normalize_text(question))}
    return " ".join(phrase) if any(w.lower() not in asked for w in phrase) else ""


def _causes(text: str, question: str) -> list[tuple[Value, int]]:
    """What a sentence says caused something ("caused by a gas leak", "police suspect arson",
    "an electrical fault caused the fire"), keyed on its content stems."""
    from rag.text import content_stems

    asked = set(content_stems(question))
    found: list[tuple[Value, int]] = []

    def add(phrase: str, offset: int) -> None:
        stems = sorted(set(content_stems(phrase)) - asked)
        if phrase and stems:
            found.append((Value(phrase, " ".join(stems), "cause", ""), _position(text, offset)))

    for match in _CAUSE_AFTER.finditer(text):
        after = re.split(r"[,;:.!?()\"“”]", text[match.end() :], maxsplit=1)[0]
        add(_cause_phrase(after.split(), question), match.end())
    for match in _CAUSE_BEFORE.finditer(text):
        if text[match.end() :].lstrip().lower().startswith("by"):
            continue  # "caused by ...": the phrase follows
        before = re.split(r"[,;:.!?()\"“”]", text[: match.start()])[-1].split()
        cut = max((n + 1 for n, w in enumerate(before) if w.lower() in _CLAUSE_WORDS), default=0)
        phrase = _cause_phrase(before[cut:][-8:], question)
        add(phrase, max(text.rfind(phrase, 0, match.start()), 0))
    return found
