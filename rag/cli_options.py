"""The ``rag`` command's flag values: parsed, checked, and refused as bad usage (exit 2).

A value argparse can judge alone (a day, ``--top-k``'s range) is refused while
parsing, naming the flag; a flag that needs the others (``--since`` after
``--until``) or the index (``--article``) raises ``UsageError``, which ``main``
turns into exit 2 like argparse's own errors.
"""

from __future__ import annotations

import argparse
import difflib
from collections.abc import Callable, Collection, Sequence
from typing import Any

LIST_ARTICLES = "`rag articles` lists them"
DATE_FLAGS = ("--since", "--until")


class UsageError(Exception):
    """A flag's value is wrong for this index or with the other flags (exit 2)."""


def day_arg(value: str) -> int:
    """A YYYY-MM-DD flag value as the YYYYMMDD int the index stores."""
    from rag.dates import parse_day, to_int

    try:
        return to_int(parse_day(value))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def setting_arg(field: str) -> Callable[[str], Any]:
    """A flag type checked against the bounds of ``Settings.<field>``.

    Without it ``--top-k 100000`` passed argparse and failed later as an
    invalid ``RAG_TOP_K``, an error (exit 1) that named the variable, not the flag.
    """

    def parse(value: str) -> Any:
        from typing import Annotated

        from pydantic import TypeAdapter, ValidationError

        from rag.config import Settings

        info = Settings.model_fields[field]
        kind = Annotated[(info.annotation, *info.metadata)] if info.metadata else info.annotation
        adapter: TypeAdapter[Any] = TypeAdapter(kind)
        try:
            return adapter.validate_python(value)
        except ValidationError as exc:
            raise argparse.ArgumentTypeError(exc.errors()[0]["msg"]) from exc

    parse.__name__ = field  # argparse names the type in "invalid <type> value"
    return parse


def add_date_flags(p: argparse.ArgumentParser, as_of: bool = True) -> None:
    if as_of:
        p.add_argument(
            "--as-of", dest="as_of", type=day_arg, help="answer as of YYYY-MM-DD (default today)"
        )
    p.add_argument("--since", type=day_arg, help="only articles from YYYY-MM-DD on")
    p.add_argument("--until", type=day_arg, help="only articles up to YYYY-MM-DD")


def check_dates(args: argparse.Namespace) -> None:
    """``--since`` after ``--until`` could only find nothing: say so instead of searching."""
    from rag.days import check_order

    try:
        check_order(getattr(args, "since", None), getattr(args, "until", None), DATE_FLAGS)
    except ValueError as exc:
        raise UsageError(str(exc)) from exc


def date_options(args: argparse.Namespace) -> dict[str, Any]:
    """``--as-of``, ``--since``, ``--until``, ``--dated-only`` as ``AskOptions`` fields."""
    return {
        "as_of": getattr(args, "as_of", None),
        "date_from": getattr(args, "since", None),
        "date_to": getattr(args, "until", None),
        "dated_only": bool(getattr(args, "dated_only", False)),
        "files": tuple(getattr(args, "article", None) or ()),
    }


def check_articles(names: Sequence[str], indexed: Collection[str]) -> None:
    """``--article`` names must be indexed articles: an unknown one would only be refused.

    Names are compared as they are, so no path (``../x``) can match one.
    """
    unknown = [name for name in dict.fromkeys(names) if name not in indexed]
    if not unknown:
        return
    listed = ", ".join(repr(name) for name in unknown)
    verb = "is not an indexed article" if len(unknown) == 1 else "are not indexed articles"
    close = difflib.get_close_matches(unknown[0], sorted(indexed), n=1, cutoff=0.8)
    hint = f"did you mean {close[0]!r}? " if close and len(unknown) == 1 else ""
    raise UsageError(f"{listed} {verb}: {hint}{LIST_ARTICLES}.")
