"""Conflicting reports: passages of different stories that give different values for what is asked.

No model is involved. The question says what kind of value it wants (a count
or amount, a date or time, a name or place, a cause: ``rag.conflict_values``); in each
passage shown to the model, the sentence that best answers the question (the
same score that picks the prompt's sentences) gives its value, the one closest
to the question's words. Two stories whose values differ are a conflict: the
prompt then asks the model to report both sides with their sources and dates,
and the checked answer is made to state them if the model did not.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from rag.claims import question_type
from rag.conflict_values import TOKEN as _TOKEN
from rag.conflict_values import UNIT_STEMS, Kind, Value, expected_kind, values_in
from rag.senses import PEOPLE as _PEOPLE
from rag.senses import SAME_SENSE as _SAME_SENSE
from rag.text import content_stems, normalize_text, stopwords
from rag.types import Passage
from rag.value_context import SAID, changed_by, hypothetical, said_on, tokens

__all__ = ["Value", "about_event", "detect", "expected_kind", "passage_value", "sentence_scorer"]
# score(passage, sentence index) -> how well that sentence answers the question
ScoreFn = Callable[[Passage, int], float]

MIN_SCORE = 0.3  # a sentence scoring less does not answer: no value from it
WINDOW = 6  # tokens around a value searched for the question's words
NEAR_WEIGHT = 0.25  # a question word next to a value counts a quarter of a sentence score


_HEAD = re.compile(r"\b(?:how (?:many|much)|what (?:is|was|were|are) the)\b(.*)$")
_STOP = frozenset(
    "in at of on from over for by when after during to near into against with about".split()
)
_DO = frozenset("did does do will would can could has have had".split())
_BE = frozenset("is are was were".split())


# the verb of a who-question: "who [was] arrested", "which company owns"
_WHO_VERB = re.compile(
    r"^(?:who|whom|which \w+|what \w+)\s+(?:(?:was|were|is|are|has|have|had|did|does|do|will)\s+)?"
    r"(?!the\b|a\b|an\b)(\w+)"
)
_APPOINTED_TO = re.compile(
    r"\b(?:appointed|named|chosen|picked|nominated|elected|tapped|hired)\s+to\s+(\w+)"
)
_MEASURE_WORDS = re.compile(r"\bhow (deep|high|tall|far|wide)\b")
_CHANGE_VERB = re.compile(r"\b(drop|fall|fell|rise|rose|slide|slid|climb|decline|jump|gain)\b")
_MEASURE_NOUNS = re.compile(
    r"\b(magnitude|level|category|grade|height|depth|speed|length|distance|temperature|weight|"
    r"altitude|elevation|capacity|share|percentage)\b"
)


def head_stems(question: str) -> set[str]:
    """The words that say which value is wanted, with their same-sense words.

    A count or amount: what is counted and its verb ("how many people were
    evacuated" -> people, evacuated; "how much did the hospital in Marlow cost" ->
    hospital, cost). A when/where question: its closing verb ("built", "start").
    """
    q = normalize_text(question).lower().rstrip("?. ")
    words = q.split()
    match = _HEAD.search(q)
    if match:
        rest = match[1].split()
        counted: list[str] = []
        for n, word in enumerate(rest):
            if word in _STOP:
                break
            if word in _BE:  # "people were evacuated": the participle says what happened
                counted.extend(rest[n + 1 : n + 2])
                break
            if word in _DO:  # "did Solvent Tech pay for": the verb before the preposition
                clause = [w for w in rest[n + 1 :]]
                cut = next((i for i, w in enumerate(clause) if w in _STOP), len(clause))
                counted.extend(clause[cut - 1 : cut] + words[-1:])
                break
            counted.append(word)
        head = set(content_stems(" ".join(counted)))
    elif words and (question_type(question) in ("when", "where") or q.startswith("how long")):
        head = set(content_stems(_closing_verb(question)))  # "did the exchange of fire last"
    elif question_type(question) == "who":
        verbs = _WHO_VERB.findall(q)[:1] + _APPOINTED_TO.findall(q)[:1]  # "appointed to lead"
        head = set(content_stems(" ".join(verbs)))
    elif _CHANGE_VERB.search(q):  # "how far did shares drop": "shares slid 11 percent"
        head = set(content_stems(_CHANGE_VERB.search(q)[1]))
    elif _MEASURE_NOUNS.search(q):  # "what magnitude was the tremor": "magnitude 3.9"
        head = set(content_stems(" ".join(_MEASURE_NOUNS.findall(q))))
    else:
        return set()
    if head - _PEOPLE:  # "people died": the verb tells the counts apart, "people" does not
        head -= _PEOPLE
    groups = [group for group in _SAME_SENSE if head & group]
    if groups:  # "miners died": the same holds for any noun beside a verb of what happened
        head = set().union(*groups) | (head & UNIT_STEMS)  # "days ... last": days stays
    return head


_TRAILING_NAMES = re.compile(
    r"(?:\s+(?:in|at|of|on|near|from|to|for|as|with|by)(?:\s+(?:the|a|an))?(?:\s+[A-Z][\w'’-]*)+"
    r"|(?:\s+[A-Z][\w'’-]*)+)$"
)


def _closing_verb(question: str) -> str:
    """The question's last word once trailing names are cut: "did thieves raid Casa Verrano
    in Lissard" -> raid; "will the stadium open" -> open."""
    text = normalize_text(question).strip().rstrip("?. ")
    while True:
        shorter = _TRAILING_NAMES.sub("", text)
        if shorter == text or not shorter.strip():
            break
        text = shorter
    return text.split()[-1] if text.split() else ""


def _near(sentence: str, question: str) -> list[float]:
    """For each token of the sentence, the question words within ``WINDOW`` of it (head words
    count three times)."""
    words = tokens(sentence)
    stems = [set(content_stems(t.replace("-", " "))) for t in words]
    wanted = set(content_stems(question))
    head = head_stems(question)
    near = []
    for i in range(len(words)):
        window = set().union(*stems[max(0, i - WINDOW) : i + WINDOW + 1])
        near.append(len(wanted & window) + 2 * len(head & window))
    return near


def _window_stems(sentence: str, position: int, width: int = 2 * WINDOW) -> set[str]:
    """Stems of the words within ``width`` tokens of a value ("the death toll ... rose to nine")."""
    found = tokens(sentence)
    window = found[max(0, position - width) : position + width + 1]
    return set(content_stems(" ".join(t.replace("-", " ") for t in window)))


def _answers(sentence: str) -> bool:
    """A sentence, not a headline or dateline-only line: it ends like a sentence."""
    return sentence.rstrip()[-1:] in '.!?"”'


def passage_value(
    passage: Passage, question: str, kind: Kind, score: ScoreFn
) -> tuple[Value, int] | None:
    """The value the passage gives: in a shown sentence that answers the question well
    (``score``), the value with most question words around it."""
    where = question_type(question) == "where"
    who = question_type(question) == "who"
    head = head_stems(question)
    known_verb = any(head & group for group in _SAME_SENSE)
    measure = _MEASURE_WORDS.search(normalize_text(question).lower())
    measured = set(content_stems(measure[1])) if measure else set()
    for group in _SAME_SENSE if measured else []:
        measured |= group if measured & group else set()
    candidates: list[tuple[float, int, Value]] = []
    for i in range(len(passage.sentences)):  # all, not only those shown: the note shows them
        text = passage.sentences[i].text
        found = values_in(text, kind, question, passage.date) if _answers(text) else []
        found = [(v, at) for v, at in found if (v.grain == "place") == where or kind != "name"]
        s = score(passage, i) if found else 0.0
        beside = [(v, at) for v, at in found if head & _window_stems(text, at, WINDOW)]
        if s < MIN_SCORE / 2 or (s < MIN_SCORE and not beside):
            continue  # a sentence that says what is asked beside its value may score lower
        if s < MIN_SCORE:
            found = beside
        near = _near(text, question)
        found = [(v, at) for v, at in found if not hypothetical(text, at)]
        if kind == "number" and head:  # a count must sit next to what is counted
            found = [
                (v, at)
                for v, at in found
                if head & _window_stems(text, at) or changed_by(text, at, head)
            ]
        elif who and (beside or known_verb):  # "the owner, Novaflare Ltd", not "Eastfield"
            found = beside  # a verb with known synonyms that is absent: no value here
        if head and not head & set(content_stems(text)):  # "signed off on Monday" is
            found = [(v, at) for v, at in found if not v.weekday]  # not the day it "will open"
        if kind == "date" and head - SAID:
            found = [(v, at) for v, at in found if not said_on(text, at)]
        for value, at in found:
            # a calendar date outranks a weekday, which outranks a bare year
            day = 0.0 if value.grain != "day" else -0.2 if value.weekday else 0.1
            # "12 metres wide and 18 metres deep": the measure named right after the value
            sized = 0.2 if measured & _window_stems(text, at + 1, 1) else 0.0
            closest = next((w for w in range(WINDOW + 1) if head & _window_stems(text, at, w)), 0)
            nearest = 0.02 * (WINDOW - closest) if head else 0.0  # "a tax rise of 4.5 percent"
            candidates.append((s + NEAR_WEIGHT * near[at] + day + sized + nearest, i, value))
    if any(v.grain == "day" and not v.weekday for _, _, v in candidates):
        candidates = [c for c in candidates if not c[2].weekday]  # a calendar date is surer
    best = max(candidates, key=lambda c: c[0], default=None)
    return None if best is None else (best[2], best[1])


def about_event(passage: Passage, question: str) -> bool:
    """The passage names every name of the question ("Santa Luzia", "Kessel"); a question
    that names nothing ("how many days will the rail strike last") needs half its words."""
    tokens = _TOKEN.findall(normalize_text(question))
    names = {t for t in tokens[1:] if t[0].isupper()}
    text = set(content_stems(f"{passage.title}\n{passage.text}"))
    if not names:
        words = set(content_stems(question))
        return len(words & text) * 2 >= len(words)
    return all(set(content_stems(n)) <= text for n in names)


SHARED_NAMES = 3  # distinct names two reports share to be about one event
NEWS_CYCLE_DAYS = 30  # reports further apart than this are about different moments


def same_news_cycle(found: list[tuple[Value, Passage]]) -> list[tuple[Value, Passage]]:
    """The values from reports within ``NEWS_CYCLE_DAYS`` of the newest dated one (undated
    ones kept): two reports that disagree about one event appear days apart, while a 2022
    article and a 2026 one name two different Winter Olympics."""
    days = [_day(p.date) for _, p in found]
    newest = max((d for d in days if d is not None), default=None)
    if newest is None:
        return found
    return [
        f
        for f, d in zip(found, days, strict=True)
        if d is None or (newest - d).days <= NEWS_CYCLE_DAYS
    ]


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def _names(passage: Passage) -> set[str]:
    """Capitalised words inside sentences (not the first word): the people, places and
    organisations a report names."""
    words: set[str] = set()
    for sentence in passage.sentences or []:
        tokens = _TOKEN.findall(normalize_text(sentence.text))
        words.update(t.lower() for t in tokens[1:] if t[0].isupper() and len(t) > 2)
    return words - set(stopwords())


def same_event(passage: Passage, anchors: Sequence[Passage]) -> bool:
    """A report that does not use the question's names ("above Varnes") but shares several
    others with one that does (the guide company, the rescue chief, the hospital town)."""
    names = _names(passage)
    return any(
        len(names & _names(a)) >= SHARED_NAMES
        for a in anchors
        if (a.story_id or a.source) != (passage.story_id or passage.source)
    )


def _keys(passages: Sequence[Passage], kind: Kind, question: str) -> set[str]:
    """Every value of ``kind`` anywhere in the passages (names as single words; for causes,
    every word of the passages: a cause is stated when all its words are there). For a
    who-question only names beside the asked verb count: "ahead of Tomasz Wren" does not
    say Wren won."""
    keys: set[str] = set()
    head = head_stems(question) if question_type(question) == "who" else set()
    if not any(head & group for group in _SAME_SENSE):
        head = set()  # an unknown verb ("carried out"): every name the report gives counts
    for passage in passages:
        if kind == "cause":
            keys.update(content_stems(f"{passage.title}\n{passage.text}"))
            continue
        for sentence in passage.sentences or []:
            text = "x " + sentence.text
            for value, at in values_in(text, kind, question, passage.date):
                if head and not head & _window_stems(text, at, WINDOW):
                    continue  # "won by 212 votes, ahead of Tomasz Wren": Wren did not win
                keys.update(value.key.split() if kind == "name" else [value.key])
    return keys


def _same(a: Value, b: Value) -> bool:
    """Equal keys, or for names one contained in the other ("Okafor" / "Maria Okafor")."""
    if a.key == b.key:
        return True
    if a.kind in ("name", "cause"):  # "arson" / "suspected arson"
        wa, wb = set(a.key.split()), set(b.key.split())
        return bool(wa & wb)
    return False


def _stated(value: Value, keys: set[str]) -> bool:
    """The other side's passages give this value too (so they do not contradict it)."""
    if value.kind == "name":
        return bool(set(value.key.split()) & keys)
    if value.kind == "cause":
        return set(value.key.split()) <= keys
    return value.key in keys


def detect(question: str, passages: Sequence[Passage], score: ScoreFn) -> list[dict[str, Any]]:
    """``Answer.conflicts`` for these passages: values of different stories that disagree."""
    kind = expected_kind(question)
    shown = [p for p in passages if p.in_prompt]
    if kind is None or len(shown) < 2:
        return []
    if question_type(question) == "who" and not head_stems(question):
        return []  # "an athlete from which country was ...": no verb says which name is asked
    by_story: dict[str, tuple[Value, Passage]] = {}
    anchors = [p for p in shown if about_event(p, question)]
    for passage in shown:
        story = passage.story_id or passage.source
        if story in by_story or not (passage in anchors or same_event(passage, anchors)):
            continue
        found = passage_value(passage, question, kind, score)
        if found is not None:
            by_story[story] = (found[0], passage)
    groups: list[tuple[Value, list[Passage]]] = []
    for value, passage in same_news_cycle(list(by_story.values())):
        for known, cited in groups:
            if known.grain == value.grain and _same(known, value):
                cited.append(passage)
                break
        else:
            groups.append((value, [passage]))
    comparable = [g for g in groups if g[0].grain == groups[0][0].grain] if groups else []
    # A side whose value the other side's passage also gives is not contradicted by it.
    keys = [_keys(cited, kind, question) for _, cited in comparable]
    disputed = {
        n
        for n, (value, _) in enumerate(comparable)
        for m, (other, _) in enumerate(comparable)
        if n != m and not _stated(value, keys[m]) and not _stated(other, keys[n])
    }
    comparable = [g for n, g in enumerate(comparable) if n in disputed]
    if len(comparable) < 2:
        return []
    about = re.sub(r"[?.!\s]+$", "", question.strip())
    return [
        {
            "about": about,
            "values": [
                {
                    "value": value.text,
                    "citations": [p.number for p in cited],
                    "sources": [
                        {"id": p.number, "publisher": p.publisher, "date": p.date} for p in cited
                    ],
                }
                for value, cited in comparable
            ],
        }
    ]


def sentence_scorer(question: str, vectors: dict[str, Any], embed_model: Any) -> ScoreFn:
    """The prompt's sentence score (cosine to the question + half the word overlap), memoised."""
    import numpy as np

    from rag.context import cosine_matrix, overlap, sentence_scores

    q_vec = np.asarray(embed_model.get_query_embedding(question))
    q_stems = set(content_stems(question))
    cache: dict[str, list[float]] = {}

    def score(passage: Passage, i: int) -> float:
        if passage.chunk_id not in cache:
            vecs = vectors.get(passage.chunk_id)
            if vecs is None or not len(vecs):
                cache[passage.chunk_id] = [overlap(q_stems, s.text) for s in passage.sentences]
            else:
                cosines = cosine_matrix(q_vec[None, :], np.asarray(vecs))[0]
                cache[passage.chunk_id] = sentence_scores(cosines, q_stems, passage)
        return cache[passage.chunk_id][i]

    return score
