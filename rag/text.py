"""Text helpers shared by retrieval, citation checking and the evals.

Pure functions only: normalisation (what matching should ignore), word
tokens, content-word stems, and a sentence splitter that keeps character
offsets so a cited sentence can be highlighted in its passage.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

_QUOTES = str.maketrans(
    {"‘": "'", "’": "'", "‚": "'", "“": '"', "”": '"', "„": '"', "–": "-", "—": "-", "‐": "-"}
)
TOKEN_RE = re.compile(r"\w+", re.UNICODE)
# Cyrillic and Greek letters that look Latin; news copy sometimes mixes them into
# Latin names ("Vеrshinin" with a Cyrillic е), which breaks exact matching.
_HOMOGLYPHS = str.maketrans(
    "АВЕКМНОРСТХаеорсухіјѕԁΑΒΕΗΙΚΜΝΟΡΤΧΥΖοι",
    "ABEKMHOPCTXaeopcyxijsdABEHIKMNOPTXYZoi",
)
_MIXED_WORD = re.compile(r"\w*[A-Za-z]\w*")


def fold_homoglyphs(text: str) -> str:
    """Map look-alike Cyrillic/Greek letters to Latin inside words that also hold Latin ones."""

    def fold(match: re.Match[str]) -> str:
        word = match[0]
        return word if word.isascii() else word.translate(_HOMOGLYPHS)

    return _MIXED_WORD.sub(fold, text)


def normalize_text(text: str) -> str:
    """NFKC, Latin look-alikes, straight quotes and dashes, single spaces.

    What text matching (BM25, citation checks, eval hits) should ignore.
    """
    text = fold_homoglyphs(unicodedata.normalize("NFKC", text)).translate(_QUOTES)
    return re.sub(r"\s+", " ", text).strip()


def word_tokens(text: str) -> list[str]:
    """Lower-cased word tokens of normalised text."""
    return TOKEN_RE.findall(normalize_text(text).lower())


@cache
def stopwords() -> frozenset[str]:
    from bm25s.tokenization import STOPWORDS_EN_PLUS

    extra = {"said", "says", "also", "would", "could", "according", "however", "u"}
    return (frozenset(STOPWORDS_EN_PLUS) | extra) - {"won"}  # "won" is a verb in the news


def respelled(text: str, corrections: dict[str, str]) -> str:
    """``text`` with the user's misspelled words in their corrected spelling.

    A typed word that is no word of the corpus, echoed by the model ("Sergei
    Vershinen is ..."), can only come from the question, never from an article.
    """
    for typed, fixed in corrections.items():

        def swap(match: re.Match[str], fixed: str = fixed) -> str:
            return fixed[:1].upper() + fixed[1:] if match[0][:1].isupper() else fixed

        text = re.sub(rf"(?<!\w){re.escape(typed)}(?!\w)", swap, text, flags=re.I)
    return text


COMMON_ZIPF = 3.0  # once per million words or more: "named", "flew", "required"


@cache
def is_common_word(word: str) -> bool:
    """Whether ``word`` is a common English word (``wordfreq``'s small English list).

    Spelling correction leaves such words alone: on two articles "named" is one
    edit from "Ahmed", "flew" from "flow", and neither is a misspelling.
    """
    from wordfreq import zipf_frequency

    return zipf_frequency(word, "en", wordlist="small") >= COMMON_ZIPF


@cache
def _stemmer():  # type: ignore[no-untyped-def]
    import Stemmer

    return Stemmer.Stemmer("english")


_NUMBER_WORDS = {
    "zero": "0",
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
    "ten": "10",
    "eleven": "11",
    "twelve": "12",
}


_ORDINAL = re.compile(r"^(\d+)(?:st|nd|rd|th)$")


# A country and its people are one entity to a support check: "Three Americans died"
# is what "3 US citizens lost their lives" says. Only content_words uses this, not the
# eval's answer normalisation. "US" and "U.S." are rewritten before lower-casing, where
# they would become the pronoun "us" or two letters.
DEMONYMS = {
    "american": "usa",
    "americans": "usa",
    "british": "uk",
    "britain": "uk",
    "russian": "russia",
    "russians": "russia",
    "chinese": "china",
    "syrian": "syria",
    "syrians": "syria",
    "iranian": "iran",
    "iranians": "iran",
    "israeli": "israel",
    "israelis": "israel",
    "ukrainian": "ukraine",
    "ukrainians": "ukraine",
    "french": "france",
    "german": "germany",
    "germans": "germany",
    "turkish": "turkey",
    "iraqi": "iraq",
    "iraqis": "iraq",
    "japanese": "japan",
    "indian": "india",
    "indians": "india",
}
_US = re.compile(r"\bU\.S\.(?:A\.)?|\bUS\b")


def canonical_word(word: str) -> str:
    """'three' -> '3', '15th' -> '15'; other words unchanged."""
    word = _NUMBER_WORDS.get(word, word)
    ordinal = _ORDINAL.match(word)
    return ordinal[1] if ordinal else word


def content_words(text: str) -> list[tuple[str, bool]]:
    """(stem, salient) for each content word; numbers and capitalised words are salient."""
    raw = TOKEN_RE.findall(_US.sub("USA", normalize_text(text)))
    words = [
        (canonical_word(DEMONYMS.get(w.lower(), w.lower())), w[:1].isupper() or w[:1].isdigit())
        for w in raw
    ]
    words = [(w, s) for w, s in words if w not in stopwords() or w.isdigit()]
    stems = _stemmer().stemWords([w for w, _ in words])
    return list(zip(stems, [s for _, s in words], strict=True))


def content_stems(text: str) -> list[str]:
    """Stemmed content words; number words become digits ('three' and '3' match)."""
    return [stem for stem, _ in content_words(text)]


@dataclass(frozen=True)
class Sentence:
    text: str
    start: int
    end: int


_SENTENCE_END = re.compile(r"(?<=[.!?])([\"”’)\]]*)\s+(?=[\"“‘(\[]?[A-Z0-9])|\n+")
_ABBREVIATION = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Dr|Prof|Gen|Col|Lt|Sgt|Rep|Sen|Gov|St|Jr|Sr|No|vs|etc|Inc|Ltd|Co|"
    r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)|\b[A-Z](?:\.[A-Z])*)\.$"
)

# "at 6:35 p.m. ET": the time zone after a clock time does not start a sentence.
_CLOCK = re.compile(r"\b[ap]\.m\.$", re.I)
_TIME_ZONE = re.compile(r"(?:[ECMP][SD]?T|GMT|UTC|BST|CES?T)\b")

_ENUMERATOR = re.compile(r"\s*(?:\d{1,2}|[a-zA-Z]|[ivx]{1,4})[.)]\s*")


def is_question(text: str) -> bool:
    """A sentence that asks ("What was the biggest surprise?"): an article's sub-heading or
    rhetorical question, which never supports or answers anything."""
    return text.rstrip(" \"'”’)").endswith("?")


def split_sentences(text: str) -> list[Sentence]:
    """Sentences of ``text`` with their character offsets in it.

    Splits after . ! ? before a capital or digit, and at line breaks; does not
    split after common abbreviations ("Gen.", "U.S.", "Jan."), list numbers ("1.") or a
    clock time before its zone ("6:35 p.m. ET").
    """
    sentences: list[Sentence] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        candidate = text[start : match.start()]
        if "\n" not in match.group(0) and (
            _ABBREVIATION.search(candidate.rstrip('"”’)]'))
            or _ENUMERATOR.fullmatch(candidate)
            or (_CLOCK.search(candidate) and _TIME_ZONE.match(text, match.end()))
        ):
            continue
        # A closing quote or bracket after the stop ends this sentence ('"we won." Then').
        _append(
            sentences, text, start, match.end(1) if match.group(1) is not None else match.start()
        )
        start = match.end()
    _append(sentences, text, start, len(text))
    return sentences


def _append(sentences: list[Sentence], text: str, start: int, end: int) -> None:
    chunk = text[start:end]
    stripped = chunk.strip()
    if not stripped:
        return
    offset = start + (len(chunk) - len(chunk.lstrip()))
    sentences.append(Sentence(stripped, offset, offset + len(stripped)))
