"""Files read whole (rule files, case files, profiles) are read straight from libyaml's events; the result
(data, places, YAML 1.1 scalars, errors) is exactly the full composer's."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advocate_cli import yamlio
from advocate_cli.checks import check_directories
from advocate_cli.errors import InputError
from advocate_cli.ruleset.loader import _scalars
from tests.conftest import HERE, REPO
from tests.test_batch_speed_paths import DATA, OVER_LIMITS, SMALL_CHARS, SMALL_NODES, TRICKY, typed

RULE_FILES = sorted(p for p in [*REPO.glob("rules/**/*.yaml"), *REPO.glob("examples/**/*.yaml"),
                                *REPO.glob("tests/fixtures/**/*.yaml")])
MORE = [
    "rules:\n  - id: a\n    when: {setting: rural}\n  - id: b\n    when:\n      all: [{x: 1}, {not: {y: NO}}]\n",
    "questions:\n- id: q\n  choices: [{id: yes, label: on}]\n  default: 012\n",
    "a: Q&A, not an anchor\nb: 'wow!' \nc: \"*\"\n",
    "1: int key\na: 1\n",
    "yes: key that YAML 1.1 reads as true\n",
    "a: {b: {c: {d: [1, {e: f}]}}}\n",
    "- x\n- [y, z]\n- {k: v}\n",
    "--- !!map\na: 1\n",
    "%TAG !e! tag:example.com,2000:\n---\na: !e!x 1\n",
    "a: .nan\n.nan: 1\n",
    "\xa0\n",
    "# comment\n---\nrules:\n  - id: x\n    summary: NO\n",
]


def places(doc, data, path=()):
    """The place of every node of the data, at its value and at its key, and of paths that do not exist."""
    found = [(path, doc.place(path), doc.place(path, at_key=True))]
    if isinstance(data, dict):
        steps = list(data)
    elif isinstance(data, list):
        steps = list(range(len(data))) + [-1, True]
    else:
        steps = []
    for step in steps:
        child = data[step] if not isinstance(data, list) or 0 <= step < len(data) else None
        found += places(doc, child, (*path, step))
    for missing in ("missing", 99):
        found.append(((*path, missing), doc.place((*path, missing)), doc.place((*path, missing), at_key=True)))
    return found


def yaml11_of(doc):
    scalars = doc.yaml11 if doc.yaml11 is not None else list(_scalars(doc.node)) if doc.node is not None else []
    return sorted((n.value, n.start_mark.line, n.start_mark.column) for n in scalars if n.tag == yamlio.YAML11_TAG)


def read(parse, text, line_offset, duplicates):
    found = [] if duplicates else None
    try:
        doc = parse(text, file="f.yaml", index=3, line_offset=line_offset, duplicates=found)
    except InputError as exc:
        return ("error", exc.message, exc.place, exc.hint)
    return summary(doc, line_offset, found)


def summary(doc, line_offset, found):
    lines = None
    if isinstance(doc.data, list) and doc.node is not None:
        lines = tuple(n.start_mark.line + 1 + line_offset for n in doc.node.value)
    if doc.item_lines is not None:
        assert doc.item_lines == lines
    dups = [(e.message, e.place, e.hint) for e in found or ()]
    steps = list(doc.data) if isinstance(doc.data, dict) else range(len(doc.data)) if isinstance(doc.data, list) else []
    parts = [(part.line, places(part, part.data)) for part in (doc.part((step,), doc.data[step]) for step in steps)]
    return ("doc", typed(doc.data), doc.line, doc.index, lines, yaml11_of(doc), places(doc, doc.data), dups, parts)


def full(text, **kw):
    return yamlio._compose_document(text, **kw)


def both(text, line_offset=0, duplicates=False):
    return read(yamlio.parse_document, text, line_offset, duplicates), read(full, text, line_offset, duplicates)


@pytest.mark.parametrize("text", TRICKY + MORE, ids=[f"text-{i}" for i in range(len(TRICKY + MORE))])
@pytest.mark.parametrize("duplicates", [False, True])
def test_the_event_path_gives_what_the_full_composer_gives(text, duplicates):
    fast, reference = both(text, duplicates=duplicates)
    assert fast == reference
    fast, reference = both(text, line_offset=40, duplicates=duplicates)
    assert fast == reference


@pytest.mark.parametrize("path", RULE_FILES, ids=lambda p: str(p.relative_to(REPO)))
def test_project_files_read_the_same(path):
    fast, reference = both(path.read_text(encoding="utf-8"), duplicates=True)
    assert fast == reference


SMALL = {"MAX_EXPANDED_NODES": SMALL_NODES, "MAX_SCALAR_CHARS": SMALL_CHARS}
DEEP = ["a: {b: {c: 1}}\n", "a: {b: {c: {}}}\n", "- [[x]]\n", "a: [b, [c]]\n"]
LIMITED = [(text, SMALL) for text in OVER_LIMITS] + [(text, {"MAX_DEPTH": d}) for d in (2, 3, 4) for text in DEEP]


@pytest.mark.parametrize("text, limits", LIMITED, ids=[f"limit-{i}" for i in range(len(LIMITED))])
def test_limits_are_kept(text, limits, monkeypatch):
    for name, value in limits.items():
        monkeypatch.setattr(yamlio, name, value)
    fast, reference = both(text)
    assert fast == reference


def _dumped(data, flow, style, explicit):
    try:
        return yaml.safe_dump(data, default_flow_style=flow, default_style=style, explicit_start=explicit,
                              allow_unicode=True)
    except yaml.YAMLError:
        return ""


DUMPED = st.builds(_dumped, DATA, st.sampled_from([None, True, False]),
                   st.sampled_from([None, '"', "'", "|", ">"]), st.booleans())
NOISE = st.text(alphabet="ab: -[]{},'\"#&*!?|>\n\t01yn.~", max_size=40)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=DUMPED | NOISE, duplicates=st.booleans())
def test_generated_documents_and_noise_read_the_same(text, duplicates):
    fast, reference = both(text, duplicates=duplicates)
    assert fast == reference


def test_a_rule_file_is_read_without_composing_nodes():
    """Guard the speed claim: reading a rule file and naming its items composes no node tree."""
    doc = yamlio.load_file(REPO / "rules" / "warnings.yaml", duplicates=[])
    assert doc._spots is not None and doc._node is None
    for kind, items in doc.data.items():
        doc.place((kind,), at_key=True)
        for i in range(len(items)):
            doc.place((kind, i))
    assert doc._node is None
    doc.place(("warnings", 0, "when"))  # deeper than the kept places: the full composer answers
    assert doc._node is not None


def test_a_case_profile_is_a_part_whose_places_are_found_only_when_asked_for():
    doc = yamlio.load_file(REPO / "rules" / "tests" / "balance.yaml")
    profile = doc.part(("cases", 0, "profile"), doc.data["cases"][0]["profile"])
    assert doc._node is None  # taking the part composed nothing
    key = next(iter(doc.data["cases"][0]["profile"]))
    assert profile.place((key,), at_key=True) == doc.place(("cases", 0, "profile", key), at_key=True)


def test_rules_check_finds_the_same_on_both_paths(monkeypatch):
    import os

    dirs = [HERE / "fixtures" / "rules-base", HERE / "fixtures" / "rules-broken", REPO / "examples" / "network-rules"]
    here = os.getcwd()
    os.chdir(REPO)
    try:
        fast = check_directories(dirs, as_of=dt.date(2026, 6, 1))

        def no_fast_path(text):
            raise yamlio._NotPlain

        monkeypatch.setattr(yamlio, "_read_with_places", no_fast_path)
        reference = check_directories(dirs, as_of=dt.date(2026, 6, 1))
    finally:
        os.chdir(here)
    assert fast.findings == reference.findings
    assert fast.hidden == reference.hidden


def test_a_yaml11_trap_after_leading_comments_is_reported_on_its_own_line(tmp_path):
    from advocate_cli.ruleset import load_ruleset

    text = "# a comment\n# another\n---\ncountries:\n  - code: NO\n    name: Norway\n"
    for extra in ("", "    aliases: &a [Norge]\n"):  # an anchor: the full composer and PyYAML's constructor
        (tmp_path / "countries.yaml").write_text(text + extra, encoding="utf-8")
        _, findings = load_ruleset([tmp_path], include_default=False, strict=False)
        assert [(f.code, f.line, f.column) for f in findings if f.code == "yaml11-trap"] == [("yaml11-trap", 5, 11)]


def split_then_parse(text, name):
    """load_text as it was: split the stream into documents first."""
    docs = list(yamlio.split_documents(text.splitlines(keepends=True), name))
    if len(docs) > 1:
        return ("more than one", docs[1][1])
    if not docs:
        return summary(yamlio.Document(None, None, name, 1, 1), 0, [])
    chunk, line, index = docs[0]
    found: list[InputError] = []
    return summary(yamlio.parse_document(chunk, file=name, index=index, line_offset=line - 1, duplicates=found),
                   line - 1, found)


def load_text(text, name):
    found: list[InputError] = []
    try:
        doc = yamlio.load_text(text, name, duplicates=found)
    except InputError as exc:
        if "more than one YAML document" in exc.message:
            return ("more than one", exc.place.line)
        raise
    return summary(doc, doc.line_offset, found)


LINES = ["a: 1", "- x", "---", "--- # c", "...", "%YAML 1.2", "# c", "", "  ", "\xa0", "b: 'x\ry'", "c: \x85d",
         "e: f\u2028g", "  # indented comment", "\t", "x: ---", " ---"]


@settings(max_examples=300, deadline=None)
@given(lines=st.lists(st.sampled_from(LINES), max_size=6), end=st.sampled_from(["\n", ""]))
def test_load_text_splits_as_split_documents_does(lines, end):
    text = "\n".join(lines) + end
    try:
        expected = split_then_parse(text, "f.yaml")
    except InputError as exc:
        expected = ("error", exc.message, exc.place, exc.hint)
    try:
        found = load_text(text, "f.yaml")
    except InputError as exc:
        found = ("error", exc.message, exc.place, exc.hint)
    assert found == expected
