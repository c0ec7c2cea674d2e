#!/usr/bin/env python3
"""Write a large generated rule directory: the shipped questions, methods and countries, plus N rules per method.

    python benchmarks/make_rules.py OUT_DIR --per-method 300 --seed 1

Each rule scores one method (sometimes a second one too) under a varied `when` condition over
the public profile keys: equality, `in`, `contains`, `contains_any`, `contains_all`,
`contains_none`, `not`, `any` and `all`. Deterministic for a given seed. Plan with it using
`advocate plan --no-default-rules --rules OUT_DIR`. Needs only pyyaml.
"""
from __future__ import annotations

import argparse
import random
import shutil
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
DEFAULT_RULES = REPO / "rules"

SETTINGS = ["urban", "rural", "mixed"]
GOALS = ["reach_decision_makers", "mobilize_communities", "facilitate_dialogue", "shape_messages", "raise_awareness"]
AUDIENCES = ["decision_makers", "local_officials", "parents", "youth", "rural_communities",
             "older_people", "private_sector", "media", "general_public"]
HABITS = ["mostly_online", "mixed", "mostly_offline"]
LEVELS = ["low", "medium", "high"]
COUNTRIES = ["AL", "MK", "RS", "ME", "BA", "XK"]
FLAGS = ["involves_minors", "collects_personal_data", "works_with_system_actors"]


def clause(rng: random.Random) -> dict:
    """One condition on one key, drawn from the operators the `when` language offers."""
    kind = rng.randrange(10)
    if kind == 0:
        return {"setting": rng.choice(SETTINGS)}
    if kind == 1:
        return {"setting": {"not_in": rng.sample(SETTINGS, 2)}}
    if kind == 2:
        return {"goals": {"contains": rng.choice(GOALS)}}
    if kind == 3:
        return {"goals": {"contains_all": rng.sample(GOALS, 2)}}
    if kind == 4:
        if rng.random() < 0.7:
            return {"audiences": {"contains": rng.choice(AUDIENCES)}}
        return {"audiences": {"contains_any": rng.sample(AUDIENCES, 2)}}
    if kind == 5:
        return {"online_habits": {"eq": rng.choice(HABITS)}}
    if kind == 6:
        return {rng.choice(FLAGS): rng.random() < 0.5}
    if kind == 7:
        return {rng.choice(["budget", "issue_sensitivity"]): {"in": [rng.choice(LEVELS)]}}
    if kind == 8:
        return {"country": {"in": rng.sample(COUNTRIES, 2)}}
    return {"country_known": False, "online_habits": {"ne": rng.choice(HABITS)}}


def condition(rng: random.Random) -> dict:
    """Two to four clauses that must all hold, sometimes with an `any` or a `not` among them.

    Like hand-written rules, each is specific: a profile meets a few percent of them.
    """
    when: dict = {}
    while len(when) < rng.randint(2, 4):
        when.update(clause(rng))
    shape = rng.randrange(8)
    if shape == 0:
        return {"any": [when, {**clause(rng), **clause(rng), **clause(rng)}]}
    if shape == 1:
        return {"all": [when, {"not": clause(rng)}]}
    return when


def make_rules(methods: list[str], per_method: int, rng: random.Random) -> list[dict]:
    rules = []
    for m in methods:
        for k in range(per_method):
            effects = {m: rng.choice([-1, 1]) * rng.randint(1, 8)}
            if rng.random() < 0.3:
                other = rng.choice(methods)
                if other != m:
                    effects[other] = rng.choice([-1, 1]) * rng.randint(1, 5)
            rules.append({
                "id": f"gen-{m.replace('_', '-')}-{k}",
                "summary": f"Generated rule {k} for {m}.",
                "why": f"Generated for the many-rules benchmark ({m}, {k}).",
                "source": "benchmarks/make_rules.py",
                "when": condition(rng),
                "effects": effects,
            })
    return rules


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--per-method", type=int, default=300)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    out: Path = args.out
    (out / "scoring").mkdir(parents=True, exist_ok=True)
    for name in ("questions.yaml", "methods.yaml", "countries.yaml"):
        shutil.copyfile(DEFAULT_RULES / name, out / name)
    methods = [m["id"] for m in yaml.safe_load((DEFAULT_RULES / "methods.yaml").read_text(encoding="utf-8"))["methods"]]
    rules = make_rules(methods, args.per_method, rng)
    for m in methods:  # one file per method, as a team splitting its rules would
        mine = [r for r in rules if r["id"].startswith(f"gen-{m.replace('_', '-')}-")]
        text = yaml.safe_dump({"rules": mine}, sort_keys=False, allow_unicode=True, width=120)
        (out / "scoring" / f"{m}.yaml").write_text(text, encoding="utf-8")
    print(f"{len(rules)} rules for {len(methods)} methods in {out}")


if __name__ == "__main__":
    main()
