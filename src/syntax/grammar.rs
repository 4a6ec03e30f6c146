//! The pest parser generated from `grammar/refuge.pest`, and what each grammar
//! rule is called in "expected …" messages.

/// The parser generated from the grammar; its rules are the [`Rule`] enum.
#[derive(pest_derive::Parser)]
#[grammar = "../grammar/refuge.pest"]
pub(crate) struct RefugeParser;

/// How a rule is shown when the parser expected it, or `None` for rules that
/// never appear alone in a message.
///
/// Names are short noun phrases ("a name", "a rule") or the literal keyword in
/// backticks; error.rs joins them into "expected a rule, `default` or `}`".
pub(crate) fn display_name(rule: Rule) -> Option<&'static str> {
    let name = match rule {
        Rule::EOI => "end of file",
        Rule::WHITESPACE | Rule::COMMENT | Rule::ident_char | Rule::keyword | Rule::op_expected => {
            return None
        }
        Rule::name_then => return None,
        Rule::string_body | Rule::item | Rule::def_member | Rule::rule_head => return None,
        Rule::rule_clause | Rule::test_stmt | Rule::prefix | Rule::infix => return None,
        Rule::operand | Rule::literal => return None,
        Rule::file => "a declaration",

        Rule::kw_use | Rule::use_decl => "`use`",
        Rule::kw_source | Rule::source_decl => "`source`",
        Rule::kw_enum | Rule::enum_decl => "`enum`",
        Rule::kw_record | Rule::record_decl => "`record`",
        Rule::kw_set | Rule::set_type => "`set of`",
        Rule::kw_of => "`of`",
        Rule::kw_fact | Rule::fact_decl => "`fact`",
        Rule::kw_setting | Rule::setting_decl => "`setting`",
        Rule::kw_table | Rule::table_decl => "`table`",
        Rule::kw_key | Rule::table_key => "`key`",
        Rule::kw_column | Rule::table_column => "`column`",
        Rule::kw_row | Rule::table_row => "`row`",
        Rule::kw_default | Rule::default_decl => "`default`",
        Rule::kw_rule | Rule::base_head => "`rule`",
        Rule::kw_exception | Rule::exception_head => "`exception`",
        Rule::kw_when | Rule::when_clause => "`when`",
        Rule::kw_cite | Rule::cite_clause => "`cite`",
        Rule::kw_provenance | Rule::provenance_clause => "`provenance`",
        Rule::kw_from | Rule::from_clause => "`from`",
        Rule::kw_until | Rule::until_clause => "`until`",
        Rule::kw_may | Rule::may_clause => "`may`",
        Rule::kw_by => "`by`",
        Rule::kw_qualified | Rule::qualified_clause => "`qualified by`",
        Rule::kw_note | Rule::note_clause => "`note`",
        Rule::word_accept | Rule::accept_clause => "`accept`",
        Rule::word_with => "`with`",
        Rule::accept_kind => "`overlap`, `gap`, `dead` or `window`",
        Rule::kw_test | Rule::test_decl => "`test`",
        Rule::kw_as_of | Rule::test_as_of | Rule::as_of_expr => "`as_of`",
        Rule::kw_given | Rule::test_given => "`given`",
        Rule::kw_exercise | Rule::test_exercise => "`exercise`",
        Rule::kw_expect | Rule::test_expect => "`expect`",
        Rule::kw_if | Rule::if_expr => "`if`",
        Rule::kw_then => "`then`",
        Rule::kw_else => "`else`",
        Rule::kw_exists | Rule::exists_expr => "`exists`",
        Rule::absolute => "`absolute`",
        Rule::undetermined => "`undetermined`",
        Rule::definition | Rule::def_kind => "`verdict` or `definition`",

        Rule::ident => "a name",
        Rule::path => "a name",
        Rule::ident_list => "a list of names",
        Rule::string => "a string",
        Rule::label => "a label string",
        Rule::date => "a date like 2002-06-03",
        Rule::number => "a number",
        Rule::percent => "a percentage like 50%",
        Rule::currency => "a currency code like `KRW`",
        Rule::money => "an amount like `KRW 1_000`",
        Rule::duration_unit => "`days`, `weeks`, `months` or `years`",
        Rule::duration => "a duration like `10 years`",
        Rule::boolean => "`true` or `false`",
        Rule::source_kind => "a kind of source like `statute` or `treaty`",
        Rule::variant => "a variant",
        Rule::field => "a field",
        Rule::type_expr | Rule::named_type => "a type",
        Rule::row_cells => "`{`",
        Rule::row_cell => "a cell like `column: value`",
        Rule::rule_decl => "a rule",
        Rule::exception_mode => "`overrides` or `lifts`",
        Rule::rule_effect => "`=`",
        Rule::provenance_kind => "a provenance like `seed` or `text`",
        Rule::locator => return None,
        Rule::reference => "a string",
        Rule::pinpoint | Rule::pin_part => "a pinpoint like `art 9(1)` or a string",
        Rule::loc_art | Rule::pin_article => "`art`",
        Rule::loc_para | Rule::pin_paragraph => "`para`",
        Rule::loc_item | Rule::pin_item => "`item`",
        Rule::loc_section | Rule::pin_section => "`section`",
        Rule::loc_footnote | Rule::pin_footnote => "`footnote`",
        Rule::loc_line | Rule::pin_line => "`line`",
        Rule::pin_subpara => "a paragraph like `(1)`",
        Rule::pin_to => "a range like `35..39`",
        Rule::pin_no => "a number like `9`, `1A` or `VIII`",

        Rule::expr | Rule::expr_list => "an expression",
        Rule::op_not => "`not`",
        Rule::op_neg => "`-`",
        Rule::op_or => "`or`",
        Rule::op_and => "`and`",
        Rule::op_eq => "`==`",
        Rule::op_ne => "`!=`",
        Rule::op_le => "`<=`",
        Rule::op_ge => "`>=`",
        Rule::op_lt => "`<`",
        Rule::op_gt => "`>`",
        Rule::op_in => "`in`",
        Rule::op_contains => "`contains`",
        Rule::op_has_any => "`has any`",
        Rule::op_has_all => "`has all`",
        Rule::op_add => "`+`",
        Rule::op_sub => "`-`",
        Rule::op_mul => "`*`",
        Rule::op_div => "`/`",
        Rule::set_literal => "a set like `{a, b}`",
        Rule::call => "a call",
        Rule::lookup => "a table lookup",
    };
    Some(name)
}

/// A family of rules that error messages name as one phrase when several of
/// them are expected at once ("an operator" rather than sixteen operators).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Group {
    /// Anything that can start an expression.
    Expression,
    /// An infix operator.
    Operator,
    /// A tail clause of a rule, default or row.
    Clause,
    /// A top-level declaration.
    Declaration,
    /// A locator that may continue a pinpoint (`item 5`, `(1)`, `..39`).
    Pinpoint,
}

impl Group {
    /// The phrase used in "expected …".
    pub(crate) fn display_name(self) -> &'static str {
        match self {
            Group::Expression => "an expression",
            Group::Operator => "an operator",
            Group::Clause => "a clause",
            Group::Declaration => "a declaration",
            Group::Pinpoint => "more of the pinpoint",
        }
    }

    /// The help line that spells the group out.
    pub(crate) fn help(self) -> &'static str {
        match self {
            Group::Expression => {
                "an expression is a name, a literal (`42`, `\"text\"`, `2002-06-03`, \
                 `10 years`, `KRW 1_000`), `{a, b}`, a call `f(x)`, a lookup `T[k].column` \
                 or `if … then … else …`"
            }
            Group::Operator => {
                "the operators are `and`, `or`, `==`, `!=`, `<`, `<=`, `>`, `>=`, `in`, \
                 `contains`, `has any`, `has all`, `+`, `-`, `*` and `/`"
            }
            Group::Clause => {
                "the clauses of a rule are `when`, `cite`, `provenance`, `from`, `until`, \
                 `may … by …`, `qualified by` and `note`"
            }
            Group::Pinpoint => {
                "a pinpoint continues with locators (`art 9(1)`, `item 5`, `para 63`, \
                 `section \"…\"`, `footnote 6`, `line 35..39`), a remark string, or `,` and \
                 another part"
            }
            Group::Declaration => {
                "a policy file is a sequence of `use`, `source`, `enum`, `record`, `fact`, \
                 `table`, `verdict`, `definition` and `test` declarations"
            }
        }
    }

    /// The group a rule belongs to, if any.
    pub(crate) fn of(rule: Rule) -> Option<Group> {
        match rule {
            Rule::ident
            | Rule::path
            | Rule::kw_if
            | Rule::if_expr
            | Rule::kw_exists
            | Rule::exists_expr
            | Rule::string
            | Rule::date
            | Rule::number
            | Rule::percent
            | Rule::currency
            | Rule::money
            | Rule::duration
            | Rule::boolean
            | Rule::op_not
            | Rule::op_neg
            | Rule::set_literal
            | Rule::as_of_expr
            | Rule::call
            | Rule::lookup
            | Rule::expr
            | Rule::expr_list => Some(Group::Expression),
            Rule::op_or
            | Rule::op_and
            | Rule::op_eq
            | Rule::op_ne
            | Rule::op_le
            | Rule::op_ge
            | Rule::op_lt
            | Rule::op_gt
            | Rule::op_in
            | Rule::op_contains
            | Rule::op_has_any
            | Rule::op_has_all
            | Rule::op_add
            | Rule::op_sub
            | Rule::op_mul
            | Rule::op_div
            | Rule::op_expected => Some(Group::Operator),
            Rule::kw_when
            | Rule::when_clause
            | Rule::kw_cite
            | Rule::cite_clause
            | Rule::kw_provenance
            | Rule::provenance_clause
            | Rule::kw_from
            | Rule::from_clause
            | Rule::kw_until
            | Rule::until_clause
            | Rule::kw_may
            | Rule::may_clause
            | Rule::kw_qualified
            | Rule::word_accept
            | Rule::word_with
            | Rule::accept_clause
            | Rule::qualified_clause
            | Rule::kw_note
            | Rule::note_clause => Some(Group::Clause),
            Rule::kw_use
            | Rule::use_decl
            | Rule::kw_source
            | Rule::source_decl
            | Rule::kw_enum
            | Rule::enum_decl
            | Rule::kw_record
            | Rule::record_decl
            | Rule::kw_fact
            | Rule::fact_decl
            | Rule::kw_setting
            | Rule::setting_decl
            | Rule::kw_table
            | Rule::table_decl
            | Rule::definition
            | Rule::def_kind
            | Rule::kw_test
            | Rule::test_decl => Some(Group::Declaration),
            Rule::pin_article
            | Rule::pin_subpara
            | Rule::pin_paragraph
            | Rule::pin_item
            | Rule::pin_section
            | Rule::pin_footnote
            | Rule::pin_line
            | Rule::pin_to
            | Rule::loc_art
            | Rule::loc_para
            | Rule::loc_item
            | Rule::loc_section
            | Rule::loc_footnote
            | Rule::loc_line => Some(Group::Pinpoint),
            _ => None,
        }
    }
}

/// True for the `kw_*` rules, which only mark where a keyword was written; the
/// syntax-tree builder skips their pairs.
pub(crate) fn is_keyword_marker(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::kw_use
            | Rule::kw_source
            | Rule::kw_enum
            | Rule::kw_record
            | Rule::kw_set
            | Rule::kw_of
            | Rule::kw_fact
            | Rule::kw_setting
            | Rule::kw_table
            | Rule::kw_key
            | Rule::kw_column
            | Rule::kw_row
            | Rule::kw_default
            | Rule::kw_rule
            | Rule::kw_exception
            | Rule::kw_when
            | Rule::kw_cite
            | Rule::kw_provenance
            | Rule::kw_from
            | Rule::kw_until
            | Rule::kw_may
            | Rule::kw_by
            | Rule::kw_qualified
            | Rule::word_accept
            | Rule::word_with
            | Rule::kw_note
            | Rule::kw_test
            | Rule::kw_as_of
            | Rule::kw_given
            | Rule::kw_exercise
            | Rule::kw_expect
            | Rule::kw_if
            | Rule::kw_then
            | Rule::kw_else
            | Rule::kw_exists
            | Rule::loc_art
            | Rule::loc_para
            | Rule::loc_item
            | Rule::loc_section
            | Rule::loc_footnote
            | Rule::loc_line
    )
}
