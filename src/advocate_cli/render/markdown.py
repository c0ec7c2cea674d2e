"""Markdown: a report with one section per profile and, for a batch, a summary table."""

from __future__ import annotations

import re
from typing import IO, TYPE_CHECKING

from advocate_cli.render.words import fact_flags, kept_to_range, percent, severity_counts, split, title
from advocate_cli.render.words import top_reasons, visible, where

if TYPE_CHECKING:
    from advocate_cli.batch import Outcome
    from advocate_cli.engine import Plan


def cell(text: object) -> str:
    """Rule text (method labels, rule ids) in a table cell: only what would break the table is escaped; its
    Markdown is the network's own. Text from a profile goes through `plain` instead."""
    return visible(text).replace("\\", "\\\\").replace("|", "\\|")


_MARKDOWN = re.compile(r"([\\`*_\[\]<>|~&])")


def plain(text: object) -> str:
    """Text from a profile (its name, its file's name, an error about its answers), shown as written:
    Markdown's own characters escaped, so that a name such as [x](https://...) or <b>x</b> is not
    made a link or markup (safe in a table cell too)."""
    return _MARKDOWN.sub(r"\\\1", visible(text))


def plan_section(plan: Plan, level: int = 1) -> str:
    h = "#" * level
    lines = [f"{h} {plain(title(plan))}", ""]
    lines.append(f"Mix: {split(plan)}")
    lines.append("")
    lines.append("| # | Method | Channel | Score | Share | Top reasons |")
    lines.append("|---|---|---|---:|---:|---|")
    for rank, m in enumerate(plan.methods, 1):
        share = percent(m.share) if m.recommended else "-"
        label = f"**{cell(m.label)}**" if m.recommended else cell(m.label)
        lines.append(f"| {rank} | {label} | {m.channel} | {m.score} | {share} | {cell(', '.join(top_reasons(m)))} |")
    lines.append("")
    lines.append(f"{h}# Warnings")
    lines.append("")
    if not plan.warnings:
        lines.append("No warnings fired.")
    for w in plan.warnings:
        lines.append(f"- **{w.severity.upper()}** ({w.topic}, `{w.id}`): {visible(w.message)}")
        lines.append(f"  - What to do: {visible(w.mitigation)}")
        lines.append(f"  - Source: {visible(w.source)}")
    lines.append("")
    if plan.facts:
        lines.append(f"{h}# Country facts behind this plan")
        lines.append("")
        for f in plan.facts:
            lines.append(visible(f"- {f.text} ({f.source}, as of {f.as_of.isoformat()}){fact_flags(f)}"))
        lines.append("")
    lines.append(f"{h}# Why each method scored as it did")
    lines.append("")
    for m in plan.recommended:
        kept = kept_to_range(m)
        lines.append(f"- **{visible(m.label)}** ({m.score}{f'; {kept}' if kept else ''}): base {m.base}")
        for c in m.contributions:
            lines.append(f"  - {c.points:+d} `{c.rule}`: {visible(c.why)}")
    lines.append("")
    return "\n".join(lines)


class MarkdownRenderer:
    def __init__(self, out: IO[str], *, single: bool) -> None:
        self.out = out
        self.single = single
        self.rows: list[str] = []

    def begin(self) -> None:
        if not self.single:
            self.out.write("# advocate plans\n\n")

    def outcome(self, outcome: Outcome) -> None:
        if outcome.plan is None:
            err = outcome.error
            key = f"{plain(err.key)}: " if err is not None and err.key else ""  # a profile's key: written as it is
            message = err.message if err is not None else "unknown error"
            self.out.write(f"{'#' * (1 if self.single else 2)} Error in {plain(where(outcome))}\n\n"
                           f"{key}{plain(message)}\n\n")
            self.rows.append(f"| {plain(where(outcome))} | error | | | |")
            return
        plan = outcome.plan
        self.out.write(plan_section(plan, level=1 if self.single else 2))
        self.out.write("\n")
        top3 = ", ".join(m.label for m in plan.methods[:3])
        self.rows.append(
            f"| {plain(title(plan))} | ok | {cell(top3)} | {split(plan)} | {severity_counts(plan)} |"
        )

    def end(self) -> None:
        if self.single:
            return
        self.out.write("## Summary\n\n| Profile | Status | Top three | Mix | Warnings |\n|---|---|---|---|---|\n")
        self.out.write("\n".join(self.rows) + ("\n" if self.rows else ""))
