"""YAML: one document, a mapping for a single profile or a list for a batch."""

from __future__ import annotations

from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    from advocate_cli.batch import Outcome


class YamlRenderer:
    def __init__(self, out: IO[str], *, single: bool) -> None:
        self.out = out
        self.single = single
        self.any = False

    def begin(self) -> None:
        pass

    def outcome(self, outcome: Outcome) -> None:
        import yaml

        from advocate_cli.yamlio import safe_dumper

        data = outcome.to_dict()
        # Items of a top-level YAML list, written as they come, so a batch never sits in memory.
        text = yaml.dump(data if self.single else [data], Dumper=safe_dumper(), sort_keys=False, allow_unicode=True,
                         width=100)
        self.out.write(text)
        self.any = True

    def end(self) -> None:
        if not self.single and not self.any:
            self.out.write("[]\n")
