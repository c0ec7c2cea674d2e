"""`advocate plan` on a real pseudo-terminal: the wizard starts by itself, answers are typed, the plan is read
off the screen."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest

from advocate_cli.ruleset import load_ruleset

pexpect = pytest.importorskip("pexpect")

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")

FIXTURE = Path(__file__).parent / "fixtures" / "wizard"
# The input prompts the wizard ends a question with (a suggested answer may follow in brackets).
INPUT_PROMPT = r"(?:Answer|an id|by commas|y/n|code or name)(?: \[[^\]\r\n]*\])?: "
QUESTION = r"\(\d+/\d+\) ([^\r\n]+)"


def spawn(cwd: Path, *args: str):
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "80", "LINES": "50", "TERM": "xterm"}
    env.pop("FORCE_COLOR", None)
    return pexpect.spawn(
        sys.executable, ["-m", "advocate_cli", "plan", *args], cwd=str(cwd), env=env, encoding="utf-8",
        timeout=20, dimensions=(50, 80),
    )


def test_the_wizard_on_a_terminal_asks_shows_the_plan_and_saves(tmp_path):
    ruleset, _ = load_ruleset([])
    answers = {
        "name": "Safe school routes",
        "country": "AL",
        "setting": "2",
        "goals": "reach_decision_makers, raise_awareness",
        "audiences": "parents",
        "involves_minors": "y",
    }
    child = spawn(tmp_path)
    asked = []
    while child.expect([QUESTION, "Press Enter to make the plan"]) == 0:
        first_line = child.match.group(1).strip()
        question = next(q for q in ruleset.questions.values() if q.prompt.startswith(first_line))
        asked.append(question.id)
        child.expect(INPUT_PROMPT)
        if question.id == "country":
            child.sendline("Albnia")  # a near miss is answered with a suggestion, and asked again
            child.expect(r"did\s+you\s+mean\s+AL\s+\(Albania\)\?")
            child.expect(INPUT_PROMPT)
        child.sendline(answers.get(question.id, ""))  # Enter takes the suggested answer
    assert asked == list(ruleset.questions)
    child.expect("Number, or Enter for the plan: ")
    child.sendline("")
    child.expect(r"Safe school routes \(AL\)")
    child.expect("Recommended mix: virtual")
    child.expect("File name: ")
    child.sendline("routes.yaml")
    child.expect("saved the answers to routes.yaml")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    saved = (tmp_path / "routes.yaml").read_text(encoding="utf-8")
    assert "country: AL\n" in saved and "involves_minors: true\n" in saved and "setting: rural\n" in saved


def test_ctrl_c_on_a_terminal_keeps_the_answers(tmp_path):
    child = spawn(tmp_path, "--rules", str(FIXTURE), "--no-default-rules")
    child.expect(INPUT_PROMPT)
    child.sendline("Before the break")
    child.expect(INPUT_PROMPT)
    child.sendline("XK")
    child.expect(INPUT_PROMPT)
    child.sendintr()
    child.expect(r"advocate: interrupted; your answers so far are in advocate-answers\.recovery\.yaml")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert "Traceback" not in child.before
    text = (tmp_path / "advocate-answers.recovery.yaml").read_text(encoding="utf-8")
    assert re.search(r"^name: Before the break\ncountry: XK\n", text, re.M)


def test_a_closed_stdin_never_starts_the_wizard(tmp_path):
    import subprocess

    result = subprocess.run(
        ["sh", "-c", f'exec "{sys.executable}" -m advocate_cli plan <&-'], cwd=tmp_path, capture_output=True,
        text=True, timeout=20, env={**os.environ, "NO_COLOR": "1"},
    )
    assert result.returncode == 2
    assert "stdin is closed: no profiles to read" in result.stderr
    assert "campaign" not in result.stderr and "Traceback" not in result.stderr


def test_one_profile_on_a_terminal_draws_no_progress_bar(tmp_path):
    """The progress bar is for batches; a single --profile on a terminal shows just its plan."""
    example = Path(__file__).parent.parent / "examples" / "rural-parents-albania.yaml"
    child = spawn(tmp_path, "--profile", str(example))
    child.expect(pexpect.EOF)
    child.close()
    screen = child.before
    assert child.exitstatus == 0
    assert "School meals in rural Korçë (AL)" in screen
    assert "planning" not in screen


@pytest.mark.parametrize("signame", ["SIGTERM", "SIGHUP"])
def test_a_terminated_wizard_keeps_what_was_typed_and_ends_by_that_signal(tmp_path, signame):
    import signal

    child = spawn(tmp_path)
    child.expect(QUESTION)
    child.expect(INPUT_PROMPT)
    child.sendline("Safe school routes")
    child.expect(QUESTION)  # the first answer is in
    child.kill(getattr(signal, signame))
    child.expect(pexpect.EOF)
    child.close()
    assert child.signalstatus == getattr(signal, signame)
    kept = (tmp_path / "advocate-answers.recovery.yaml").read_text(encoding="utf-8")
    assert "name: Safe school routes" in kept
