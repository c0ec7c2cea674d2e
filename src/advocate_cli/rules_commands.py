"""What the `rules` commands do once their flags are parsed: gather inputs, call the core, render, return an exit code."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from advocate_cli.commands import parse_date
from advocate_cli.errors import AdvocateError, ExitCode
from advocate_cli.outputs import open_output

if TYPE_CHECKING:
    from advocate_cli.render.findings import ReportFormat
    from advocate_cli.ruleset.ruleset import RuleSet


def _needs_a_directory(dirs: list[Path], no_default_rules: bool, flag: str = "DIR") -> None:
    if no_default_rules and not dirs:
        raise AdvocateError(f"--no-default-rules needs at least one {flag}",
                            hint="name your rule directory, or drop --no-default-rules to use the shipped rules")


def _jobs_setting() -> None:
    """A bad ADVOCATE_JOBS is refused here too (a large rule directory is read by several processes)."""
    from advocate_cli.parallel import jobs_setting

    jobs_setting()


def _ruleset(rules: list[Path], no_default_rules: bool) -> RuleSet:
    """The rule set of --rules (over the shipped rules unless --no-default-rules), for schema, list and show."""
    from advocate_cli.ruleset import load_ruleset

    _needs_a_directory(rules, no_default_rules, "--rules DIR")
    _jobs_setting()
    return load_ruleset(rules, include_default=not no_default_rules)[0]


def check_command(*, dirs: list[Path], no_default_rules: bool, fmt: ReportFormat, output: Path | None,
                  fail_on: str, as_of: str | None) -> ExitCode:
    from advocate_cli.checks import check_directories
    from advocate_cli.render.findings import get_report_renderer
    from advocate_cli.ruleset.findings import FindingSeverity

    today = parse_date(as_of)
    _needs_a_directory(dirs, no_default_rules)
    _jobs_setting()
    report = check_directories(dirs, include_default=not no_default_rules, as_of=today,
                               fail_on=FindingSeverity(fail_on))
    with open_output(output, rule_dirs=dirs) as out:
        get_report_renderer(fmt).check(report, out)
    sys.stderr.write(f"advocate: rules check: {report.summary()}\n")
    return ExitCode.PROBLEMS if report.failing else ExitCode.OK


def test_command(*, dirs: list[Path], no_default_rules: bool, fmt: ReportFormat, output: Path | None,
                 pattern: str | None, as_of: str | None) -> ExitCode:
    from advocate_cli.casefile import run_directories
    from advocate_cli.render.findings import ReportFormat, get_report_renderer

    today = parse_date(as_of)
    _needs_a_directory(dirs, no_default_rules)
    _jobs_setting()
    report = run_directories(dirs, include_default=not no_default_rules, today=today, pattern=pattern)
    with open_output(output, rule_dirs=dirs) as out:
        get_report_renderer(fmt).test(report, out)
    if fmt is not ReportFormat.text or output is not None:
        sys.stderr.write(f"advocate: rules test: {report.coverage()}\nadvocate: rules test: {report.summary()}\n")
    return ExitCode.OK if report.ok else ExitCode.PROBLEMS


def schema_command(*, kind: str, rules: list[Path], no_default_rules: bool, output: Path | None) -> ExitCode:
    from advocate_cli.editor_schema import schema_for
    ruleset = _ruleset(rules, no_default_rules)
    with open_output(output, rule_dirs=rules) as out:
        out.write(json.dumps(schema_for(kind, ruleset), ensure_ascii=False, indent=2) + "\n")
    return ExitCode.OK


def list_command(*, kind: str | None, topic: str | None, country: str | None, rules: list[Path],
                 no_default_rules: bool, fmt: str) -> ExitCode:
    from advocate_cli.catalogue import entries
    from advocate_cli.render.catalogue import entries_json, entries_table
    ruleset = _ruleset(rules, no_default_rules)
    found = entries(ruleset, kind=kind, topic=topic, country=country)
    if fmt == "json":
        entries_json(found, ruleset, sys.stdout)
    else:
        entries_table(found, ruleset, sys.stdout)
    sys.stderr.write(f"advocate: {len(found)} item{'s' if len(found) != 1 else ''}\n")
    return ExitCode.OK


def show_command(*, item_id: str, rules: list[Path], no_default_rules: bool, as_of: str | None) -> ExitCode:
    from advocate_cli.catalogue import find
    from advocate_cli.render.catalogue import show_item
    today = parse_date(as_of)
    ruleset = _ruleset(rules, no_default_rules)
    for n, item in enumerate(find(ruleset, item_id)):
        if n:
            sys.stdout.write("\n")
        show_item(item, ruleset, sys.stdout, today=today)
    return ExitCode.OK
