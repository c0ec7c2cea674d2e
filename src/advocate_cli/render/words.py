"""Small wordings shared by the human-readable renderers (table and markdown)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from advocate_cli.batch import Outcome
    from advocate_cli.engine import MethodScore, Plan


def percent(share: float) -> str:
    return f"{round(share * 100)}%"


def top_reasons(method: MethodScore, n: int = 2) -> list[str]:
    """The contributions that moved a score most, as '+15 rule-id'."""
    ranked = sorted(method.contributions, key=lambda c: -abs(c.points))[:n]
    return [f"{c.points:+d} {c.rule}" for c in ranked]


def split(plan: Plan) -> str:
    return f"virtual {percent(plan.mix['virtual'])} / analog {percent(plan.mix['analog'])}"


def title(plan: Plan) -> str:
    name = plan.name or "Untitled plan"
    country = plan.profile.get("country")
    return f"{name} ({country})" if country else name


def severity_counts(plan: Plan) -> str:
    counts = {"high": 0, "medium": 0, "low": 0}
    for w in plan.warnings:
        counts[w.severity] += 1
    return ", ".join(f"{n} {s}" for s, n in counts.items() if n) or "none"


def fact_flags(fact) -> str:
    flags = []
    if not fact.verified:
        flags.append("unverified")
    if fact.stale:
        flags.append(f"review was due {fact.review_by.isoformat()}")
    return f" [{'; '.join(flags)}]" if flags else ""


def where(outcome: Outcome) -> str:
    s = outcome.source or {}
    text = str(s.get("file") or "<input>")
    if s.get("line"):
        text += f":{s['line']}"
    if s.get("document"):
        text += f" (document {s['document']})"
    return text
