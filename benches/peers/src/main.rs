//! refuge beside its peers on one toy statute (`benches/data/toy.policy`):
//!
//! - protected ⇔ defected ∧ applied ∧ no listed conviction (hijacking, drug
//!   trafficking, terrorism, genocide) ∧ fewer than 10 years abroad;
//! - no_return ⇔ risk of torture (absolute).
//!
//! The same 4,096 cases, drawn from a seeded xorshift generator, go through
//! refuge (values path, explained path, and JSON text in → JSON verdict out),
//! Cedar (`cedar-policy`'s authorizer), regorus (its interpreter and its RVM)
//! and a hand-written typed floor (a struct and a function; and for JSON,
//! serde_json into a typed struct, the function, serde_json out). Every engine
//! must agree with the floor on both verdicts of every case before anything
//! is timed; a disagreement stops the run with the case that shows it.
//!
//! Timing: one warm-up pass over the 4,096 cases, then passes until the
//! row's time is spent (at least 5); the table gives the median pass (and
//! the best) per case. Not criterion: the point is one table with ratios between engines, and
//! criterion's results cannot be read back by the program that ran them
//! (they go to its report files), while its per-benchmark warm-up and
//! analysis would triple the run for figures a median of passes already
//! gives to a few percent.
//!
//! `cargo run --release -p refuge-peers [-- SECONDS_PER_ROW]` (default 2).

use refuge::batch::{Batch, Output, Status, Worker};
use refuge::case::{Case, CaseFormat};
use refuge::eval::{Derivation, Engine, Scratch};
use refuge::ir::{DefId, EnumId, FactId, Program};
use refuge::source::SourceMap;
use refuge::value::Value;
use serde::{Deserialize, Serialize};
use std::hint::black_box;
use std::process::ExitCode;
use std::str::FromStr;
use std::time::{Duration, Instant};

/// How many cases every engine evaluates.
const CASES: usize = 4096;
/// The generator's seed: the same cases on every run.
const SEED: u64 = 0x5EED_2F06_E1A1_0001;
/// The date the law is applied as of (the toy statute has no dated rules).
const AS_OF: &str = "2024-06-01";

/// The crimes of the toy statute's `Crime` enum, in declaration order, and
/// whether a conviction for each excludes protection.
const CRIMES: [(&str, bool); 5] = [
    ("hijacking", true),
    ("drug_trafficking", true),
    ("terrorism", true),
    ("genocide", true),
    ("theft", false),
];

/// The statute, for refuge.
const TOY_POLICY: &str = include_str!("../../data/toy.policy");

/// The statute, for Cedar: deny by default, a permit per rule, a forbid per
/// exception (a forbid overrides any permit, as the exceptions override
/// `granted`).
const TOY_CEDAR: &str = r#"
permit (principal, action == Action::"protect", resource)
when { context.defected && context.applied };

forbid (principal, action == Action::"protect", resource)
when { context.convictions.containsAny(["hijacking", "drug_trafficking", "terrorism", "genocide"]) };

forbid (principal, action == Action::"protect", resource)
when { context.years_abroad >= 10 };

permit (principal, action == Action::"no_return", resource)
when { context.torture_risk };
"#;

/// The statute, for regorus: both verdicts as one object, so one evaluation
/// gives both, as one refuge evaluation does.
const TOY_REGO: &str = r#"
package toy

import rego.v1

listed := {"hijacking", "drug_trafficking", "terrorism", "genocide"}

default protected := false

protected if {
	input.defected
	input.applied
	not listed_conviction
	input.years_abroad < 10
}

listed_conviction if {
	some crime in input.convictions
	crime in listed
}

default no_return := false

no_return if input.torture_risk

verdicts := {"protected": protected, "no_return": no_return}
"#;

/// The rule regorus evaluates.
const REGO_RULE: &str = "data.toy.verdicts";

/// The two verdicts of a case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Verdicts {
    protected: bool,
    no_return: bool,
}

/// One case, typed: the floor's input.
#[derive(Clone, Copy, Debug)]
struct Facts {
    defected: bool,
    applied: bool,
    /// Convictions as a bit set over [`CRIMES`].
    convictions: u8,
    years_abroad: i64,
    torture_risk: bool,
}

/// [`CRIMES`]' listed ones as a bit set.
const LISTED: u8 = 0b0_1111;

/// The floor: the statute as a hand-written function.
#[inline]
fn floor(f: &Facts) -> Verdicts {
    Verdicts {
        protected: f.defected && f.applied && f.convictions & LISTED == 0 && f.years_abroad < 10,
        no_return: f.torture_risk,
    }
}

/// A crime as a case file writes it.
#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Crime {
    Hijacking,
    DrugTrafficking,
    Terrorism,
    Genocide,
    Theft,
}

/// A case file, typed: the JSON floor's input.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseFile {
    #[allow(
        dead_code,
        reason = "parsed as refuge parses it; the statute has no dated rule"
    )]
    as_of: jiff::civil::Date,
    facts: CaseFacts,
}

/// The facts of a case file, typed.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseFacts {
    defected: bool,
    applied: bool,
    convictions: Vec<Crime>,
    years_abroad: i64,
    torture_risk: bool,
}

impl CaseFacts {
    fn typed(&self) -> Facts {
        Facts {
            defected: self.defected,
            applied: self.applied,
            convictions: self
                .convictions
                .iter()
                .fold(0, |bits, &crime| bits | 1 << crime as u8),
            years_abroad: self.years_abroad,
            torture_risk: self.torture_risk,
        }
    }
}

/// The JSON floor: case text in, verdict line out.
fn floor_json(text: &str, out: &mut Vec<u8>) -> Result<(), serde_json::Error> {
    let case: CaseFile = serde_json::from_str(text)?;
    serde_json::to_writer(&mut *out, &floor(&case.facts.typed()))?;
    out.push(b'\n');
    Ok(())
}

/// xorshift64* (Vigna): small, seeded, good enough to draw test cases.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// True with probability `num / den`.
    fn chance(&mut self, num: u64, den: u64) -> bool {
        self.next() % den < num
    }
}

/// Draws the cases: mostly defectors who applied (so the exceptions matter),
/// each crime with probability 1/8, 0–19 years abroad, torture risk even.
fn cases() -> Vec<Facts> {
    let mut rng = XorShift(SEED);
    (0..CASES)
        .map(|_| {
            let defected = rng.chance(3, 4);
            let applied = rng.chance(3, 4);
            let convictions = (0..CRIMES.len()).fold(0u8, |bits, i| {
                if rng.chance(1, 8) {
                    bits | 1 << i
                } else {
                    bits
                }
            });
            Facts {
                defected,
                applied,
                convictions,
                years_abroad: (rng.next() % 20) as i64,
                torture_risk: rng.chance(1, 2),
            }
        })
        .collect()
}

/// The names of a case's convictions.
fn conviction_names(f: &Facts) -> impl Iterator<Item = &'static str> + '_ {
    CRIMES
        .iter()
        .enumerate()
        .filter(|&(i, _)| f.convictions & 1 << i != 0)
        .map(|(_, &(name, _))| name)
}

/// A case as a refuge case file (one line).
fn case_text(f: &Facts) -> String {
    let convictions: Vec<&str> = conviction_names(f).collect();
    serde_json::json!({
        "as_of": AS_OF,
        "facts": {
            "defected": f.defected,
            "applied": f.applied,
            "convictions": convictions,
            "years_abroad": f.years_abroad,
            "torture_risk": f.torture_risk,
        }
    })
    .to_string()
}

/// A failure that stops the run.
type Fail = String;

/// refuge's side: the compiled program and the ids the cases need.
struct Refuge {
    program: Program,
    facts: [FactId; 5],
    crime: EnumId,
    protected: DefId,
    no_return: DefId,
}

impl Refuge {
    fn compile() -> Result<Refuge, Fail> {
        let mut sources = SourceMap::new();
        sources.add("toy.policy", TOY_POLICY);
        let program = refuge::compile(&sources)
            .map_err(|d| format!("toy.policy does not compile: {d:?}"))?
            .program;
        let fact = |path: &str| {
            program
                .facts
                .iter()
                .position(|f| f.path == path)
                .and_then(|i| u32::try_from(i).ok())
                .map(FactId)
                .ok_or_else(|| format!("toy.policy has no fact `{path}`"))
        };
        let facts = [
            fact("defected")?,
            fact("applied")?,
            fact("convictions")?,
            fact("years_abroad")?,
            fact("torture_risk")?,
        ];
        let crime = program
            .enums
            .iter()
            .position(|e| e.name == "Crime")
            .and_then(|i| u32::try_from(i).ok())
            .map(EnumId)
            .ok_or("toy.policy has no enum `Crime`")?;
        // The bit set below assumes the enum's variants are CRIMES, in order.
        let variants: Vec<&str> = program
            .enums
            .get(crime.index())
            .map(|e| e.variants.iter().map(|(n, _)| n.as_str()).collect())
            .unwrap_or_default();
        let expected: Vec<&str> = CRIMES.iter().map(|&(n, _)| n).collect();
        if variants != expected {
            return Err(format!(
                "toy.policy's Crime is {variants:?}, the peers assume {expected:?}"
            ));
        }
        let verdict = |name: &str| {
            program
                .definition(name)
                .ok_or_else(|| format!("toy.policy has no verdict `{name}`"))
        };
        let protected = verdict("protected")?;
        let no_return = verdict("no_return")?;
        Ok(Refuge {
            facts,
            crime,
            protected,
            no_return,
            program,
        })
    }

    fn case(&self, f: &Facts) -> Case {
        let mut case = Case::new(&self.program);
        let [defected, applied, convictions, years_abroad, torture_risk] = self.facts;
        case.set_fact(defected, Value::Bool(f.defected));
        case.set_fact(applied, Value::Bool(f.applied));
        case.set_fact(
            convictions,
            Value::Set(self.crime, u128::from(f.convictions)),
        );
        case.set_fact(years_abroad, Value::Integer(f.years_abroad));
        case.set_fact(torture_risk, Value::Bool(f.torture_risk));
        case
    }
}

/// Both verdicts from refuge's values (in the order the options ask).
fn from_values(values: &[Option<Value>]) -> Option<Verdicts> {
    match values {
        [Some(Value::Bool(protected)), Some(Value::Bool(no_return))] => Some(Verdicts {
            protected: *protected,
            no_return: *no_return,
        }),
        _ => None,
    }
}

/// Both verdicts from a regorus result object.
fn from_rego(value: &regorus::Value) -> Option<Verdicts> {
    Some(Verdicts {
        protected: *value["protected"].as_bool().ok()?,
        no_return: *value["no_return"].as_bool().ok()?,
    })
}

/// Cedar's side: the policies and, per case, the two requests.
struct Cedar {
    authorizer: cedar_policy::Authorizer,
    policies: cedar_policy::PolicySet,
    entities: cedar_policy::Entities,
    requests: Vec<[cedar_policy::Request; 2]>,
}

impl Cedar {
    fn new(cases: &[Facts]) -> Result<Cedar, Fail> {
        use cedar_policy::{Context, EntityUid, Request, RestrictedExpression as E};
        let uid = |s: &str| EntityUid::from_str(s).map_err(|e| format!("Cedar uid {s}: {e}"));
        let principal = uid(r#"Person::"applicant""#)?;
        let resource = uid(r#"State::"ROK""#)?;
        let protect = uid(r#"Action::"protect""#)?;
        let no_return = uid(r#"Action::"no_return""#)?;
        let requests = cases
            .iter()
            .map(|f| {
                let context = Context::from_pairs([
                    ("defected".to_string(), E::new_bool(f.defected)),
                    ("applied".to_string(), E::new_bool(f.applied)),
                    (
                        "convictions".to_string(),
                        E::new_set(conviction_names(f).map(|c| E::new_string(c.to_string()))),
                    ),
                    ("years_abroad".to_string(), E::new_long(f.years_abroad)),
                    ("torture_risk".to_string(), E::new_bool(f.torture_risk)),
                ])
                .map_err(|e| format!("Cedar context: {e}"))?;
                let request = |action: &EntityUid| {
                    Request::new(
                        principal.clone(),
                        action.clone(),
                        resource.clone(),
                        context.clone(),
                        None,
                    )
                    .map_err(|e| format!("Cedar request: {e}"))
                };
                Ok([request(&protect)?, request(&no_return)?])
            })
            .collect::<Result<_, Fail>>()?;
        Ok(Cedar {
            authorizer: cedar_policy::Authorizer::new(),
            policies: cedar_policy::PolicySet::from_str(TOY_CEDAR)
                .map_err(|e| format!("Cedar policies: {e}"))?,
            entities: cedar_policy::Entities::empty(),
            requests,
        })
    }

    #[inline]
    fn evaluate(&self, [protect, no_return]: &[cedar_policy::Request; 2]) -> Verdicts {
        let allowed = |r| {
            self.authorizer
                .is_authorized(r, &self.policies, &self.entities)
                .decision()
                == cedar_policy::Decision::Allow
        };
        Verdicts {
            protected: allowed(protect),
            no_return: allowed(no_return),
        }
    }
}

/// One timed row.
struct Row {
    name: &'static str,
    median: f64,
    best: f64,
    passes: usize,
}

/// Times `pass` (one pass over every case, returning a checksum): one
/// warm-up pass, then passes until `budget` is spent (at least 5); the
/// median and best pass, per case.
fn measure(
    name: &'static str,
    budget: Duration,
    mut pass: impl FnMut() -> Result<u64, Fail>,
) -> Result<Row, Fail> {
    black_box(pass()?);
    let mut times = Vec::new();
    let start = Instant::now();
    while times.len() < 5 || start.elapsed() < budget {
        let t = Instant::now();
        black_box(pass()?);
        times.push(t.elapsed().as_secs_f64() * 1e9 / CASES as f64);
    }
    times.sort_by(f64::total_cmp);
    let median = times.get(times.len() / 2).copied().unwrap_or(f64::NAN);
    let best = times.first().copied().unwrap_or(f64::NAN);
    eprintln!("  {name}: {median:.1} ns/case ({} passes)", times.len());
    Ok(Row {
        name,
        median,
        best,
        passes: times.len(),
    })
}

/// A disagreement with the floor on case `i`.
fn disagree(engine: &str, i: usize, f: &Facts, got: impl std::fmt::Debug) -> Fail {
    format!(
        "{engine} disagrees with the floor on case {i} ({f:?}): it says {got:?}, the floor {:?}",
        floor(f)
    )
}

fn run() -> Result<(), Fail> {
    let seconds = match std::env::args().nth(1) {
        Some(s) => s
            .parse::<f64>()
            .ok()
            .filter(|s| s.is_finite() && *s > 0.0)
            .ok_or_else(|| format!("seconds per row: a positive number, not `{s}`"))?,
        None => 2.0,
    };
    let budget = Duration::from_secs_f64(seconds);
    let as_of = jiff::civil::Date::from_str(AS_OF).map_err(|e| e.to_string())?;

    // The cases, and each engine's form of them, built outside any timing.
    let facts = cases();
    let texts: Vec<String> = facts.iter().map(case_text).collect();
    let expected: Vec<Verdicts> = facts.iter().map(floor).collect();

    let toy = Refuge::compile()?;
    let engine = Engine::new(&toy.program);
    let options = engine
        .options(Some(as_of), &["protected", "no_return"])
        .map_err(|e| e.to_string())?;
    let refuge_cases: Vec<Case> = facts.iter().map(|f| toy.case(f)).collect();
    let batch = Batch::new(engine.clone(), options.clone(), Output::Values);

    let cedar = Cedar::new(&facts)?;

    let rego_inputs: Vec<regorus::Value> = texts
        .iter()
        .map(|t| {
            let facts = serde_json::from_str::<serde_json::Value>(t)
                .ok()
                .and_then(|v| v.get("facts").map(ToString::to_string))
                .unwrap_or_default();
            regorus::Value::from_json_str(&facts).map_err(|e| format!("regorus input: {e}"))
        })
        .collect::<Result<_, _>>()?;
    let mut rego = regorus::Engine::new();
    rego.add_policy("toy.rego".to_string(), TOY_REGO.to_string())
        .map_err(|e| format!("regorus policy: {e}"))?;
    let compiled = rego
        .compile_with_entrypoint(&REGO_RULE.into())
        .map_err(|e| format!("regorus compile: {e}"))?;
    let rvm_program =
        regorus::languages::rego::compiler::Compiler::compile_from_policy(&compiled, &[REGO_RULE])
            .map_err(|e| format!("regorus RVM compile: {e}"))?;
    let mut vm = regorus::rvm::RegoVM::new();
    vm.load_program(rvm_program);

    // What the cases exercise: each condition must be what alone decides
    // some case (a peer that wrote `or` for `and`, left a crime off the list
    // or put the boundary at 9 or 11 years disagrees with the floor on one).
    let count = |p: &dyn Fn(&Facts) -> bool| facts.iter().filter(|f| p(f)).count();
    let granted = |f: &Facts| f.defected && f.applied;
    let clean = |f: &Facts| f.convictions & LISTED == 0;
    let mut mix = vec![
        ("protected".to_string(), count(&|f| floor(f).protected)),
        ("no_return".to_string(), count(&|f| f.torture_risk)),
        (
            "defected, not applied".to_string(),
            count(&|f| f.defected && !f.applied),
        ),
        (
            "applied, not defected".to_string(),
            count(&|f| !f.defected && f.applied),
        ),
        (
            "granted, no listed crime, 9 years abroad".to_string(),
            count(&|f| granted(f) && clean(f) && f.years_abroad == 9),
        ),
        (
            "granted, no listed crime, 10 years abroad".to_string(),
            count(&|f| granted(f) && clean(f) && f.years_abroad == 10),
        ),
    ];
    for (bit, (crime, _)) in CRIMES.iter().enumerate() {
        mix.push((
            format!("granted, under 10 years, convicted of {crime} alone"),
            count(&|f| granted(f) && f.years_abroad < 10 && f.convictions == 1 << bit),
        ));
    }
    for (what, n) in &mix {
        if *n == 0 {
            return Err(format!(
                "no case is `{what}`: the cases do not exercise the statute"
            ));
        }
    }

    // Every engine agrees with the floor on every case, before any timing.
    let mut scratch = Scratch::new();
    let mut values = Vec::new();
    let mut graph = Some(Derivation::new());
    let mut worker = Worker::new();
    let mut line = Vec::new();
    for (i, ((f, want), (case, text))) in facts
        .iter()
        .zip(&expected)
        .zip(refuge_cases.iter().zip(&texts))
        .enumerate()
    {
        engine
            .values_with(case, &options, &mut scratch, &mut values)
            .map_err(|e| format!("refuge values, case {i}: {e}"))?;
        let got = from_values(&values);
        if got != Some(*want) {
            return Err(disagree("refuge (values)", i, f, got));
        }

        let evaluation = engine
            .evaluate_with(case, &options, graph.take().unwrap_or_default())
            .map_err(|e| format!("refuge explained, case {i}: {e}"))?;
        let got = match (
            evaluation.value(toy.protected),
            evaluation.value(toy.no_return),
        ) {
            (Some(Value::Bool(p)), Some(Value::Bool(n))) => Some(Verdicts {
                protected: *p,
                no_return: *n,
            }),
            _ => None,
        };
        graph = Some(evaluation.into_derivation());
        if got != Some(*want) {
            return Err(disagree("refuge (explained)", i, f, got));
        }

        line.clear();
        let status = batch.evaluate_text(
            &mut worker,
            i + 1,
            "case",
            text,
            CaseFormat::Json,
            &mut line,
        );
        let got = serde_json::from_slice::<Verdicts>(&line).ok();
        if status != Status::Decided || got != Some(*want) {
            return Err(disagree(
                "refuge (JSON)",
                i,
                f,
                String::from_utf8_lossy(&line),
            ));
        }

        line.clear();
        floor_json(text, &mut line).map_err(|e| format!("floor JSON, case {i}: {e}"))?;
        let got = serde_json::from_slice::<Verdicts>(&line).ok();
        if got != Some(*want) {
            return Err(disagree(
                "floor (JSON)",
                i,
                f,
                String::from_utf8_lossy(&line),
            ));
        }

        let got = cedar.requests.get(i).map(|r| cedar.evaluate(r));
        if got != Some(*want) {
            return Err(disagree("Cedar", i, f, got));
        }

        let input = rego_inputs
            .get(i)
            .cloned()
            .ok_or_else(|| format!("regorus input: no case {i}"))?;
        rego.set_input(input.clone());
        let result = rego
            .eval_rule(REGO_RULE.to_string())
            .map_err(|e| format!("regorus interpreter, case {i}: {e}"))?;
        let got = from_rego(&result);
        if got != Some(*want) {
            return Err(disagree("regorus interpreter", i, f, result));
        }

        vm.set_input(input);
        let result = vm
            .execute()
            .map_err(|e| format!("regorus RVM, case {i}: {e}"))?;
        let got = from_rego(&result);
        if got != Some(*want) {
            return Err(disagree("regorus RVM", i, f, result));
        }
    }
    eprintln!(
        "all engines agree with the floor on both verdicts of all {CASES} cases, among them:"
    );
    for (what, n) in &mix {
        eprintln!("  {n:>5}  {what}");
    }
    eprintln!("timing, {seconds} s per row…");

    // A pass's checksum: the verdicts that came out true.
    let tally = |v: Verdicts| u64::from(v.protected) + u64::from(v.no_return);
    let mut rows = Vec::new();
    rows.push(measure("floor: typed struct + fn", budget, || {
        Ok(facts.iter().map(|f| tally(floor(black_box(f)))).sum())
    })?);
    rows.push(measure("refuge: values", budget, || {
        let mut sum = 0;
        for case in &refuge_cases {
            engine
                .values_with(black_box(case), &options, &mut scratch, &mut values)
                .map_err(|e| e.to_string())?;
            sum += from_values(&values).map_or(0, tally);
        }
        Ok(sum)
    })?);
    rows.push(measure("refuge: explained (graph reused)", budget, || {
        let mut sum = 0;
        for case in &refuge_cases {
            let evaluation = engine
                .evaluate_with(black_box(case), &options, graph.take().unwrap_or_default())
                .map_err(|e| e.to_string())?;
            sum += u64::from(evaluation.value(toy.protected) == Some(&Value::Bool(true)));
            graph = Some(evaluation.into_derivation());
        }
        Ok(sum)
    })?);
    rows.push(measure(
        "Cedar 4.14.1: authorizer, 2 requests",
        budget,
        || {
            Ok(cedar
                .requests
                .iter()
                .map(|r| tally(cedar.evaluate(black_box(r))))
                .sum())
        },
    )?);
    rows.push(measure("regorus 0.14.1: interpreter", budget, || {
        let mut sum = 0;
        for input in &rego_inputs {
            rego.set_input(black_box(input.clone()));
            let result = rego
                .eval_rule(REGO_RULE.to_string())
                .map_err(|e| e.to_string())?;
            sum += from_rego(&result).map_or(0, tally);
        }
        Ok(sum)
    })?);
    rows.push(measure("regorus 0.14.1: RVM", budget, || {
        let mut sum = 0;
        for input in &rego_inputs {
            vm.set_input(black_box(input.clone()));
            let result = vm.execute().map_err(|e| e.to_string())?;
            sum += from_rego(&result).map_or(0, tally);
        }
        Ok(sum)
    })?);
    let json_rows = rows.len();
    rows.push(measure(
        "floor JSON: serde_json in + fn + out",
        budget,
        || {
            let mut n = 0;
            for text in &texts {
                line.clear();
                floor_json(black_box(text), &mut line).map_err(|e| e.to_string())?;
                n += line.len() as u64;
            }
            Ok(n)
        },
    )?);
    rows.push(measure(
        "refuge JSON: Batch, --output values",
        budget,
        || {
            let mut n = 0;
            for (i, text) in texts.iter().enumerate() {
                line.clear();
                batch.evaluate_text(
                    &mut worker,
                    i + 1,
                    "case",
                    black_box(text),
                    CaseFormat::Json,
                    &mut line,
                );
                n += line.len() as u64;
            }
            Ok(n)
        },
    )?);

    print_table(&rows, json_rows);
    Ok(())
}

/// The table: evaluation rows against the floor and refuge's values path;
/// the JSON rows against the JSON floor and refuge's JSON path.
fn print_table(rows: &[Row], json_rows: usize) {
    let (eval, json) = rows.split_at(json_rows.min(rows.len()));
    let find = |rows: &[Row], prefix: &str| {
        rows.iter()
            .find(|r| r.name.starts_with(prefix))
            .map_or(f64::NAN, |r| r.median)
    };
    let values = find(eval, "refuge: values");
    println!(
        "\ntoy statute, {CASES} seeded cases (seed {SEED:#x}), {}; ns per case: median and best pass",
        machine()
    );
    println!(
        "\n| {:<38} | {:>9} | {:>9} | {:>6} | {:>15} | {:>11} |",
        "engine / path", "median ns", "best ns", "passes", "× refuge values", "× its floor"
    );
    println!(
        "|{:-<40}|{:->11}|{:->11}|{:->8}|{:->17}|{:->13}|",
        "", ":", ":", ":", ":", ":"
    );
    for (group, floor) in [
        (eval, find(eval, "floor")),
        (json, find(json, "floor JSON")),
    ] {
        for r in group {
            println!(
                "| {:<38} | {:>9.1} | {:>9.1} | {:>6} | {:>15} | {:>11} |",
                r.name,
                r.median,
                r.best,
                r.passes,
                ratio(r.median, values),
                ratio(r.median, floor),
            );
        }
    }
    println!(
        "\nThe first rows take each engine's own in-memory input, built before timing; \
         the JSON rows take a case file's text and write a verdict line, and their \
         floor is the JSON floor."
    );
}

/// What the figures were measured on, as far as the program can tell.
fn machine() -> String {
    let cores = std::thread::available_parallelism().map_or(0, std::num::NonZero::get);
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, name)| name.trim().to_string())
        })
        .unwrap_or_else(|| "CPU unknown".to_string());
    // Other work on the machine slows the medians more than the best passes.
    let load = std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| {
            l.split_whitespace()
                .next()
                .map(|one| format!(", 1-min load average {one} (this run counts 1)"))
        })
        .unwrap_or_default();
    format!("{cpu}, {cores} cores available, one used{load}")
}

fn ratio(x: f64, base: f64) -> String {
    let r = x / base;
    if r >= 100.0 {
        format!("{r:.0}")
    } else if r >= 10.0 {
        format!("{r:.1}")
    } else {
        format!("{r:.2}")
    }
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("refuge-peers: {e}");
            ExitCode::FAILURE
        }
    }
}
