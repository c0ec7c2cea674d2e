"""The terminal view: a ranked table of methods, the mix, warnings by severity and the facts cited."""

from __future__ import annotations

from typing import IO, TYPE_CHECKING

from rich import box
from rich.console import Console, Group
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from advocate_cli.render.words import fact_flags, kept_to_range, percent, severity_counts, split, title, top_reasons
from advocate_cli.render.words import visible, where

if TYPE_CHECKING:
    from advocate_cli.batch import Outcome
    from advocate_cli.engine import Plan

SEVERITY_STYLE = {"high": "bold red", "medium": "yellow", "low": "cyan"}


def make_console(out: IO[str], width: int | None = None) -> Console:
    return Console(file=out, width=width, highlight=False, emoji=False, markup=False)


def indent(text: Text, left: int) -> Padding:
    """Text whose wrapped lines stay indented under their first."""
    return Padding(text, (0, 0, 0, left), expand=False)


def plan_view(plan: Plan) -> Group:
    """The Rich renderable of one plan. Rule text is data: it goes in as Text, never as markup."""
    parts: list = [Text(visible(title(plan)), style="bold")]
    parts.append(Text(f"Recommended mix: {split(plan)}"))
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    table.add_column("#", justify="right")
    table.add_column("Method (top reason)", overflow="fold")
    table.add_column("Channel")
    table.add_column("Score", justify="right")
    table.add_column("In mix", justify="right")
    for rank, m in enumerate(plan.methods, 1):
        in_mix = f"yes {percent(m.share)}" if m.recommended else "-"
        label = Text(visible(m.label), style="bold" if m.recommended else "")
        cell: Text | Group = label
        if m.recommended and m.contributions:
            reason = Text(visible(top_reasons(m, 1)[0]), style="dim", no_wrap=True, overflow="ellipsis")
            cell = Group(label, reason)
        table.add_row(str(rank), cell, m.channel, str(m.score), in_mix)
    parts.append(table)
    if plan.warnings:
        parts.append(Text(f"Warnings ({severity_counts(plan)})", style="bold"))
        for w in plan.warnings:
            line = Text()
            line.append(f"{w.severity.upper()} ", style=SEVERITY_STYLE.get(w.severity, ""))
            line.append(f"[{w.topic}] ")
            line.append(visible(w.message))
            parts.append(indent(line, 0))
            parts.append(indent(Text(f"What to do: {visible(w.mitigation)}"), 4))
            parts.append(indent(Text(f"Source: {visible(w.source)}", style="dim"), 4))
    else:
        parts.append(Text("No warnings fired.", style="bold"))
    if plan.facts:
        parts.append(Text("Country facts behind this plan", style="bold"))
        for f in plan.facts:
            parts.append(indent(Text(visible(f"- {f.text} ({f.source}){fact_flags(f)}")), 2))
    parts.append(Text("Why the mix", style="bold"))
    whys: dict[str, str] = {}
    for m in plan.recommended:
        kept = kept_to_range(m)
        line = Text(f"{visible(m.label)}: {m.score}{f' ({kept})' if kept else ''} = base {m.base}")
        for c in m.contributions:
            line.append(f" {c.points:+d} {visible(c.rule)}")
            whys.setdefault(c.rule, c.why)
        parts.append(indent(line, 2))
    if whys:
        parts.append(Text("The rules behind it", style="bold"))
        for rule, why in whys.items():
            parts.append(indent(Text(visible(f"{rule}: {why}")), 2))
    return Group(*parts)


class TableRenderer:
    """A full view for one plan; for a batch, a compact row per profile, printed at the end."""

    def __init__(self, out: IO[str], *, single: bool, width: int | None = None) -> None:
        self.console = make_console(out, width)
        self.single = single
        self.rows: list[tuple] = []

    def begin(self) -> None:
        pass

    def outcome(self, outcome: Outcome) -> None:
        if self.single:
            if outcome.plan is not None:
                self.console.print(plan_view(outcome.plan))
            return  # the error itself goes to stderr
        if outcome.plan is None:
            err = outcome.error
            self.rows.append((visible(where(outcome)), "error", visible(err.message if err else ""), "", ""))
            return
        plan = outcome.plan
        self.rows.append(
            (visible(title(plan)), "ok", visible(", ".join(m.label for m in plan.methods[:3])), split(plan),
             severity_counts(plan))
        )

    def end(self) -> None:
        if self.single:
            return
        table = Table(box=box.SIMPLE_HEAD, show_edge=False)
        # Wrapped, never cut short with an ellipsis: two names that differ only at the end must both show.
        table.add_column("Profile", overflow="fold")
        table.add_column("Status", no_wrap=True)
        for name in ("Top three methods", "Mix", "Warnings"):
            table.add_column(name, overflow="fold")
        for row in self.rows:
            table.add_row(*(Text(str(c)) for c in row))
        self.console.print(table)
