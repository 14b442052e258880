"""Syndicated copies of one story: near-duplicate clustering of articles, kept up to date at ingest.

A wire story reprinted by many outlets differs in headline, dateline ("LISBON
(Wire) -"), footer and a few edits, not in its body. Each article's body is cut
into word shingles and summarised by a MinHash signature (``datasketch``);
locality-sensitive hashing finds candidate pairs, whose estimated Jaccard
similarity must reach ``Settings.story_threshold``; connected components are
the stories. Signatures are kept per article in a small state file beside the
index, so an ingest only hashes new or edited articles and re-clusters the lot
(seconds for thousands of articles). Story ids survive ingests: a story keeps
the id most of its members had; a new one is named after its earliest member.

At question time ``one_copy_per_story`` keeps one copy of each story in the
ranking (the most complete, then the earliest) and ``also_in`` lists the others.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from rag import store

if TYPE_CHECKING:
    from datasketch import MinHash
    from llama_index.core.schema import Document
    from llama_index.core.vector_stores.types import BasePydanticVectorStore

    from rag.config import Settings

NUM_PERM = 128
SHINGLE = 5  # words per shingle
SCHEME = "affine32"  # datasketch's hash scheme: stored signatures name it, for later versions
MIN_WORDS = 20  # shorter bodies are never merged: too few shingles to tell copies apart
STATE_VERSION = 1

# "LISBON (Wire) -", "LISBON, March 3 (Reuters) —", "PORTO —": a dateline opening a paragraph.
DATELINE = re.compile(
    r"^\s*[A-Z][A-Z.'\- ]{1,40}(?:,\s*[A-Z][\w.]*(?:\s+\d{1,2})?(?:,\s*\d{4})?)?"
    r"\s*(?:\([^)\n]{1,40}\))?\s*[-–—:]+\s+"
)
# Lines outlets add around a reprint: credits, copyright, calls to subscribe.
_BOILERPLATE = re.compile(
    r"^\W*(©|\(c\)|copyright|all rights reserved|reporting by|additional reporting|editing by|"
    r"writing by|this (story|article) (was|first|originally)|originally published|"
    r"distributed by|republished|follow us|subscribe|sign up|read more|related:|share this)",
    re.I,
)
_WORD = re.compile(r"\w+")


def body_words(text: str) -> list[str]:
    """The words that identify a story: headline-like lines, datelines and credits left out."""
    kept: list[str] = []
    for line in text.splitlines():
        line = line.strip()
        if not line or _BOILERPLATE.match(line):
            continue
        words = line.split()
        if len(words) <= 12 and line[-1] not in '.!?"”':
            continue  # a headline, byline or section heading
        kept.append(DATELINE.sub("", line, count=1))
    return _WORD.findall(" ".join(kept).lower())


def shingles(words: Sequence[str], size: int = SHINGLE) -> set[bytes]:
    return {" ".join(words[i : i + size]).encode() for i in range(len(words) - size + 1)}


def signature(text: str) -> tuple[MinHash, int]:
    """The article's MinHash over its body shingles, and its body length in words."""
    from datasketch import MinHash

    words = body_words(text)
    minhash = MinHash(num_perm=NUM_PERM, seed=1, scheme=SCHEME)
    minhash.update_batch(list(shingles(words)))
    return minhash, len(words)


def _encode(minhash: MinHash) -> str:
    return base64.b64encode(np.asarray(minhash.hashvalues, dtype=np.uint64).tobytes()).decode()


def _decode(value: str) -> MinHash:
    from datasketch import MinHash

    hashvalues = np.frombuffer(base64.b64decode(value), dtype=np.uint64)
    return MinHash(num_perm=NUM_PERM, seed=1, hashvalues=hashvalues, scheme=SCHEME)


def similar_pairs(signatures: dict[str, MinHash], threshold: float) -> list[tuple[str, str, float]]:
    """Pairs whose estimated Jaccard similarity reaches ``threshold`` (LSH, then checked)."""
    from datasketch import MinHashLSH

    lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
    for key, minhash in signatures.items():
        lsh.insert(key, minhash)
    pairs = []
    for key, minhash in signatures.items():
        for other in lsh.query(minhash):
            if other > key:
                similarity = float(minhash.jaccard(signatures[other]))
                if similarity >= threshold:
                    pairs.append((key, other, similarity))
    return sorted(pairs)


def components(keys: Iterable[str], pairs: Iterable[tuple[str, str, float]]) -> list[set[str]]:
    """Connected components (union-find): a copy of a copy is the same story."""
    parent = {key: key for key in keys}

    def root(key: str) -> str:
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    for a, b, _ in pairs:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    groups: dict[str, set[str]] = {}
    for key in parent:
        groups.setdefault(root(key), set()).add(key)
    return list(groups.values())


def new_story_id(member: str, salt: int = 0) -> str:
    return "s-" + hashlib.sha1(f"{member}#{salt}".encode()).hexdigest()[:12]


def assign_ids(
    groups: Sequence[set[str]], previous: dict[str, str], dates: dict[str, str]
) -> dict[str, str]:
    """A story id per article: kept from the last ingest where possible, else from the earliest.

    A group keeps the previous id most of its members had (each id goes to one
    group only: when a story splits, the larger part keeps it); a group with no
    id to keep is named after its earliest member (date, then name).
    """

    def earliest(group: set[str]) -> str:
        return min(group, key=lambda key: (dates.get(key) or "9999", key))

    ordered = sorted(groups, key=lambda g: (dates.get(earliest(g)) or "9999", earliest(g)))
    used: set[str] = set()
    chosen: dict[int, str] = {}
    for n, group in enumerate(ordered):
        holders = sorted(
            (k for k in group if k in previous and previous[k] not in used),
            key=lambda k: (dates.get(k) or "9999", k),
        )
        counts = Counter(previous[k] for k in holders)
        if counts:  # most members, then the id of the earliest member holding one
            sid = min(counts, key=lambda s: (-counts[s], [previous[k] for k in holders].index(s)))
            chosen[n] = sid
            used.add(sid)
    for n, group in enumerate(ordered):
        if n in chosen:
            continue
        salt = 0
        while (sid := new_story_id(earliest(group), salt)) in used:
            salt += 1
        chosen[n] = sid
        used.add(sid)
    return {key: chosen[n] for n, group in enumerate(ordered) for key in group}


def cluster(
    signatures: dict[str, MinHash],
    lengths: dict[str, int],
    threshold: float,
    previous: dict[str, str] | None = None,
    dates: dict[str, str] | None = None,
) -> dict[str, str]:
    """Story id per article key: near-duplicates above ``threshold`` share one."""
    comparable = {k: m for k, m in signatures.items() if lengths.get(k, 0) >= MIN_WORDS}
    groups = components(signatures, similar_pairs(comparable, threshold))
    return assign_ids(groups, previous or {}, dates or {})


# --- keeping the clusters in step with the index ----------------------------


def state_path(settings: Settings) -> Any:
    return settings.index_dir / f"stories-{settings.collection}.json"


def read_state(settings: Settings) -> dict[str, Any]:
    try:
        state = json.loads(state_path(settings).read_text())
    except (OSError, ValueError):
        return {}
    params = {"version": STATE_VERSION, "num_perm": NUM_PERM, "shingle": SHINGLE, "scheme": SCHEME}
    return state if all(state.get(k) == v for k, v in params.items()) else {}


def update(
    settings: Settings,
    documents: Sequence[Document],
    vector_store: BasePydanticVectorStore,
    force: bool = False,
) -> int:
    """Re-cluster after an ingest and write changed story ids onto the chunks; returns stories.

    Only new or edited articles are hashed; with nothing changed (and ``force``
    not set) the stored clusters stand and the collection is not touched.
    """
    state = read_state(settings)
    known: dict[str, dict[str, Any]] = state.get("articles", {})
    current = {doc.doc_id: doc for doc in documents}
    changed = force or state.get("threshold") != settings.story_threshold
    for key in set(known) - set(current):
        del known[key]
        changed = True
    for key, doc in current.items():
        entry = known.get(key)
        if entry is None or entry.get("hash") != doc.hash:
            minhash, words = signature(doc.get_content())
            known[key] = {
                "hash": doc.hash,
                "sig": _encode(minhash),
                "words": words,
                "date": str(doc.metadata.get("date") or ""),
            }
            changed = True
    if not changed and state.get("stories"):
        return len(set(state["stories"].values()))
    story_of = cluster(
        {k: _decode(v["sig"]) for k, v in known.items()},
        {k: int(v["words"]) for k, v in known.items()},
        settings.story_threshold,
        previous=state.get("stories", {}),
        dates={k: v["date"] for k, v in known.items()},
    )
    store.set_story_ids(vector_store, story_of)
    settings.index_dir.mkdir(parents=True, exist_ok=True)
    state_path(settings).write_text(
        json.dumps(
            {
                "version": STATE_VERSION,
                "num_perm": NUM_PERM,
                "shingle": SHINGLE,
                "scheme": SCHEME,
                "threshold": settings.story_threshold,
                "articles": known,
                "stories": story_of,
            }
        )
    )
    return len(set(story_of.values()))


# --- one copy per story at question time ---------------------------------------


@dataclass
class StoryIndex:
    """Which article each chunk is from and which story each article is a copy of."""

    file_of: dict[str, str] = field(default_factory=dict)
    story_of: dict[str, str] = field(default_factory=dict)  # file -> story
    size: dict[str, int] = field(default_factory=dict)  # file -> body words over its chunks
    chars: dict[str, int] = field(default_factory=dict)  # file -> characters over its chunks
    meta: dict[str, dict[str, str]] = field(default_factory=dict)  # file -> source/publisher/date
    members: dict[str, list[str]] = field(default_factory=dict)  # story -> files, oldest first

    @classmethod
    def build(
        cls, ids: Sequence[str], texts: Sequence[str], metadatas: Sequence[dict[str, Any]]
    ) -> StoryIndex:
        index = cls()
        for chunk_id, text, meta in zip(ids, texts, metadatas, strict=True):
            meta = meta or {}
            name = str(meta.get("file") or chunk_id)
            index.file_of[chunk_id] = name
            index.story_of.setdefault(name, str(meta.get("story_id") or name))
            index.size[name] = index.size.get(name, 0) + len(body_words(text))
            index.chars[name] = index.chars.get(name, 0) + len(text)
            index.meta.setdefault(
                name,
                {
                    "source": name,
                    "publisher": str(meta.get("source") or ""),
                    "date": str(meta.get("date") or ""),
                },
            )
        for name, story in index.story_of.items():
            index.members.setdefault(story, []).append(name)
        for files in index.members.values():
            files.sort(key=lambda f: (index.meta[f]["date"] or "9999", f))
        return index

    def preferred(self, files: Iterable[str]) -> str:
        """The copy to show: the most complete, then the earliest, then the least boilerplate.

        Copies within a tenth of the longest body count as equally complete: a
        dateline or an edit is no reason to prefer a reprint to the original.
        """
        files = list(files)
        longest = max(self.size[f] for f in files)
        complete = [f for f in files if self.size[f] >= 0.9 * longest]
        return min(complete, key=lambda f: (self.meta[f]["date"] or "9999", self.chars[f], f))

    def also_in(self, name: str) -> list[dict[str, str]]:
        """The other copies of ``name``'s story, oldest first."""
        story = self.story_of.get(name, name)
        return [dict(self.meta[f]) for f in self.members.get(story, []) if f != name]


def story_index(table: Any) -> StoryIndex:
    """The ``StoryIndex`` of a retriever's chunk table, built once per table."""
    index = getattr(table, "_story_index", None)
    if index is None:
        index = StoryIndex.build(table.ids, table.texts, table.metadatas)
        table._story_index = index
    return index


def one_copy_per_story(
    ranked: Sequence[tuple[str, float]], index: StoryIndex
) -> list[tuple[str, float]]:
    """``ranked`` with the chunks of only one copy of each story.

    The kept copy is the most complete (then earliest) among the copies ranked;
    its best chunk takes the place of the story's first ranked chunk, its other
    chunks keep their places, and the other copies' chunks leave the ranking.
    """
    copies: dict[str, set[str]] = {}
    best: dict[str, tuple[str, float]] = {}
    for chunk_id, score in ranked:
        name = index.file_of.get(chunk_id)
        if name is None:
            continue
        copies.setdefault(index.story_of.get(name, name), set()).add(name)
        best.setdefault(name, (chunk_id, score))
    keep = {story: index.preferred(files) for story, files in copies.items()}
    result: list[tuple[str, float]] = []
    placed: set[str] = set()
    for chunk_id, score in ranked:
        name = index.file_of.get(chunk_id)
        if name is None:
            continue
        story = index.story_of.get(name, name)
        if story not in placed:
            placed.add(story)
            lead = best[keep[story]][0]
            result.append((lead, score))
            if lead == chunk_id or name != keep[story]:
                continue
        if name == keep[story] and chunk_id != best[name][0]:
            result.append((chunk_id, score))
    return result


def annotate(metadata: dict[str, Any], index: StoryIndex) -> None:
    """Give a retrieved chunk its story id and the other copies of its story."""
    name = str(metadata.get("file") or "")
    metadata["story_id"] = str(metadata.get("story_id") or index.story_of.get(name, name))
    metadata["also_in"] = index.also_in(name)
