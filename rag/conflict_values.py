"""Values a sentence gives for what a question asks: counts and amounts, dates and times,
names and places, causes. Pure text work, no model; ``rag.conflicts`` compares them across stories.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from rag.claims import MONTHS, WEEKDAYS, question_type
from rag.stories import DATELINE as _DATELINE
from rag.text import DEMONYMS, content_stems, normalize_text, stopwords

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
# unit word -> (dimension, factor to the dimension's base unit); keys compare across units
_UNIT_TABLE: dict[str, tuple[str, float]] = {}
for _dim, _spec in {
    "time": "second:1 seconds:1 minute:60 minutes:60 hour:3600 hours:3600 day:86400 days:86400 "
    "week:604800 weeks:604800 month:2592000 months:2592000 year:31536000 years:31536000",
    "length": "mm:0.001 millimetres:0.001 millimeters:0.001 cm:0.01 centimetres:0.01 "
    "centimeters:0.01 m:1 metre:1 metres:1 meter:1 meters:1 km:1000 kilometre:1000 "
    "kilometres:1000 kilometer:1000 kilometers:1000 mile:1609 miles:1609 foot:0.3048 "
    "feet:0.3048 ft:0.3048 yards:0.9144 yard:0.9144",
    "speed": "km/h:1 kph:1 kmh:1 mph:1.609 knots:1.852 knot:1.852",
    "mass": "kg:1 kilograms:1 kilogram:1 tonnes:1000 tonne:1000 tons:1000 ton:1000 lb:0.4536",
    "temperature": "degrees:1 °c:1 c:1",
    "percent": "percent:1 per-cent:1 pct:1",
}.items():
    for _pair in _spec.split():
        _word, _factor = _pair.split(":")
        _UNIT_TABLE[_word] = (_dim, float(_factor))
UNIT_STEMS = frozenset(content_stems(" ".join(_UNIT_TABLE)))
# "how deep/high/far ..." wants a value in this dimension
_MEASURE_DIMENSION = {
    "deep": "length",
    "high": "length",
    "tall": "length",
    "far": "length",
    "wide": "length",
    "close": "length",
    "long": "time",
    "fast": "speed",
    "heavy": "mass",
    "hot": "temperature",
    "cold": "temperature",
}
_CHANGE = re.compile(
    r"\b(drop|dropped|fall|fell|rise|rose|slide|slid|climb|climbed|decline|declined|jump|jumped|"
    r"gain|gained|lose|lost|grow|grew|shrink|shrank)\b",
    re.I,
)
_TO_NAME = frozenset(
    "belongs belong belonged sold according awarded given handed married owned linked".split()
)
_SETTLEMENT = frozenset(
    "village town city hamlet district province region port island county state suburb area "
    "municipality neighbourhood neighborhood".split()
)
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
    weekday: bool = False  # a day read from "on Thursday" and the report's date


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


def values_in(
    sentence: str, kind: Kind, question: str, published: str = ""
) -> list[tuple[Value, int]]:
    """Values of ``kind`` in a sentence with their token positions; the question's own left out.

    ``published`` (YYYY-MM-DD), the report's date, turns "on Thursday" into the day it names.
    """
    text = _DATELINE.sub("", normalize_text(sentence), count=1)
    if kind == "cause":
        return _causes(text, question)
    if kind == "date" and _TIME_QUESTION.search(question.lower()):
        return _times(text)
    tokens = TOKEN.findall(text)
    asked = {t.lower() for t in TOKEN.findall(normalize_text(question))}
    wants_age = bool(re.search(r"\bhow old\b|\bage\b", question, re.I))
    measure = _MEASURE.search(question.lower())
    wants_dimension = _MEASURE_DIMENSION.get(measure[1]) if measure else None
    if re.search(r"\bhow long (?:is|are)\b", question, re.I):
        wants_dimension = "length"  # "how long is the bridge", not "how long did it last"
    if _CHANGE.search(question):  # "how far did shares drop": by a share, not a distance
        wants_dimension = None
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
            age = age or (previous[:1].isalpha() and f"{tokens[i - 1]}, {token}," in text)
            if (
                number
                and not _is_year(token.split("-")[0])
                and not after_month
                and lower not in asked
                and age == wants_age
            ):
                text, value, length = number
                unit = tokens[i + length].lower() if i + length < len(tokens) else ""
                if "-" in lower and lower.rsplit("-", 1)[1] in _UNIT_TABLE:
                    unit = lower.rsplit("-", 1)[1]  # "a five-day strike"
                dimension, factor = _UNIT_TABLE.get(unit, ("", 1.0))
                if wants_dimension == "length" and unit == "long":  # "400 metres long"
                    dimension = ""
                if wants_dimension and dimension != wants_dimension:
                    i += length  # "how deep": a number with no length unit is not a depth
                    continue
                if dimension and "-" not in lower:
                    text = f"{text} {tokens[i + length]}"
                key = f"{value * factor:g}{dimension}"
                found.append((Value(text, key, "number", dimension), i))
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
            # "on Monday" counts from the report's own date: it is compared as that day.
            day = _weekday_date(re.sub(r"['’]s$", "", lower), published)
            if day is not None:
                key = f"{MONTH_NAMES[day.month - 1]} {day.day}"
                text = f"{token} ({MONTH_NAMES[day.month - 1].title()} {day.day})"
                found.append((Value(text, key, "date", "day", weekday=True), i))
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
            if _attribution(tokens, i, j) and not _SPEAKER_QUESTION.search(question):
                i = j  # "the spokeswoman Carla Nuti said": who tells, not who did
                continue
            before = tokens[i - 2].lower() if i > 1 else ""
            settled = previous == "of" and before in _SETTLEMENT  # "the village of Drosk"
            owned = previous == "to" and before in _TO_NAME  # "belongs to Sunburst Pyrotechnics"
            grain = "place" if (previous in _PLACE_PREPS and not owned) or settled else "name"
            found.append((Value(text, text.lower(), "name", grain), i))
            i = j
            continue
        i += 1
    return found


_MONTH_ABBREVIATIONS = frozenset("jan feb mar apr jun jul aug sep sept oct nov dec".split())
_SAYS = frozenset("said says told added stated announced".split())
_SPOKES = frozenset("spokesman spokeswoman spokesperson spokesmen according reporter".split())
_SPEAKER_QUESTION = re.compile(r"\b(said|say|says|told|tell|announced|according|spokes\w+)\b", re.I)


def _attribution(tokens: list[str], i: int, j: int) -> bool:
    """The name at ``tokens[i:j]`` is a report's source ("X said", "spokeswoman X")."""
    after = {t.lower() for t in tokens[j : j + 1]}
    before = {t.lower() for t in tokens[max(0, i - 4) : i]}
    return bool(after & _SAYS or before & _SPOKES)


def _name_start(tokens: list[str], i: int) -> bool:
    lower = re.sub(r"['’]s$", "", tokens[i].lower())
    if lower in MONTHS or lower in WEEKDAYS or len(tokens[i]) < 2 or _number(tokens, i):
        return False
    if lower[:4].rstrip(".") in _MONTH_ABBREVIATIONS or re.search(r"['’](m|re|ll|ve|d|t)$", lower):
        return False  # "Feb", "Sept"; "I'm", "Don't"
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
        segments = re.split(r"[,;:.!?()\"“”]", text[: match.start()])
        while (
            len(segments) > 1
            and (  # "a methane explosion, not an earth tremor, had caused"
                segments[-1].split()[:1] == ["not"]
                or not _cause_phrase(segments[-1].split(), question)
            )
        ):
            segments.pop()
        before = segments[-1].split()
        cut = max((n + 1 for n, w in enumerate(before) if w.lower() in _CLAUSE_WORDS), default=0)
        phrase = _cause_phrase(before[cut:][-8:], question)
        add(phrase, max(text.rfind(phrase, 0, match.start()), 0))
    return found


MONTH_NAMES = (
    "january february march april may june july august september october november december".split()
)
_WEEKDAY_NAMES = "monday tuesday wednesday thursday friday saturday sunday".split()


def _weekday_date(word: str, published: str) -> date | None:
    """The day a weekday names in a report of ``published``: the latest such day up to it."""
    if word not in _WEEKDAY_NAMES or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", published or ""):
        return None
    day = date.fromisoformat(published)
    return day - timedelta(days=(day.weekday() - _WEEKDAY_NAMES.index(word)) % 7)
