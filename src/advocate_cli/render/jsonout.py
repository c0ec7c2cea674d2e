"""JSON and JSON Lines: the public plan shape, one record per profile."""

from __future__ import annotations

import json
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    from advocate_cli.batch import Outcome

_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


class JsonLinesRenderer:
    """One compact JSON object per line, written (and flushed) as soon as each profile is planned."""

    def __init__(self, out: IO[str]) -> None:
        self.out = out

    def begin(self) -> None:
        pass

    def outcome(self, outcome: Outcome) -> None:
        self.out.write(_encode(outcome.to_dict()) + "\n")

    def end(self) -> None:
        pass


class JsonRenderer:
    """One JSON document: an object for a single profile, a list for a batch (written at the end)."""

    def __init__(self, out: IO[str], *, single: bool) -> None:
        self.out = out
        self.single = single
        self.first = True

    def begin(self) -> None:
        if not self.single:
            self.out.write("[")

    def outcome(self, outcome: Outcome) -> None:
        text = json.dumps(outcome.to_dict(), ensure_ascii=False, indent=2)
        if self.single:
            self.out.write(text + "\n")
            return
        self.out.write(("\n" if self.first else ",\n") + text)
        self.first = False

    def end(self) -> None:
        if not self.single:
            self.out.write("\n]\n" if not self.first else "]\n")
