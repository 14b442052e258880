"""The `rag ask --json` object's keys, written once for every interface's contract test."""

ANSWER_KEYS = {
    "question",
    "answer",
    "refused",
    "citations",
    "as_of",
    "window",
    "conflicts",
    "low_confidence",
}
CITATION_KEYS = {
    "id",
    "source",
    "title",
    "date",
    "publisher",
    "url",
    "text",
    "score",
    "story_id",
    "also_in",
}
