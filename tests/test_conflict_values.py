"""What a sentence gives for a question (causes, clock times, measures), and the search past the
prompt's passages for the other side of a disagreement."""

from __future__ import annotations

from llama_index.core.schema import NodeWithScore, TextNode

from rag.conflict_search import with_other_side
from rag.conflict_values import expected_kind, values_in
from rag.conflicts import detect, sentence_scorer
from rag.context import fit_context, passages_from_nodes
from tests.fakes import HashEmbedding
from tests.test_stories import overlap_score, passage


def test_cause_time_and_measure_questions_have_a_kind() -> None:
    assert expected_kind("What caused the fire at the Brandt warehouse?") == "cause"
    assert expected_kind("Why did the Millbrook bridge close?") == "cause"
    assert expected_kind("What was the cause of the blackout?") == "cause"
    assert expected_kind("At what time did the train leave Vel?") == "date"
    assert expected_kind("How high is the Orla tower?") == "number"
    assert expected_kind("What alert level did the agency declare?") == "number"
    assert expected_kind("How did the mayor react?") is None


def test_causes_are_read_from_their_usual_phrasings() -> None:
    q = "What caused the fire at the Brandt warehouse?"

    def causes(sentence: str) -> list[str]:
        return [v.text for v, _ in values_in(sentence, "cause", q)]

    assert "electrical fault" in causes(
        "Investigators believe an electrical fault in the loading bay caused the fire."
    )
    assert causes("Police suspect arson in the fire at the Brandt warehouse.") == ["arson"]
    assert causes("The blaze was caused by a discarded cigarette, the chief said.") == [
        "discarded cigarette"
    ]
    assert causes("Officials blamed the outage on a software update.") == ["software update"]
    assert causes("Four firefighters were hurt at the Brandt warehouse.") == []


def test_clock_times_compare_on_the_24_hour_clock() -> None:
    q = "At what time did the train leave?"
    found = values_in("It left at 9:30 p.m., not 21:45; a third left at noon.", "date", q)
    assert [(v.text, v.key, v.grain) for v, _ in found] == [
        ("9:30 p.m.", "21:30", "time"),
        ("21:45", "21:45", "time"),
        ("noon", "12:00", "time"),
    ]
    assert values_in("The train left at 9 pm.", "date", q)[0][0].key == "21:00"
    # a "when" question compares days, not clock times
    assert [v.key for v, _ in values_in("It left at 9 pm on March 3.", "date", "When?")] == [
        "march 3"
    ]


def test_different_causes_are_a_conflict_and_one_cause_twice_is_not() -> None:
    q = "What caused the fire at the Brandt warehouse?"
    a = "Investigators believe an electrical fault in the loading bay caused the Brandt fire."
    b = "Police suspect arson in the fire at the Brandt warehouse, a spokesman said."
    passages = [
        passage(1, a, "Lindenburg Courier", "2026-02-10", "s1"),
        passage(2, b, "Valley Times", "2026-02-11", "s2"),
    ]
    found = detect(q, passages, overlap_score(q))
    assert [v["value"] for v in found[0]["values"]] == ["electrical fault", "arson"]
    same = b.replace("arson", "an electrical fault")
    passages[1] = passage(2, same, "Valley Times", "2026-02-11", "s2")
    assert detect(q, passages, overlap_score(q)) == []


def node(
    story: str, text: str, publisher: str, date: str, title: str = "Santa Luzia"
) -> NodeWithScore:
    meta = {"file": f"{story}.txt", "title": title, "date": date, "source": publisher}
    meta["story_id"] = story
    return NodeWithScore(node=TextNode(id_=f"{story}#0", text=text, metadata=meta), score=1.0)


def test_the_other_side_ranked_past_the_prompt_replaces_the_lowest_passage_that_is_no_side() -> (
    None
):
    q = "How many people died when the Santa Luzia capsized?"
    embed = HashEmbedding()
    shown = [
        node(
            "s1",
            "At least 31 people died when the Santa Luzia capsized, officials said.",
            "Post",
            "2026-03-03",
        ),
        node(
            "s2",
            "The Santa Luzia was built in 1998 and carried 212 people.",
            "Gazette",
            "2026-03-03",
        ),
        node(
            "s3",
            "Relatives of the Santa Luzia passengers waited at the terminal.",
            "Star",
            "2026-03-03",
        ),
    ]
    reserve = [
        node(
            "s4",
            "The ministry said 27 people died in the Santa Luzia sinking.",
            "Radio Nord",
            "2026-03-04",
        ),
    ]

    def fit(chosen):
        passages = passages_from_nodes(chosen)
        vectors = fit_context(q, passages, embed, 400, len)
        found = detect(q, passages, sentence_scorer(q, vectors, embed))
        return passages, vectors, found

    first = fit(shown)
    assert first[2] == []  # the prompt alone shows one side
    swapped, (passages, _, found) = with_other_side(q, shown, first, reserve, fit, embed)
    assert [n.node.node_id for n in swapped] == ["s1#0", "s2#0", "s4#0"]
    assert sorted(v["value"] for v in found[0]["values"]) == ["27", "31"]
    assert [p.publisher for p in passages if p.in_prompt] == ["Post", "Gazette", "Radio Nord"]
    # a reserve passage that agrees, or is about something else, changes nothing
    agreeing = [
        node(
            "s4",
            "The ministry said 31 people died in the Santa Luzia sinking.",
            "Nord",
            "2026-03-04",
        )
    ]
    assert with_other_side(q, shown, first, agreeing, fit, embed) is None
    crash = "27 people died in a bus crash near Orla."
    other = [node("s5", crash, "Nord", "2026-03-04", title="Bus crash")]
    assert with_other_side(q, shown, first, other, fit, embed) is None


def test_amounts_compare_across_units_and_measures_want_their_dimension() -> None:
    q = "How long did the exchange of fire last?"
    found = values_in("It lasted two hours, or 120 minutes, not a 3-day siege.", "number", q)
    assert [(v.text, v.key) for v, _ in found] == [
        ("two hours", "7200time"),
        ("120 minutes", "7200time"),
        ("3-day", "259200time"),
    ]
    deep = "How deep were the miners working?"
    found = values_in("Nine of the 23 men were 400 metres below ground.", "number", deep)
    assert [v.text for v, _ in found] == ["400 metres"]  # counts are not depths


def test_a_weekday_is_read_as_the_day_it_names_in_its_own_report() -> None:
    q = "On which night did thieves raid the shop?"
    assert expected_kind(q) == "date"
    friday = values_in("Thieves raided the shop on Thursday night.", "date", q, "2026-05-22")
    saturday = values_in("The raid came late on Wednesday.", "date", q, "2026-05-23")
    assert [v.key for v, _ in friday] == ["may 21"] and [v.key for v, _ in saturday] == ["may 20"]
    same_day = values_in("Thieves struck on Friday.", "date", q, "2026-05-22")
    assert same_day[0][0].key == "may 22"  # a report's own weekday is its own date
    assert values_in("Thieves raided the shop on Thursday.", "date", q) == []  # no date known


def test_who_values_skip_attributions_and_places_keep_their_settlement() -> None:
    who = "Who was arrested over the raid?"
    sentence = "The spokeswoman Carla Nuti said police had arrested Owen Tarrant."
    assert [v.text for v, _ in values_in(sentence, "name", who)] == ["Owen Tarrant"]
    said = "Who said more arrests were possible?"
    assert "Carla Nuti" in [v.text for v, _ in values_in(sentence, "name", said)]
    owner = values_in("The factory belongs to Sunburst Pyrotechnics.", "name", "Who owns it?")
    assert [(v.text, v.grain) for v, _ in owner] == [("Sunburst Pyrotechnics", "name")]
    where = values_in("Shells hit the village of Drosk.", "name", "Where was the shelling?")
    assert [(v.text, v.grain) for v, _ in where] == [("Drosk", "place")]


def test_who_conflict_needs_the_other_report_to_say_the_asked_thing() -> None:
    q = "Who won the Velmora mayoral election?"
    a = "Ilse Haverkamp has won the Velmora election by 212 votes, ahead of Tomasz Wren."
    a += " Turnout in Velmora was 47 percent."
    b = "A recount in Velmora has made Tomasz Wren mayor; Wren won by 38 votes."
    passages = [
        passage(1, a, "Velmora Bulletin", "2026-05-18", "s1"),
        passage(2, b, "Election Monitor", "2026-05-21", "s2"),
    ]
    # a names Wren only as the runner-up: that does not say Wren won
    found = detect(q, passages, overlap_score(q))
    first, second = (v["value"] for v in found[0]["values"])
    assert first == "Ilse Haverkamp" and second.endswith("Wren")


def test_real_news_flag_count_lists_each_flagged_question(tmp_path, embedder) -> None:
    """``evals.rtqa_conflicts`` over a two-report corpus: the disagreeing question is listed
    with both values and their sources; an agreeing one is not."""
    from types import SimpleNamespace

    from evals.rtqa_conflicts import flagged_questions
    from rag.pipeline import RAG
    from tests.conftest import make_settings

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    reports = {
        "a": (
            "Harbour Post",
            "03",
            "The ferry Santa Luzia capsized off Porto Velho on Tuesday "
            "evening. At least 31 people died, officials said on Wednesday morning.",
        ),
        "b": (
            "Radio Nord",
            "04",
            "The health ministry said 27 people died when the Santa Luzia "
            "went down near Cabo Frio island late on Tuesday. Navy divers resumed the search.",
        ),
    }
    for name, (publisher, day, body) in reports.items():
        (corpus / f"{name}.md").write_text(
            f"---\ntitle: Santa Luzia report {name}\nsource: {publisher}\n"
            f"date: 2026-03-{day}\n---\n{body}\n",
            encoding="utf-8",
        )
    rag = RAG(make_settings(tmp_path), embed_model=embedder, llm=None)
    rag.ingest()

    def question(sentence: str) -> SimpleNamespace:
        return SimpleNamespace(sentence=sentence, choices=["x"], gold=0, as_of=20260310)

    flagged = flagged_questions(
        rag,
        [
            question("How many people died when the Santa Luzia capsized?"),
            question("Which ministry gave the Santa Luzia toll?"),
        ],
    )
    assert [f["question"] for f in flagged] == [
        "How many people died when the Santa Luzia capsized?"
    ]
    assert sorted(v["value"] for v in flagged[0]["values"]) == ["27", "31"]
    assert all(v["sources"][0]["date"].startswith("2026-03") for v in flagged[0]["values"])


def test_a_who_question_without_a_verb_to_read_gets_no_conflict() -> None:
    from rag.claims import question_type

    q = "Which official, from the Tarsin region?"  # nothing says which name is asked
    assert question_type(q) == "who" and expected_kind(q) == "name"
    a = "Ilse Haverkamp of the Tarsin region skied. Officials praised Haverkamp."
    b = "Tomasz Wren of the Tarsin region skied. Officials praised Wren."
    passages = [
        passage(1, a, "Velmora Bulletin", "2026-05-18", "s1"),
        passage(2, b, "Election Monitor", "2026-05-21", "s2"),
    ]
    assert detect(q, passages, overlap_score(q)) == []
    asked = "Who skied in the Tarsin region?"
    assert detect(asked, passages, overlap_score(asked))  # with a verb, the two names differ


def two_reports(q: str, a: tuple[str, str, str], b: tuple[str, str, str]) -> list[str]:
    """The values detected for ``q`` over two stories, each (text, publisher, date)."""
    passages = [passage(1, *a, "s1"), passage(2, *b, "s2")]
    found = detect(q, passages, overlap_score(q))
    return [v["value"] for v in found[0]["values"]] if found else []


def test_who_was_appointed_to_lead_reads_who_runs_it_in_the_other_report() -> None:
    q = "Who was appointed to lead Ostvik Rail after Hanna Berg resigned?"
    a = "Hanna Berg resigned as chief of Ostvik Rail. The board named Jonas Lund as interim chief."
    b = (
        "Ostvik Rail said Hanna Berg was stepping down and that operations head Maja Sand "
        "would run the company until a permanent successor is found."
    )
    values = two_reports(q, (a, "Rail Weekly", "2026-03-02"), (b, "Nordic Transit", "2026-03-02"))
    assert values == ["Jonas Lund", "Maja Sand"]


def test_the_day_a_report_was_said_is_not_the_day_of_the_event() -> None:
    q = "When did the sinkhole open in Harlow?"
    a = "A sinkhole opened on Mill Road in Harlow early on Monday, swallowing a van."
    b = (
        "Engineers said on Wednesday that the sinkhole which appeared on Mill Road in Harlow "
        "on Tuesday is 20 metres deep."
    )
    values = two_reports(q, (a, "Harlow Echo", "2026-07-13"), (b, "County Radio", "2026-07-15"))
    assert len(values) == 2 and values[0].startswith("Monday") and values[1].startswith("Tuesday")


def test_a_race_that_set_off_started() -> None:
    q = "On which day did the Fjord Cup race start?"
    a = "The Fjord Cup race started in Bergvik on Friday morning with 20 boats."
    b = "Twenty yachts had set off from Bergvik on Thursday in the Fjord Cup race."
    values = two_reports(
        q, (a, "Sailing Times", "2026-04-19"), (b, "Coastline Sport", "2026-04-19")
    )
    assert len(values) == 2 and values[0].startswith("Friday") and values[1].startswith("Thursday")


def test_a_wished_for_value_is_not_reported_and_a_comparative_tells_a_rise() -> None:
    q = "By what percentage will property tax rise in Halden?"
    a = "Halden council passed its budget, and property tax will rise by 4.5 percent in March."
    b = (
        "Halden homeowners will pay 6 percent more in property tax from March. A councillor "
        "who voted against said a 2 percent rise would have been enough."
    )
    values = two_reports(q, (a, "Civic Ledger", "2026-11-20"), (b, "Halden Voice", "2026-11-21"))
    assert sorted(values) == ["4.5 percent", "6 percent"]
