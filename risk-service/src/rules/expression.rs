//! A rule's `when` (DECISIONS.md "Rules"): a CEL expression compiled and type-checked once, when
//! the ruleset is saved, against the catalogue of features; evaluated only in compiled form.
//! Checked here: every name is a feature, every operator gets the kinds it takes, the whole is a
//! boolean. Numbers are integers (fen, millionths, days): a decimal literal is refused, so no
//! float comes near an amount or a rate.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock};

use cel::common::ast::{Expr, IdedExpr, LiteralValue};
use cel::{Context, Env, Program, Value};

use crate::features::{catalogue, Kind};

/// The longest expression taken.
const MAX_LEN: usize = 2000;

static ENV: LazyLock<Arc<Env>> = LazyLock::new(|| Arc::new(Env::stdlib()));

static FEATURES: LazyLock<HashMap<String, Kind>> = LazyLock::new(|| catalogue().into_iter().collect());

/// The feature groups (`bureau`, `history`, …): named only through one of their features.
fn is_group(name: &str) -> bool {
    let prefix = format!("{name}.");
    FEATURES.keys().any(|k| k.starts_with(&prefix))
}

/// What a sub-expression yields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ty {
    Int,
    Bool,
    Text,
    IntList,
    TextList,
}

impl From<Kind> for Ty {
    fn from(k: Kind) -> Self {
        match k {
            Kind::Int => Ty::Int,
            Kind::Bool => Ty::Bool,
            Kind::Text => Ty::Text,
        }
    }
}

/// A rule's expression, compiled.
#[derive(Clone, Debug)]
pub struct Compiled {
    program: Arc<Program>,
}

impl Compiled {
    /// Compiles and checks `source`; the first thing wrong, in words.
    pub fn new(source: &str) -> Result<Self, String> {
        if source.trim().is_empty() {
            return Err("the expression is empty".into());
        }
        if source.len() > MAX_LEN {
            return Err(format!("the expression is longer than {MAX_LEN} characters"));
        }
        let program = ENV
            .compile(source)
            .map_err(|e| format!("syntax: {}", first_line(&e.to_string())))?;
        match check(program.expression())? {
            Ty::Bool => Ok(Self {
                program: Arc::new(program),
            }),
            other => Err(format!("the expression yields {other:?}, not a boolean")),
        }
    }

    /// True or false on `features`; an error when something it needs is missing.
    pub fn evaluate(&self, features: &Context) -> Result<bool, String> {
        match self.program.execute(features) {
            Ok(Value::Bool(b)) => Ok(b),
            Ok(other) => Err(format!("yielded {other:?}")),
            Err(e) => Err(e.to_string()),
        }
    }
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or(text)
}

/// The evaluation context of a feature snapshot (its JSON).
pub fn context(features: &serde_json::Value) -> Context<'static, 'static> {
    let mut ctx = Context::with_env(ENV.clone());
    if let serde_json::Value::Object(map) = features {
        for (name, value) in map {
            ctx.add_variable_from_value(name.clone(), cel_value(value));
        }
    }
    ctx
}

/// JSON as CEL sees it: every number an int (the snapshot holds no other).
fn cel_value(v: &serde_json::Value) -> Value {
    match v {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Bool(*b),
        serde_json::Value::Number(n) => n.as_i64().map_or(Value::Null, Value::Int),
        serde_json::Value::String(s) => Value::String(Arc::new(s.clone())),
        serde_json::Value::Array(items) => Value::List(Arc::new(items.iter().map(cel_value).collect())),
        serde_json::Value::Object(map) => {
            let entries: HashMap<String, Value> =
                map.iter().map(|(k, v)| (k.clone(), cel_value(v))).collect();
            Value::from(entries)
        }
    }
}

fn feature(name: &str) -> Result<Ty, String> {
    match FEATURES.get(name) {
        Some(kind) => Ok((*kind).into()),
        None if is_group(name) => Err(format!("{name} is a group of features: name one of them")),
        None => Err(format!("unknown feature {name}")),
    }
}

/// The dotted name an expression spells (`bureau.score`), if it spells one.
fn dotted(e: &IdedExpr) -> Option<String> {
    match &e.expr {
        Expr::Ident(name) => Some(name.clone()),
        Expr::Select(s) if !s.test => dotted(&s.operand).map(|p| format!("{p}.{}", s.field)),
        _ => None,
    }
}

fn check(e: &IdedExpr) -> Result<Ty, String> {
    match &e.expr {
        Expr::Literal(literal) => match literal {
            LiteralValue::Int(_) => Ok(Ty::Int),
            LiteralValue::Boolean(_) => Ok(Ty::Bool),
            LiteralValue::String(_) => Ok(Ty::Text),
            LiteralValue::Double(_) => {
                Err("decimal numbers are not taken: amounts are fen and rates millionths, as integers".into())
            }
            _ => Err("only integers, booleans and strings may be written".into()),
        },
        Expr::Ident(name) => feature(name),
        Expr::Select(s) => {
            let path = dotted(&s.operand)
                .map(|p| format!("{p}.{}", s.field))
                .ok_or("a field of something that is not a feature group")?;
            let ty = feature(&path)?;
            Ok(if s.test { Ty::Bool } else { ty })
        }
        Expr::List(list) => {
            let kinds: Vec<Ty> = list.elements.iter().map(check).collect::<Result<_, _>>()?;
            match kinds.first() {
                None => Err("an empty list".into()),
                Some(first) if kinds.iter().any(|k| k != first) => Err("a list of mixed kinds".into()),
                Some(Ty::Int) => Ok(Ty::IntList),
                Some(Ty::Text) => Ok(Ty::TextList),
                Some(_) => Err("lists hold integers or strings".into()),
            }
        }
        Expr::Call(call) => {
            let mut args: Vec<Ty> = Vec::new();
            if let Some(target) = &call.target {
                args.push(check(target)?);
            }
            for a in &call.args {
                args.push(check(a)?);
            }
            call_type(&call.func_name, &args)
        }
        _ => Err("only comparisons, arithmetic and logic over features are taken".into()),
    }
}

fn call_type(name: &str, args: &[Ty]) -> Result<Ty, String> {
    use Ty::{Bool, Int, IntList, Text, TextList};
    let wrong = || Err(format!("{} does not take {args:?}", operator_name(name)));
    match (name, args) {
        ("_&&_" | "_||_", [Bool, Bool]) | ("!_", [Bool]) => Ok(Bool),
        ("_<_" | "_<=_" | "_>_" | "_>=_", [Int, Int] | [Text, Text]) => Ok(Bool),
        ("_==_" | "_!=_", [a, b]) if a == b => Ok(Bool),
        ("_+_" | "_-_" | "_*_" | "_/_" | "_%_", [Int, Int]) | ("-_", [Int]) => Ok(Int),
        ("_+_", [Text, Text]) => Ok(Text),
        ("_?_:_", [Bool, a, b]) if a == b => Ok(*a),
        ("@in", [Int, IntList] | [Text, TextList]) => Ok(Bool),
        ("size", [Text | IntList | TextList]) => Ok(Int),
        ("startsWith" | "endsWith" | "contains", [Text, Text]) => Ok(Bool),
        (
            "_&&_" | "_||_" | "!_" | "_<_" | "_<=_" | "_>_" | "_>=_" | "_==_" | "_!=_" | "_+_" | "_-_"
            | "_*_" | "_/_" | "_%_" | "-_" | "_?_:_" | "@in" | "size" | "startsWith" | "endsWith"
            | "contains",
            _,
        ) => wrong(),
        _ => Err(format!("unknown function {name}")),
    }
}

/// An operator as the rule's author wrote it.
fn operator_name(name: &str) -> String {
    match name {
        "@in" => "in".into(),
        "_?_:_" => "?:".into(),
        other => other.replace('_', ""),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn refused(source: &str) -> String {
        Compiled::new(source).expect_err(source)
    }

    #[test]
    fn names_kinds_and_the_result_are_checked_when_compiled() {
        for ok in [
            "age < 20 || age > 55",
            "bureau.blacklistHit",
            "has(bureau.score) && bureau.score >= 600",
            "application.purpose in ['21', '22'] && !isRisk",
            "size(application.productCode) > 0 ? history.loansOpen == 0 : false",
        ] {
            Compiled::new(ok).unwrap_or_else(|e| panic!("{ok}: {e}"));
        }
        assert!(refused("age <").starts_with("syntax"), "{}", refused("age <"));
        assert_eq!(refused("incomeBand > 3"), "unknown feature incomeBand");
        assert_eq!(refused("bureau.scor > 3"), "unknown feature bureau.scor");
        assert!(refused("bureau > 3").contains("group"));
        assert!(refused("age + 1").contains("not a boolean"));
        assert!(refused("age > '20'").contains("does not take"));
        assert!(refused("application.ratePpm > 0.24").contains("decimal"));
        assert!(refused("matches(gender, 'M')").contains("unknown function"));
        assert!(refused("[1,2].all(x, x > age)").contains("only"));
        assert!(refused("").contains("empty"));
    }

    #[test]
    fn evaluation_reads_the_snapshot_and_a_missing_feature_is_an_error() {
        let rule = Compiled::new("bureau.multiLending30d >= 5").unwrap();
        let answered = json!({"bureau": {"unavailable": false, "multiLending30d": 6}});
        assert_eq!(rule.evaluate(&context(&answered)), Ok(true));
        let quiet = json!({"bureau": {"unavailable": true}});
        assert!(rule.evaluate(&context(&quiet)).is_err());
        let negative = Compiled::new("history.daysSinceLastSettled < 0").unwrap();
        assert_eq!(
            negative.evaluate(&context(&json!({"history": {"daysSinceLastSettled": -1}}))),
            Ok(true)
        );
    }
}
