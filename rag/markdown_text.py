"""Markdown articles as the plain text a reader sees.

A ``.md`` article's markup ("# ", "**", "*", "[text](url)") would otherwise be
chunked, embedded and quoted in answers as it stands ("took *two years* to
build"). ``markdown-it-py`` (CommonMark, already installed with gradio) parses
it; the text keeps a line per heading, paragraph line and list item, a blank
line between blocks, ordered items their numbers ("4. Safe return management":
a question about the fourth step is answered from that numbering) and a link or
image its words.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from markdown_it import MarkdownIt
from markdown_it.token import Token

_BLOCK_ENDS = {
    "paragraph_close",
    "heading_close",
    "bullet_list_close",
    "ordered_list_close",
    "blockquote_close",
}
_PARSER = MarkdownIt("commonmark", {"html": False})  # raw HTML stays text, never markup


def _inline(children: Sequence[Token]) -> str:
    parts = []
    for child in children:
        if child.type in ("text", "code_inline", "image"):
            parts.append(child.content)  # an image's content is its alt text
        elif child.type in ("softbreak", "hardbreak"):
            parts.append("\n")
    return "".join(parts)


def markdown_text(source: str) -> str:
    """The text of a Markdown document, without its markup."""
    lines: list[str] = []
    marker = ""
    for token in _PARSER.parse(source):
        if token.type == "list_item_open":
            marker = f"{token.info}{token.markup} " if token.info else "- "
        elif token.type == "inline":
            lines.append(marker + _inline(token.children or []))
            marker = ""
        elif token.type in ("fence", "code_block"):
            lines.append(token.content.rstrip("\n"))
        elif token.type in _BLOCK_ENDS and not token.hidden:
            lines.append("")  # hidden: the paragraphs of a tight list's items
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
