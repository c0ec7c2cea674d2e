"""rules check: questions that depend on themselves or on later questions, and rules that push a score out of 0-100."""

from __future__ import annotations

import datetime as dt

from advocate_cli.checks import check_directories
from tests.conftest import write


def findings(tmp_path, text: str):
    directory = write(tmp_path / "ours" / "q.yaml", text).parent
    report = check_directories([directory], include_default=True, as_of=dt.date(2026, 11, 23))
    return [(f.code, f.severity.value, f.line, f.message) for f in report.findings if f.file.endswith("q.yaml")]


def test_a_question_that_depends_on_itself_or_a_later_question(tmp_path):
    found = findings(tmp_path, """questions:
  - id: pupils_age
    prompt: How old are the pupils?
    type: choice
    choices: [{id: primary, label: Primary}, {id: secondary, label: Secondary}]
    when: {pupils_age: primary}
    required: false
  - id: school_kind
    prompt: Which school?
    type: choice
    choices: [{id: public, label: Public}, {id: private, label: Private}]
    when: {later_one: true}
    required: false
  - id: later_one
    prompt: Later?
    type: bool
    required: false
""")
    codes = [(code, severity, line) for code, severity, line, _ in found]
    assert ("self-reference", "error", 6) in codes
    assert ("self-reference", "error", 12) in codes
    assert any("asked after it" in message for *_, message in found)


def test_a_rule_that_alone_leaves_0_100(tmp_path):
    found = findings(tmp_path, """rules:
  - id: huge
    summary: Huge.
    why: Because.
    source: Practice
    effects: {tv: 90, tiktok: -60}
""")
    messages = [m for code, _, _, m in found if code == "score-out-of-range"]
    assert len(messages) == 2
    assert any("'tv' from 40 to 130" in m for m in messages)
    assert any("'tiktok' from 40 to -20" in m for m in messages)
