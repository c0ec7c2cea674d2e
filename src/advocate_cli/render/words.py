"""Small wordings shared by the human-readable renderers (table and markdown)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

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


_CONTROL = {c: f"\\x{c:02x}" for c in [*range(0x00, 0x20), *range(0x7F, 0xA0)]}
_CONTROL.update({c: f"\\u{c:04x}" for c in [*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F,
                                                0x061C, 0x2028, 0x2029]})  # bidi marks, line and paragraph separators
_CONTROL.update({ord("\n"): " ", ord("\t"): " ", ord("\r"): " "})
# What no XML 1.0 document may hold (C0 controls but tab and line ends, surrogates, U+FFFE/U+FFFF), written
# as the terminal shows it: for a JUnit report built from rule text.
NOT_XML = {c: f"\\x{c:02x}" for c in range(0x20) if c not in (0x09, 0x0A, 0x0D)}
NOT_XML.update({c: f"\\u{c:04x}" for c in [*range(0xD800, 0xE000), 0xFFFE, 0xFFFF]})


def visible(text: object) -> str:
    """Text from data made safe for a terminal: control and bidi characters shown as escapes, on one line.

    Rule files and profiles come from strangers; an escape sequence in a name must not recolour,
    retitle or rearrange the user's terminal.
    """
    return str(text).translate(_CONTROL)


def kept_to_range(method: Any) -> str:
    """'the sum, 101, kept to 0-100' when a method's points add up past the range its score is kept to, so
    that a line showing base and points still adds up; '' otherwise."""
    total = method.base + sum(c.points for c in method.contributions)
    return "" if total == method.score else f"the sum, {total}, kept to 0-100"
