"""The rule cases kept as YAML beside the rules, each its own pytest case named after it (`pytest -k backlash`).

Two suites: the shipped rules' own cases (rules/tests/*.yaml) and those of the example network
directory, layered over the shipped rules. `advocate rules test` runs the same cases the same way.
"""

from __future__ import annotations

import functools
from pathlib import Path

from advocate_cli.casefile import case_paths, load_cases, run_case
from advocate_cli.ruleset import default_rules_dir, load_ruleset
from tests.conftest import REPO, TODAY

NETWORK = REPO / "examples" / "network-rules"
# (layers over the shipped rules, the directory whose tests/ holds the cases)
SUITES: tuple[tuple[tuple[Path, ...], Path], ...] = (((), default_rules_dir()), ((NETWORK,), NETWORK))


def _suites():
    for layers, directory in SUITES:
        cases, problems = load_cases((p, str(p.relative_to(directory.parent))) for p in case_paths(directory))
        yield layers, cases, problems


def pytest_generate_tests(metafunc):
    if "rule_case" in metafunc.fixturenames:
        params = [(layers, case) for layers, cases, _ in _suites() for case in cases]
        metafunc.parametrize("rule_case", params, ids=[case.name for _, case in params])


@functools.cache
def ruleset(layers: tuple[Path, ...]):
    return load_ruleset(layers)[0]


def test_rule_case(rule_case):
    layers, case = rule_case
    result = run_case(case, ruleset(layers), today=TODAY)
    assert result.passed, f"{case.file}:{case.line}: {case.name}\n" + "\n".join(f"- {f}" for f in result.failures)


def test_every_case_file_can_be_read():
    problems = [str(p) for _, _, found in _suites() for p in found]
    assert not problems, "\n".join(problems)
