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
# Later rounds (articlesN.json, questionsN.py): new events in splits devN and testN; their
# question ids continue the numbering of the rounds before.
SPLITS = {}
for n in (2, 3, 4):
    _an = json.loads((_here / f"articles{n}.json").read_text(encoding="utf-8"))
    _qn = runpy.run_path(str(_here / f"questions{n}.py"))
    dev, test = _qn[f"DEV{n}"], _qn[f"TEST{n}"]
    events = {e for e, *_ in _an["articles"]}
    assert not ({e for e, *_ in A} & events), "event names must be new"
    assert dev | test == events and not dev & test
    SPLITS |= {e: f"dev{n}" for e in dev} | {e: f"test{n}" for e in test}
    A, COPIES = A + _an["articles"], COPIES + _an["copies"]
    CONFLICTS, CONTROLS = CONFLICTS + _qn["CONFLICTS"], CONTROLS + _qn["CONTROLS"]


def split_of(event):
    if event in SPLITS:
        return SPLITS[event]
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
