"""The second, focused draft after a refusal (``rag.reask``). A scripted LLM plays the model;
the gold runs of ``test_gold`` and ``test_gold_test_split`` take the path with the real one."""

from __future__ import annotations

from rag.prompts import REFUSAL
from rag.reask import told_by_quotes
from rag.types import Answer, Passage
from tests.test_trust import rag_with


def reasking(settings, sentences: int = 3):
    return settings.model_copy(update={"reask_sentences": sentences})


def test_a_refusal_is_asked_again_on_the_best_sentences_only(seed_index, embedder) -> None:
    second = "The injured were taken to the Et-Tanf base [1]."
    rag, llm = rag_with(reasking(seed_index), embedder, [REFUSAL, second])
    answer = rag.ask("Where were the injured taken?")  # no sentence holds "injured": no rescue
    assert len(llm.prompts) == 2
    first_prompt, focused_prompt = (p[-1].content for p in llm.prompts)
    assert len(focused_prompt) < len(first_prompt) and "Et-Tanf" in focused_prompt
    body = [
        line
        for line in focused_prompt.splitlines()
        if line and not line.startswith(("[", "Question:", "Passages:"))
    ]
    assert 1 <= len(body) <= 3  # three sentences, under their passages' own numbers
    assert answer.route == "reask_draft" and not answer.refused
    assert "Et-Tanf" in answer.answer
    assert answer.citations and "Et-Tanf" in answer.citations[0].quote
    # the sources listed are all those the first prompt showed, not only the focused copies
    headers = [line for line in first_prompt.splitlines() if line.startswith("[")]
    assert sum(p.in_prompt for p in answer.passages) == len(headers)


def test_a_second_refusal_leaves_the_first(seed_index, embedder) -> None:
    rag, llm = rag_with(reasking(seed_index), embedder, [REFUSAL, REFUSAL])
    answer = rag.ask("How many Syrian soldiers died in the attack?")
    assert answer.refused and answer.route == "refusal" and len(llm.prompts) == 2


def test_off_means_one_draft(seed_index, embedder) -> None:
    rag, llm = rag_with(reasking(seed_index, 0), embedder, [REFUSAL])
    assert rag.ask("How many Syrian soldiers died in the attack?").refused
    assert len(llm.prompts) == 1


def test_a_second_draft_adding_words_no_cited_sentence_holds_is_refused(
    seed_index, embedder
) -> None:
    stitched = "Russia's naval base in Syria is located in Palmyra [1]."
    rag, llm = rag_with(reasking(seed_index), embedder, [REFUSAL, stitched])
    answer = rag.ask("What is the name of Russia's naval base in Syria?")
    assert len(llm.prompts) == 2 and answer.refused


def _cited(quote: str) -> Passage:
    return Passage(1, "c1", "a.txt", "T", "", "", "text", 1.0, quote=quote)


def test_told_by_quotes_wants_every_added_word_in_a_cited_sentence() -> None:
    question = "Who contests Russia's narrative about Donbass?"
    quote = "This narrative, though contested by Western nations, shapes policy."
    shown = ["Russia speaks of Donbass.", "In Donbass, Russia's narrative is contested."]

    def answer(text: str, cited: list[Passage]) -> Answer:
        return Answer(question=question, answer=text, refused=False, citations=cited)

    told = answer("Western nations contest Russia's narrative [1].", [_cited(quote)])
    assert told_by_quotes(told, question, shown)
    added = answer("Western nations and Ukraine contest it [1].", [_cited(quote)])
    assert not told_by_quotes(added, question, shown)
    assert not told_by_quotes(answer("Western nations [1].", []), question, shown)
    # "contest" tells the passages apart: an answer and quote without it answer something else
    shaped = [_cited("Western nations shape it.")]
    other = answer("Western nations shape Russia's narrative [1].", shaped)
    assert not told_by_quotes(other, question, shown)
    alike = ["Russia's narrative is contested in Donbass.", "Donbass: a contested narrative."]
    assert told_by_quotes(other, question, alike)  # every passage says it: nothing to tell apart
