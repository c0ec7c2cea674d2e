"""`rules list` as a table (or JSON) and `rules show` as plain text; rule text goes in as data, never as markup,
and reaches the terminal with its control and bidi characters shown as escapes (words.visible)."""

from __future__ import annotations

import datetime as dt
import json
from typing import IO, TYPE_CHECKING, Any

from advocate_cli.catalogue import Item, disables, layer_name
from advocate_cli.conditions import show_condition
from advocate_cli.render.words import visible

if TYPE_CHECKING:
    from advocate_cli.ruleset.ruleset import RuleSet


def _detail(item: Item) -> str:
    m = item.model
    if item.kind == "question":
        return m.type.value
    if item.kind == "method":
        return m.channel.value
    if item.kind == "warning":
        return f"{m.topic.value}, {m.severity.value}"
    if item.kind == "fact":
        return item.parent.code + ("" if m.verified else ", unverified")
    return ""


def _text(item: Item) -> str:
    m = item.model
    return {
        "question": lambda: m.prompt,
        "method": lambda: m.label,
        "rule": lambda: m.summary,
        "warning": lambda: m.message,
        "country": lambda: m.name,
        "fact": lambda: m.text,
        "choice": lambda: m.label,
    }[item.kind]()


def entry_dict(item: Item, rs: RuleSet) -> dict[str, Any]:
    place = item.place(rs)
    return {
        "kind": item.kind,
        "id": item.id,
        "detail": _detail(item),
        "text": " ".join(_text(item).split()),
        "file": place.file,
        "line": place.line,
        "layer": item.layer(rs),
    }


def entries_json(found: list[Item], rs: RuleSet, out: IO[str]) -> None:
    out.write(json.dumps([entry_dict(i, rs) for i in found], ensure_ascii=False, indent=2) + "\n")


def entries_table(found: list[Item], rs: RuleSet, out: IO[str]) -> None:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    from advocate_cli.render.table import make_console

    console = make_console(out)
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    table.add_column("Id", no_wrap=True)
    table.add_column("Kind", ratio=1)
    table.add_column("Description", ratio=3)
    table.add_column("Defined at", ratio=2, overflow="fold")
    for item in found:
        row = entry_dict(item, rs)
        kind = f"{row['kind']} ({row['detail']})" if row["detail"] else row["kind"]
        text = visible(row["text"])
        text = text if len(text) <= 90 else text[:89] + "…"
        table.add_row(*(Text(visible(v)) for v in (row["id"], kind, text, f"{row['file']}:{row['line']}")))
    console.print(table)


def _points(effects: dict[str, int]) -> str:
    return ", ".join(f"{k} {v:+d}" for k, v in effects.items())


def _fields(item: Item, rs: RuleSet, today: dt.date) -> list[tuple[str, str]]:
    m = item.model
    kind = item.kind
    fields: list[tuple[str, str]] = []
    if kind == "question":
        fields += [("prompt", m.prompt), ("help", m.help or ""), ("type", m.type.value)]
        fields += [("choices", ", ".join(f"{c.id} ({c.label})" for c in m.choices))]
        fields += [("default", "" if m.default is None else json.dumps(m.default, ensure_ascii=False)),
                   ("required", "yes" if m.required else "no")]
    elif kind == "method":
        attrs = ", ".join(f"{k} {v}" for k, v in m.attributes.model_dump().items() if v)
        named = [f"{r.id} ({r.effects[m.id]:+d})" for r in rs.rules.values() if m.id in r.effects]
        fields += [("label", m.label), ("channel", m.channel.value), ("description", m.description or ""),
                   ("base", str(m.base)), ("attributes", attrs), ("good for", ", ".join(m.good_for)),
                   ("named by", ", ".join(named) or "no rule names it")]
    elif kind == "rule":
        fields += [("summary", m.summary), ("why", m.why), ("source", m.source), ("facts", ", ".join(m.facts)),
                   ("effects", _points(m.effects)),
                   ("by_attribute", ", ".join(f"{k} {v:+d} per level" for k, v in m.by_attribute.items()))]
    elif kind == "warning":
        fields += [("topic", m.topic.value), ("severity", m.severity.value), ("message", m.message),
                   ("mitigation", m.mitigation), ("source", m.source), ("facts", ", ".join(m.facts))]
    elif kind == "country":
        fields += [("name", m.name), ("aliases", ", ".join(m.aliases)),
                   ("facts", ", ".join(f.id for f in m.facts))]
    elif kind == "fact":
        review = m.review_by.isoformat()
        if m.review_by < today:
            review += f" (past review as of {today.isoformat()})"
        cited = [k for k, r in rs.rules.items() if m.id in r.facts] + \
            [k for k, w in rs.warnings.items() if m.id in w.facts]
        fields += [("country", f"{item.parent.code} ({item.parent.name})"), ("text", m.text), ("source", m.source),
                   ("as of", m.as_of.isoformat()), ("review by", review), ("verified", "yes" if m.verified else "no"),
                   ("cited by", ", ".join(cited) or "no rule or warning cites it")]
    elif kind == "choice":
        fields += [("question", f"{item.parent.id} ({item.parent.prompt})"), ("label", m.label)]
    when = getattr(m, "when", None)
    if when is not None:
        fields.append(("when", show_condition(when)))
    return [(k, " ".join(v.split())) for k, v in fields if v]


def show_item(item: Item, rs: RuleSet, out: IO[str], *, today: dt.date) -> None:
    """One item as plain text: its fields, where it is defined, and which layer overrode which."""

    def line(text: str) -> None:
        out.write(visible(text) + "\n")

    line(f"{item.kind} {item.id}")
    fields = _fields(item, rs, today)
    width = max((len(k) for k, _ in [*fields, ("defined at", "")])) + 2
    for key, value in fields:
        line(f"  {(key + ':').ljust(width)}{value}")
    place = item.place(rs)
    line(f"  {'defined at:'.ljust(width)}{place} (layer {item.layer(rs)})")
    history = item.history(rs)
    if len(history) > 1:
        owner = {"fact": "country", "choice": "question"}.get(item.kind)
        whose = f" (of {owner} {item.key})" if owner else ""
        line(f"  layers{whose}:")
        for n, origin in enumerate(history):
            if n == 0:
                what = "first defined"
            elif disables(origin):
                what = f"disabled, removing {n}"
            else:
                what = f"replaces {n}"
            line(f"    {n + 1}. {origin.place} ({layer_name(rs, origin)}): {what}")
