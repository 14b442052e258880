"""The few errors the pipeline raises; each message says what to do next.

Only the CLI and the app turn these into exit codes or UI messages.
"""

from __future__ import annotations


class RagError(Exception):
    """Base class: a problem the user can act on."""


class ConfigError(RagError):
    """A setting is missing or wrong."""


class ModelNotFoundError(RagError):
    """A model file or package is not installed."""


class IndexEmptyError(RagError):
    """The index holds no passages yet."""


class BadQuestionError(RagError):
    """The question is empty, too long or not text."""


class BadOptionError(RagError, ValueError):
    """An ask option is wrong: a file the index does not hold, a day that is no date."""


class LLMError(RagError):
    """The language model failed or could not be reached."""


class StoreError(RagError):
    """The vector store could not be opened or reached."""
