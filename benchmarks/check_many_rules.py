"""How long `advocate rules check` takes on a rule directory of many generated rules.

Writes N rules (default 6,000) in 20 files, layered over the shipped rules, with conditions on the
shipped questions (choices, lists, yes/no answers, `any`, `not`) and effects on the shipped
methods, then times the check in-process and through the CLI (best and median of --repeat runs each).

It also times loading a directory written by make_rules.py (20 methods x --per-method rules, with
the shipped questions, methods and countries) for planning: load_ruleset without the defaults,
then the compiled form the engine runs (each run in a fresh interpreter, best of --repeat).

    python benchmarks/check_many_rules.py            # 6,000 rules
    python benchmarks/check_many_rules.py --rules 20000 --per-method 1000
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from advocate_cli.checks import check_directories
from advocate_cli.ruleset import load_ruleset


def condition(rng: random.Random, questions: list) -> str:
    parts = []
    for q in rng.sample(questions, rng.randint(1, 3)):
        if q.type.value == "choice":
            if rng.random() < 0.5:
                parts.append(f"{q.id}: {rng.choice(q.choice_ids)}")
            else:
                parts.append(f"{q.id}: {{in: [{', '.join(rng.sample(q.choice_ids, 2))}]}}")
        elif q.type.value == "multi":
            op = rng.choice(["contains", "contains_any", "contains_none"])
            value = rng.choice(q.choice_ids) if op == "contains" else f"[{', '.join(rng.sample(q.choice_ids, 2))}]"
            parts.append(f"{q.id}: {{{op}: {value}}}")
        elif q.type.value == "bool":
            parts.append(f"{q.id}: {str(rng.random() < 0.5).lower()}")
    if rng.random() < 0.2 and len(parts) > 1:
        return f"{{any: [{{{parts[0]}}}, {{{parts[1]}}}]}}"
    return "{" + ", ".join(parts) + "}"


def write_rules(directory: Path, count: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    base, _ = load_ruleset()
    questions = [q for q in base.questions.values() if q.type.value in ("choice", "multi", "bool")]
    methods = list(base.methods)
    per_file = count // 20
    for f in range(20):
        lines = ["rules:"]
        for i in range(per_file):
            n = f * per_file + i
            effects = ", ".join(f"{m}: {rng.randint(-20, 20)}" for m in rng.sample(methods, 3))
            lines += [
                f"  - id: generated-{n:05d}",
                f"    summary: Generated rule {n}.",
                "    why: A generated rule for the benchmark.",
                "    source: Practice",
                f"    when: {condition(rng, questions)}",
                f"    effects: {{{effects}}}",
            ]
        (directory / f"rules-{f:02d}.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rules", type=int, default=6000, help="how many rules to generate")
    parser.add_argument("--repeat", type=int, default=5, help="runs of each measure; the best and the median are reported")
    parser.add_argument("--per-method", type=int, default=300, help="make_rules.py rules per method (20 methods)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp) / "generated"
        directory.mkdir()
        write_rules(directory, args.rules)
        as_of = dt.date(2026, 6, 1)
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            report = check_directories([directory], as_of=as_of)
            times.append(time.perf_counter() - start)
        never = sum(1 for f in report.findings if f.code == "never-fires")
        print(f"rules check, {args.rules:,} generated rules over the shipped rules, in-process: "
              f"best {min(times):.3f} s, median {sorted(times)[len(times) // 2]:.3f} s "
              f"({len(report.findings)} findings, {never} never-fires)")
        cli, exits = [], set()
        for _ in range(args.repeat):
            start = time.perf_counter()
            done = subprocess.run([sys.executable, "-m", "advocate_cli", "rules", "check", str(directory), "--as-of",
                                   as_of.isoformat(), "--format", "json", "--output", str(Path(tmp) / "r.json")],
                                  capture_output=True, text=True)
            cli.append(time.perf_counter() - start)
            exits.add(done.returncode)  # every run's: a run that failed fast must not pass for a fast check
        print(f"the same through the CLI (start-up included): best {min(cli):.3f} s, "
              f"median {sorted(cli)[len(cli) // 2]:.3f} s, exit {', '.join(map(str, sorted(exits)))}")
        planned = Path(tmp) / "planned"
        subprocess.run([sys.executable, str(Path(__file__).with_name("make_rules.py")), str(planned),
                        "--per-method", str(args.per_method)], check=True, capture_output=True)
        runs = [_load_for_planning(planned) for _ in range(args.repeat)]
        load, compiled = min(runs, key=sum)
        print(f"loading {20 * args.per_method:,} rules (make_rules.py) for planning, each run in a fresh "
              f"interpreter: best {load + compiled:.3f} s (load {load:.3f} s + compile {compiled:.3f} s), "
              f"median {sorted(sum(r) for r in runs)[len(runs) // 2]:.3f} s")


LOAD_FOR_PLANNING = """
import sys, time
from pathlib import Path
from advocate_cli.ruleset import load_ruleset
start = time.perf_counter()
ruleset, _ = load_ruleset([Path(sys.argv[1])], include_default=False)
loaded = time.perf_counter()
ruleset.compiled
print(loaded - start, time.perf_counter() - loaded)
"""


def _load_for_planning(directory: Path) -> tuple[float, float]:
    done = subprocess.run([sys.executable, "-c", LOAD_FOR_PLANNING, str(directory)], check=True,
                          capture_output=True, text=True)
    load, compiled = map(float, done.stdout.split())
    return load, compiled


if __name__ == "__main__":
    main()
