"""The pre-commit hooks run for real: each hook's `entry` exactly as .pre-commit-hooks.yaml declares it."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from advocate_cli import yamlio
from tests.conftest import HERE, REPO

HOOKS = {h["id"]: h for h in yamlio.load_file(REPO / ".pre-commit-hooks.yaml").data}
BIN = Path(sys.executable).parent


def run_hook(hook_id: str, args: list[str], files: list[str]) -> subprocess.CompletedProcess:
    """What pre-commit does: entry + args, plus the changed files unless pass_filenames is false."""
    hook = HOOKS[hook_id]
    if shutil.which("advocate", path=str(BIN)) is None:
        pytest.skip("the advocate console script is not installed beside this Python")
    argv = shlex.split(hook["entry"]) + list(hook.get("args", [])) + args
    if hook.get("pass_filenames", True):
        argv += files
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    return subprocess.run(argv, cwd=REPO, env=env, capture_output=True, text=True, timeout=120)


def test_the_hooks_are_declared_as_pre_commit_requires():
    assert set(HOOKS) == {"advocate-rules-check", "advocate-rules-test"}
    for hook in HOOKS.values():
        assert {"id", "name", "entry", "language"} <= set(hook)
        assert hook["language"] == "python"
        assert hook["pass_filenames"] is False  # the rule directory comes from args, not the changed files


def test_check_hook_passes_a_clean_directory_and_fails_a_broken_one():
    changed = ["examples/network-rules/rules.yaml"]
    clean = run_hook("advocate-rules-check", ["examples/network-rules", "--as-of", "2026-06-01"], changed)
    assert clean.returncode == 0, clean.stderr
    broken = run_hook("advocate-rules-check", ["--no-default-rules", "tests/fixtures/rules-base",
                                               "tests/fixtures/rules-broken"], changed)
    assert broken.returncode == 1
    assert "tests/fixtures/rules-broken/rules.yaml:20:22: error unknown-operator" in broken.stdout


def test_test_hook_runs_the_cases(tmp_path):
    ok = run_hook("advocate-rules-test", ["examples/network-rules"], [])
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert ok.stdout.splitlines()[-1] == "5 passed, 0 failed"
    rules = tmp_path / "rules"
    shutil.copytree(HERE / "fixtures" / "rules-base", rules)
    (rules / "tests" / "wrong.yaml").write_text(
        "cases:\n  - name: wrong\n    profile: {country: AL, audiences: [youth]}\n    expect: {lean: analog}\n",
        encoding="utf-8")
    failing = run_hook("advocate-rules-test", ["--no-default-rules", str(rules)], [])
    assert failing.returncode == 1
    assert "FAILED wrong" in failing.stdout
