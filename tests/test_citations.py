"""Citation parsing, support scoring and repair (pure logic)."""

from __future__ import annotations

import pytest

from rag.citations import lexical_support, parse_claims, repair_citations, unfinished
from rag.text import split_sentences

PASSAGES = {
    1: "Russia's deputy foreign minister Sergei Vershinin spoke in December about the bases.",
    2: "American helicopters took the wounded to the Et-Tanf base near the Syria-Iraq border.",
    3: "Three US citizens, two soldiers and one civilian, lost their lives in Palmyra.",
}


def support(claim: str, number: int) -> float:
    return lexical_support(claim, PASSAGES[number])


def test_parse_claims_handles_marker_positions() -> None:
    claims = parse_claims(
        "The wounded went to Et-Tanf [2]. Vershinin spoke in December. [1] Done [1, 3]."
    )
    assert [c.text for c in claims] == [
        "The wounded went to Et-Tanf.",
        "Vershinin spoke in December.",
        "Done.",
    ]
    assert [c.cited for c in claims] == [[2], [1], [1, 3]]


def test_lexical_support_weights_names_and_numbers() -> None:
    assert support("The wounded were taken to the Et-Tanf base.", 2) >= 0.8  # "taken" vs "took"
    assert support("The wounded were taken to the Et-Tanf base.", 1) < 0.3
    # Numbers must match: "3" is supported by "Three", "4" is not.
    assert support("3 US citizens died in Palmyra.", 3) >= 0.5
    assert support("4 US citizens died in Palmyra.", 3) < 0.5
    # ... and count the same people: the passage's "three" are US citizens, not Syrians.
    assert support("Three Syrian soldiers lost their lives in Palmyra.", 3) < 0.5
    assert support("Two soldiers lost their lives in Palmyra.", 3) >= 0.5
    # A country and its people are the same entity.
    assert support("Three Americans lost their lives in Palmyra.", 3) >= 0.5


def test_a_sentence_cut_off_before_its_answer_is_dropped() -> None:
    assert unfinished("The US civilian killed in Palmyra was [3].")
    assert unfinished("It was announced by")
    assert not unfinished("The civilian was named Ayad Sakat [3].")
    assert not unfinished("ISIS was blamed [1].")
    repair = repair_citations(
        "Three US citizens lost their lives [3]. The civilian killed was [3].", [1, 2, 3], support
    )
    assert repair.answer == "Three US citizens lost their lives [3]."


def test_repair_keeps_right_moves_wrong_and_adds_missing() -> None:
    answer = (
        "The wounded were taken to the Et-Tanf base [1]. Vershinin spoke in December [1]. "
        "Three US citizens lost their lives."
    )
    repair = repair_citations(answer, [1, 2, 3], support)
    assert repair.answer == (
        "The wounded were taken to the Et-Tanf base [2]. Vershinin spoke in December [1]. "
        "Three US citizens lost their lives [3]."
    )
    assert repair.cited_ids == [2, 1, 3]
    assert repair.changed


def test_repair_drops_unsupported_sentences_and_unknown_numbers() -> None:
    answer = (
        "The wounded were taken to the Et-Tanf base [7]. The mayor of Paris resigned on Friday [2]."
    )
    repair = repair_citations(answer, [1, 2, 3], support)
    assert repair.answer == "The wounded were taken to the Et-Tanf base [2]."
    assert [c.dropped for c in repair.claims] == [False, True]


def test_repair_with_nothing_supported_returns_uncited_text() -> None:
    repair = repair_citations("The capital of France is Paris [1].", [1, 2, 3], support)
    assert repair.cited_ids == []
    assert repair.answer == "The capital of France is Paris."


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(  # abbreviations and list numbers do not end a sentence
            "Gen. Smith met U.S. officials on Jan. 5. They agreed.\n"
            "1. First item. Second sentence.",
            [
                "Gen. Smith met U.S. officials on Jan. 5.",
                "They agreed.",
                "1. First item.",
                "Second sentence.",
            ],
            id="abbreviations",
        ),
        pytest.param(  # a time zone after a clock time does not start a sentence
            "It lifted off at 6:35 p.m. ET on Monday. All is well. It ended at 5 p.m. Then rain.",
            [
                "It lifted off at 6:35 p.m. ET on Monday.",
                "All is well.",
                "It ended at 5 p.m.",
                "Then rain.",
            ],
            id="time-zone",
        ),
        pytest.param(  # the quote mark after the full stop ends the quoted sentence, not the next
            'It ties "Titanic" and "La La Land." Officials said “we won.” (It rained.) End.',
            [
                'It ties "Titanic" and "La La Land."',
                "Officials said “we won.”",
                "(It rained.)",
                "End.",
            ],
            id="closing-quote",
        ),
    ],
)
def test_split_sentences_keeps_offsets(text: str, expected: list[str]) -> None:
    sentences = split_sentences(text)
    assert [s.text for s in sentences] == expected
    for s in sentences:
        assert text[s.start : s.end] == s.text
