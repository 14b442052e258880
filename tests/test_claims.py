"""What a question asks for and what an answer asserts: the pure checks behind grounding."""

from __future__ import annotations

import pytest

from rag.claims import (
    atoms,
    focus_stems,
    heading_lines,
    list_items,
    malformed,
    question_type,
    requested_items,
    strip_headings,
    strip_unsupported_years,
    supplies_type,
    unsupported_atoms,
)
from rag.followups import question_word, rewrite_keeps_question, with_previous_question

PASSAGE = (
    "This was underscored by the historic meeting between Russian President Vladimir Putin and "
    "Syrian interim president Ahmed Ash-Sharara on October 15th. 3 US citizens, 2 soldiers and "
    "1 civilian, lost their lives."
)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Who attacked whom near Palmyra?", "who"),
        ("Which organization did Trump blame?", "who"),
        ("Where were the wounded taken?", "where"),
        ("To which base were the wounded flown?", "where"),
        ("When did Putin meet Ash-Sharara?", "when"),
        ("On what date did the leaders meet?", "when"),
        ("How many US soldiers died?", "how_many"),
        ("Name the three countries involved.", "list"),
        ("Which countries are key actors in Syria?", "list"),
        ("Did Trump blame ISIS?", "yes_no"),
        ("Is Palmyra in Syria or Iraq?", "what"),
        ("Why did the US retaliate?", "why_how"),
        ("What is the population of Palmyra?", "what"),
    ],
)
def test_question_types(question: str, expected: str) -> None:
    assert question_type(question) == expected


def test_requested_items() -> None:
    assert requested_items("Name the three countries involved.") == 3
    assert requested_items("What are the 4 key actors?") == 4
    assert requested_items("What did the two leaders discuss?") == 0


def test_year_absent_from_the_passage_is_unsupported_and_stripped() -> None:
    claim = "Putin met Ash-Sharara on October 15th, 2025 [1]."
    assert [a.text for a in unsupported_atoms(claim, [PASSAGE])] == ["2025"]
    assert strip_unsupported_years(claim, [PASSAGE]) == "Putin met Ash-Sharara on October 15th [1]."
    assert strip_unsupported_years(claim, [PASSAGE + " In 2025 they met."]) == claim


def test_ordinals_number_words_and_country_names_normalise() -> None:
    assert unsupported_atoms("They met on 15 October [1].", [PASSAGE]) == []
    assert unsupported_atoms("Three Americans died, two of them soldiers.", [PASSAGE]) == []
    assert unsupported_atoms("The United States lost 3 citizens.", [PASSAGE]) == []
    # A Cyrillic "е" inside a Latin name is the same name.
    assert unsupported_atoms("Putin met Ash-Sharara.", ["Vladimir Putіn met Ash-Sharara"]) == []


def test_invented_weekday_number_and_name_are_caught() -> None:
    missing = unsupported_atoms("On Monday 4 soldiers met Erdogan [1].", [PASSAGE])
    assert {a.kind for a in missing} == {"weekday", "number", "name"}
    assert {a.text for a in missing} == {"Monday", "4", "Erdogan"}


def test_atoms_skip_an_ordinary_first_word() -> None:
    assert [a.text for a in atoms("Joint forces attacked")] == []
    assert [a.kind for a in atoms("October 15th")] == ["month", "number"]


@pytest.mark.parametrize(
    ("qtype", "answer", "ok"),
    [
        ("where", "They were evacuated by American helicopters [1].", False),
        ("where", "They were taken to the Et-Tanf base [1].", True),
        ("when", "The leaders met in person [1].", False),
        ("when", "They met on October 15th [1].", True),
        ("how_many", "Some soldiers died [1].", False),
        ("how_many", "Two soldiers died [1].", True),
        ("who", "It was an attack [1].", False),
        ("who", "Joint Syrian and US forces attacked [1].", True),
        ("yes_no", "No [1].", True),
    ],
)
def test_answer_supplies_the_type_asked_for(qtype: str, answer: str, ok: bool) -> None:
    assert supplies_type(qtype, answer, "Where did who do it?") is ok  # type: ignore[arg-type]


def test_list_answers_count_items() -> None:
    question = "Name the three countries involved."
    assert list_items("Türkiye, Russia, Iran and the USA [1].") == 4
    assert not supplies_type("list", "Russia and Iran [1].", question)
    assert supplies_type("list", "Russia, Iran and Türkiye [1].", question)
    assert supplies_type("list", "1. Russia\n2. Iran\n3. Türkiye", question)


def test_malformed_drafts() -> None:
    assert malformed("[1] and [2].", "Where were the wounded taken?")
    assert malformed("The wounded were taken [1].", "Where were the wounded taken?")
    assert not malformed("Trump blamed ISIS [1].", "Did Trump blame ISIS?")
    assert not malformed("No [1].", "Did Trump blame ISIS?")
    assert not malformed("Et-Tanf base [1].", "Where were the wounded taken?")


def test_an_answer_adding_no_word_of_its_own_is_malformed() -> None:
    """Part of the question restated ("The bail was set for X") answers nothing, unless the
    question offers options to pick from."""
    question = "What bail was set for Stephen Pittman after the Jackson synagogue arson?"
    assert malformed("The bail was set for Stephen Pittman [3].", question)
    assert not malformed("A bail of $1 million was set for Stephen Pittman [3].", question)
    assert not malformed("Palmyra [1].", "Was the attack in Palmyra, Homs or Aleppo?")


def test_headings_are_stripped_from_the_answer() -> None:
    passage = "Russia's Military Bases\nThe bases remain in place. Moscow said so."
    headings = heading_lines([passage])
    assert headings == ["Russia's Military Bases"]
    answer = "Russia's Military Bases The bases remain in place [1]."
    assert strip_headings(answer, headings) == "The bases remain in place [1]."


def test_focus_words_tell_passages_apart() -> None:
    passages = ["Palmyra was attacked.", "Troops near Palmyra."]
    assert focus_stems("What is the population of Palmyra?", passages) == {"popul"}


HISTORY = [
    {"role": "user", "content": "Where were the wounded taken?"},
    {"role": "assistant", "content": "They were taken to the Et-Tanf base in Syria [1]."},
]


def test_rewrite_that_changes_the_question_word_is_rejected() -> None:
    bad = "Where did the wounded go after being attacked by Syria near Palmyra?"
    assert question_word("How did they get there?") == "how"
    assert not rewrite_keeps_question("How did they get there?", bad, HISTORY)


def test_rewrite_that_imports_claims_is_rejected() -> None:
    bad = "How did the wounded get to the base after the brutal ambush by militants?"
    assert not rewrite_keeps_question("How did they get there?", bad, HISTORY)


def test_rewrite_that_only_resolves_references_is_kept() -> None:
    good = "How did the wounded get to the Et-Tanf base?"
    assert rewrite_keeps_question("How did they get there?", good, HISTORY)
    assert not rewrite_keeps_question("How did they get there?", "How did the wounded travel?", [])


def test_fallback_query_keeps_the_follow_up_and_the_previous_question() -> None:
    assert with_previous_question("How did they get there?", HISTORY) == (
        "How did they get there? (Where were the wounded taken?)"
    )


def test_list_enumerators_are_not_numbers() -> None:
    answer = "The steps are 1. intelligence sharing 2. joint operations [3]."
    assert unsupported_atoms(answer, ["Intelligence sharing. Joint operations."]) == []


def test_transliterated_names_match_but_other_names_do_not() -> None:
    passage = ["Russian President Vladimir Putin met Ahmed Ash-Sharara."]
    assert unsupported_atoms("Putin met Ahmed al-Sharaa [1].", passage) == []
    missing = unsupported_atoms("Putin met Recep Erdogan [1].", passage)
    assert [a.text for a in missing] == ["Recep", "Erdogan"]


def test_an_answer_that_picks_an_option_is_not_a_repetition() -> None:
    assert not malformed("The attack was in Palmyra [1].", "Was the attack in Palmyra or Homs?")


def test_a_count_is_not_the_day_of_a_date() -> None:
    from rag.claims import supplies_type

    assert not supplies_type("how_many", "They met on October 15th [1].", "How many?")
    assert not supplies_type("how_many", "It began on 3 March 2025.", "How many?")
    assert supplies_type("how_many", "3 US citizens died on October 15th.", "How many?")
    assert supplies_type("how_many", "Three soldiers died.", "How many?")


def test_question_names_and_their_mentions() -> None:
    from rag.subject import mentions_any, question_names

    names = question_names("What did Ahmed Ash-Sharara say after meeting Putin?")
    assert {a.text for a in names} == {"Ahmed", "Ash-Sharara", "Putin"}
    assert not mentions_any(names, ["The Syrian Foreign Ministry revealed negotiations."])
    assert mentions_any(names, ["Syrian interim president Ahmad Ash-Sharaa"])  # spelling
    assert question_names("who is it?") == []
    office = question_names("Which office does Asad al-Shibany hold?")
    assert {a.text for a in office} == {"Asad", "al-Shibany"}
    assert mentions_any(office, ["Foreign Minister Assad al-Shibani emphasized the talks."])


def test_the_list_position_a_question_asks_for() -> None:
    from rag.listitems import asked_ordinal, mentions_item

    assert asked_ordinal("What is the fourth step of the roadmap?") == 4
    assert asked_ordinal("What does the 2nd recommendation say?") == 2
    assert asked_ordinal("What is step 3?") == 3
    assert asked_ordinal("Who was the first to arrive?") is None
    assert asked_ordinal("Which team won for the first time in school history?") is None
    item = "4. Safe return management: Establishing safe return processes."
    assert mentions_item("Safe return management [1].", item)
    assert not mentions_item("Intelligence and coalition coordination [1].", item)


def test_a_time_told_by_events_answers_when_unless_the_question_gave_it() -> None:
    question = "Over what time frame is a new security architecture needed?"
    assert supplies_type("when", "It is needed in the coming period [1].", question)
    assert supplies_type("when", "In the aftermath of the assault [1].", "When did they come?")
    assert not supplies_type("when", "Helicopters evacuated the wounded [1].", "When?")
    asked = "When did helicopters come in after the operation?"
    assert not supplies_type("when", "Helicopters came in after the operation [1].", asked)
