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


EXAMPLE = REPO / "examples" / "rural-parents-albania.yaml"


def test_save_is_never_written_over_a_rule_file_nor_into_a_rules_directory(cli, network, tmp_path):
    before = (network / "rules.yaml").read_text(encoding="utf-8")
    over = cli("plan", "-p", EXAMPLE, "--rules", network, "--save", network / "rules.yaml", "-f", "json")
    assert over.exit_code == 2 and "refusing to write --save over an input file" in over.stderr
    assert (network / "rules.yaml").read_text(encoding="utf-8") == before
    into = cli("plan", "-p", EXAMPLE, "--rules", network, "--save", network / "mine.yaml", "-f", "json")
    assert into.exit_code == 2 and "is inside a --rules directory, where it would be read as a rule file" in into.stderr
    assert not (network / "mine.yaml").exists()
    dash = cli("plan", "-p", EXAMPLE, "--save", "-", "-f", "json")
    assert dash.exit_code == 2 and dash.stdout == "" and "--save: writes a file, not stdout" in dash.stderr


def test_no_interactive_names_what_is_missing_with_save_too(cli, tmp_path):
    unfinished = tmp_path / "draft.yaml"
    unfinished.write_text("".join(line for line in EXAMPLE.read_text(encoding="utf-8").splitlines(keepends=True)
                                  if not line.startswith("budget:")), encoding="utf-8")
    result = cli("plan", "-p", unfinished, "--no-interactive", "--save", tmp_path / "s.yaml", "-f", "json")
    assert result.exit_code == 2 and "missing required answer: budget" in result.stderr
    assert not (tmp_path / "s.yaml").exists()


def test_a_loop_of_links_is_refused_and_a_link_to_a_file_not_there_yet_is_followed(cli, tmp_path):
    loop = tmp_path / "loop"
    loop.symlink_to(loop)
    result = cli("plan", "-p", EXAMPLE, "-f", "json", "-o", loop)
    assert result.exit_code == 2 and "is a loop of symbolic links; --output takes a file path" in result.stderr
    (tmp_path / "results").mkdir()
    latest = tmp_path / "latest.json"
    latest.symlink_to(tmp_path / "results" / "new.json")
    assert cli("plan", "-p", EXAMPLE, "-f", "json", "-o", latest).exit_code == 0
    assert latest.is_symlink() and (tmp_path / "results" / "new.json").is_file()


def test_output_to_dev_stdout_appends_to_what_the_shell_opened(tmp_path):
    import subprocess
    import sys

    log = tmp_path / "log.txt"
    log.write_text("earlier line\n")
    with log.open("a") as out:
        subprocess.run([sys.executable, "-m", "advocate_cli", "plan", "-p", str(EXAMPLE), "-f", "json",
                        "-o", "/dev/stdout"], stdout=out, check=True)
    text = log.read_text()
    assert text.startswith("earlier line\n{") and text.rstrip().endswith("}")


def test_output_is_never_a_new_yaml_file_in_a_rules_directory(cli, network):
    """The next run would read it as a rule file."""
    result = cli("plan", "-p", EXAMPLE, "--rules", network, "-f", "yaml", "-o", network / "plan.yaml")
    assert result.exit_code == 2
    assert "--output: is inside a --rules directory, where it would be read as a rule file" in result.stderr
    assert not (network / "plan.yaml").exists()
