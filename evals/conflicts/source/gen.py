# ruff: noqa
"""Source of the conflict test set (evals/conflicts): regenerate with `python evals/conflicts/source/gen.py evals/conflicts`."""

import json, sys
from pathlib import Path

import runpy

_here = Path(__file__).parent
_a = json.loads((_here / "articles.json").read_text(encoding="utf-8"))
_q = runpy.run_path(str(_here / "questions.py"))
A, COPIES = _a["articles"], _a["copies"]
DEV, CONFLICTS, CONTROLS = _q["DEV"], _q["CONFLICTS"], _q["CONTROLS"]
HOLDOUT = _q["HOLDOUT"]
# Second round (articles2.json, questions2.py): new events in splits dev2 and test2; its question
# ids continue the numbering of the first round.
_a2 = json.loads((_here / "articles2.json").read_text(encoding="utf-8"))
_q2 = runpy.run_path(str(_here / "questions2.py"))
DEV2, TEST2 = _q2["DEV2"], _q2["TEST2"]
assert not ({e for e, *_ in A} & {e for e, *_ in _a2["articles"]}), "event names must be new"
assert DEV2 | TEST2 == {e for e, *_ in _a2["articles"]} and not DEV2 & TEST2
A, COPIES = A + _a2["articles"], COPIES + _a2["copies"]
CONFLICTS, CONTROLS = CONFLICTS + _q2["CONFLICTS"], CONTROLS + _q2["CONTROLS"]
# Third round (articles3.json, questions3.py): new events in splits dev3 and test3, numbered on.
_a3 = json.loads((_here / "articles3.json").read_text(encoding="utf-8"))
_q3 = runpy.run_path(str(_here / "questions3.py"))
DEV3, TEST3 = _q3["DEV3"], _q3["TEST3"]
assert not ({e for e, *_ in A} & {e for e, *_ in _a3["articles"]}), "event names must be new"
assert DEV3 | TEST3 == {e for e, *_ in _a3["articles"]} and not DEV3 & TEST3
A, COPIES = A + _a3["articles"], COPIES + _a3["copies"]
CONFLICTS, CONTROLS = CONFLICTS + _q3["CONFLICTS"], CONTROLS + _q3["CONTROLS"]


def split_of(event):
    if event in DEV2:
        return "dev2"
    if event in TEST2:
        return "test2"
    if event in DEV3:
        return "dev3"
    if event in TEST3:
        return "test3"
    return "dev" if event in DEV else "holdout" if event in HOLDOUT else "test"


from pathlib import Path

root = Path(sys.argv[1])
corpus = root / "corpus"
corpus.mkdir(parents=True, exist_ok=True)


def slug(p):
    return p.lower().replace(" ", "-").replace("'", "")


stories = {}
files = {}


def write(name, title, source, date, body):
    (corpus / name).write_text(
        f"---\ntitle: {title}\nsource: {source}\ndate: {date}\n---\n{title}\n\n{body}\n",
        encoding="utf-8",
    )


for ev, l, pub, date, title, body in A:
    name = f"{ev}-{l}-{slug(pub)}.txt"
    write(name, title, pub, date, body)
    stories[name] = f"{ev}-{l}"
    files[(ev, l)] = (name, body)
for ev, l, pub, date, title, dateline, footer, edits in COPIES:
    body = files[(ev, l)][1]
    for old, new in edits:
        assert old in body, (ev, old)
        body = body.replace(old, new)
    name = f"{ev}-{l}-copy-{slug(pub)}.txt"
    write(name, title, pub, date, dateline + body + "\n\n" + footer)
    stories[name] = f"{ev}-{l}"
(root / "stories.json").write_text(json.dumps(stories, indent=1, sort_keys=True) + "\n")
out = []
for n, (ev, q, values) in enumerate(CONFLICTS, 1):
    out.append(
        {
            "id": f"c{n:02d}",
            "split": split_of(ev),
            "kind": "conflict",
            "event": ev,
            "question": q,
            "values": [{"aliases": al, "story": f"{ev}-{l}"} for al, l in values],
        }
    )
for n, (ev, q, al, letters) in enumerate(CONTROLS, 1):
    out.append(
        {
            "id": f"k{n:02d}",
            "split": split_of(ev),
            "kind": "control",
            "event": ev,
            "question": q,
            "answer": al,
            "stories": [f"{ev}-{l}" for l in letters],
        }
    )
(root / "questions.jsonl").write_text("".join(json.dumps(o) + "\n" for o in out))
from collections import Counter

print(Counter((o["split"], o["kind"]) for o in out), len(stories))
