"""Where results go: `--output` of the rules commands is never written over the rule files or cases they read."""

from __future__ import annotations

import shutil

import pytest

from tests.conftest import REPO


@pytest.fixture
def network(tmp_path):
    rules = tmp_path / "network-rules"
    shutil.copytree(REPO / "examples" / "network-rules", rules)
    return rules


@pytest.mark.parametrize(("command", "target"), [
    (("rules", "check"), "rules.yaml"),
    (("rules", "test", "--format", "junit"), "tests/cases.yaml"),
])
def test_a_rules_report_is_never_written_over_what_it_reads(cli, network, command, target):
    victim = next((network / target).parent.glob("*.yaml")) if target.startswith("tests/") else network / target
    before = victim.read_text(encoding="utf-8")
    result = cli(*command, network, "--output", victim)
    assert result.exit_code == 2
    assert "refusing to write --output over an input file" in result.stderr
    assert victim.read_text(encoding="utf-8") == before
    elsewhere = cli(*command, network, "--output", network.parent / "report.out")
    assert elsewhere.exit_code in (0, 1) and (network.parent / "report.out").is_file()


def test_the_schema_is_never_written_over_a_rule_file(cli, network):
    before = (network / "methods.yaml").read_text(encoding="utf-8")
    result = cli("rules", "schema", "--for", "rules", "--rules", network, "--output", network / "methods.yaml")
    assert result.exit_code == 2
    assert (network / "methods.yaml").read_text(encoding="utf-8") == before
