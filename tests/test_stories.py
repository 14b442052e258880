"""Syndicated copies: clustering at ingest (real Chroma), one copy per story in the prompt."""

from __future__ import annotations

import json
from pathlib import Path

from rag.components import build_vector_store
from rag.conflict_report import public, split_cited_clauses, statement
from rag.conflicts import detect
from rag.ingest import ingest
from rag.pipeline import RAG
from rag.stories import StoryIndex, body_words, cluster, one_copy_per_story, signature
from rag.types import Passage
from tests.conftest import make_settings
from tests.fakes import HashEmbedding

BODY = (
    "The regional ferry Santa Luzia capsized on Tuesday evening in rough seas off the coast "
    "of Porto Velho, with 212 passengers and crew on board, the harbour authority said.\n\n"
    "Rescue boats from three fishing villages reached the vessel within an hour and pulled "
    "survivors from the water until dawn, while a navy helicopter searched the bay with lights.\n\n"
    "Officials said 31 people had died and 14 were still missing on Wednesday morning. The "
    "captain, Rui Almeida, was among the survivors and has been questioned by the police.\n\n"
    "The ferry had been inspected in January and was licensed to carry 250 people, the "
    "operator said in a statement. Relatives gathered at the terminal waiting for news."
)
OTHER = (
    "The city council of Vila Nova approved a budget of 48 million euros for new tram lines on "
    "Monday after a debate that lasted nine hours and ended close to midnight.\n\n"
    "The plan adds two lines to the northern districts and replaces the oldest trams, which "
    "date from the 1980s, with quieter low-floor cars built in the region.\n\n"
    "Opposition members said the timetable was unrealistic and asked for an independent review "
    "of the costs, which the mayor rejected as a delaying tactic.\n\n"
    "Construction is due to start next spring and the first line should open in three years."
)


def article(title: str, body: str, source: str, date: str) -> str:
    return f"---\ntitle: {title}\nsource: {source}\ndate: {date}\n---\n{title}\n\n{body}\n"


def wire_copy(body: str) -> str:
    """Another outlet's reprint: dateline, a small edit, a footer."""
    edited = body.replace("rough seas", "heavy seas").replace("Relatives", "Families")
    return (
        "PORTO VELHO (Wire) - "
        + edited
        + "\n\nReporting by Ana Costa; editing by Luis Mendes.\n© 2026 Wire Service"
    )


def test_body_words_drop_headline_dateline_and_footer() -> None:
    words = body_words("Ferry sinks off coast\n\n" + wire_copy(BODY))
    assert words[:3] == ["the", "regional", "ferry"]
    assert "reporting" not in words and "wire" not in words
    assert "ferry" in words and "sinks" not in words


def test_copies_cluster_and_independent_reports_do_not() -> None:
    texts = {
        "post.txt": "Ferry disaster in the bay\n\n" + BODY,
        "wire.txt": "Dozens dead as ferry capsizes\n\n" + wire_copy(BODY),
        "council.txt": OTHER,
    }
    sigs = {k: signature(v) for k, v in texts.items()}
    story = cluster({k: s[0] for k, s in sigs.items()}, {k: s[1] for k, s in sigs.items()}, 0.4)
    assert story["post.txt"] == story["wire.txt"]
    assert story["council.txt"] != story["post.txt"]
    estimated = sigs["post.txt"][0].jaccard(sigs["wire.txt"][0])
    assert estimated > 0.6


def write(corpus: Path, name: str, text: str) -> None:
    (corpus / name).write_text(text, encoding="utf-8")


def story_ids(settings) -> dict[str, str]:
    collection = build_vector_store(settings).client
    data = collection.get(include=["metadatas"])
    found: dict[str, set[str]] = {}
    for meta in data["metadatas"]:
        found.setdefault(meta["file"], set()).add(meta.get("story_id"))
    assert all(len(v) == 1 for v in found.values()), found  # every chunk of a file agrees
    return {k: next(iter(v)) for k, v in found.items()}


def test_incremental_ingest_keeps_stories_right(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    settings = make_settings(tmp_path, corpus_dir=corpus)
    embed = HashEmbedding()
    write(corpus, "post.txt", article("Ferry capsizes", BODY, "Harbour Post", "2026-03-03"))
    write(corpus, "council.txt", article("Tram budget", OTHER, "Vila Gazette", "2026-03-02"))
    ingest(settings, embed_model=embed)
    first = story_ids(settings)
    assert len(set(first.values())) == 2 and all(first.values())

    # A reprint arrives later, with another headline, a dateline and a footer: same story.
    write(corpus, "wire.txt", article("31 dead at sea", wire_copy(BODY), "Wire", "2026-03-04"))
    ingest(settings, embed_model=embed)
    second = story_ids(settings)
    assert second["wire.txt"] == second["post.txt"] == first["post.txt"]
    assert second["council.txt"] == first["council.txt"]

    status = RAG(settings, embed_model=embed, llm=None).status()
    assert status["documents"] == 3 and status["stories"] == 2

    # The first copy is removed: the story keeps its id through the reprint.
    (corpus / "post.txt").unlink()
    ingest(settings, embed_model=embed)
    third = story_ids(settings)
    assert third == {"wire.txt": first["post.txt"], "council.txt": first["council.txt"]}

    # The reprint is rewritten into a different article: it leaves the story.
    write(corpus, "post.txt", article("Ferry capsizes", BODY, "Harbour Post", "2026-03-03"))
    write(corpus, "wire.txt", article("Tram plan", OTHER.replace("48", "52"), "Wire", "2026-03-05"))
    ingest(settings, embed_model=embed)
    fourth = story_ids(settings)
    assert fourth["wire.txt"] == fourth["council.txt"] == first["council.txt"]
    assert fourth["post.txt"] != fourth["council.txt"]
    state = json.loads((settings.index_dir / f"stories-{settings.collection}.json").read_text())
    assert set(state["articles"]) == {"post.txt", "wire.txt", "council.txt"}


def test_one_copy_per_story_keeps_the_most_complete_copy() -> None:
    ids = ["a#0", "a#1", "b#0", "c#0", "d#0"]
    sentence = "The ferry Santa Luzia capsized on Tuesday evening off Porto Velho. "
    texts = [sentence * 3, sentence * 3, sentence * 4, sentence, sentence]
    metas = [
        {"file": "a", "story_id": "s1", "source": "Harbour Post", "date": "2026-03-03"},
        {"file": "a", "story_id": "s1", "source": "Harbour Post", "date": "2026-03-03"},
        {"file": "b", "story_id": "s1", "source": "Wire", "date": "2026-03-04"},
        {"file": "c", "story_id": "s2", "source": "Radio Nord", "date": "2026-03-04"},
        {"file": "d", "story_id": "s1", "source": "Daily", "date": "2026-03-05"},
    ]
    index = StoryIndex.build(ids, texts, metas)
    ranked = [("b#0", 0.9), ("c#0", 0.8), ("d#0", 0.7), ("a#1", 0.6), ("a#0", 0.5)]
    kept = one_copy_per_story(ranked, index)
    # a is the most complete copy (six sentences to b's four): its best chunk takes b's place.
    assert kept == [("a#1", 0.9), ("c#0", 0.8), ("a#0", 0.5)]
    # Equally complete copies: the earliest is shown, a reprint never replaces its original.
    assert index.preferred(["b", "d"]) == "b"
    texts[2] = sentence * 6
    assert StoryIndex.build(ids, texts, metas).preferred(["a", "b"]) == "a"
    assert [c["source"] for c in index.also_in("a")] == ["b", "d"]
    assert index.also_in("a")[0] == {"source": "b", "publisher": "Wire", "date": "2026-03-04"}
    assert index.also_in("c") == []


# --- conflicting reports -------------------------------------------------------------------------


def passage(number: int, text: str, publisher: str, date: str, story: str) -> Passage:
    from rag.text import split_sentences

    return Passage(
        number=number,
        chunk_id=f"{story}#0",
        source=f"{story}.txt",
        title="Ferry capsizes off Porto Velho",
        date=date,
        url="",
        text=text,
        score=1.0,
        publisher=publisher,
        sentences=split_sentences(text),
        story_id=story,
    )


def overlap_score(question: str):
    from rag.context import overlap
    from rag.text import content_stems

    stems = set(content_stems(question))
    return lambda p, i: 0.5 + overlap(stems, p.sentences[i].text)


POST = (
    "At least 31 people died when the Santa Luzia capsized, officials said. "
    "There were 212 on board."
)
NORD = "The ministry said 27 people died in the Santa Luzia sinking. The ferry carried 212 people."


def test_detector_flags_different_counts_with_both_citations_and_the_newer_report() -> None:
    q = "How many people died when the Santa Luzia capsized?"
    passages = [
        passage(1, POST, "Harbour Post", "2026-03-03", "s1"),
        passage(2, NORD, "Radio Nord", "2026-03-04", "s2"),
    ]
    found = detect(q, passages, overlap_score(q))
    assert [(v["value"], v["citations"]) for v in found[0]["values"]] == [("31", [1]), ("27", [2])]
    sentence = statement(found[0])
    assert "Harbour Post (2026-03-03) [1] gives 31" in sentence
    assert "Radio Nord (2026-03-04, the newer report) [2] gives 27" in sentence
    assert public(found[0]) == {
        "about": "How many people died when the Santa Luzia capsized",
        "values": [{"value": "31", "citations": [1]}, {"value": "27", "citations": [2]}],
    }


def test_detector_stays_quiet_when_sources_agree_or_are_one_story() -> None:
    q = "How many people died when the Santa Luzia capsized?"
    agreeing = NORD.replace("27", "thirty-one")
    passages = [
        passage(1, POST, "Harbour Post", "2026-03-03", "s1"),
        passage(2, agreeing, "Radio Nord", "2026-03-04", "s2"),
    ]
    assert detect(q, passages, overlap_score(q)) == []
    q = "How many people died when the Santa Luzia capsized?"
    copies = [
        passage(1, POST, "Harbour Post", "2026-03-03", "s1"),
        passage(2, NORD, "Radio Nord", "2026-03-04", "s1"),
    ]
    assert detect(q, copies, overlap_score(q)) == []  # one story: not two sources
    assert detect("Why did the Santa Luzia capsize?", passages, overlap_score(q)) == []


def test_detector_compares_dates_and_places() -> None:
    a = "The ferry Santa Luzia sank on March 3 off Porto Velho, the harbour authority said."
    b = "The Santa Luzia went down on March 2 near Cabo Frio island, the ministry said."
    passages = [
        passage(1, a, "Harbour Post", "2026-03-03", "s1"),
        passage(2, b, "Radio Nord", "2026-03-04", "s2"),
    ]
    q = "When did the Santa Luzia sink?"
    when = detect(q, passages, overlap_score(q))
    assert [v["value"] for v in when[0]["values"]] == ["March 3", "March 2"]
    q = "Where did the Santa Luzia sink?"
    where = detect(q, passages, overlap_score(q))
    assert [v["value"] for v in where[0]["values"]] == ["Porto Velho", "Cabo Frio"]


def test_a_conflict_sentence_survives_the_citation_check() -> None:
    text = "The Harbour Post reported 31 dead [1]; Radio Nord said 27 [2]."
    assert (
        split_cited_clauses(text)
        == "The Harbour Post reported 31 dead [1]. Radio Nord said 27 [2]."
    )


def test_answer_json_carries_stories_also_in_and_conflicts(tmp_path: Path) -> None:
    from tests.contract import ANSWER_KEYS, CITATION_KEYS

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    write(corpus, "post.txt", article("Ferry capsizes", BODY, "Harbour Post", "2026-03-03"))
    write(corpus, "wire.txt", article("31 dead at sea", wire_copy(BODY), "Wire", "2026-03-04"))
    nord = (
        "The health ministry said on Wednesday that 27 people had died after the Santa Luzia "
        "capsized near Cabo Frio island. Navy divers searched the wreck through the night and "
        "families waited at the terminal for the lists of survivors to be read out."
    )
    write(corpus, "nord.txt", article("Ministry toll", nord, "Radio Nord", "2026-03-05"))
    settings = make_settings(tmp_path, corpus_dir=corpus, llm="extractive")
    rag = RAG(settings, embed_model=HashEmbedding(), llm=None)
    rag.ingest()
    answer = rag.ask("How many people had died after the Santa Luzia capsized?")
    data = answer.to_dict()
    assert set(data) >= ANSWER_KEYS
    shown = [p for p in answer.passages if p.in_prompt]
    assert len({p.story_id for p in shown if p.source in ("post.txt", "wire.txt")}) <= 1
    assert not {"post.txt", "wire.txt"} <= {p.source for p in shown}  # one copy per story
    copy = next(p for p in answer.passages if p.source in ("post.txt", "wire.txt"))
    assert copy.also_in and copy.also_in[0]["source"] in ("post.txt", "wire.txt")
    for citation in data["citations"]:
        assert set(citation) >= CITATION_KEYS and citation["story_id"]
    assert isinstance(data["conflicts"], list)
    assert rag.status()["stories"] == 2


def test_according_to_the_publisher_is_checked_against_the_cited_source() -> None:
    """The prompt header names the publisher, so the citation check accepts it there only."""
    from rag.context import Prepared
    from rag.grounding import support

    passages = [
        passage(1, POST, "Harbour Post", "2026-03-03", "s1"),
        passage(2, NORD, "Radio Nord", "2026-03-04", "s2"),
    ]
    assert passages[1].header() == "[2] Ferry capsizes off Porto Velho (Radio Nord, 2026-03-04)"
    q = "How many people died when the Santa Luzia capsized?"
    prepared = Prepared(q, q, passages, [], "cited", {})
    claim = "According to Radio Nord, 27 people died in the Santa Luzia sinking."
    assert support(prepared, HashEmbedding(), claim, 2)[0] >= 0.5
    wrong = "According to Harbour Post, 27 people died in the Santa Luzia sinking."
    assert support(prepared, HashEmbedding(), wrong, 2)[0] == 0.0


def test_a_question_asking_two_things_gets_no_conflict() -> None:
    from rag.conflicts import expected_kind

    assert expected_kind("Which Syrian body is negotiating with which country?") is None
    assert expected_kind("How many people died when the ferry capsized?") == "number"
    assert expected_kind("When was the Millbrook bridge built?") == "date"
    assert expected_kind("Where did the Santa Luzia capsize?") == "name"
    assert expected_kind("How did the ferry owners react?") is None
