"""The rule-set reference as Markdown, generated from the rule files (docs/reference.md is this output)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from advocate_cli.ruleset.models import ATTRIBUTES

if TYPE_CHECKING:
    from advocate_cli.ruleset.ruleset import RuleSet


def _cell(text: object) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def _when(when: object) -> str:
    if when is None:
        return "always"
    import json

    return f"`{json.dumps(when, ensure_ascii=False, default=str)}`"


def render_reference(ruleset: RuleSet) -> str:
    """Methods, questions, scoring rules, warnings and country facts, each with its why and source."""
    out: list[str] = [
        "# Rule reference",
        "",
        "Generated from the rule files by `python -m advocate_cli.reference > docs/reference.md`; "
        "do not edit by hand (a test checks that it is in sync).",
        "",
        f"{len(ruleset.questions)} questions, {len(ruleset.methods)} methods, {len(ruleset.rules)} scoring rules, "
        f"{len(ruleset.warnings)} warnings, {len(ruleset.countries)} countries with "
        f"{len(ruleset.facts)} facts.",
        "",
        "## Questions",
        "",
        "| key | type | question | answers |",
        "|---|---|---|---|",
    ]
    for q in ruleset.questions.values():
        answers = ", ".join(f"`{c.id}` ({_cell(c.label)})" for c in q.choices) or q.type.value
        required = "" if q.required else " (optional)"
        out.append(f"| `{q.id}` | {q.type.value}{required} | {_cell(q.prompt)} | {answers} |")
    out += ["", "## Methods", "", "Attributes run from 0 (none or low) to 3 (high); time to effect from 0 (fast) "
            "to 3 (slow).", ""]
    header = " | ".join(a.replace("_", " ") for a in ATTRIBUTES)
    out.append(f"| method | channel | base | {header} |")
    out.append("|---|---|---:|" + "---:|" * len(ATTRIBUTES))
    for m in ruleset.methods.values():
        values = " | ".join(str(getattr(m.attributes, a)) for a in ATTRIBUTES)
        out.append(f"| **{_cell(m.label)}** (`{m.id}`) | {m.channel.value} | {m.base} | {values} |")
    out.append("")
    for m in ruleset.methods.values():
        if m.description:
            good = f" Good for: {', '.join(m.good_for)}." if m.good_for else ""
            out.append(f"- **{_cell(m.label)}**: {_cell(m.description)}{good}")
    out += ["", "## Scoring rules", ""]
    for r in ruleset.rules.values():
        effects = ", ".join(f"{k} {v:+d}" for k, v in r.effects.items())
        by_attr = ", ".join(f"{v:+d} per level of {k}" for k, v in r.by_attribute.items())
        out += [
            f"### `{r.id}`",
            "",
            f"{_cell(r.summary)}",
            "",
            f"- Why: {_cell(r.why)}",
            f"- When: {_when(r.when)}",
            f"- Points: {'; '.join(x for x in (effects, by_attr) if x)}",
            f"- Source: {_cell(r.source)}",
        ]
        if r.facts:
            out.append(f"- Facts: {', '.join(f'`{f}`' for f in r.facts)}")
        out.append("")
    out += ["## Warnings", ""]
    for w in ruleset.warnings.values():
        out += [
            f"### `{w.id}` ({w.topic.value}, {w.severity.value})",
            "",
            f"{_cell(w.message)}",
            "",
            f"- What to do: {_cell(w.mitigation)}",
            f"- When: {_when(w.when)}",
            f"- Source: {_cell(w.source)}",
            "",
        ]
    out += ["## Countries and facts", ""]
    for c in ruleset.countries.values():
        out += [f"### {c.code}: {_cell(c.name)}", "", "| fact | as of | review by | verified | source |",
                "|---|---|---|---|---|"]
        for f in c.facts:
            verified = "yes" if f.verified else "**no**"
            out.append(f"| {_cell(f.text)} (`{f.id}`) | {f.as_of} | {f.review_by} | {verified} | {_cell(f.source)} |")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def main() -> None:
    import sys

    from advocate_cli.ruleset import load_ruleset

    ruleset, _ = load_ruleset()
    sys.stdout.write(render_reference(ruleset))


if __name__ == "__main__":
    main()
