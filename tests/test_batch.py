"""Batches: streaming output, a closed pipe, mixed good and bad documents, JSON Lines, atomic --output, --summary, progress."""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import time
from collections import Counter

import pytest
import yaml

from advocate_cli import batch
from advocate_cli.summary import Summary
from tests.conftest import COMPLETE, REPO, write

GOOD = yaml.safe_dump(COMPLETE, sort_keys=False)


def profile(**changes) -> dict:
    return {**COMPLETE, **changes}


def yaml_stream(*profiles: dict) -> str:
    return "".join("---\n" + yaml.safe_dump(p, sort_keys=False) for p in profiles)


def advocate(*args: str, **kwargs) -> subprocess.Popen:
    env = {**os.environ, "NO_COLOR": "1", "PYTHONPATH": str(REPO / "src")}
    return subprocess.Popen([sys.executable, "-m", "advocate_cli", *args], env=env, cwd=REPO, **kwargs)


def read_line(stream, timeout: float) -> bytes:
    """One line from a pipe, or b'' if none comes within the timeout."""
    deadline = time.monotonic() + timeout
    line = b""
    while not line.endswith(b"\n"):
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([stream], [], [], left)[0]:
            return b""
        chunk = os.read(stream.fileno(), 1)
        if not chunk:
            return line
        line += chunk
    return line


@pytest.mark.parametrize("first, second", [
    (json.dumps(COMPLETE) + "\n", json.dumps(profile(name="second")) + "\n"),
    ("---\n" + GOOD + "---\n", yaml.safe_dump(profile(name="second"))),
])
def test_the_first_jsonl_line_comes_before_the_input_ends(first, second):
    proc = advocate("plan", "--input", "-", "--format", "jsonl", stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE)
    try:
        proc.stdin.write(first.encode())
        proc.stdin.flush()
        line = read_line(proc.stdout, timeout=60)  # start-up and rule loading; the input is still open
        assert json.loads(line)["name"] == COMPLETE["name"]
        assert proc.poll() is None  # still waiting for more input
        proc.stdin.write(second.encode())
        proc.stdin.close()
        rest = proc.stdout.read().decode().splitlines()
        assert [json.loads(r)["name"] for r in rest] == ["second"]
        assert proc.wait(timeout=60) == 0
    finally:
        proc.kill()
        proc.wait()


def test_a_closed_pipe_ends_the_run_quietly(tmp_path):
    path = write(tmp_path / "many.yaml", yaml_stream(*[profile(name=f"p{i}") for i in range(3000)]))
    proc = advocate("plan", "--input", str(path), "--format", "jsonl", stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    first = read_line(proc.stdout, timeout=60)
    assert json.loads(first)["name"] == "p0"
    proc.stdout.close()  # like `| head -1`
    stderr = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 0
    assert "Traceback" not in stderr and "BrokenPipe" not in stderr and "Exception ignored" not in stderr


def test_mixed_documents_every_good_one_planned_every_bad_one_reported_in_place(cli, tmp_path):
    text = (
        "---\n" + GOOD
        + "---\nname: [unclosed\n"  # YAML syntax error, document 2
        + "---\n" + yaml.safe_dump(profile(name="third"), sort_keys=False)
        + "---\n" + yaml.safe_dump(profile(budget="huge"), sort_keys=False)  # invalid answer, document 4
        + "---\n- just\n- a list\n"  # a list of strings: each item is not a profile
        + "---\n" + yaml.safe_dump(profile(name="last"), sort_keys=False)
    )
    path = write(tmp_path / "mixed.yaml", text)
    result = cli("plan", "--input", path, "--format", "jsonl")
    assert result.exit_code == 1
    records = [json.loads(line) for line in result.stdout.splitlines()]
    lines = text.splitlines()
    planned = [r for r in records if "error" not in r]
    errors = [r for r in records if "error" in r]
    assert [r["name"] for r in planned] == [COMPLETE["name"], "third", "last"]
    assert [r["source"]["document"] for r in records] == [1, 2, 3, 4, 1, 2, 6]
    for r in records:
        assert r["source"]["file"] == str(path)
        assert 1 <= r["source"]["line"] <= len(lines)
    assert lines[planned[1]["source"]["line"] - 1].startswith("name: third")
    second_start = 2 + len(GOOD.splitlines())  # the `---` of document 2
    assert errors[0]["error"]["message"].startswith("YAML:")
    assert second_start <= errors[0]["source"]["line"] <= second_start + 2  # where libyaml saw the problem
    assert errors[1]["error"]["key"] == "budget" and lines[errors[1]["error"]["line"] - 1] == "budget: huge"
    assert f"{path}:{errors[1]['error']['line']}" in result.stderr
    assert "planned 3 of 7 profiles; 4 failed" in result.stderr


def test_json_lines_input_by_suffix_and_by_content_with_positions(cli, tmp_path):
    rows = [json.dumps(profile(name=f"row {i}")) for i in range(3)]
    jsonl = write(tmp_path / "p.jsonl", rows[0] + "\n\n" + rows[1] + "\n{broken\n" + rows[2] + "\n")
    detected = write(tmp_path / "p.txt", "\n".join(rows) + "\n")
    result = cli("plan", "--input", jsonl, "--input", detected, "--input", "-", "--format", "jsonl",
                 input=yaml_stream(profile(name="from stdin")))
    assert result.exit_code == 1
    records = [json.loads(line) for line in result.stdout.splitlines()]
    sources = [(r["source"]["file"], r["source"]["document"], r["source"]["line"]) for r in records]
    assert sources == [
        (str(jsonl), 1, 1), (str(jsonl), 2, 3), (str(jsonl), 3, 4), (str(jsonl), 4, 5),
        (str(detected), 1, 1), (str(detected), 2, 2), (str(detected), 3, 3),
        ("<stdin>", 1, 2),
    ]
    assert records[2]["error"]["message"].startswith("JSON:")
    assert [r.get("name") for r in records if "error" not in r] == [
        "row 0", "row 1", "row 2", "row 0", "row 1", "row 2", "from stdin"]


def test_a_yaml_list_is_a_batch_of_profiles(cli, tmp_path):
    path = write(tmp_path / "list.yaml", yaml.safe_dump([profile(name="a"), profile(name="b", budget="huge")],
                                                        sort_keys=False))
    result = cli("plan", "--input", path, "--format", "jsonl")
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert records[0]["name"] == "a" and records[0]["source"]["line"] == 1
    assert records[1]["error"]["key"] == "budget"
    assert path.read_text().splitlines()[records[1]["error"]["line"] - 1].strip() == "budget: huge"
    assert result.exit_code == 1


def test_json_and_yaml_batches_are_one_valid_document(cli):
    text = yaml_stream(profile(name="a"), profile(name="b"))
    as_json = json.loads(cli("plan", "--format", "json", input=text).stdout)
    as_yaml = yaml.safe_load(cli("plan", "--format", "yaml", input=text).stdout)
    assert [p["name"] for p in as_json] == [p["name"] for p in as_yaml] == ["a", "b"]


def test_output_is_replaced_atomically_and_kept_when_the_run_is_interrupted(cli, tmp_path, monkeypatch):
    out = write(tmp_path / "plans.jsonl", "the previous good results\n")
    text = yaml_stream(*[profile(name=f"p{i}") for i in range(5)])
    real = batch.evaluate
    calls = []

    def interrupted(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(batch, "evaluate", interrupted)  # in this process: --jobs 1 (Ctrl-C in workers: test_parallel.py)
    result = cli("plan", "--format", "jsonl", "--jobs", "1", "--output", out, input=text)
    assert result.exit_code == 130
    assert out.read_text() == "the previous good results\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plans.jsonl"]  # no temporary file left behind

    monkeypatch.setattr(batch, "evaluate", real)
    result = cli("plan", "--format", "jsonl", "--output", out, input=text)
    assert result.exit_code == 0 and result.stdout == ""
    assert [json.loads(line)["name"] for line in out.read_text().splitlines()] == [f"p{i}" for i in range(5)]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plans.jsonl"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes need POSIX")
def test_output_to_a_named_pipe_writes_into_it_and_keeps_it(cli, tmp_path):
    # Renaming a finished file over a device or a pipe (--output /dev/null, a FIFO) would destroy it.
    import stat
    import threading

    fifo = tmp_path / "plans.fifo"
    os.mkfifo(fifo)
    received = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_text()), daemon=True)
    reader.start()
    result = cli("plan", "--format", "jsonl", "--jobs", "1", "--output", fifo,
                 input=yaml_stream(profile(name="a"), profile(name="b")))
    reader.join(timeout=30)
    assert result.exit_code == 0 and result.stdout == ""
    assert [json.loads(line)["name"] for line in received[0].splitlines()] == ["a", "b"]
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plans.fifo"]  # no temporary file beside it


def test_output_through_a_symbolic_link_replaces_the_file_and_keeps_the_link(cli, tmp_path):
    real = write(tmp_path / "results" / "plans.jsonl", "old\n")
    link = tmp_path / "latest.jsonl"
    link.symlink_to(real)
    result = cli("plan", "--format", "jsonl", "--output", link, input=yaml_stream(profile(name="a")))
    assert result.exit_code == 0
    assert link.is_symlink() and link.resolve() == real.resolve()
    assert json.loads(real.read_text())["name"] == "a"


@pytest.mark.parametrize("fmt", ["json", "yaml", "markdown", "jsonl"])
def test_an_input_that_cannot_be_opened_stops_the_run_before_anything_is_written(cli, tmp_path, fmt):
    good = write(tmp_path / "good.yaml", yaml_stream(profile(name="a"), profile(name="b")))
    result = cli("plan", "--input", good, "--input", tmp_path / "nope.yaml", "--format", fmt)
    assert result.exit_code == 2
    assert result.stdout == ""  # not half a document: the plans of good.yaml are not started
    assert result.stderr.strip() == f"advocate: error: {tmp_path / 'nope.yaml'}: no such file"
    empty_name = cli("plan", "--input", good, "--input", "", "--format", fmt)
    assert empty_name.exit_code == 2 and empty_name.stdout == ""
    assert "advocate: error: --input: an empty file name" in empty_name.stderr


def test_output_is_never_written_over_a_rule_file(cli, tmp_path):
    rules = tmp_path / "rules"
    (rules / "tests").mkdir(parents=True)
    for name in ("methods.yaml", "questions.yaml", "rules.yaml", "warnings.yaml"):
        write(rules / name, (REPO / "examples" / "network-rules" / name).read_text(encoding="utf-8"))
    before = (rules / "rules.yaml").read_text()
    result = cli("plan", "--profile", REPO / "examples" / "rural-parents-albania.yaml", "--rules", rules,
                 "--output", rules / "rules.yaml")
    assert result.exit_code == 2 and "refusing to write --output over an input file" in result.stderr
    assert (rules / "rules.yaml").read_text() == before


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_byte_that_is_not_utf8_fails_its_document_alone(cli, tmp_path, jobs):
    # One profile pasted from a Latin-1 spreadsheet: that document fails, the ones after it are still planned.
    stream = yaml_stream(profile(name="a"), profile(name="b"), profile(name="c")).encode()
    start_b = stream.decode().splitlines().index("name: b") + 1
    stream = stream.replace(b"name: b\n", b"name: b\nnotes: Kor\xe7\xeb\n")
    path = tmp_path / "latin1.yaml"
    path.write_bytes(stream)
    result = cli("plan", "--input", path, "--format", "jsonl", "--jobs", jobs)
    assert result.exit_code == 1
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r.get("name") for r in records] == ["a", None, "c"]
    assert records[1]["error"]["message"].startswith("not valid UTF-8 (byte 0xe7")
    assert records[1]["error"]["line"] == start_b + 1
    assert records[1]["source"] == {"file": str(path), "document": 2, "line": start_b}
    assert records[2]["source"]["document"] == 3
    assert "planned 2 of 3 profiles; 1 failed" in result.stderr

    lines = tmp_path / "latin1.jsonl"
    lines.write_bytes(b"\n".join(json.dumps(profile(name=n)).encode() for n in "ab") + b"\n"
                      + json.dumps(profile(name="c")).encode().replace(b'"c"', b'"\xe7"') + b"\n"
                      + json.dumps(profile(name="d")).encode() + b"\n")
    result = cli("plan", "--input", lines, "--format", "jsonl", "--jobs", jobs)
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r.get("name") for r in records] == ["a", "b", None, "d"]
    assert records[2]["source"] == {"file": str(lines), "document": 3, "line": 3}


def test_the_record_of_a_document_that_cannot_be_read_starts_where_a_good_one_would(cli):
    text = "---\nname: a\n---\n# second\n\nname: b\ncountry: [AL\n---\nname: c\n"
    records = [json.loads(line) for line in cli("plan", "--format", "jsonl", input=text).stdout.splitlines()]
    assert records[1]["source"] == {"file": "<stdin>", "document": 2, "line": 6}  # its first line of content
    assert records[1]["error"]["line"] >= 7  # where the YAML breaks


def test_json_lines_errors_point_into_the_line_and_a_list_is_not_a_record(cli, tmp_path):
    good = json.dumps(profile(name="a"))
    path = write(tmp_path / "p.jsonl", f'{good}\n{{"name": "b",\n[{good}, {good}]\n{good}\n')
    records = [json.loads(line) for line in cli("plan", "--input", path, "--format", "jsonl").stdout.splitlines()]
    assert [r["source"]["document"] for r in records] == [1, 2, 3, 4]  # one record per line, numbered once
    assert records[1]["error"]["line"] == 2 and records[1]["error"]["column"] == 14  # the end of that line
    assert records[2]["error"]["message"] == ("a JSON Lines record is one JSON object (one profile); "
                                              "this line holds a list")


def test_limit_messages_name_the_variable_and_one_document_over_a_limit_fails_alone(tmp_path):
    big = profile(name="big", notes=["n" * 1000] * 70)  # 70 KB over many lines
    long_line = profile(name="x" * 70_000)  # one line of 70 KB
    text = yaml_stream(profile(name="a"), big, long_line, profile(name="b"))
    done = subprocess.run([sys.executable, "-m", "advocate_cli", "plan", "--format", "jsonl"], input=text,
                          capture_output=True, text=True, env={**os.environ, "ADVOCATE_MAX_DOCUMENT_BYTES": "60000"})
    assert done.returncode == 1
    records = [json.loads(line) for line in done.stdout.splitlines()]
    assert [r.get("name") for r in records] == ["a", None, None, "b"]
    assert records[1]["error"]["message"] == "the document is larger than 60,000 bytes; limit: ADVOCATE_MAX_DOCUMENT_BYTES"
    assert records[2]["error"]["message"] == "a line is longer than 60,000 bytes; limit: ADVOCATE_MAX_DOCUMENT_BYTES"
    assert records[2]["source"]["document"] == 3


def test_markdown_shows_a_profile_name_as_written_not_as_a_link_or_markup(cli):
    name = "[click me](https://evil.example) <b>bold</b> *star* a|b"
    text = yaml_stream(profile(name=name), profile(name="plain"))
    report = cli("plan", "--format", "markdown", input=text).stdout
    escaped = r"\[click me\](https://evil.example) \<b\>bold\</b\> \*star\* a\|b"
    assert f"## {escaped} (AL)\n" in report
    assert f"| {escaped} (AL) | ok |" in report
    assert "[click me](" not in report and "<b>" not in report
    bad_key = cli("plan", "--format", "markdown", input=yaml_stream({**profile(), "x` [click](https://evil.example) `": 1}))
    assert "[click](" not in bad_key.stdout and r"x\` \[click\](https://evil.example) \`: unknown key" in bad_key.stdout


@pytest.mark.parametrize("columns", ["200", "80", "40"])
def test_the_batch_table_wraps_long_names_and_never_cuts_them_short(columns):
    from typer.testing import CliRunner

    from advocate_cli.cli import app

    names = [f"korce-parents-survey-respondent-00{i}" for i in (1, 2)]
    result = CliRunner(env={"NO_COLOR": "1", "COLUMNS": columns, "TERM": "dumb"}).invoke(
        app, ["plan", "--format", "table"], input=yaml_stream(*[profile(name=n) for n in names]))
    assert result.exit_code == 0
    assert "…" not in result.stdout  # nothing ends in an ellipsis
    for header in ("Status", "Warni", "Mix"):
        assert header in result.stdout
    if columns == "200":
        assert all(f"{n} (AL)" in result.stdout for n in names)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_sigterm_leaves_the_previous_output_and_no_temporary_file(tmp_path, jobs):
    """timeout, kill and a cancelled CI job send SIGTERM: the run ends by that signal, cleaned up."""
    import signal

    out = write(tmp_path / "plans.jsonl", "the previous good results\n")
    proc = advocate("plan", "--format", "jsonl", "--jobs", jobs, "--output", str(out),
                    stdin=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdin.write(yaml_stream(*[profile(name=f"p{i}") for i in range(5)]).encode())
    proc.stdin.flush()  # the input stays open: the run is still going when the signal comes
    deadline = time.monotonic() + 20
    while not list(tmp_path.glob(".plans.jsonl.*.tmp")) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert list(tmp_path.glob(".plans.jsonl.*.tmp")), "the run never started writing"
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=20)
    assert proc.returncode == -signal.SIGTERM, err
    assert b"Traceback" not in err
    assert out.read_text() == "the previous good results\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plans.jsonl"]


def test_the_bar_is_not_drawn_over_results_on_the_same_terminal(monkeypatch):
    from advocate_cli import progress

    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    with progress.batch_progress(None, progress.Reading(None), live_output=True) as tick:
        assert tick is progress._no_tick  # results written to the terminal as they come: no bar among them
    with progress.batch_progress(None, progress.Reading(None), live_output=False) as tick:
        assert tick is not progress._no_tick


@pytest.mark.parametrize("args", [["--format", "table"], ["--summary"]])
def test_a_table_or_summary_is_written_after_the_bar_is_gone(cli, monkeypatch, args):
    import contextlib

    from advocate_cli import progress
    from advocate_cli.render import table
    from advocate_cli.summary import SummaryRenderer

    events = []

    @contextlib.contextmanager
    def recorded(*a, **k):
        events.append("bar shown")
        yield lambda ok: None
        events.append("bar gone")

    for cls in (table.TableRenderer, SummaryRenderer):
        real = cls.end
        monkeypatch.setattr(cls, "end", lambda self, real=real: (events.append("written"), real(self))[1])
    monkeypatch.setattr(progress, "batch_progress", recorded)
    assert cli("plan", *args, input=yaml_stream(profile(name="a"), profile(name="b"))).exit_code == 0
    assert events == ["bar shown", "bar gone", "written"]


def test_summary_json_counts_what_the_plans_say(cli, tmp_path):
    profiles = [profile(name=f"p{i}", country=c, audiences=a, budget=b, involves_minors=m)
                for i, (c, a, b, m) in enumerate([
                    ("AL", ["youth"], "low", True), ("MK", ["older_people", "parents"], "high", False),
                    ("AL", ["decision_makers"], "medium", False), ("DE", ["youth", "media"], "low", True),
                    ("RS", ["general_public"], "high", True)])]
    text = yaml_stream(*profiles) + "---\nbudget: [\n"
    plans = [json.loads(line) for line in cli("plan", "--format", "jsonl", input=text).stdout.splitlines()
             if "error" not in line]
    result = cli("plan", "--summary", "--format", "json", input=text)
    assert result.exit_code == 1  # one document failed
    summary = json.loads(result.stdout)
    assert summary["profiles"] == {"planned": 5, "failed": 1}
    in_mix = Counter(m["id"] for p in plans for m in p["methods"] if m["recommended"])
    assert {m["id"]: m["in_mix"] for m in summary["methods"] if m["in_mix"]} == dict(in_mix)
    warnings = Counter(w for p in plans for w in {x["id"] for x in p["warnings"]})
    assert {w["id"]: w["plans"] for w in summary["warnings"]} == dict(warnings)
    assert summary["by_country"]["AL"]["plans"] == 2 and summary["by_audience"]["youth"]["plans"] == 2
    al = Counter(w for p in plans if p["profile"]["country"] == "AL" for w in {x["id"] for x in p["warnings"]})
    assert summary["by_country"]["AL"]["warnings"][0]["plans"] == max(al.values())
    shares = sorted(p["mix"]["virtual"] for p in plans)
    assert (summary["virtual_share"]["min"], summary["virtual_share"]["median"], summary["virtual_share"]["max"]) == (
        shares[0], shares[2], shares[-1])
    assert sum(b["plans"] for b in summary["virtual_share"]["histogram"]) == 5


def test_summary_table_for_humans(cli):
    result = cli("plan", "--summary", input=yaml_stream(profile(name="[bold]a"), profile(country="MK")))
    assert result.exit_code == 0
    for heading in ("How often each method is in the recommended mix", "Virtual share of the mix",
                    "Warnings that fire most", "By country", "By audience"):
        assert heading in result.stdout
    assert "2 profiles planned, 0 failed" in result.stdout
    assert "\x1b[" not in result.stdout


def test_summary_prints_rule_text_as_written(cli):
    """A method label with brackets is rule text, not Rich markup: it must not vanish from the summary."""
    from tests.conftest import COMPLETE_MINI, MINI

    result = cli("plan", "--summary", "--no-default-rules", "--rules", MINI, input=yaml_stream(COMPLETE_MINI))
    assert result.exit_code == 0, result.stderr
    assert "Face-to-face [meeting]" in result.stdout


def test_summary_refuses_formats_it_cannot_print(cli):
    result = cli("plan", "--summary", "--format", "jsonl", input=GOOD)
    assert result.exit_code == 2
    assert "--summary prints a table or JSON" in result.stderr


def test_summary_memory_does_not_grow_with_the_batch(default_rules):
    from advocate_cli.batch import Outcome
    from advocate_cli.engine import evaluate
    from tests.conftest import TODAY

    summary = Summary()
    countries = ["AL", "MK", "RS", "ME", "BA", "XK"]
    habits = ["mostly_online", "mixed", "mostly_offline"]
    audiences = ["youth", "parents", "older_people", "decision_makers", "media"]
    plans = [evaluate(default_rules.profile_model.validate(
        profile(country=countries[i % 6], online_habits=habits[i % 3], audiences=[audiences[i % 5]],
                budget=["low", "medium", "high"][i // 30 % 3])), default_rules, today=TODAY) for i in range(90)]

    def sizes() -> dict:
        return {k: len(v) for k, v in vars(summary).items() if hasattr(v, "__len__") and not isinstance(v, str)}

    for plan in plans[:45] * 4:
        summary.add(Outcome({}, plan=plan))
    after_some = sizes()
    for plan in plans * 20:
        summary.add(Outcome({}, plan=plan))
    assert summary.planned == 45 * 4 + 90 * 20
    after_many = sizes()
    # Nothing is kept per plan: each container holds at most one entry per distinct value it counts.
    assert all(n <= 200 for n in after_many.values()), after_many
    assert all(after_many[k] <= after_some[k] + 60 for k in after_some), (after_some, after_many)


def test_no_progress_bar_when_stderr_is_not_a_terminal(cli):
    text = yaml_stream(profile(name="a"), profile(name="b"))
    quiet = cli("plan", "--format", "jsonl", input=text)
    assert quiet.stderr == "advocate: planned 2 of 2 profiles; 0 failed\n"
    from typer.testing import CliRunner

    from advocate_cli.cli import app

    forced = CliRunner(env={"TERM": "xterm-256color", "NO_COLOR": "1"}).invoke(
        app, ["plan", "--format", "jsonl", "--progress"], input=text)
    assert "planning" in forced.stderr and "profiles" in forced.stderr  # the bar, when asked for
    assert forced.stdout == quiet.stdout  # and never on stdout


def test_a_run_started_with_sighup_ignored_nohup_keeps_going_after_a_hangup(tmp_path):
    import signal

    out = tmp_path / "plans.jsonl"
    proc = advocate("plan", "--format", "jsonl", "--jobs", "2", "--output", str(out), stdin=subprocess.PIPE,
                    stderr=subprocess.PIPE, start_new_session=True,
                    preexec_fn=lambda: signal.signal(signal.SIGHUP, signal.SIG_IGN))
    proc.stdin.write(yaml_stream(*[profile(name=f"p{i}") for i in range(3)]).encode())
    proc.stdin.flush()
    deadline = time.monotonic() + 20
    while not list(tmp_path.glob(".plans.jsonl.*.tmp")) and time.monotonic() < deadline:
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGHUP)  # the terminal closes: its whole group, workers too; nohup said to ignore it
    _, err = proc.communicate(input=yaml_stream(profile(name="p3")).encode(), timeout=20)
    assert proc.returncode == 0, err
    assert [json.loads(line)["name"] for line in out.read_text().splitlines()] == ["p0", "p1", "p2", "p3"]


@pytest.mark.parametrize("fmt", ["jsonl", "json", "yaml"])
def test_names_with_line_separators_stay_on_one_line_and_read_back_the_same(cli, fmt):
    names = ["next\x85line", "line\u2028sep", "para\u2029sep"]
    result = cli("plan", "--format", fmt, input=yaml_stream(*[profile(name=n) for n in names]))
    assert result.exit_code == 0
    if fmt == "jsonl":
        assert len(result.stdout.splitlines()) == 3  # str.splitlines ends lines at these too
        read = [json.loads(line) for line in result.stdout.splitlines()]
    else:
        read = json.loads(result.stdout) if fmt == "json" else yaml.safe_load(result.stdout)
        if fmt == "json":
            assert not any(c in result.stdout for c in "\x85\u2028\u2029")
    assert [plan["name"] for plan in read] == names


def test_a_lone_surrogate_escape_in_json_lines_fails_its_line_alone(cli, tmp_path):
    good = json.dumps(profile(name="good"))
    path = write(tmp_path / "p.jsonl", good.replace('"good"', '"lone \\ud800"') + "\n" + good + "\n")
    result = cli("plan", "--input", path, "--format", "jsonl")
    assert result.exit_code == 1
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert "lone surrogate" in records[0]["error"]["message"] and records[1]["name"] == "good"
