//! Pass 4 and 6: definitions with their rules and exceptions; test blocks.

use super::declare::{Context, Decl};
use super::error::{CheckError, Related};
use crate::ast::{self, Item};
use crate::ir::{
    Accept, AcceptKind, DefId, DefaultInfo, RuleId, RuleInfo, RuleKind, TestInfo, Type,
};
use crate::suggest::did_you_mean_help;
use crate::value::Value;

fn id32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl Context {
    /// Lowers every definition: types, defaults, rules, exception targets.
    pub(crate) fn lower_definitions(&mut self, modules: &[ast::Module]) {
        // Types first, so a rule can read a definition declared later.
        for module in modules {
            for item in &module.items {
                if let Item::Definition(d) = item {
                    if let Some(Decl::Def(id)) = self.names.get(&d.name.node).map(|e| e.decl) {
                        let ty = self.resolve_type(&module.name, &d.ty);
                        if let (Some(ty), Some(def)) =
                            (ty, self.program.definitions.get_mut(id.index()))
                        {
                            def.ty = ty;
                        }
                        if let Some(Type::Record(_)) = ty {
                            self.error(CheckError::TypeMismatch {
                                expected: "a value type".into(),
                                found: "a record".into(),
                                span: d.ty.span(),
                                help: Some(
                                    "a definition gives one value: define one per field".into(),
                                ),
                            });
                        }
                    }
                }
            }
        }
        // Rule names are global: declare them all before resolving targets.
        for module in modules {
            for item in &module.items {
                let Item::Definition(d) = item else { continue };
                let Some(Decl::Def(def_id)) = self.names.get(&d.name.node).map(|e| e.decl) else {
                    continue;
                };
                for rule in &d.rules {
                    let id = RuleId(id32(self.program.rules.len()));
                    if let Some(first) = self.rule_names.get(&rule.name.node) {
                        let first_span = self.program.rules.get(first.index()).map(|r| r.name_span);
                        self.error(CheckError::DuplicateName {
                            name: rule.name.node.clone(),
                            span: rule.name.span,
                            first: first_span
                                .map(|span| Related::new("first declared here", span))
                                .into_iter()
                                .collect(),
                            help: "rule and exception names are global to a policy set, since a case names a discretion by its rule: rename one of the two".into(),
                        });
                    } else {
                        self.rule_names.insert(rule.name.node.clone(), id);
                    }
                    self.program.rules.push(RuleInfo {
                        name: rule.name.node.clone(),
                        def: def_id,
                        kind: RuleKind::Base,
                        absolute: rule.absolute,
                        qualified_by: None,
                        value: None,
                        when: None,
                        may: None,
                        exceptions: Vec::new(),
                        meta: Default::default(),
                        name_span: rule.name.span,
                        span: rule.span,
                    });
                    if let Some(def) = self.program.definitions.get_mut(def_id.index()) {
                        def.rules.push(id);
                    }
                }
            }
        }
        for module in modules {
            for item in &module.items {
                let Item::Definition(d) = item else { continue };
                let Some(Decl::Def(def_id)) = self.names.get(&d.name.node).map(|e| e.decl) else {
                    continue;
                };
                self.lower_definition(&module.name, def_id, d);
            }
        }
        self.check_targets();
    }

    fn lower_definition(&mut self, module: &str, id: DefId, d: &ast::Definition) {
        let Some(ty) = self.program.definitions.get(id.index()).map(|d| d.ty) else {
            return;
        };
        if let Some(extra) = d.defaults.get(1) {
            self.error(CheckError::DuplicateClause {
                clause: "default",
                span: extra.span,
                help: "a definition has one default: write the other value as a rule with its condition".into(),
            });
        }
        if let Some(default) = d.defaults.first() {
            let meta = self.lower_meta(
                module,
                &default.clauses,
                "default of",
                &d.name.node,
                default.span,
                false,
            );
            if let Some(value) = self.lower_expr(module, Some(id), &default.value, Some(ty)) {
                self.expect_type(&value, ty);
                if let Some(def) = self.program.definitions.get_mut(id.index()) {
                    def.default = Some(DefaultInfo {
                        value,
                        meta,
                        span: default.span,
                    });
                }
            }
        }
        let rule_ids = self
            .program
            .definitions
            .get(id.index())
            .map(|d| d.rules.clone())
            .unwrap_or_default();
        for (rule, rid) in d.rules.iter().zip(rule_ids) {
            self.lower_rule(module, id, ty, rule, rid);
        }
    }

    /// `accept` clauses of a rule: the rules they name must be rules of
    /// the same definition, and overlaps and windows need one.
    fn lower_accepts(&mut self, def: DefId, rule: &ast::Rule, rid: RuleId) {
        for accept in &rule.clauses.accepts {
            let kind = accept.kind;
            let pair = matches!(kind, AcceptKind::Overlap | AcceptKind::Window);
            if pair == accept.with.is_empty() {
                let message = if pair {
                    format!(
                        "`accept {}` names the other rule of the finding",
                        kind.word()
                    )
                } else {
                    format!(
                        "`accept {}` is about this rule alone and names no other",
                        kind.word()
                    )
                };
                self.error(CheckError::BadAccept {
                    message,
                    span: accept.span,
                    help: Some(if pair {
                        format!("write `accept {} with OTHER_RULE \"reason\"`", kind.word())
                    } else {
                        format!("write `accept {} \"reason\"`", kind.word())
                    }),
                });
                continue;
            }
            let mut with = Vec::new();
            for name in &accept.with {
                let found = self.rule_names.get(&name.node).copied().filter(|r| {
                    self.program
                        .rules
                        .get(r.index())
                        .is_some_and(|r| r.def == def)
                });
                match found {
                    Some(r) => with.push(r),
                    None => {
                        let siblings: Vec<&str> = self
                            .program
                            .rules
                            .iter()
                            .filter(|r| r.def == def)
                            .map(|r| r.name.as_str())
                            .collect();
                        self.error(CheckError::BadAccept {
                            message: format!(
                                "`{}` is not a rule of the same definition",
                                name.node
                            ),
                            span: name.span,
                            help: crate::suggest::did_you_mean_help(&name.node, siblings),
                        });
                    }
                }
            }
            self.program.accepts.push(Accept {
                kind,
                def,
                rule: Some(rid),
                with,
                reason: accept.reason.clone(),
                span: accept.span,
            });
        }
    }

    fn lower_rule(&mut self, module: &str, def: DefId, ty: Type, rule: &ast::Rule, rid: RuleId) {
        self.lower_accepts(def, rule, rid);
        let name = rule.name.node.clone();
        let meta = self.lower_meta(module, &rule.clauses, "rule", &name, rule.name.span, true);
        if let Some(w) = rule.clauses.when.get(1) {
            self.error(CheckError::DuplicateClause {
                clause: "when",
                span: w.span,
                help: "a rule has one condition: join the two with `and` (or `or`)".into(),
            });
        }
        if let Some(m) = rule.clauses.may.get(1) {
            self.error(CheckError::DuplicateClause {
                clause: "may",
                span: m.span,
                help: "a rule is one discretion: write a second rule for the second".into(),
            });
        }
        let when = rule.clauses.when.first().and_then(|w| {
            let e = self.lower_expr(module, Some(def), w, Some(Type::Bool))?;
            self.expect_type(&e, Type::Bool).then_some(e)
        });
        let is_lift = matches!(rule.kind, ast::RuleKind::Lifts(_));
        let value = match (&rule.value, is_lift) {
            (Some(v), true) => {
                self.error(CheckError::LiftsWithValue {
                    name: name.clone(),
                    span: v.span,
                });
                None
            }
            (None, true) => None,
            (Some(v), false) => self
                .lower_expr(module, Some(def), v, Some(ty))
                .inspect(|e| {
                    self.expect_type(e, ty);
                }),
            (None, false) => {
                if ty == Type::Bool {
                    Some(crate::ir::Expr {
                        kind: crate::ir::ExprKind::Const(Value::Bool(true)),
                        ty: Type::Bool,
                        span: rule.name.span,
                    })
                } else {
                    self.error(CheckError::MissingValue {
                        name: name.clone(),
                        span: rule.name.span,
                        ty: self.program.type_name(ty),
                    });
                    None
                }
            }
        };
        if let Some(q) = rule.clauses.qualified_by.get(1).and_then(|q| q.first()) {
            self.error(CheckError::DuplicateClause {
                clause: "qualified by",
                span: q.span,
                help: "list every named exception in one `qualified by` clause".into(),
            });
        }
        if rule.absolute {
            if let Some(q) = rule.clauses.qualified_by.first().and_then(|q| q.first()) {
                self.error(CheckError::MisplacedClause {
                    clause: "qualified by",
                    on: "an absolute rule",
                    span: q.span,
                    help: "an absolute rule admits no exception at all: remove `qualified by` or `absolute`".into(),
                });
            }
        }
        let def_rules = self
            .program
            .definitions
            .get(def.index())
            .map(|d| d.rules.clone())
            .unwrap_or_default();
        let resolve_local = |cx: &mut Context, target: &ast::Ident| -> Option<RuleId> {
            let found = def_rules.iter().copied().find(|r| {
                cx.program
                    .rules
                    .get(r.index())
                    .is_some_and(|r| r.name == target.node)
            });
            if found.is_none() {
                let names: Vec<String> = def_rules
                    .iter()
                    .filter_map(|r| cx.program.rules.get(r.index()).map(|r| r.name.clone()))
                    .collect();
                let elsewhere = cx
                    .rule_names
                    .get(&target.node)
                    .and_then(|r| cx.program.rules.get(r.index()));
                let help = match elsewhere {
                    Some(other) => {
                        let def_name = cx
                            .program
                            .definitions
                            .get(other.def.index())
                            .map_or("?", |d| d.name.as_str());
                        Some(format!(
                            "`{}` is a rule of `{def_name}`: an exception must be in the same definition as the rules it overrides",
                            target.node
                        ))
                    }
                    None => did_you_mean_help(&target.node, names.iter().map(String::as_str)),
                };
                cx.error(CheckError::UnknownTarget {
                    exception: rule.name.node.clone(),
                    target: target.node.clone(),
                    span: target.span,
                    help,
                });
            }
            found
        };
        let kind = match &rule.kind {
            ast::RuleKind::Base => RuleKind::Base,
            ast::RuleKind::Overrides(t) => {
                RuleKind::Overrides(t.iter().filter_map(|t| resolve_local(self, t)).collect())
            }
            ast::RuleKind::Lifts(t) => {
                RuleKind::Lifts(t.iter().filter_map(|t| resolve_local(self, t)).collect())
            }
        };
        let qualified_by = rule.clauses.qualified_by.first().map(|q| {
            q.iter()
                .filter_map(|t| resolve_local(self, t))
                .collect::<Vec<_>>()
        });
        if let Some(r) = self.program.rules.get_mut(rid.index()) {
            r.kind = kind;
            r.value = value;
            r.when = when;
            r.may = rule.clauses.may.first().map(|m| m.node.clone());
            r.qualified_by = qualified_by;
            r.meta = meta;
        }
    }

    /// Records each rule's exceptions and enforces absolute and qualified rules.
    fn check_targets(&mut self) {
        let mut links = Vec::new();
        for (i, rule) in self.program.rules.iter().enumerate() {
            for t in rule.kind.targets() {
                links.push((RuleId(id32(i)), *t));
            }
        }
        for (exception, target) in links {
            let (Some(e), Some(t)) = (
                self.program.rules.get(exception.index()).cloned(),
                self.program.rules.get(target.index()).cloned(),
            ) else {
                continue;
            };
            if t.absolute {
                self.error(CheckError::ExceptionToAbsolute {
                    target: t.name.clone(),
                    span: e.name_span,
                    rule: vec![Related::new(
                        format!("`{}` is marked absolute here", t.name),
                        t.name_span,
                    )],
                });
                continue;
            }
            if let Some(allowed) = &t.qualified_by {
                if !allowed.contains(&exception) {
                    let names: Vec<String> = allowed
                        .iter()
                        .filter_map(|r| {
                            self.program
                                .rules
                                .get(r.index())
                                .map(|r| format!("`{}`", r.name))
                        })
                        .collect();
                    self.error(CheckError::NotQualified {
                        target: t.name.clone(),
                        allowed: names.join(", "),
                        exception: e.name.clone(),
                        span: e.name_span,
                    });
                    continue;
                }
            }
            if exception == target {
                self.error(CheckError::ExceptionCycle {
                    path: format!("`{}` → `{}`", e.name, e.name),
                    span: e.name_span,
                });
                continue;
            }
            if let Some(t) = self.program.rules.get_mut(target.index()) {
                t.exceptions.push(exception);
            }
        }
    }

    /// Pass 6: test blocks against the schema.
    pub(crate) fn lower_tests(&mut self, modules: &[ast::Module]) {
        for module in modules {
            for item in &module.items {
                let Item::Test(t) = item else { continue };
                if let Some(test) = self.lower_test(&module.name, t) {
                    self.program.tests.push(test);
                }
            }
        }
    }

    fn lower_test(&mut self, module: &str, t: &ast::TestDecl) -> Option<TestInfo> {
        let mut ok = true;
        let mut given = Vec::new();
        for (path, expr) in &t.given {
            let joined = path.node.join(".");
            match self.fact_paths.get(&joined).copied() {
                Some(slot) => {
                    let ty = self
                        .program
                        .facts
                        .get(slot.index())
                        .map_or(Type::Bool, |f| f.ty);
                    match self.constant(module, expr, ty, "a given value") {
                        Some(v) => given.push((slot, v)),
                        None => ok = false,
                    }
                }
                None => {
                    ok = false;
                    let help =
                        did_you_mean_help(&joined, self.fact_paths.keys().map(String::as_str));
                    self.error(CheckError::UnknownName {
                        kind: "fact",
                        name: joined,
                        span: path.span,
                        help,
                    });
                }
            }
        }
        let mut exercise = Vec::new();
        for (rule, expr) in &t.exercise {
            let Some(id) = self.rule_names.get(&rule.node).copied() else {
                ok = false;
                let help =
                    did_you_mean_help(&rule.node, self.rule_names.keys().map(String::as_str));
                self.error(CheckError::UnknownName {
                    kind: "rule",
                    name: rule.node.clone(),
                    span: rule.span,
                    help,
                });
                continue;
            };
            if self
                .program
                .rules
                .get(id.index())
                .is_some_and(|r| r.may.is_none())
            {
                ok = false;
                self.error(CheckError::BadTest {
                    message: format!("rule `{}` is not a discretion", rule.node),
                    span: rule.span,
                    help: Some("only `may` rules can be exercised or declined".into()),
                });
                continue;
            }
            match self.constant(module, expr, Type::Bool, "an exercised discretion") {
                Some(Value::Bool(b)) => exercise.push((id, b)),
                _ => ok = false,
            }
        }
        let mut expect = Vec::new();
        for (name, expr) in &t.expect {
            let Some(Decl::Def(id)) =
                self.lookup(module, name, "definition", |d| matches!(d, Decl::Def(_)))
            else {
                ok = false;
                continue;
            };
            self.defs_read.insert(id);
            let ty = self
                .program
                .definitions
                .get(id.index())
                .map_or(Type::Bool, |d| d.ty);
            match expr {
                None => expect.push((id, None, name.span)),
                Some(e) => match self.constant(module, e, ty, "an expected value") {
                    Some(v) => expect.push((id, Some(v), name.span.to(e.span))),
                    None => ok = false,
                },
            }
        }
        ok.then(|| TestInfo {
            name: t.name.node.clone(),
            as_of: t.as_of.map(|d| d.node),
            given,
            exercise,
            expect,
            span: t.span,
        })
    }
}
