"""The fast path of the YAML loader builds exactly what PyYAML's constructor builds, and keeps its limits."""

from __future__ import annotations

import pytest

from advocate_cli import yamlio
from advocate_cli.errors import InputError
from tests.conftest import REPO

FORCE_SLOW = "\n# an anchor sign (&) sends the text to PyYAML's constructor\n"
SAMPLES = [
    "a: 1\nb: [true, false, null, 1.5, 0x1f, ~]\nc: {d: 2024-01-31, e: '012'}\n",
    "country: NO\nlabel: yes\nn: 012\nt: 1:20\n",
    "- {id: x, label: 'quoted: yes'}\n- plain\n- !!str 12\n- !!binary aGVsbG8=\n",
    "? !!str complex\n: value\n",
    "base: &b {x: 1}\nmerged:\n  <<: *b\n  y: 2\n",
    "when: {all: [{setting: rural}, {not: {budget: low}}]}\n",
    "1: int key\ntrue: bool key\n2024-01-01: date key\n",
]
FILES = sorted(p for p in [*REPO.glob("rules/**/*.yaml"), *REPO.glob("examples/**/*.yaml"),
                           *REPO.glob("tests/fixtures/**/*.yaml")]
               if p.name not in ("syntax.yaml",) and "montenegro" not in p.name)


def both(text: str):
    """The node builder (_Builder) and PyYAML's constructor, on the full path (the event path has its own tests)."""
    fast = yamlio._compose_document(text, file="x.yaml", index=1, line_offset=0, duplicates=[]).data
    slow = yamlio._compose_document(text + FORCE_SLOW, file="x.yaml", index=1, line_offset=0, duplicates=[]).data
    return fast, slow


def same(a, b) -> bool:
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return a == b


@pytest.mark.parametrize("text", SAMPLES)
def test_samples_build_the_same(text):
    fast, slow = both(text)
    assert same(fast, slow), (fast, slow)


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(REPO)))
def test_project_files_build_the_same(path):
    fast, slow = both(path.read_text(encoding="utf-8"))
    assert same(fast, slow)


def test_duplicate_keys_are_refused_or_collected_on_both_paths():
    text = "a: 1\nb: 2\na: 3\n"
    for suffix in ("", FORCE_SLOW):
        with pytest.raises(InputError, match="duplicate key 'a'"):
            yamlio._compose_document(text + suffix, file="x.yaml", index=1, line_offset=0)
        found: list[InputError] = []
        doc = yamlio._compose_document(text + suffix, file="x.yaml", index=1, line_offset=0, duplicates=found)
        assert doc.data == {"a": 3, "b": 2}
        assert [(e.place.line, e.place.column) for e in found] == [(3, 1)]


def test_the_fast_path_keeps_the_limits(monkeypatch):
    monkeypatch.setattr(yamlio, "MAX_DEPTH", 3)
    with pytest.raises(InputError, match="nests deeper than 3"):
        yamlio.load_text("a: {b: {c: 1}}\n", "x.yaml")
    monkeypatch.setattr(yamlio, "MAX_DEPTH", 64)
    monkeypatch.setattr(yamlio, "MAX_EXPANDED_NODES", 5)
    with pytest.raises(InputError, match="more than 5 nodes"):
        yamlio.load_text("[1, 2, 3, 4, 5]\n", "x.yaml")
    monkeypatch.setattr(yamlio, "MAX_EXPANDED_NODES", 100_000)
    monkeypatch.setattr(yamlio, "MAX_SCALAR_CHARS", 4)
    with pytest.raises(InputError, match="longer than 4 characters") as err:
        yamlio.load_text("a: 12345\n", "x.yaml")
    assert err.value.place.line == 1 and err.value.place.column == 4


def test_yaml11_traps_are_collected_with_their_nodes():
    doc = yamlio.load_text("country: NO\nlist: [yes, 'no', 012]\n", "x.yaml")
    assert [(n.value, n.start_mark.line) for n in doc.yaml11] == [("NO", 0), ("yes", 1), ("012", 1)]
