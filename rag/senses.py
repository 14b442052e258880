"""Words news reports use interchangeably for what is asked, as stem sets.

"How many died" is answered by "were killed" and "the death toll"; "who won" by
"the winner"; "how far did shares drop" by "shares slid". The conflict detector
(``rag.conflicts``) treats a question's asked word and its same-sense words alike.
"""

from __future__ import annotations

from rag.text import content_stems

SAME_SENSE: list[set[str]] = [
    set(content_stems(words))
    for words in (
        "die died dead death deaths killed toll fatalities lives",
        "injured injuries hurt wounded",
        "people persons residents passengers",
        "evacuated evacuation fled",
        "paid pay price fee cost worth value valued buy bought sold sale deal",
        "began begin started start broke set departed depart",
        "share percent percentage",
        "take took taken takes last lasted lasting",
        "won win wins winner victory",
        "arrested arrest held detained suspect custody charged",
        "fired fire attacked attack shelled shelling ambushed ambush",
        "owns owned owner belongs belong",
        "raid raided broke robbed robbery stole stolen theft heist burgled",
        "escaped escape escapees escapee broke fled fugitive fugitives",
        "appointed appoint named chosen picked nominated successor",
        "fell fall drop dropped slid slide declined lost lower decrease decreased less",
        "rose rise rising climbed gained higher jumped increase increased more",
        "ran run runs running operated operates operator",
        "led lead leads leading headed run runs running ran",
        "deep depth deepest",
        "high height tall highest tallest",
        "far distance away",
        "wide width across",
        "ordered order ordering",
        "open opens opened opening inaugurated appeared emerged",
    )
]
PEOPLE = set(content_stems("people persons residents passengers"))  # who is counted, not how
