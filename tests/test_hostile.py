"""Hostile and broken input at every entry point: each case must give its clear error, in bounded time and memory."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

HERE = Path(__file__).parent / "hostile"
CASES = yaml.safe_load((HERE / "cases.yaml").read_text(encoding="utf-8"))["cases"]
GOOD = (HERE / "bom-crlf.yaml").read_bytes()[3:].replace(b"\r\n", b"\n").decode()
TIME_LIMIT = 30  # seconds per run: a hang fails the test instead of stalling CI
MEMORY_LIMIT = 1024 * 1024 * 1024  # address space per run; ballooning fails fast
PEAK_RSS_LIMIT_KB = 200 * 1024  # the brief: well under 200 MiB


def generate(name: str) -> bytes:
    if name == "deep-flow":
        return ("country: " + "[" * 10_000 + "]" * 10_000 + "\n").encode()
    if name == "deep-block":
        return "".join(" " * i + f"k{i}:\n" for i in range(200)).encode()
    if name == "long-string":
        return GOOD.replace("name: Good", "name: " + "x" * 200_000).encode()
    if name == "long-key":
        return ("k" * 200_000 + ": 1\n" + GOOD).encode()
    if name == "huge-document":
        return ("name: x\nnotes: [" + ", ".join(["word"] * 1_000_000) + "]\n").encode()
    if name == "long-list":  # just under MAX_DOCUMENT_BYTES, a million nodes: refused, never composed
        return b"- a\n" * 1_000_000
    if name == "many-documents":
        return ("---\n" + GOOD) .encode() * 3000
    if name == "many-bad-documents":
        return b"---\nbudget: [\n" * 3000 + b"---\n" + GOOD.encode()
    raise AssertionError(name)


def case_id(case: dict) -> str:
    what = case.get("file") or case.get("generate") or case.get("set") or (
        "missing" if case.get("missing") else "directory" if case.get("directory") else "typed")
    return f"{case['entry']}-{what}"


def limit_resources() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


# A child's peak memory (ru_maxrss) starts from its parent's size at fork, so measured straight from
# pytest it would be pytest's size. A small launcher runs advocate and reports the peak of its own
# child: advocate's memory, not the test runner's.
LAUNCHER = (
    "import resource, subprocess, sys; "
    "code = subprocess.run(sys.argv[2:], timeout=%d).returncode; "
    "open(sys.argv[1], 'w').write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)); "
    "sys.exit(code)" % TIME_LIMIT
)


def run(args: list[str], stdin: bytes | None, cwd: Path) -> tuple[subprocess.CompletedProcess, int]:
    """Run advocate with limits; return its result and its own peak RSS in KiB."""
    peak = cwd / ".peak-rss"
    result = subprocess.run(
        [sys.executable, "-c", LAUNCHER, str(peak), sys.executable, "-m", "advocate_cli", *args],
        input=stdin if stdin is not None else b"",
        capture_output=True,
        cwd=cwd,
        timeout=TIME_LIMIT + 5,
        preexec_fn=limit_resources,
        env={**os.environ, "NO_COLOR": "1", "COLUMNS": "100"},
    )
    if not peak.exists():  # the launcher stopped advocate at TIME_LIMIT (or failed) before writing it
        raise AssertionError(f"advocate ran longer than {TIME_LIMIT} s: {result.stderr.decode(errors='replace')[-800:]}")
    kib = int(peak.read_text())
    peak.unlink()
    return result, kib


@pytest.mark.parametrize("case", CASES, ids=[case_id(c) for c in CASES])
def test_hostile_input(case, tmp_path):
    entry = case["entry"]
    if "file" in case:
        data = (HERE / case["file"]).read_bytes()
        name = case["file"]
    elif "generate" in case:
        data = generate(case["generate"])
        name = f"{case['generate']}.yaml"
    else:
        data, name = None, "missing.yaml"
    path = tmp_path / name
    if case.get("directory"):
        path.mkdir()
    elif data is not None:
        path.write_bytes(data)
    stdin = None
    if entry == "profile":
        args = ["plan", "--profile", name, "--format", "json"]
    elif entry == "input":
        args = ["plan", "--input", name, "--format", "jsonl"]
    elif entry == "stdin":
        args, stdin = ["plan", "--format", "jsonl"], data
    elif entry == "rules":
        rules = tmp_path / "rules"
        rules.mkdir()
        (rules / name).write_bytes(data)
        (tmp_path / "good.yaml").write_text(GOOD, encoding="utf-8")
        args = ["plan", "--profile", "good.yaml", "--rules", "rules", "--format", "json"]
    elif entry in ("check", "test"):
        rules = tmp_path / "rules"
        target = rules / "tests" if entry == "test" else rules
        target.mkdir(parents=True)
        (target / name).write_bytes(data)
        args = ["rules", entry, "rules"]
    elif entry == "wizard":
        args, stdin = ["plan", "--interactive"], case["answers"].encode("utf-8")
    elif entry == "set":
        answers = yaml.safe_load(GOOD)
        args = ["plan", "--format", "json"]
        for key, value in answers.items():
            value = ",".join(value) if isinstance(value, list) else str(value).lower() if isinstance(value, bool) else value
            args.append(f"--set={key}={value}")
        args.append(f"--set={case['set']}")
    else:
        raise AssertionError(entry)
    result, peak_kib = run(args, stdin, tmp_path)
    stderr = result.stderr.decode("utf-8", "replace")
    stdout = result.stdout.decode("utf-8", "replace")
    assert "Traceback" not in stderr, stderr
    assert result.returncode == case["exit"], stderr
    if "stderr" in case:
        assert case["stderr"] in stderr
    if "record" in case:
        records = [json.loads(line) for line in stdout.splitlines()]
        errors = [r["error"]["message"] for r in records if "error" in r]
        assert any(case["record"] in e for e in errors), records
        assert all("source" in r for r in records)
    if "stdout" in case:
        assert case["stdout"] in stdout, stdout
    if entry == "wizard":
        assert "\x1b]" not in stderr and "\x07" not in stderr
    if "stdout_lacks" in case:
        assert case["stdout_lacks"] not in stdout
    if case.get("generate") == "many-bad-documents":
        records = [json.loads(line) for line in stdout.splitlines()]
        assert len(records) == 3001 and "methods" in records[-1]
    assert peak_kib < PEAK_RSS_LIMIT_KB
    assert not (tmp_path / "pwned").exists()


def test_the_corpus_is_large_enough():
    assert len(CASES) >= 40
