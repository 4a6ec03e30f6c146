"""The Python package: compile, evaluate dicts and text, errors with the
CLI's diagnostics, and Arrow batches evaluated row by row, each checked
against the `refuge` command line on the same case."""

import json
import os
import pathlib
import subprocess

import pyarrow as pa
import pytest

import refuge

ROOT = pathlib.Path(__file__).resolve().parents[2]
CLI = os.environ.get("REFUGE_BIN", str(ROOT / "target" / "debug" / "refuge"))


def cli_json(path, *args):
    out = subprocess.run([CLI, "eval", str(path), "--format", "json", *args], capture_output=True, text=True)
    assert out.returncode in (0, 2), out.stderr
    return json.loads(out.stdout)


@pytest.fixture(scope="module")
def policy():
    return refuge.compile()


def test_the_builtin_policies_compile_and_describe_themselves(policy):
    assert len(policy.digest) == 16
    assert "rok_protection" in policy.verdicts
    facts = {f["path"]: f for f in policy.facts()}
    assert facts["defector.nk_ties"]["kind"] == "bool"
    assert "overseas_mission" in facts["defector.application"]["variants"]
    schema = policy.case_schema()
    assert schema["$schema"].endswith("2020-12/schema")
    assert "defector" in schema["properties"]["facts"]["properties"]


def test_a_policy_directory_compiles_too():
    policy = refuge.compile(str(ROOT / "policies"))
    assert policy.digest == refuge.compile().digest


@pytest.mark.parametrize("name", sorted(p.name for p in (ROOT / "examples").iterdir() if p.suffix in (".json", ".yaml", ".toml")))
def test_every_example_evaluates_as_the_cli_does(policy, name):
    path = ROOT / "examples" / name
    fmt = {".json": "json", ".yaml": "yaml", ".toml": "toml"}[path.suffix]
    text = path.read_text()
    assert policy.evaluate(text, case_format=fmt) == cli_json(path)
    if fmt == "json":
        assert policy.evaluate(json.loads(text)) == cli_json(path)


def test_options_and_renderings_match_the_cli(policy):
    path = ROOT / "examples" / "defector.json"
    case = json.loads(path.read_text())
    got = policy.evaluate(case, verdicts=["rok_protection"], as_of="2010-05-01")
    assert got == cli_json(path, "--verdict", "rok_protection", "--as-of", "2010-05-01")
    memo = policy.evaluate(case, format="markdown")
    out = subprocess.run([CLI, "eval", str(path), "--format", "markdown"], capture_output=True, text=True)
    assert memo + "\n" == out.stdout


def test_a_case_that_does_not_load_raises_case_error_with_the_clis_diagnostics(policy):
    bad = ROOT / "tests" / "malformed" / "case_json_unknown_fact.json"
    with pytest.raises(refuge.CaseError) as info:
        policy.evaluate(bad.read_text())
    out = subprocess.run([CLI, "eval", "--error-format", "json", str(bad)], capture_output=True, text=True)
    cli = [json.loads(line) for line in out.stderr.splitlines() if line.startswith("{")]
    strip = lambda ds: [{k: v for k, v in d.items() if k != "filename"} for d in ds]
    assert strip(info.value.diagnostics) == strip(cli)
    assert info.value.diagnostics[0]["code"] == "refuge::case::unknown_fact"
    assert isinstance(info.value, refuge.RefugeError) and isinstance(info.value, ValueError)


def test_an_unknown_verdict_and_a_bad_date_are_case_errors(policy):
    with pytest.raises(refuge.CaseError, match="did you mean `rok_protection`"):
        policy.evaluate({"as_of": "2003-01-15"}, verdicts=["rok_protections"])
    with pytest.raises(refuge.CaseError, match="not a date"):
        policy.evaluate({}, as_of="2003-02-30")


def test_a_case_without_a_date_is_an_eval_error(policy):
    with pytest.raises(refuge.EvalError) as info:
        policy.evaluate({"facts": {"defector": {"nk_ties": True}}})
    assert info.value.diagnostics[0]["code"] == "refuge::eval::no_date"


def test_policies_with_errors_raise_policy_error():
    bad = ROOT / "tests" / "fixtures" / "check" / "02_misspelled_keyword.policy"
    with pytest.raises(refuge.PolicyError) as info:
        refuge.compile(str(bad))
    assert info.value.diagnostics[0]["code"] == "refuge::parse::syntax"
    assert "defualt" in str(info.value)
    with pytest.raises(refuge.PolicyError):
        refuge.compile("/nonexistent/policies")


def corpus_rows(policy, files):
    """The cases as table rows: one column per fact path, plus as_of."""
    facts = {f["path"]: f for f in policy.facts()}
    rows = []
    for path in files:
        case = json.loads(path.read_text())
        row = {"as_of": case.get("as_of")}
        def walk(prefix, obj, section):
            for k, v in obj.items():
                p = f"{prefix}{k}"
                if isinstance(v, dict) and p not in facts:
                    walk(p + ".", v, section)
                else:
                    row[p] = v
        walk("", case.get("facts") or {}, "facts")
        walk("", case.get("settings") or {}, "settings")
        rows.append((path, case, row))
    return facts, rows


def arrow_type(fact):
    return {"bool": pa.bool_(), "integer": pa.int64(), "set": pa.list_(pa.string())}.get(fact["kind"], pa.string())


def test_an_arrow_table_of_corpus_cases_gives_the_clis_outcomes(policy):
    # Cases without discretions or asked verdicts (a table has no such columns).
    files = []
    for p in sorted((ROOT / "tests" / "cases").glob("*.json")) + sorted((ROOT / "examples").glob("*.json")):
        case = json.loads(p.read_text())
        if not case.get("discretions") and not case.get("verdicts") and case.get("as_of"):
            files.append(p)
    assert len(files) > 50
    facts, rows = corpus_rows(policy, files)
    columns = sorted({k for _, _, r in rows for k in r if k != "as_of"})
    arrays = {c: pa.array([r.get(c) for _, _, r in rows], type=arrow_type(facts[c])) for c in columns}
    arrays["as_of"] = pa.array([__import__("datetime").date.fromisoformat(r["as_of"]) for _, _, r in rows], type=pa.date32())
    table = pa.table(arrays)
    out = policy.evaluate_arrow(table)
    assert isinstance(out, pa.RecordBatch)
    assert out.num_rows == len(files)
    assert out.schema.names == policy.verdicts
    result = out.to_pylist()
    for (path, _, _), got in zip(rows, result):
        expected = cli_json(path)
        for name, v in expected["verdicts"].items():
            outcome = v["outcome"]
            want = outcome.get("value") if outcome["status"] != "undetermined" else None
            value = got[name]
            if isinstance(value, __import__("datetime").date):
                value = value.isoformat()
            assert value == want, f"{path.name}: {name}"


def test_columns_are_typed_per_the_schema_and_bad_cells_are_named(policy):
    batch = pa.record_batch({
        "as_of": pa.array(["2003-01-15", "2003-01-15"]),
        "defector.nk_ties": pa.array([True, None]),
        "defector.application": pa.array(["overseas_mission", "overseas_missions"]),
    })
    with pytest.raises(refuge.CaseError, match="row 1"):
        policy.evaluate_arrow(batch, verdicts=["rok_application_route"])
    out = policy.evaluate_arrow(batch, verdicts=["rok_application_route", "rok_covered"], errors="column")
    assert out.schema.names == ["rok_application_route", "rok_covered", "error"]
    rows = out.to_pylist()
    assert rows[0] == {"rok_application_route": "art7_overseas_mission", "rok_covered": None, "error": None}
    assert rows[1]["rok_application_route"] is None and "overseas_missions" in rows[1]["error"]
    assert out.schema.field("rok_covered").type == pa.bool_()
    with pytest.raises(refuge.CaseError, match="did you mean `defector.nk_ties`"):
        policy.evaluate_arrow(pa.record_batch({"defector.nk_tie": pa.array([True])}))
    with pytest.raises(refuge.CaseError, match="bool"):
        policy.evaluate_arrow(pa.record_batch({"as_of": pa.array(["2003-01-15"]), "defector.nk_ties": pa.array(["yes"])}))


def test_a_polars_frame_goes_in_through_the_arrow_stream_interface(policy):
    pl = pytest.importorskip("polars")
    frame = pl.DataFrame({
        "as_of": ["2003-01-15"] * 3,
        "defector.application": ["overseas_mission", "other_admin_agency", None],
    })
    out = policy.evaluate_arrow(frame, verdicts=["rok_application_route"])
    assert out.num_rows == 3
    for application, got in zip(frame["defector.application"], out.column(0).to_pylist()):
        case = {"as_of": "2003-01-15", "facts": {"defector": {"application": application}}}
        verdict = policy.evaluate(case, verdicts=["rok_application_route"])["verdicts"]["rok_application_route"]["outcome"]
        assert got == verdict.get("value"), application
    assert out.column(0).to_pylist()[0] == "art7_overseas_mission"
