"""Trust in the answer chain: no invented detail, no malformed or off-type draft shown,
follow-ups that keep their question, extractive refusals. A scripted LLM plays the model."""

from __future__ import annotations

from rag.config import Settings
from rag.pipeline import RAG
from rag.prompts import REFUSAL
from tests.fakes import ScriptedLLM


def rag_with(settings: Settings, embedder, replies: list[str]) -> tuple[RAG, ScriptedLLM]:
    """A RAG whose model says ``replies`` in turn to the answer prompts. The search is not
    expanded (``rag.expand`` has its own tests), so no reply goes to a sketch."""
    llm = ScriptedLLM(replies=list(replies), repeat_last=True)  # a refusal is asked again
    settings = settings.model_copy(update={"expand_below": 0.0})
    return RAG(settings, embed_model=embedder, llm=llm), llm


def test_a_year_the_passage_does_not_give_is_removed(seed_index, embedder) -> None:
    rag, _ = rag_with(seed_index, embedder, ["Putin met Ash-Sharara on October 15th, 2025 [1]."])
    answer = rag.ask("When did Putin meet Ash-Sharara?")
    assert not answer.refused and "October 15th" in answer.answer
    assert "2025" not in answer.answer


def test_an_invented_weekday_never_reaches_the_answer(seed_index, embedder) -> None:
    rag, _ = rag_with(seed_index, embedder, ["They met on Monday, October 15th [1]."])
    answer = rag.ask("On which day of the week did Putin meet Ash-Sharara?")
    assert "Monday" not in answer.answer


def test_citation_markers_alone_are_never_shown(seed_index, embedder) -> None:
    rag, _ = rag_with(seed_index, embedder, ["[1] and [2].", "[1] and [2]."])
    answer = rag.ask("Where were the wounded transported?")
    assert answer.route == "malformed"
    assert answer.answer.startswith('The articles say: "') and "Et-Tanf" in answer.answer
    assert answer.citations and "Et-Tanf" in answer.citations[0].quote
    # When no shown sentence holds every word that tells the question apart: a refusal.
    unknown = rag.ask("What was the name of the US civilian killed in Palmyra?")
    assert unknown.refused


def test_an_off_type_draft_takes_the_second_path(seed_index, embedder) -> None:
    draft = "American helicopters swiftly intervened to evacuate the wounded [1]."
    rag, _ = rag_with(seed_index, embedder, [draft])
    answer = rag.ask("Where were the wounded taken?")
    assert answer.route == "off_type" and "Et-Tanf" in answer.answer


def test_a_refusal_is_rescued_only_by_a_sentence_that_holds_the_question(
    seed_index, embedder
) -> None:
    rag, _ = rag_with(seed_index, embedder, [REFUSAL, REFUSAL])
    rescued = rag.ask("Where were the wounded transported?")
    assert rescued.route == "rescue" and "Et-Tanf" in rescued.answer
    kept = rag.ask("How many Syrian soldiers died in the attack?")
    assert kept.refused and kept.route == "refusal"


def test_a_refusal_stands_unless_the_model_says_the_best_sentence_answers(
    seed_index, embedder
) -> None:
    question = "How many Syrian soldiers died in the attack?"
    # the model's yes/no alone: no second draft
    checked = seed_index.model_copy(update={"check_refusals": True, "reask_sentences": 0})
    rag, llm = rag_with(checked, embedder, [REFUSAL, "No"])
    kept = rag.ask(question)
    assert kept.refused and kept.usage["refusal_check_yes"] == 0.0  # asked; it said no
    rag, llm = rag_with(checked, embedder, [REFUSAL, "Yes"])
    quoted = rag.ask(question)
    assert quoted.route == "checked_rescue" and not quoted.refused
    assert quoted.answer.startswith('The articles say: "') and quoted.citations
    check = llm.prompts[-1][-1].content
    assert quoted.citations[0].quote in check and question in check
    assert check.rstrip().endswith("Does the sentence answer the question?")
    # Off (the default): the refusal stands and the model is asked no yes/no question (only
    # the focused second draft of ``rag.reask``, which refuses again).
    rag, llm = rag_with(seed_index, embedder, [REFUSAL])
    assert rag.ask(question).refused and len(llm.prompts) == 2
    assert not any("Does the sentence answer" in p[-1].content for p in llm.prompts)


def test_a_follow_up_rewrite_that_changes_the_question_is_not_searched(
    seed_index, embedder
) -> None:
    history = [
        {"role": "user", "content": "Where were the wounded taken?"},
        {"role": "assistant", "content": "They were taken to the Et-Tanf base [1]."},
    ]
    bad_rewrite = "Where did the wounded go after being attacked by Syria near Palmyra?"
    rag, _ = rag_with(seed_index, embedder, [bad_rewrite, "By American helicopters [1]."])
    answer = rag.ask("How did they get there?", history=history)
    assert answer.standalone_question == "How did they get there? (Where were the wounded taken?)"
    assert "helicopters" in answer.answer


def test_extractive_backend_refuses_what_no_passage_answers(seed_index, embedder) -> None:
    rag = RAG(seed_index, embed_model=embedder, llm=None)
    assert rag.ask("What is the population of Palmyra?").refused
    answer = rag.ask("Where were the wounded taken?")
    assert not answer.refused and "Et-Tanf" in answer.answer


def test_the_yes_no_check_rejects_a_wrong_relation(seed_index, embedder) -> None:
    settings = seed_index.model_copy(update={"verify_answers": True})
    draft = "Syria attacked Palmyra [1]."
    rag, llm = rag_with(settings, embedder, [draft, "No"])
    answer = rag.ask("Who attacked whom near Palmyra?")
    # The seed pair disagrees on who attacked: the conflict report may then name both sides.
    assert answer.route in {"rejected", "rescue", "conflict"}
    assert "Syria attacked Palmyra" not in answer.answer
    assert "Answer: Syria attacked Palmyra" in llm.prompts[-1][-1].content
    rag, _ = rag_with(
        settings, embedder, ["Joint Syrian and US forces launched an attack [1].", "Yes"]
    )
    kept = rag.ask("Who launched an attack in the Palmyra area?")
    assert kept.route == "draft" and kept.usage["verify_yes"] == 1.0


def test_yes_share_reads_first_token_probabilities() -> None:
    from rag.verify import yes_share

    assert yes_share([("Yes", -0.1), ("No", -2.4), ("yes", -5.0)], "") > 0.9
    assert yes_share([(" No", -0.05), ("Yes", -3.0)], "") < 0.1
    assert yes_share([], "No.") == 0.0 and yes_share([], "Yes") == 1.0


def test_an_answer_about_none_of_the_questions_names_is_refused(seed_index, embedder) -> None:
    unrelated = (
        "The Syrian Foreign Ministry has revealed ongoing negotiations with Russia regarding "
        "the future of military bases [1]."
    )
    # the model's yes/no alone: no second draft
    checked = seed_index.model_copy(update={"check_refusals": True, "reask_sentences": 0})
    rag, _ = rag_with(checked, embedder, [unrelated, "No", unrelated])
    answer = rag.ask("What did Ahmed Ash-Sharara say after meeting Putin?")
    assert answer.refused and answer.route == "refusal"
    assert answer.usage["refusal_check_yes"] == 0.0  # the best sentence was put to the model
    # The same draft answers a question whose names it does give.
    kept = rag.ask("What is the Syrian Foreign Ministry negotiating with Russia about?")
    assert not kept.refused and "military bases" in kept.answer


def test_a_count_draft_without_a_count_is_refused_not_shown(seed_index, embedder) -> None:
    draft = "Putin met Ash-Sharara on October 15th [1]."  # a day of a month is not a count
    rag, _ = rag_with(seed_index, embedder, [draft])
    answer = rag.ask("How many Russian soldiers are stationed in Syria?")
    assert answer.refused


def test_the_numbered_item_asked_for_is_quoted(seed_index, embedder) -> None:
    first = "Intelligence and coalition coordination [1]."
    rag, _ = rag_with(seed_index, embedder, [first, "Safe return management [1]."])
    answer = rag.ask("What is the fourth step of the practical roadmap?")
    assert answer.route == "list_item" and "Safe return management" in answer.answer
    assert answer.citations and answer.citations[0].quote.startswith("4.")
    right = rag.ask("What is the fourth step of the practical roadmap?")
    assert right.route == "draft" and "Safe return management" in right.answer


def test_headlines_echoed_as_an_answer_are_never_shown(seed_index, embedder) -> None:
    title = "Joint Syrian-US Attack in Palmyra as Syria and Russia Negotiate Over Military Bases"
    rag, _ = rag_with(seed_index, embedder, [f"The {title.lower()} [1]. (RayHaber) [2]."])
    answer = rag.ask("What military strikes did Trump order in retaliation for the attack?")
    assert answer.refused and "Negotiate" not in answer.answer and "(RayHaber)" not in answer.answer


def test_a_long_section_heading_echoed_as_an_answer_is_never_shown(seed_index, embedder) -> None:
    heading = (  # 15 words: longer than the headings cut out of answers
        "Changing Balance of Power in the USA and the Region: The Strategic Importance of Palmyra"
    )
    rag, _ = rag_with(seed_index, embedder, [f"{heading} [1]. (RayHaber) [2]."])
    answer = rag.ask("What military strikes did Trump order in retaliation for the attack?")
    assert answer.refused and "Strategic Importance" not in answer.answer


def test_title_lines_are_capitalised_lines_without_end_punctuation() -> None:
    from rag.claims import title_lines

    text = (
        "Changing Balance of Power in the USA and the Region: The Strategic Importance of Palmyra\n"
        "the wounded were taken to a hospital in the city of Homs by helicopter\n"
        "Russian Deputy Foreign Minister Sergei Vershinin Met The Delegation In Moscow.\n"
    )
    assert title_lines([text]) == [text.splitlines()[0]]


def test_drop_echoed_labels_keeps_any_answer_that_says_more_than_its_sources() -> None:
    from rag.grounding import drop_echoed_labels

    labels = ["Fire at Lyon warehouse", "Steps and Practical Roadmap"]
    kept = "RayHaber [1]. A fire broke out at a Lyon warehouse [1]."
    assert drop_echoed_labels(kept, labels) == kept
    mixed = "Steps and practical roadmap [2]. Four steps are listed [2]."
    assert drop_echoed_labels(mixed, labels) == mixed
    assert drop_echoed_labels("Steps and practical roadmap [2]. (RayHaber) [1].", labels) == ""


def test_a_follow_up_answer_need_not_repeat_the_names_of_earlier_turns(
    seed_index, embedder
) -> None:
    history = [
        {"role": "user", "content": "Who did Vladimir Putin meet on October 15th?"},
        {"role": "assistant", "content": "He met Syria's interim president Ahmed Ash-Sharara [1]."},
    ]
    draft = (
        "The two leaders wanted to tackle the challenges posed by the war's aftermath and the "
        "need for long-term reconciliation [1]."
    )
    # The rewrite changes the question word, so the earlier question is searched beside it.
    rag, _ = rag_with(seed_index, embedder, ["Who did Putin meet?", draft])
    answer = rag.ask("What did the two leaders want to tackle there?", history=history)
    assert "Vladimir Putin" in answer.standalone_question
    assert not answer.refused and "reconciliation" in answer.answer


def test_a_yes_no_question_is_answered_by_the_sentence_that_settles_it(
    seed_index, embedder
) -> None:
    question = "Is Et-Tanf a Russian base?"
    rag, llm = rag_with(seed_index, embedder, [])  # the model is never asked
    answer = rag.ask(question)
    assert answer.route == "quoted" and not llm.prompts
    assert "U.S. military outpost" in answer.answer and answer.citations
    assert any("U.S. military outpost" in c.quote for c in answer.citations)
    off = seed_index.model_copy(update={"quote_yes_no": False})
    rag, llm = rag_with(off, embedder, ["No, it is a U.S. military outpost [1]."])
    drafted = rag.ask(question)
    assert len(llm.prompts) == 1
    # The draft cites passage 1 for words that only passage 2's sentence holds, so that
    # sentence is quoted instead (RAG_QUOTE_PARAPHRASE_BELOW).
    assert drafted.route in ("draft", "paraphrase") and "military outpost" in drafted.answer


def test_copied_share_counts_the_answers_own_words_in_its_sentences() -> None:
    from rag.context import Prepared
    from rag.grounding import copied_share

    question = "Where were the wounded taken?"
    prepared = Prepared(question, question, [], [], "cited", {}, {}, {})
    quote = (
        "The aftermath of the assault saw American helicopters swiftly intervening to evacuate "
        "the wounded, transporting them to the Et-Tanf base."
    )
    assert copied_share("They were taken to the Et-Tanf base [1].", prepared, [quote]) == 1.0
    own = "Injured people were flown by choppers to a desert camp [1]."
    assert copied_share(own, prepared, [quote]) < 0.2
    assert copied_share("The wounded were taken [1].", prepared, [quote]) == 1.0  # adds nothing


def test_a_paraphrase_that_leaves_its_sentence_is_quoted_instead(seed_index, embedder) -> None:
    # The passage names the base; the draft's own words ("choppers", "a desert camp") are
    # nowhere in the sentence it rests on.
    draft = "Injured people were flown by choppers to a desert camp at Et-Tanf [1]."
    settings = seed_index.model_copy(update={"quote_paraphrase_below": 0.5})
    rag, _ = rag_with(settings, embedder, [draft])
    answer = rag.ask("Where were the wounded taken?")
    assert answer.route == "paraphrase"
    assert answer.answer.startswith('The articles say: "') and "Et-Tanf" in answer.answer
    assert "choppers" not in answer.answer
    assert answer.citations and answer.citations[0].quote in answer.answer
    # Off, the same draft stands (it names the base the passage names).
    off, _ = rag_with(
        seed_index.model_copy(update={"quote_paraphrase_below": 0.0}), embedder, [draft]
    )
    assert off.ask("Where were the wounded taken?").route == "draft"


def test_a_draft_in_its_sentences_own_words_stands(seed_index, embedder) -> None:
    draft = "American helicopters transported the wounded to the Et-Tanf base [1]."
    settings = seed_index.model_copy(update={"quote_paraphrase_below": 0.5})
    rag, _ = rag_with(settings, embedder, [draft])
    answer = rag.ask("Where were the wounded taken?")
    assert answer.route == "draft" and answer.answer.startswith("American helicopters")


def test_a_question_the_article_asks_is_never_quoted_as_the_answer(embedder) -> None:
    from rag.context import extractive_answer, fit_context
    from rag.text import split_sentences
    from rag.tokens import count_tokens
    from rag.types import Passage

    text = (
        "Who won best actor at the BAFTA Awards in London this year? "
        "The prize for best actor went to Robert Aramayo, the night's surprise."
    )
    passage = Passage(1, "c1", "baftas.txt", "BAFTA night", "", "", text, 1.0)
    passage.sentences = split_sentences(text)
    question = "Who won best actor at the BAFTA Awards?"
    vectors = fit_context(question, [passage], embedder, 180, count_tokens)
    answer = extractive_answer(question, [passage], vectors, embedder)
    assert "Aramayo" in answer and "this year?" not in answer


def test_a_misspelled_question_is_asked_as_corrected_when_set(seed_index, embedder) -> None:
    question = "whats the 3rd step in the roadmapp from rayhaber"
    on = seed_index.model_copy(update={"correct_spelling": True})
    rag, llm = rag_with(on, embedder, ["Volunteer participation and local inclusion [1]."])
    answer = rag.ask(question)
    asked = llm.prompts[0][-1].content
    assert "roadmap from" in answer.standalone_question and "roadmapp" not in asked
    rag, llm = rag_with(seed_index, embedder, ["Volunteer participation and local inclusion [1]."])
    assert "roadmapp" in rag.ask(question).standalone_question  # off by default


def test_a_misspelling_the_model_echoes_is_shown_corrected(seed_index, embedder) -> None:
    draft = "The Et Tanff base is located near the Syria-Iraq border [1]."
    rag, llm = rag_with(seed_index, embedder, [draft])
    answer = rag.ask("Where is the Et Tanff base?")
    assert "Tanff" in llm.prompts[0][-1].content  # the model read the question as typed
    assert not answer.refused and "Et Tanf base" in answer.answer and "Tanff" not in answer.answer


def test_respelled_keeps_the_case_and_whole_words() -> None:
    from rag.text import respelled

    fixes = {"Vershinen": "Vershinin", "palmira": "palmyra"}
    text = "Sergei Vershinen spoke in Palmira; palmira's museum, not palmiras."
    assert respelled(text, fixes) == (
        "Sergei Vershinin spoke in Palmyra; palmyra's museum, not palmiras."
    )
