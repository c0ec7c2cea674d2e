"""Aggregate figures over a batch: a stream of outcomes in, one Summary out, in memory that does not grow with the batch."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from advocate_cli.batch import Outcome

QUANTILES = {"p10": 10, "p25": 25, "median": 50, "p75": 75, "p90": 90}  # percent


@dataclass
class Summary:
    """Counters keyed by method, warning, country and audience: O(keys) memory, not O(profiles).

    The virtual share of each plan is rounded to 4 places by the engine, so counting each value
    (at most 10,001 of them) gives exact quantiles without keeping one number per profile.
    """

    planned: int = 0
    failed: int = 0
    top: int = 0  # the size of the recommended mix (the largest seen)
    in_mix: Counter[str] = field(default_factory=Counter)  # method id -> plans with it in the mix
    methods: dict[str, tuple[str, str]] = field(default_factory=dict)  # method id -> (label, channel)
    virtual: Counter[float] = field(default_factory=Counter)  # virtual share -> plans
    warnings: Counter[str] = field(default_factory=Counter)  # warning id -> plans it fired in
    warning_kinds: dict[str, tuple[str, str]] = field(default_factory=dict)  # warning id -> (topic, severity)
    countries: Counter[str] = field(default_factory=Counter)  # country -> plans
    audiences: Counter[str] = field(default_factory=Counter)  # audience -> plans naming it
    by_country: dict[str, Counter[str]] = field(default_factory=dict)  # country -> warning id -> plans
    by_audience: dict[str, Counter[str]] = field(default_factory=dict)  # audience -> warning id -> plans

    def add(self, outcome: Outcome) -> None:
        plan = outcome.plan
        if plan is None:
            self.failed += 1
            return
        self.planned += 1
        mix = 0
        for m in plan.methods:
            if m.id not in self.methods:
                self.methods[m.id] = (m.label, m.channel)
            if m.recommended:
                self.in_mix[m.id] += 1
                mix += 1
        self.top = max(self.top, mix)
        self.virtual[plan.mix.get("virtual", 0.0)] += 1
        fired = []
        for w in plan.warnings:
            if w.id not in fired:
                fired.append(w.id)
                self.warning_kinds.setdefault(w.id, (w.topic, w.severity))
        self.warnings.update(fired)
        country = str(plan.profile.get("country", "?"))
        self.countries[country] += 1
        self.by_country.setdefault(country, Counter()).update(fired)
        audiences = plan.profile.get("audiences") or []
        for audience in dict.fromkeys(audiences):
            self.audiences[audience] += 1
            self.by_audience.setdefault(audience, Counter()).update(fired)

    def virtual_share(self) -> dict[str, Any]:
        """Mean, extremes, quartiles and deciles of the virtual share, and a histogram in tenths."""
        n = sum(self.virtual.values())
        if not n:
            return {"plans": 0}
        values = sorted(self.virtual)
        figures: dict[str, Any] = {"plans": n, "mean": round(sum(v * c for v, c in self.virtual.items()) / n, 4),
                                   "min": values[0]}
        for name, percent in QUANTILES.items():
            figures[name] = _quantile(values, self.virtual, n, percent)
        figures["max"] = values[-1]
        bins = [0] * 10
        for value, count in self.virtual.items():
            bins[min(int(value * 10), 9)] += count
        figures["histogram"] = [{"from": i / 10, "to": (i + 1) / 10, "plans": c} for i, c in enumerate(bins)]
        return figures

    def to_dict(self, top_warnings: int = 3) -> dict[str, Any]:
        """The JSON shape of `advocate plan --summary --format json`."""
        plans = self.planned or 1
        return {
            "profiles": {"planned": self.planned, "failed": self.failed},
            "mix_size": self.top,
            "methods": [
                {"id": mid, "label": label, "channel": channel, "in_mix": self.in_mix[mid],
                 "share_of_plans": round(self.in_mix[mid] / plans, 4)}
                for mid, (label, channel) in sorted(self.methods.items(), key=lambda kv: (-self.in_mix[kv[0]], kv[0]))
            ],
            "virtual_share": self.virtual_share(),
            "warnings": [
                {"id": wid, "topic": self.warning_kinds[wid][0], "severity": self.warning_kinds[wid][1],
                 "plans": count, "share_of_plans": round(count / plans, 4)}
                for wid, count in _ranked(self.warnings)
            ],
            "by_country": {
                c: {"plans": self.countries[c], "warnings": _top(self.by_country[c], top_warnings)}
                for c, _ in _ranked(self.countries)
            },
            "by_audience": {
                a: {"plans": self.audiences[a], "warnings": _top(self.by_audience[a], top_warnings)}
                for a, _ in _ranked(self.audiences)
            },
        }


def _ranked(counter: Counter[str]) -> list[tuple[str, int]]:
    """Most frequent first; ties by name, so the order does not depend on the input's order."""
    return sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))


def _top(counter: Counter[str], n: int) -> list[dict[str, Any]]:
    return [{"id": wid, "plans": count} for wid, count in _ranked(counter)[:n]]


def _quantile(values: list[float], counts: Counter[float], n: int, percent: int) -> float:
    """The nearest-rank percentile (the value at rank ceil(percent * n / 100)), from counted values."""
    rank = max(1, -(-percent * n // 100))
    seen = 0
    for value in values:
        seen += counts[value]
        if seen >= rank:
            return value
    return values[-1]


class SummaryRenderer:
    """A renderer (begin/outcome/end) that keeps counters and prints the summary at the end."""

    def __init__(self, out: IO[str], *, as_json: bool, width: int | None = None) -> None:
        self.out = out
        self.as_json = as_json
        self.width = width
        self.summary = Summary()

    def begin(self) -> None:
        pass

    def outcome(self, outcome: Outcome) -> None:
        self.summary.add(outcome)

    def end(self) -> None:
        if self.as_json:
            import json

            self.out.write(json.dumps(self.summary.to_dict(), ensure_ascii=False, indent=2) + "\n")
            return
        from advocate_cli.render.table import make_console

        console = make_console(self.out, self.width)
        for renderable in summary_tables(self.summary):
            console.print(renderable)


def summary_tables(summary: Summary) -> list[Any]:
    """The summary as Rich renderables. Ids and labels are data: they go in as Text, never as markup."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    data = summary.to_dict()
    plans = summary.planned
    parts: list[Any] = [Text(f"{plans:,} profile{'' if plans == 1 else 's'} planned, {summary.failed:,} failed",
                             style="bold")]
    if not plans:
        return parts

    def table(title: str, *columns: str) -> Table:
        t = Table(title=Text(title, style="bold"), title_justify="left", box=box.SIMPLE_HEAD, show_edge=False)
        for i, name in enumerate(columns):
            left = i == 0 or name in ("Channel", "Topic", "Severity", "Most frequent warnings")
            t.add_column(name, justify="left" if left else "right", overflow="fold")
        return t

    methods = table(f"How often each method is in the recommended mix (top {summary.top})", "Method", "Channel",
                    "Plans", "Share")
    for m in data["methods"]:
        methods.add_row(Text(m["label"]), m["channel"], f"{m['in_mix']:,}", f"{m['share_of_plans']:.0%}")
    parts.append(methods)

    v = data["virtual_share"]
    share = table("Virtual share of the mix", "Mean", "Min", "P10", "P25", "Median", "P75", "P90", "Max")
    share.add_row(*(f"{v[k]:.0%}" for k in ("mean", "min", "p10", "p25", "median", "p75", "p90", "max")))
    parts.append(share)
    histogram = table("Plans by virtual share", "Virtual share", "Plans", "")
    most = max(b["plans"] for b in v["histogram"]) or 1
    for b in v["histogram"]:
        histogram.add_row(f"{b['from']:.0%}-{b['to']:.0%}", f"{b['plans']:,}", "#" * round(30 * b["plans"] / most))
    parts.append(histogram)

    warnings = table("Warnings that fire most", "Warning", "Topic", "Severity", "Plans", "Share")
    for w in data["warnings"][:15]:
        warnings.add_row(Text(w["id"]), w["topic"], w["severity"], f"{w['plans']:,}", f"{w['share_of_plans']:.0%}")
    if not data["warnings"]:
        warnings.add_row(Text("no warning fired"), "", "", "", "")
    parts.append(warnings)

    for title, key, name in (("By country", "by_country", "Country"), ("By audience", "by_audience", "Audience")):
        t = table(title, name, "Plans", "Most frequent warnings")
        for group, figures in data[key].items():
            top = ", ".join(f"{w['id']} ({w['plans']:,})" for w in figures["warnings"]) or "-"
            t.add_row(Text(group), f"{figures['plans']:,}", Text(top))
        parts.append(t)
    return parts
