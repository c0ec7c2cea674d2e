"""Output formats: one module per format behind one interface, chosen by the Format enum."""

from __future__ import annotations

from enum import Enum
from typing import IO, TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from advocate_cli.batch import Outcome


class Format(str, Enum):
    table = "table"
    json = "json"
    jsonl = "jsonl"
    yaml = "yaml"
    markdown = "markdown"


class Renderer(Protocol):
    """Receives outcomes one by one, as they are planned; writes results to `out` only."""

    def begin(self) -> None: ...

    def outcome(self, outcome: Outcome) -> None: ...

    def end(self) -> None: ...


def get_renderer(fmt: Format, out: IO[str], *, single: bool, width: int | None = None) -> Renderer:
    """The renderer for a format. `single` is true for one profile (--profile), false for a batch."""
    if fmt is Format.jsonl:
        from advocate_cli.render.jsonout import JsonLinesRenderer

        return JsonLinesRenderer(out)
    if fmt is Format.json:
        from advocate_cli.render.jsonout import JsonRenderer

        return JsonRenderer(out, single=single)
    if fmt is Format.yaml:
        from advocate_cli.render.yamlout import YamlRenderer

        return YamlRenderer(out, single=single)
    if fmt is Format.markdown:
        from advocate_cli.render.markdown import MarkdownRenderer

        return MarkdownRenderer(out, single=single)
    if fmt is Format.table:
        from advocate_cli.render.table import TableRenderer

        return TableRenderer(out, single=single, width=width)
    raise AssertionError(f"no renderer for {fmt}")  # pragma: no cover - guarded by a test
