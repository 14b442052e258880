"""``rag eval stories``: how the syndication clustering splits a corpus, threshold by threshold.

    rag eval stories --corpus-dir DIR [--out DIR] [--json]

Reads the corpus folder the way ingest does (no embedding, no index), computes
each article's MinHash signature, and reports for a range of thresholds the
number of stories (clusters), of multi-copy stories and of articles in them.
It also draws 40 pairs evenly over the similarity order from Jaccard 0.2 up and
writes them to ``pairs.md`` under ``--out`` (title, publisher, date and the
opening of each body) to be checked by reading: that check gives the precision
reported in the README. Article text stays under ``--out``, never in the repository.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

THRESHOLDS = (0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
SAMPLE = 40
FLOOR = 0.2  # pairs are drawn from this similarity up, so the check sees both sides of the cut


def cluster_counts(
    signatures: dict[str, Any], lengths: dict[str, int], threshold: float
) -> dict[str, Any]:
    """Stories, multi-copy stories and articles in them at ``threshold``."""
    from rag.stories import MIN_WORDS, components, similar_pairs

    comparable = {k: m for k, m in signatures.items() if lengths.get(k, 0) >= MIN_WORDS}
    pairs = similar_pairs(comparable, threshold)
    groups = components(signatures, pairs)
    multi = [g for g in groups if len(g) > 1]
    return {
        "threshold": threshold,
        "articles": len(signatures),
        "stories": len(groups),
        "multi_copy_stories": len(multi),
        "articles_in_multi_copy_stories": sum(len(g) for g in multi),
        "largest_story": max((len(g) for g in groups), default=0),
        "pairs": len(pairs),
    }


def run(corpus_dir: Path, out: Path, threshold: float) -> dict[str, Any]:
    from rag.documents import load_corpus
    from rag.stories import signature, similar_pairs

    loaded = load_corpus(corpus_dir)
    docs = {d.doc_id: d for d in loaded.documents}
    signatures: dict[str, Any] = {}
    lengths: dict[str, int] = {}
    for key, doc in docs.items():
        signatures[key], lengths[key] = signature(doc.get_content())
    rows = [cluster_counts(signatures, lengths, t) for t in THRESHOLDS]
    comparable = {k: m for k, m in signatures.items() if lengths[k] >= 20}
    pairs = sorted(similar_pairs(comparable, FLOOR), key=lambda p: (p[2], p[0], p[1]))
    if len(pairs) > SAMPLE:  # evenly spaced over the similarity order: every band is seen
        step = len(pairs) / SAMPLE
        pairs = [pairs[int(i * step)] for i in range(SAMPLE)]
    sample = pairs
    out.mkdir(parents=True, exist_ok=True)
    lines = [f"# {len(sample)} pairs at estimated Jaccard >= {FLOOR} (cut: {threshold})\n"]
    for n, (a, b, sim) in enumerate(sample, start=1):
        lines.append(f"## {n}. estimated Jaccard {sim:.2f}\n")
        for key in (a, b):
            meta = docs[key].metadata
            body = " ".join(docs[key].get_content().split())[:500]
            lines.append(
                f"- **{meta.get('title')}** ({meta.get('source')}, {meta.get('date')}) "
                f"`{key}`\n\n  > {body}\n"
            )
    (out / "pairs.md").write_text("\n".join(lines), encoding="utf-8")
    summary = {"threshold": threshold, "by_threshold": rows, "sampled_pairs": len(sample)}
    (out / "results.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    return summary
