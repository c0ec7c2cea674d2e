"""Shared fixtures: the tiny rule directory, the default rule set, and a CLI runner."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from typer.testing import CliRunner

from advocate_cli.cli import app
from advocate_cli.ruleset import load_ruleset

HERE = Path(__file__).parent
MINI = HERE / "fixtures" / "mini"
REPO = HERE.parent
TODAY = dt.date(2026, 11, 23)

COMPLETE_MINI = {
    "country": "AL",
    "setting": "rural",
    "audiences": ["older_people"],
    "online_habits": "mostly_offline",
    "involves_minors": False,
}

COMPLETE = {
    "name": "Test profile",
    "country": "AL",
    "setting": "mixed",
    "goals": ["raise_awareness"],
    "audiences": ["general_public"],
    "online_habits": "mixed",
    "involves_minors": False,
    "collects_personal_data": False,
    "works_with_system_actors": False,
    "issue_sensitivity": "low",
    "budget": "medium",
}


@pytest.fixture(autouse=True)
def _no_jobs_from_the_shell(monkeypatch):
    """ADVOCATE_JOBS set where the tests are run must not change what they cover (tests that need it set it)."""
    monkeypatch.delenv("ADVOCATE_JOBS", raising=False)


@pytest.fixture(scope="session")
def mini():
    ruleset, _ = load_ruleset([MINI], include_default=False)
    return ruleset


@pytest.fixture(scope="session")
def default_rules():
    ruleset, _ = load_ruleset()
    return ruleset


class Invoker:
    """Runs the CLI in-process and returns the result (stdout and stderr apart)."""

    def __init__(self) -> None:
        self.runner = CliRunner(env={"NO_COLOR": "1", "COLUMNS": "100", "TERM": "dumb"})

    def __call__(self, *args: str, input: str | bytes | None = None):
        return self.runner.invoke(app, [str(a) for a in args], input=input, catch_exceptions=False)


@pytest.fixture
def cli() -> Invoker:
    return Invoker()


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
