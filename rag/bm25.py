"""BM25 over the chunk texts: the half of hybrid retrieval that matches exact words.

Dense embeddings blur names, numbers and rare words; BM25 keeps them. Query
words unknown to the corpus are corrected first, because a misspelled name
would otherwise match nothing at all.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from rag.text import TOKEN_RE, is_common_word, normalize_text, stopwords, word_tokens


class BM25Index:
    """Okapi BM25 (bm25s, Lucene variant) with English stemming and stop words.

    Query words absent from the corpus are corrected to the most frequent
    corpus word one edit away (symmetric-delete lookup), so "Palmira" still
    finds "Palmyra" and a misspelled name still finds its articles; common
    English words ("named", "flew") are never corrected.
    """

    def __init__(self, texts: Sequence[str]) -> None:
        import bm25s
        import Stemmer

        self._stemmer = Stemmer.Stemmer("english")
        self._stopwords = stopwords()
        self.size = len(texts)
        self._model = bm25s.BM25()
        self._word_freq: dict[str, int] = {}
        self._deletes: dict[str, list[str]] = {}
        corpus_tokens = []
        for text in texts:
            words = [w for w in word_tokens(text) if w not in self._stopwords]
            for word in set(words):
                self._word_freq[word] = self._word_freq.get(word, 0) + 1
            corpus_tokens.append(self._stemmer.stemWords(words))
        if texts:
            self._model.index(corpus_tokens, show_progress=False)
        for word in self._word_freq:
            if len(word) >= 4 and not word.isdigit():
                for variant in _deletes(word):
                    self._deletes.setdefault(variant, []).append(word)

    def correct(self, word: str) -> str:
        """``word`` itself if the corpus has it, else its most frequent near neighbour."""
        if (
            word in self._word_freq
            or word in self._stopwords
            or len(word) < 4
            or not word.isalpha()
            or is_common_word(word)
        ):
            return word
        candidates: set[str] = set(self._deletes.get(word, []))
        for variant in _deletes(word):
            if variant in self._word_freq:
                candidates.add(variant)
            candidates.update(self._deletes.get(variant, []))
        if not candidates:
            return word
        return max(sorted(candidates), key=lambda w: self._word_freq[w])

    def _as_typed(self, word: str) -> str:
        """``word`` corrected, capitalised as the user typed it; itself when it needs none."""
        fixed = self.correct(word.lower())
        if fixed == word.lower():
            return word
        return fixed.capitalize() if word[:1].isupper() else fixed

    def corrections(self, query: str) -> dict[str, str]:
        """Each word of ``query`` that ``correct_query`` changes: as typed -> corrected."""
        words = TOKEN_RE.findall(normalize_text(query))
        return {w: fixed for w in words if (fixed := self._as_typed(w)) != w}

    def correct_query(self, query: str) -> str:
        """The query with words unknown to the corpus replaced by their corrections."""
        return TOKEN_RE.sub(lambda m: self._as_typed(m[0]), normalize_text(query))

    def query_tokens(self, query: str) -> list[str]:
        words = [self.correct(w) for w in word_tokens(query) if w not in self._stopwords]
        return [t for t in self._stemmer.stemWords(words) if t in self._model.vocab_dict]

    def search(self, query: str, k: int, mask: np.ndarray | None = None) -> list[tuple[int, float]]:
        """Top ``k`` (position, score) pairs with a positive score; ``mask`` zeroes others."""
        if self.size == 0:
            return []
        tokens = self.query_tokens(query)
        if not tokens:
            return []
        scores = self._model.get_scores(tokens)
        if mask is not None:
            scores = scores * mask
        k = min(k, self.size)
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(int(i), float(scores[i])) for i in top if scores[i] > 0]


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}
