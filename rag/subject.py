"""What a question is about, by name: an answer must name it, or cite what does.

"What did Ahmed Ash-Sharara say after meeting Putin?" answered with a sentence
about the Foreign Ministry's talks names neither: it answers another question.
The names are the atoms of ``rag.claims`` (with its normalisation), plus
particle names such as "al-Shibany" that start in lower case.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from rag.claims import Atom, _clean, _edits, _evidence_keys, _spelling_variant, atoms
from rag.text import content_stems

# A lower-case particle joined to a name: "al-Shibany", "ash-Sharaa", "bin-Zayed".
_PARTICLE_NAME = re.compile(r"\b(?:al|el|ash|as|ad|an|bin|ibn|abu|van|von|de|da|di)-[A-Z][\w'’-]+")


def question_names(question: str) -> list[Atom]:
    """The names a question is about (capitalised words after its first).

    "What did Ahmed Ash-Sharara say after meeting Putin?": an answer that names
    neither, citing sentences and articles that name neither, is about something else.
    """
    names = [a for a in atoms(question) if a.kind == "name"]
    for token in _PARTICLE_NAME.findall(_clean(question)):
        stems = content_stems(token)
        if stems:
            names.append(Atom(token, "name", stems[-1]))
    return names


def mentions_any(names: Iterable[Atom], texts: Iterable[str]) -> bool:
    """Whether any of ``names`` occurs in ``texts``: the atom check's normalisation, and a
    question's misspelling one letter off ("Asad" / "Assad")."""
    return mentioned(names, name_keys(texts))


def name_keys(texts: Iterable[str]) -> set[str]:
    """What ``mentioned`` looks names up in; worth keeping when many names are checked."""
    return _evidence_keys(texts)


def mentioned(names: Iterable[Atom], keys: set[str]) -> bool:
    """``mentions_any`` on keys made once by ``name_keys``."""
    return any(
        a.key in keys
        or _spelling_variant(a.key, keys)
        or (len(a.key) >= 4 and any(k[:2] == a.key[:2] and _edits(a.key, k) <= 1 for k in keys))
        for a in names
    )
