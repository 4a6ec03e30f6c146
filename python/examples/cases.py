"""Synthetic cases for the scale-out examples, and their check against the
`refuge` command line.

`generate(policy, n, seed)` draws `n` cases as a pyarrow Table, one column per
fact of the policy set (named by fact path, typed per the schema) plus
`as_of`; every value is drawn from the fact's own type (enum values from its
variants), and about one value in ten is left out, so that some verdicts are
undetermined. Settings keep their defaults.

`check_against_cli(table, outcomes, sample, refuge_bin)` writes a sample of
rows as case files (one JSON line each), evaluates them with
`refuge eval CASES.jsonl` (the CLI's batch mode) and asserts that every
verdict of every sampled row has the same outcome, or the same failure.
"""

import datetime
import json
import random
import subprocess
import tempfile

import pyarrow as pa

START = datetime.date(1997, 1, 14)  # the Act's entry into force
DAYS = (datetime.date(2025, 12, 31) - START).days


def _value(fact, rng):
    kind = fact["kind"]
    if kind == "bool":
        return rng.random() < 0.5
    if kind == "enum":
        return rng.choice(fact["variants"])
    if kind == "set":
        return rng.sample(fact["variants"], k=rng.choice([0, 0, 1, 1, 2]))
    if kind == "integer":
        return rng.randint(0, 80)
    if kind == "money":
        return f"KRW {rng.randrange(0, 60_000_000, 1000)}"
    if kind == "date":
        return (START + datetime.timedelta(days=rng.randrange(DAYS))).isoformat()
    if kind == "duration":
        return f"{rng.randint(0, 15)} years"
    if kind == "decimal":
        return f"{rng.randint(0, 100) / 100}"
    return "synthetic"


def _arrow_type(fact):
    return {"bool": pa.bool_(), "integer": pa.int64(), "set": pa.list_(pa.string())}.get(fact["kind"], pa.string())


def generate(policy, n, seed=2026):
    rng = random.Random(seed)
    facts = [f for f in policy.facts() if not f["setting"]]
    columns = {f["path"]: [] for f in facts}
    as_of = []
    for _ in range(n):
        as_of.append(START + datetime.timedelta(days=rng.randrange(DAYS)))
        for f in facts:
            columns[f["path"]].append(None if rng.random() < 0.1 else _value(f, rng))
    arrays = {"as_of": pa.array(as_of, type=pa.date32())}
    for f in facts:
        arrays[f["path"]] = pa.array(columns[f["path"]], type=_arrow_type(f))
    return pa.table(arrays)


def _case_of(row):
    """A table row as a case file (dotted paths become nested objects)."""
    facts = {}
    for path, value in row.items():
        if path == "as_of" or value is None:
            continue
        node = facts
        *parents, leaf = path.split(".")
        for p in parents:
            node = node.setdefault(p, {})
        node[leaf] = value
    return {"as_of": row["as_of"].isoformat(), "facts": facts}


def check_against_cli(table, outcomes, sample, refuge_bin, seed=7):
    """Asserts that `sample` random rows of `outcomes` (one column per verdict,
    plus `error`) are what `refuge eval` gives for the same cases."""
    rng = random.Random(seed)
    rows = sorted(rng.sample(range(table.num_rows), min(sample, table.num_rows)))
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as f:
        for i in rows:
            row = {k: v[0] for k, v in table.slice(i, 1).to_pydict().items()}
            f.write(json.dumps(_case_of(row)) + "\n")
        path = f.name
    out = subprocess.run([refuge_bin, "eval", path], capture_output=True, text=True)
    assert out.returncode in (0, 2, 4, 5), out.stderr
    lines = [json.loads(line) for line in out.stdout.splitlines()]
    assert len(lines) == len(rows), (len(lines), len(rows))
    names = [n for n in outcomes.schema.names if n != "error"]
    checked = 0
    for i, cli in zip(rows, lines):
        got = {k: v[0] for k, v in outcomes.slice(i, 1).to_pydict().items()}
        if "error" in cli:
            assert got.get("error"), f"row {i}: the CLI fails ({cli['error']}), refuge.evaluate_arrow does not"
            continue
        assert not got.get("error"), f"row {i}: {got.get('error')}"
        by_name = {name: v["outcome"] for name, v in cli["verdicts"].items()}
        for name in names:
            want = by_name[name].get("value") if by_name[name]["status"] != "undetermined" else None
            value = got[name]
            if isinstance(value, datetime.date):
                value = value.isoformat()
            assert value == want, f"row {i}, {name}: {value!r} != CLI {want!r}"
            checked += 1
    return len(rows), checked
