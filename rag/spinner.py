"""A one-line spinner on stderr for the terminal commands: the stage and its seconds.

It draws only when stderr is a terminal, so pipes, logs and ``--json`` output
stay clean; ``update`` changes the stage, ``stop`` clears the line.
"""

from __future__ import annotations

import sys
import threading
import time
from typing import TextIO

FRAMES = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"


class Spinner:
    def __init__(self, text: str, stream: TextIO | None = None, enabled: bool | None = None):
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.text = text
        self.started = time.monotonic()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> Spinner:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> Spinner:
        if self.enabled and self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, daemon=True)
            self._thread.start()
        return self

    def update(self, text: str) -> None:
        self.text = text

    def line(self, frame: int) -> str:
        seconds = time.monotonic() - self.started
        return f"\r{FRAMES[frame % len(FRAMES)]} {self.text}… {seconds:.0f} s\033[K"

    def _run(self) -> None:
        frame = 0
        while not self._stop.wait(0.1):
            self.stream.write(self.line(frame))
            self.stream.flush()
            frame += 1

    def stop(self) -> None:
        """Clear the line; safe to call twice."""
        if self._thread is not None:
            self._stop.set()
            self._thread.join()
            self._thread = None
            self.stream.write("\r\033[K")
            self.stream.flush()
