"""`advocate rules ...`: check, test, describe and list a rule set. Thin commands; the work is in rules_commands."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from advocate_cli.render.findings import ReportFormat

rules_app = typer.Typer(
    name="rules",
    help="Check, test and describe rule sets: the shipped rules and your own rule directories.",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class FailOn(str, Enum):
    error = "error"
    warning = "warning"
    info = "info"


class SchemaFor(str, Enum):
    rules = "rules"
    profile = "profile"
    tests = "tests"


class ListKind(str, Enum):
    questions = "questions"
    methods = "methods"
    rules = "rules"
    warnings = "warnings"
    countries = "countries"
    facts = "facts"


class ListFormat(str, Enum):
    table = "table"
    json = "json"


DirsArg = Annotated[
    Optional[list[Path]],
    typer.Argument(metavar="[DIR]...", help="Rule directories, layered in order over the shipped rules.",
                   show_default=False),
]
RulesOpt = Annotated[
    Optional[list[Path]],
    typer.Option("--rules", "-r", metavar="DIR", help="A rule directory layered over the defaults (repeatable).",
                 show_default=False),
]
NoDefaultOpt = Annotated[
    bool, typer.Option("--no-default-rules", help="Use only the given directories, not the shipped rules.")
]
OutputOpt = Annotated[
    Optional[Path],
    typer.Option("--output", "-o", metavar="FILE", help="Write the report to this file (atomically) instead of stdout.",
                 show_default=False),
]
FormatOpt = Annotated[ReportFormat, typer.Option("--format", "-f", help="Report format.", case_sensitive=False)]
AsOfOpt = Annotated[
    Optional[str],
    typer.Option("--as-of", metavar="DATE", help="Date (YYYY-MM-DD) for judging which facts are past review. "
                 "Default: today. Pin it in CI.", show_default=False),
]


def _run(name: str, **kwargs: object) -> None:
    from advocate_cli import rules_commands
    from advocate_cli.cli import user_errors

    with user_errors():
        code = getattr(rules_commands, name)(**kwargs)
    raise typer.Exit(int(code))


@rules_app.command()
def check(
    dirs: DirsArg = None,
    no_default_rules: NoDefaultOpt = False,
    format: FormatOpt = ReportFormat.text,
    output: OutputOpt = None,
    fail_on: Annotated[
        FailOn, typer.Option("--fail-on", help="Exit 1 when a finding is at or above this severity.",
                             case_sensitive=False)
    ] = FailOn.error,
    as_of: AsOfOpt = None,
) -> None:
    """Check rule directories: every finding with file:line:col, a code, a severity and a hint.

    Exit codes: 0 no finding at or above --fail-on; 1 there are such findings; 2 the check
    could not run (bad arguments, a missing or unreadable directory).

    \b
    Examples:
      advocate rules check our-rules
      advocate rules check our-rules --as-of 2026-01-01 --fail-on warning
      advocate rules check our-rules --format sarif --output advocate.sarif
    """
    _run("check_command", dirs=dirs or [], no_default_rules=no_default_rules, fmt=format, output=output,
         fail_on=fail_on.value, as_of=as_of)


@rules_app.command()
def test(
    dirs: DirsArg = None,
    no_default_rules: NoDefaultOpt = False,
    format: FormatOpt = ReportFormat.text,
    output: OutputOpt = None,
    pattern: Annotated[
        Optional[str],
        typer.Option("-k", metavar="PATTERN", help="Run only cases whose name contains PATTERN (or matches it as "
                     "a glob with * and ?).", show_default=False),
    ] = None,
    as_of: AsOfOpt = None,
) -> None:
    """Run the rule cases kept in DIR/tests/*.yaml (without DIR: the shipped rules' own cases).

    Exit codes: 0 every case passed; 1 a case failed or a case file has errors; 2 could not run
    (bad arguments, an invalid rule set, no cases found).

    \b
    Examples:
      advocate rules test our-rules
      advocate rules test our-rules -k older
      advocate rules test our-rules --format junit --output rule-cases.xml
    """
    _run("test_command", dirs=dirs or [], no_default_rules=no_default_rules, fmt=format, output=output,
         pattern=pattern, as_of=as_of)


@rules_app.command()
def schema(
    for_: Annotated[SchemaFor, typer.Option("--for", help="What the schema describes.", case_sensitive=False)] = (
        SchemaFor.rules
    ),
    rules: RulesOpt = None,
    no_default_rules: NoDefaultOpt = False,
    output: OutputOpt = None,
) -> None:
    """Print a JSON Schema (draft-07) for editors: rule files, profiles, or rule-case files.

    Put `# yaml-language-server: $schema=PATH` on the first line of a YAML file to use it.

    \b
    Examples:
      advocate rules schema --for rules --rules our-rules > rules.schema.json
      advocate rules schema --for profile > profile.schema.json
    """
    _run("schema_command", kind=for_.value, rules=rules or [], no_default_rules=no_default_rules, output=output)


@rules_app.command("list")
def list_(
    kind: Annotated[Optional[ListKind], typer.Option("--kind", help="Only this kind of item.", show_default=False,
                                                     case_sensitive=False)] = None,
    topic: Annotated[Optional[str], typer.Option("--topic", help="Only warnings of this topic.",
                                                 show_default=False)] = None,
    country: Annotated[Optional[str], typer.Option("--country", metavar="CODE", help="Only items about this "
                                                   "country: its facts and the rules and warnings that use it.",
                                                   show_default=False)] = None,
    rules: RulesOpt = None,
    no_default_rules: NoDefaultOpt = False,
    format: Annotated[ListFormat, typer.Option("--format", "-f", case_sensitive=False,
                                               help="table or json.")] = ListFormat.table,
) -> None:
    """List questions, methods, rules, warnings, countries and facts, with where each is defined.

    \b
    Examples:
      advocate rules list --kind warnings --topic backlash
      advocate rules list --country AL --rules our-rules
    """
    _run("list_command", kind=kind.value if kind else None, topic=topic, country=country, rules=rules or [],
         no_default_rules=no_default_rules, fmt=format.value)


@rules_app.command()
def show(
    item_id: Annotated[str, typer.Argument(metavar="ID", help="A method, rule, warning, question, choice or fact "
                                           "id, or a country code.")],
    rules: RulesOpt = None,
    no_default_rules: NoDefaultOpt = False,
    as_of: AsOfOpt = None,
) -> None:
    """Show one item: its why, source and dates, where it is defined and which layer overrode which.

    \b
    Examples:
      advocate rules show local_radio
      advocate rules show mostly_offline                (a choice: its question)
      advocate rules show pensioner-clubs-as-venues --rules examples/custom-rules
    """
    _run("show_command", item_id=item_id, rules=rules or [], no_default_rules=no_default_rules, as_of=as_of)
