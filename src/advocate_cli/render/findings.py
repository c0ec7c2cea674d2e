"""Reports of `rules check` and `rules test`: one renderer per format behind one interface, chosen by an enum.

Light to import (the CLI needs ReportFormat at start-up); the rule set's modules load when a
report is rendered.
"""

from __future__ import annotations

import re
from enum import Enum
from typing import IO, TYPE_CHECKING, Any, Protocol

from advocate_cli import __version__

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

    from advocate_cli.casefile import TestReport
    from advocate_cli.checks import CheckReport
    from advocate_cli.ruleset.findings import Finding

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
CASE_FAILED = "rule-case-failed"
DEFAULT_BASE = "ADVOCATE_DEFAULT_RULES"


class ReportFormat(str, Enum):
    text = "text"
    json = "json"
    github = "github"
    sarif = "sarif"
    junit = "junit"


class ReportRenderer(Protocol):
    """Writes a whole report to `out`; the one-line summary goes to stderr elsewhere."""

    def check(self, report: CheckReport, out: IO[str]) -> None: ...

    def test(self, report: TestReport, out: IO[str]) -> None: ...


def _write_json(data: Any, out: IO[str]) -> None:
    import json  # here, not at the top: this module is imported at start-up

    out.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def _line(f: Finding) -> int:
    return max(f.line, 1)  # 0 means the whole file: point at its start


def _column(f: Finding) -> int:
    return max(f.column, 1)


# -- text -------------------------------------------------------------------------------------------

class TextRenderer:
    """`file:line:col: severity code message`, then the hint indented; plain text, never markup, with control
    and bidi characters from the rule files shown as escapes."""

    def check(self, report: CheckReport, out: IO[str]) -> None:
        from advocate_cli.render.words import visible

        for f in report.findings:
            out.write(visible(f"{f.file}:{_line(f)}:{_column(f)}: {f.severity.value} {f.code} {f.message}") + "\n")
            if f.hint:
                out.write(visible(f"  hint: {f.hint}") + "\n")

    def test(self, report: TestReport, out: IO[str]) -> None:
        from advocate_cli.render.words import visible

        for f in report.problems:
            out.write(visible(f"ERROR {f.file}:{_line(f)}:{_column(f)}: {f.code} {f.message}") + "\n")
            if f.hint:
                out.write(visible(f"  hint: {f.hint}") + "\n")
        for r in report.results:
            if r.passed:
                continue
            out.write(visible(f"FAILED {r.name} ({r.file}:{r.line})") + "\n")
            for failure in r.failures:
                out.write(visible(f"  - {failure}") + "\n")
        out.write(visible(report.coverage()) + "\n")
        out.write(f"{report.summary()}\n")


# -- json -------------------------------------------------------------------------------------------

def finding_dict(f: Finding) -> dict[str, Any]:
    return {
        "file": f.file,
        "line": _line(f),
        "column": _column(f),
        "code": f.code,
        "severity": f.severity.value,
        "message": f.message,
        "hint": f.hint,
    }


class JsonRenderer:
    def check(self, report: CheckReport, out: IO[str]) -> None:
        data = {
            "tool": {"name": "advocate", "version": __version__},
            "as_of": report.as_of.isoformat(),
            "fail_on": report.fail_on.value,
            "summary": {**report.counts(), "files": len(report.files), "failing": len(report.failing),
                        "hidden": report.hidden},
            "files": report.files,
            "findings": [finding_dict(f) for f in report.findings],
        }
        _write_json(data, out)

    def test(self, report: TestReport, out: IO[str]) -> None:
        data = {
            "tool": {"name": "advocate", "version": __version__},
            "summary": {"passed": report.passed, "failed": report.failed, "errors": len(report.problems),
                        "deselected": report.deselected},
            "cases": [
                {"name": r.name, "file": r.file, "line": r.line, "passed": r.passed, "failures": r.failures}
                for r in report.results
            ],
            "errors": [finding_dict(f) for f in report.problems],
            "coverage": {"rules_never_fired": report.uncovered_rules,
                         "warnings_never_fired": report.uncovered_warnings},
        }
        _write_json(data, out)


# -- github -----------------------------------------------------------------------------------------

_GITHUB_LEVEL = {"error": "error", "warning": "warning", "info": "notice"}


def _gh_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_property(text: str) -> str:
    return _gh_data(text).replace(":", "%3A").replace(",", "%2C")


def _annotation(level: str, file: str, line: int, col: int | None, title: str, message: str) -> str:
    if file.startswith("<default>/"):  # a shipped file is not in the repository: no file to attach it to
        where = f"{file}:{line}" + (f":{col}" if col is not None else "")
        return f"::{level} title={_gh_property(title)}::{_gh_data(f'{where}: {message}')}\n"
    props = [f"file={_gh_property(file)}", f"line={line}"]
    if col is not None:
        props.append(f"col={col}")
    props.append(f"title={_gh_property(title)}")
    return f"::{level} {','.join(props)}::{_gh_data(message)}\n"


class GithubRenderer:
    """GitHub Actions workflow commands: one annotation per finding or failed case."""

    def check(self, report: CheckReport, out: IO[str]) -> None:
        for f in report.findings:
            message = f.message + (f"\nhint: {f.hint}" if f.hint else "")
            out.write(_annotation(_GITHUB_LEVEL[f.severity.value], f.file, _line(f), _column(f),
                                  f"advocate {f.code}", message))

    def test(self, report: TestReport, out: IO[str]) -> None:
        for f in report.problems:
            message = f.message + (f"\nhint: {f.hint}" if f.hint else "")
            out.write(_annotation("error", f.file, _line(f), _column(f), f"advocate {f.code}", message))
        for r in report.results:
            if not r.passed:
                out.write(_annotation("error", r.file, max(r.line, 1), None, f"rule case failed: {r.name}",
                                      "\n".join(r.failures)))


# -- sarif ------------------------------------------------------------------------------------------

def _artifact(file: str) -> dict[str, Any]:
    from urllib.parse import quote

    # SARIF wants a URI reference: 'Our Rules/a b.yaml' is written 'Our%20Rules/a%20b.yaml'
    if file.startswith("<default>/"):
        return {"uri": quote(file.removeprefix("<default>/"), safe="/"), "uriBaseId": DEFAULT_BASE}
    return {"uri": quote(file, safe="/")}


def _fingerprint(*parts: str) -> str:
    # Stable across edits that only move lines: places named inside messages are left out.
    import hashlib

    text = "\x1f".join(re.sub(r":\d+(?::\d+)?\b|\bline \d+", "", p) for p in parts)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def _sarif_rule(code: str, help_text: str, fix: str | None) -> dict[str, Any]:
    return {
        "id": code,
        "name": "".join(w.capitalize() for w in code.split("-")),
        "shortDescription": {"text": help_text},
        "fullDescription": {"text": help_text},
        "help": {
            "text": f"{help_text}\nHow to fix: {fix}" if fix else help_text,
            "markdown": f"{help_text}\n\n**How to fix:** {fix}" if fix else help_text,
        },
        "properties": {"tags": ["advocate", "rules"]},
    }


_SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def _sarif_log(rules: list[dict[str, Any]], results: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "advocate",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "rules": rules,
                    }
                },
                "originalUriBaseIds": {
                    DEFAULT_BASE: {"description": {"text": "The rule set shipped with advocate."}},
                },
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }


def _location(file: str, line: int, column: int | None) -> dict[str, Any]:
    region: dict[str, Any] = {"startLine": line}
    if column is not None:
        region["startColumn"] = column
    return {"physicalLocation": {"artifactLocation": _artifact(file), "region": region}}


class SarifRenderer:
    """SARIF 2.1.0 for code scanning: every finding code as a rule with help, results with places."""

    def check(self, report: CheckReport, out: IO[str]) -> None:
        from advocate_cli.ruleset.findings import CODES, FIXES

        index = {code: i for i, code in enumerate(CODES)}
        rules = [_sarif_rule(code, CODES[code], FIXES.get(code)) for code in CODES]
        seen: dict[str, int] = {}
        results = []
        for f in report.findings:
            base = _fingerprint(f.code, f.file, f.message)
            seen[base] = seen.get(base, 0) + 1
            message = f.message + (f" Hint: {f.hint}" if f.hint else "")
            result: dict[str, Any] = {"ruleId": f.code}
            if f.code in index:
                result["ruleIndex"] = index[f.code]
            result.update({
                "level": _SARIF_LEVEL[f.severity.value],
                "message": {"text": message},
                "locations": [_location(f.file, _line(f), _column(f))],
                "partialFingerprints": {"advocateFinding/v1": f"{base}:{seen[base]}"},
            })
            results.append(result)
        _write_json(_sarif_log(rules, results), out)

    def test(self, report: TestReport, out: IO[str]) -> None:
        from advocate_cli.ruleset.findings import CODES, FIXES

        codes = sorted({f.code for f in report.problems})
        rules = [_sarif_rule(CASE_FAILED, "A rule case did not get the plan it expects.",
                             "change the rules, or the case if the new plan is right")]
        rules += [_sarif_rule(c, CODES.get(c, c), FIXES.get(c)) for c in codes]
        results = []
        for f in report.problems:
            results.append({
                "ruleId": f.code, "level": "error",
                "message": {"text": f.message + (f" Hint: {f.hint}" if f.hint else "")},
                "locations": [_location(f.file, _line(f), _column(f))],
                "partialFingerprints": {"advocateFinding/v1": _fingerprint(f.code, f.file, f.message)},
            })
        for r in report.results:
            if r.passed:
                continue
            results.append({
                "ruleId": CASE_FAILED, "level": "error",
                "message": {"text": f"Rule case {r.name!r} failed: " + " ".join(r.failures)},
                "locations": [_location(r.file, max(r.line, 1), None)],
                "partialFingerprints": {"advocateFinding/v1": _fingerprint(CASE_FAILED, r.file, r.name)},
            })
        _write_json(_sarif_log(rules, results), out)


# -- junit ------------------------------------------------------------------------------------------

def _xml_safe(text: str) -> str:
    """Text for XML: a character XML 1.0 cannot hold (a control character from a rule file) as the escape
    the terminal shows for it (render.words); tab, line ends and all other text as they are."""
    from advocate_cli.render.words import NOT_XML

    return text.translate(NOT_XML)


def _write_xml(root: Element, out: IO[str]) -> None:
    from xml.etree import ElementTree as ET

    for element in root.iter():
        element.attrib = {k: _xml_safe(v) for k, v in element.attrib.items()}
        if element.text:
            element.text = _xml_safe(element.text)
        if element.tail:
            element.tail = _xml_safe(element.tail)
    ET.indent(root)
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.write(ET.tostring(root, encoding="unicode"))
    out.write("\n")


class JunitRenderer:
    """JUnit XML: for a check, a suite per rule file and a case per finding; for tests, a case per rule case."""

    def check(self, report: CheckReport, out: IO[str]) -> None:
        from xml.etree import ElementTree as ET

        failing = {id(f) for f in report.failing}
        by_file: dict[str, list[Finding]] = {name: [] for name in report.files}
        for f in report.findings:
            by_file.setdefault(f.file, []).append(f)
        root = ET.Element("testsuites", name="advocate rules check")
        total = failures = 0
        for name, findings in by_file.items():
            suite = ET.SubElement(root, "testsuite", name=name)
            cases = 0
            suite_failures = 0
            if not findings:
                ET.SubElement(suite, "testcase", classname=name, name="no findings")
                cases = 1
            for f in findings:
                case = ET.SubElement(suite, "testcase", classname=name,
                                     name=f"{f.code} at {_line(f)}:{_column(f)}")
                cases += 1
                text = f"{f.file}:{_line(f)}:{_column(f)}: {f.message}" + (f"\nhint: {f.hint}" if f.hint else "")
                if id(f) in failing:
                    failure = ET.SubElement(case, "failure", message=f.message, type=f.severity.value)
                    failure.text = text
                    suite_failures += 1
                else:
                    ET.SubElement(case, "system-out").text = f"{f.severity.value}: {text}"
            suite.set("tests", str(cases))
            suite.set("failures", str(suite_failures))
            total += cases
            failures += suite_failures
        root.set("tests", str(total))
        root.set("failures", str(failures))
        _write_xml(root, out)

    def test(self, report: TestReport, out: IO[str]) -> None:
        from xml.etree import ElementTree as ET

        root = ET.Element("testsuites", name="advocate rules test")
        suites: dict[str, Element] = {}
        counts: dict[str, list[int]] = {}

        def suite_for(file: str) -> Element:
            if file not in suites:
                suites[file] = ET.SubElement(root, "testsuite", name=file)
                counts[file] = [0, 0, 0]
            return suites[file]

        for f in report.problems:
            case = ET.SubElement(suite_for(f.file), "testcase", classname=f.file, name=f"{f.code} at {_line(f)}")
            ET.SubElement(case, "error", message=f.message, type=f.code).text = \
                f"{f.file}:{_line(f)}:{_column(f)}: {f.message}" + (f"\nhint: {f.hint}" if f.hint else "")
            counts[f.file][0] += 1
            counts[f.file][2] += 1
        for r in report.results:
            case = ET.SubElement(suite_for(r.file), "testcase", classname=r.file, name=r.name)
            counts[r.file][0] += 1
            if not r.passed:
                ET.SubElement(case, "failure", message=r.failures[0], type="expectation").text = \
                    "\n".join(f"- {f}" for f in r.failures)
                counts[r.file][1] += 1
        for file, suite in suites.items():
            tests, failures, errors = counts[file]
            suite.set("tests", str(tests))
            suite.set("failures", str(failures))
            suite.set("errors", str(errors))
        root.set("tests", str(sum(c[0] for c in counts.values())))
        root.set("failures", str(sum(c[1] for c in counts.values())))
        root.set("errors", str(sum(c[2] for c in counts.values())))
        _write_xml(root, out)


RENDERERS: dict[ReportFormat, type] = {
    ReportFormat.text: TextRenderer,
    ReportFormat.json: JsonRenderer,
    ReportFormat.github: GithubRenderer,
    ReportFormat.sarif: SarifRenderer,
    ReportFormat.junit: JunitRenderer,
}


def get_report_renderer(fmt: ReportFormat) -> ReportRenderer:
    return RENDERERS[fmt]()


__all__ = ["ReportFormat", "ReportRenderer", "get_report_renderer", "RENDERERS", "finding_dict"]
