"""docs/reference.md is generated from the shipped rule files and must stay in sync with them."""

from __future__ import annotations

from advocate_cli.reference import render_reference
from tests.conftest import REPO


def test_reference_is_in_sync_with_the_rules(default_rules):
    expected = render_reference(default_rules)
    actual = (REPO / "docs" / "reference.md").read_text(encoding="utf-8")
    assert actual == expected, "docs/reference.md is stale: run `python -m advocate_cli.reference > docs/reference.md`"


def test_reference_names_every_item(default_rules):
    text = render_reference(default_rules)
    for kind in (default_rules.methods, default_rules.rules, default_rules.warnings):
        for item_id in kind:
            assert f"`{item_id}`" in text
    assert all(f"`{f}`" in text for f in default_rules.facts)
