"""The fields that scope a search in API requests: ``as_of``, ``date_from``, ``date_to``,
``dated_only``, and ``files`` (only these articles, by corpus file name).

Days are ``YYYY-MM-DD`` strings (or ``YYYYMMDD`` integers); anything else (a float,
``true``, an integer too big for any day) is a 400 that names the field, never a 500.
Whether ``files`` are indexed is checked by the pipeline (``RAG.check_options``).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    StringConstraints,
    field_validator,
)

from rag.dates import as_date, day_int


class DateFields(BaseModel):
    """Mixed into request bodies; ``date_options`` gives the ``AskOptions`` fields."""

    as_of: StrictStr | StrictInt | None = None
    date_from: StrictStr | StrictInt | None = None
    date_to: StrictStr | StrictInt | None = None
    dated_only: StrictBool = False
    files: list[Annotated[StrictStr, StringConstraints(min_length=1, max_length=300)]] = Field(
        default_factory=list, max_length=500
    )

    @field_validator("as_of", "date_from", "date_to", mode="before")
    @classmethod
    def _text_or_int(cls, value: Any) -> Any:
        if value is not None and (isinstance(value, bool) or not isinstance(value, str | int)):
            raise ValueError(f"{value!r} is not a day; write it as YYYY-MM-DD (or YYYYMMDD).")
        return value

    @field_validator("as_of", "date_from", "date_to", mode="after")
    @classmethod
    def _valid_day(cls, value: str | int | None) -> str | None:
        if value is None or value == "":
            return None
        day = as_date(value)
        if day is None or not date(1900, 1, 1) <= day <= date(2200, 1, 1):
            raise ValueError(f"{value!r} is not a plausible date; write it as YYYY-MM-DD.")
        return day.isoformat()

    def date_options(self) -> dict[str, Any]:
        start, end = day_int(self.date_from), day_int(self.date_to)
        if start and end and start > end:
            from rag.api.errors import ApiError

            raise ApiError(400, "date_from is after date_to: swap them or widen the range.")
        return {
            "as_of": day_int(self.as_of),
            "date_from": start,
            "date_to": end,
            "dated_only": self.dated_only,
            "files": tuple(self.files),
        }
