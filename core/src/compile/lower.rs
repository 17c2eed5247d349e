//! Lowering rhai's AST into a tree of closures over [`Value`].
//!
//! Each function of the policy that kam can reach (from the entry points, by
//! the calls and closures in their bodies) becomes one [`Func`]: its
//! variables are slots of a frame (resolved here, never looked up by name),
//! calls to other policy functions are indices (resolved here), native
//! functions are chosen by name and arity here and dispatch on value types
//! when they run, and record and parameter fields are read by slot (each
//! property read knows the slot of its name in every known key list).

use std::collections::HashMap;
use std::sync::Arc;

use rhai::{ASTFlags, Expr, FnCallExpr, Stmt, Token, AST};

use super::builtins::{self, Native, Op};
use super::run::{fail, runtime, script, Code, FailKind, Flow, Frame, Func, Pos, R};
use super::switch;
use super::value::{Closure, KnownKeys, Map, Value};

/// A construct the compiler does not cover, where the policy uses it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsupported {
    /// The policy file.
    pub file: String,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// 1-based column, when known.
    pub column: Option<usize>,
    /// What the construct is.
    pub construct: String,
}

impl std::fmt::Display for Unsupported {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(l) = self.line {
            write!(f, ":{l}")?;
            if let Some(c) = self.column {
                write!(f, ":{c}")?;
            }
        }
        write!(f, ": the compiler does not cover {}", self.construct)
    }
}

type L<T> = Result<T, Unsupported>;

type Def = rhai::Shared<rhai::ScriptFuncDef>;

/// The functions of one policy being lowered.
pub(crate) struct Lowering<'a> {
    ast: &'a AST,
    defs: HashMap<(String, usize), Def>,
    by_name: HashMap<String, (String, usize)>,
    index: HashMap<(String, usize), usize>,
    metas: Vec<(Def, String)>,
    file_of: &'a dyn Fn(&str) -> String,
    known: &'a KnownKeys,
    /// Closure function → how many captured values lead its parameters.
    curried: HashMap<usize, usize>,
    /// Function → the first parameter it changes, and its file.
    mutated_params: HashMap<usize, (Option<usize>, String)>,
}

impl<'a> Lowering<'a> {
    pub(crate) fn new(
        ast: &'a AST,
        file_of: &'a dyn Fn(&str) -> String,
        known: &'a KnownKeys,
    ) -> Self {
        let mut defs = HashMap::new();
        let mut by_name = HashMap::new();
        for def in ast.iter_fn_def() {
            let key = (def.name.to_string(), def.params.len());
            by_name.insert(def.name.to_string(), key.clone());
            defs.insert(key, def.clone());
        }
        Lowering {
            ast,
            defs,
            by_name,
            index: HashMap::new(),
            metas: Vec::new(),
            file_of,
            known,
            curried: HashMap::new(),
            mutated_params: HashMap::new(),
        }
    }

    /// The index of policy function `name` with `argc` parameters, queued
    /// for lowering the first time it is asked for.
    pub(crate) fn function(&mut self, name: &str, argc: usize) -> Option<usize> {
        let key = (name.to_string(), argc);
        if let Some(i) = self.index.get(&key) {
            return Some(*i);
        }
        let def = self.defs.get(&key)?.clone();
        let i = self.metas.len();
        let file = (self.file_of)(name);
        self.metas.push((def, file));
        self.index.insert(key, i);
        Some(i)
    }

    /// Lowers every queued function (and those they reach).
    pub(crate) fn finish(mut self) -> L<Vec<Func>> {
        let mut funcs = Vec::new();
        let mut next = 0;
        while next < self.metas.len() {
            let (def, file) = self.metas[next].clone();
            funcs.push(self.lower_fn(&def, &file)?);
            next += 1;
        }
        // A closure that changes a captured variable changes the shared one in rhai.
        for (func, k) in &self.curried {
            if let Some((Some(first), file)) = self.mutated_params.get(func) {
                if first < k {
                    return Err(Unsupported {
                        file: file.clone(),
                        line: None,
                        column: None,
                        construct: format!(
                            "a closure (`{}`) that changes a variable it captures",
                            funcs.get(*func).map_or("?", |f| f.name.as_str())
                        ),
                    });
                }
            }
        }
        Ok(funcs)
    }

    fn lower_fn(&mut self, def: &Def, file: &str) -> L<Func> {
        let mut fl = Fl {
            g: self,
            file: file.to_string(),
            scope: Vec::new(),
            nslots: 0,
            fn_name: def.name.to_string(),
            mutated: Vec::new(),
            captured: Vec::new(),
        };
        for p in def.params.iter() {
            let s = fl.nslots;
            fl.nslots += 1;
            fl.scope.push((p.to_string(), s));
        }
        let statements = body_of(fl.g.ast, &def.name, def.params.len());
        let body = fl.block(&statements)?;
        // rhai shares a captured variable between the function and the
        // closure; compiled closures capture values. The two agree when
        // neither side changes a captured variable.
        if let Some((_, name, pos)) = fl.captured.iter().find(|(s, ..)| fl.mutated.contains(s)) {
            return Err(Unsupported {
                file: file.to_string(),
                line: pos.line,
                column: pos.col,
                construct: format!(
                    "a closure capturing `{name}`, which `{}` changes (a shared variable)",
                    def.name
                ),
            });
        }
        let first_changed = fl
            .mutated
            .iter()
            .copied()
            .filter(|s| *s < def.params.len())
            .min();
        let nslots = fl.nslots;
        let key = (def.name.to_string(), def.params.len());
        let me = self.index.get(&key).copied().unwrap_or(usize::MAX);
        self.mutated_params
            .insert(me, (first_changed, file.to_string()));
        Ok(Func {
            name: def.name.to_string(),
            file: file.to_string(),
            nparams: def.params.len(),
            nslots,
            body,
        })
    }
}

/// The top-level statements of function `name`/`arity`. rhai exposes a
/// body only through a walk, so this walks an AST holding just that function
/// and an empty one (merging into an AST that already has a function is what
/// makes rhai 1.27 apply the filter; into an empty one it copies them all).
pub(crate) fn body_of(ast: &AST, name: &str, arity: usize) -> Vec<Stmt> {
    // Parsed once: loading a policy asks for every function's body twice
    // (the field check, then the compiler).
    static EMPTY: std::sync::LazyLock<Option<AST>> = std::sync::LazyLock::new(|| {
        rhai::Engine::new_raw()
            .compile("fn kam_compiler_empty_() {}")
            .ok()
    });
    let Some(empty) = EMPTY.as_ref() else {
        return Vec::new();
    };
    let one = empty.merge_filtered(ast, |_, _, _, n, a| n == name && a == arity);
    let mut out = Vec::new();
    one.walk(&mut |path: &[rhai::ASTNode]| {
        if let [rhai::ASTNode::Stmt(s)] = path {
            out.push((*s).clone());
        }
        true
    });
    out
}

/// Lowering one function: its scope of variables → slots.
struct Fl<'g, 'a> {
    g: &'g mut Lowering<'a>,
    file: String,
    scope: Vec<(String, usize)>,
    nslots: usize,
    fn_name: String,
    /// Slots the function assigns or changes in place.
    mutated: Vec<usize>,
    /// Slots closures capture, with the variable's name and where.
    captured: Vec<(usize, String, Pos)>,
}

/// A lowered condition.
type Cond = Box<dyn Fn(&mut Frame, &mut super::run::Ctx<'_>) -> R<bool> + Send + Sync>;

fn unit() -> Code {
    Box::new(|_, _| Ok(Value::Unit))
}

fn constant(v: Value) -> Code {
    Box::new(move |_, _| Ok(v.clone()))
}

/// A step of a chain `a.b[i].m(x)`.
enum Step<'e> {
    /// A property: the `.` before it (where a kam getter's error is placed)
    /// and the name (where rhai places a map's missing property).
    Prop(&'e str, Pos, Pos),
    Method(&'e FnCallExpr, Pos),
    Index(&'e Expr, Pos),
    /// `?.` / `?[` before the next step: a `()` there ends the chain with `()`.
    Elvis,
}

/// A step as lowered.
enum LStep {
    Prop(Arc<str>, [Option<usize>; 8], Pos),
    /// The index and its position (where rhai places a bad index).
    Index(Code, Pos),
    Native(Native, Vec<Code>),
    Script(usize, Vec<Code>),
    Elvis,
}

impl Fl<'_, '_> {
    fn no<T>(&self, pos: rhai::Position, what: impl Into<String>) -> L<T> {
        Err(Unsupported {
            file: self.file.clone(),
            line: pos.line(),
            column: pos.position(),
            construct: format!("{} (in `{}`)", what.into(), self.fn_name),
        })
    }

    fn lookup(&self, name: &str) -> Option<usize> {
        self.scope
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, s)| *s)
    }

    fn declare(&mut self, name: &str) -> usize {
        let s = self.nslots;
        self.nslots += 1;
        self.scope.push((name.to_string(), s));
        s
    }

    fn block(&mut self, stmts: &[Stmt]) -> L<Code> {
        let mark = self.scope.len();
        let mut codes = stmts
            .iter()
            .map(|s| self.stmt(s))
            .collect::<L<Vec<Code>>>()?;
        self.scope.truncate(mark);
        Ok(match codes.len() {
            0 => unit(),
            1 => codes.remove(0),
            _ => Box::new(move |f, cx| {
                let mut last = Value::Unit;
                for c in &codes {
                    last = c(f, cx)?;
                }
                Ok(last)
            }),
        })
    }

    fn stmt(&mut self, s: &Stmt) -> L<Code> {
        let pos = Pos::of(s.position());
        let inner = self.stmt_inner(s)?;
        if matches!(s, Stmt::Noop(_) | Stmt::Block(_) | Stmt::Share(_)) {
            return Ok(inner);
        }
        // One operation per statement run (see the module docs of `compile`).
        Ok(Box::new(move |f, cx| {
            cx.tick(pos)?;
            inner(f, cx)
        }))
    }

    fn stmt_inner(&mut self, s: &Stmt) -> L<Code> {
        match s {
            Stmt::Noop(_) | Stmt::Share(_) => Ok(unit()),
            Stmt::Expr(e) => self.expr(e),
            Stmt::FnCall(f, pos) => self.fncall(f, *pos),
            Stmt::Block(b) => self.block(b.statements()),
            Stmt::Var(x, _, _) => {
                let (ident, e, _) = &**x;
                let value = self.expr(e)?;
                let slot = self.declare(ident.name.as_str());
                Ok(Box::new(move |f, cx| {
                    let v = value(f, cx)?;
                    f.slots[slot] = v;
                    Ok(Value::Unit)
                }))
            }
            Stmt::Assignment(x) => self.assignment(&x.0, &x.1.lhs, &x.1.rhs),
            Stmt::If(fc, pos) => {
                let cond = self.condition(&fc.expr, Pos::of(fc.expr.position()))?;
                let _ = pos;
                let body = self.block(fc.body.statements())?;
                let other = self.block(fc.branch.statements())?;
                Ok(Box::new(move |f, cx| {
                    if cond(f, cx)? {
                        body(f, cx)
                    } else {
                        other(f, cx)
                    }
                }))
            }
            Stmt::While(fc, pos) => {
                let pos = Pos::of(*pos);
                let forever = matches!(fc.expr, Expr::Unit(_));
                let cond: Cond = if forever {
                    Box::new(|_, _| Ok(true))
                } else {
                    self.condition(&fc.expr, Pos::of(fc.expr.position()))?
                };
                let body = self.block(fc.body.statements())?;
                Ok(Box::new(move |f, cx| {
                    loop {
                        cx.tick(pos)?;
                        if !cond(f, cx)? {
                            break;
                        }
                        match body(f, cx) {
                            Ok(_) | Err(Flow::Continue) => {}
                            Err(Flow::Break) => break,
                            Err(e) => return Err(e),
                        }
                    }
                    Ok(Value::Unit)
                }))
            }
            Stmt::Do(fc, flags, pos) => {
                let pos = Pos::of(*pos);
                let until = flags.contains(ASTFlags::NEGATED);
                let body = self.block(fc.body.statements())?;
                let cond = self.condition(&fc.expr, Pos::of(fc.expr.position()))?;
                Ok(Box::new(move |f, cx| {
                    loop {
                        cx.tick(pos)?;
                        match body(f, cx) {
                            Ok(_) | Err(Flow::Continue) => {}
                            Err(Flow::Break) => break,
                            Err(e) => return Err(e),
                        }
                        if cond(f, cx)? == until {
                            break;
                        }
                    }
                    Ok(Value::Unit)
                }))
            }
            Stmt::For(x, pos) => self.for_loop(x, Pos::of(*pos)),
            Stmt::BreakLoop(value, flags, pos) => {
                if value.is_some() {
                    return self.no(*pos, "`break` with a value");
                }
                if flags.contains(ASTFlags::BREAK) {
                    Ok(Box::new(|_, _| Err(Flow::Break)))
                } else {
                    Ok(Box::new(|_, _| Err(Flow::Continue)))
                }
            }
            Stmt::Return(value, flags, pos) => {
                let v = match value {
                    Some(e) => self.expr(e)?,
                    None => unit(),
                };
                let at = Pos::of(*pos);
                if flags.contains(ASTFlags::BREAK) {
                    Ok(Box::new(move |f, cx| {
                        let v = v(f, cx)?;
                        fail(FailKind::Throw(v), at)
                    }))
                } else {
                    Ok(Box::new(move |f, cx| Err(Flow::Return(v(f, cx)?))))
                }
            }
            Stmt::Switch(x, pos) => self.switch(x, Pos::of(*pos)),
            Stmt::TryCatch(fc, pos) => self.try_catch(fc, Pos::of(*pos)),
            #[allow(unreachable_patterns)]
            other => self.no(other.position(), "this statement"),
        }
    }

    /// An `if`/`while` condition: a bool, else rhai's type error.
    fn condition(&mut self, e: &Expr, pos: Pos) -> L<Cond> {
        let c = self.expr(e)?;
        Ok(Box::new(move |f, cx| match c(f, cx)? {
            Value::Bool(b) => Ok(b),
            other => script(
                format!("Data type incorrect: {} (expecting bool)", other.raw_name()),
                pos,
            ),
        }))
    }

    /// `switch`: the parser's case table as it is (see `switch.rs`), each
    /// case's guard and body lowered.
    fn switch(&mut self, x: &(Expr, rhai::SwitchCasesCollection), pos: Pos) -> L<Code> {
        let (value, cases) = x;
        let value = self.expr(value)?;
        let mut arms: Vec<(Option<Cond>, Code)> = Vec::with_capacity(cases.expressions.len());
        for arm in cases.expressions.iter() {
            let guard: Option<Cond> = match &arm.lhs {
                Expr::BoolConstant(true, _) => None,
                Expr::BoolConstant(false, _) => Some(Box::new(|_, _| Ok(false))),
                c => Some(self.condition(c, Pos::of(c.position()))?),
            };
            arms.push((guard, self.expr(&arm.rhs)?));
        }
        let table = switch::Cases {
            by_hash: cases
                .cases
                .iter()
                .map(|(h, c)| (*h, c.blocks.to_vec()))
                .collect(),
            ranges: cases.ranges.to_vec(),
            default: cases.def_case,
        };
        Ok(Box::new(move |f, cx| {
            let v = value(f, cx)?;
            match switch::key(&v) {
                switch::Key::Hash(hash, d) => {
                    for i in table.candidates(hash, &d) {
                        let Some((guard, body)) = arms.get(i) else {
                            continue;
                        };
                        let taken = match guard {
                            None => true,
                            Some(g) => g(f, cx)?,
                        };
                        if taken {
                            return body(f, cx);
                        }
                    }
                }
                switch::Key::DefaultOnly => {}
                switch::Key::Interpret => return builtins::interpret(pos),
            }
            match table.default.and_then(|i| arms.get(i)) {
                Some((_, body)) => body(f, cx),
                None => Ok(Value::Unit),
            }
        }))
    }

    /// `try`/`catch`. What rhai catches, compiled code catches; what the
    /// catch variable would then hold is modelled for a thrown value only
    /// (rhai makes other errors a map of its own message fields), and a
    /// rethrow (`throw;`) keeps rhai's wrapping of the first error: both
    /// hand the record to the interpreter, as does a limit (see below).
    fn try_catch(&mut self, fc: &rhai::FlowControl, pos: Pos) -> L<Code> {
        let body = self.block(fc.body.statements())?;
        let mark = self.scope.len();
        let var = match &fc.expr {
            Expr::Variable(x, _, _) => Some(self.declare(x.1.as_str())),
            _ => None,
        };
        let catch = self.block(fc.branch.statements())?;
        self.scope.truncate(mark);
        Ok(Box::new(move |f, cx| {
            let failed = match body(f, cx) {
                Err(Flow::Fail(failed)) => failed,
                other => return other,
            };
            match (&failed.kind, var) {
                // rhai catches a limit raised inside a callback of a native
                // function (`map(|x| …)` wraps it as a call error) and no
                // other: which one this was is the interpreter's to say.
                (FailKind::Limit(_), _) => return builtins::interpret(pos),
                (FailKind::Interpret, _) => return Err(Flow::Fail(failed)),
                (FailKind::Throw(v), Some(slot)) => f.slots[slot] = v.clone(),
                (FailKind::Throw(_) | FailKind::Script(_) | FailKind::Runtime(_), None) => {}
                (FailKind::Script(_) | FailKind::Runtime(_), Some(_)) => {
                    return builtins::interpret(pos)
                }
            }
            match catch(f, cx) {
                Ok(_) => Ok(Value::Unit),
                Err(Flow::Fail(again)) if matches!(again.kind, FailKind::Throw(Value::Unit)) => {
                    builtins::interpret(pos)
                }
                Err(e) => Err(e),
            }
        }))
    }

    fn for_loop(
        &mut self,
        x: &(rhai::Ident, Option<rhai::Ident>, rhai::FlowControl),
        pos: Pos,
    ) -> L<Code> {
        let (var, counter, fc) = x;
        // `for i in a..b` / `a..=b`: an integer loop, no range value (a
        // range of constants is folded to a constant by rhai's optimizer).
        let range: Option<(Code, Code, bool)> = match &fc.expr {
            Expr::FnCall(call, _) => match (&call.op_token, call.args.as_slice()) {
                (Some(tok @ (Token::ExclusiveRange | Token::InclusiveRange)), [a, b]) => Some((
                    self.expr(a)?,
                    self.expr(b)?,
                    matches!(tok, Token::InclusiveRange),
                )),
                _ => None,
            },
            Expr::DynamicConstant(v, _) => {
                if let Some(r) = v.read_lock::<std::ops::Range<i64>>() {
                    Some((
                        constant(Value::Int(r.start)),
                        constant(Value::Int(r.end)),
                        false,
                    ))
                } else if let Some(r) = v.read_lock::<std::ops::RangeInclusive<i64>>() {
                    Some((
                        constant(Value::Int(*r.start())),
                        constant(Value::Int(*r.end())),
                        true,
                    ))
                } else {
                    None
                }
            }
            _ => None,
        };
        {
            if let Some((from, to, inclusive)) = range {
                let mark = self.scope.len();
                let slot = self.declare(var.name.as_str());
                let count = counter.as_ref().map(|c| self.declare(c.name.as_str()));
                let body = self.block(fc.body.statements())?;
                self.scope.truncate(mark);
                return Ok(Box::new(move |f, cx| {
                    let (Value::Int(a), Value::Int(b)) = (from(f, cx)?, to(f, cx)?) else {
                        return builtins::interpret(pos);
                    };
                    let end = if inclusive { b.saturating_add(1) } else { b };
                    let mut i = a;
                    let mut n = 0i64;
                    while i < end {
                        cx.tick(pos)?;
                        f.slots[slot] = Value::Int(i);
                        if let Some(c) = count {
                            f.slots[c] = Value::Int(n);
                        }
                        match body(f, cx) {
                            Ok(_) | Err(Flow::Continue) => {}
                            Err(Flow::Break) => break,
                            Err(e) => return Err(e),
                        }
                        i += 1;
                        n += 1;
                    }
                    Ok(Value::Unit)
                }));
            }
        }
        let items = self.expr(&fc.expr)?;
        let mark = self.scope.len();
        let slot = self.declare(var.name.as_str());
        let count = counter.as_ref().map(|c| self.declare(c.name.as_str()));
        let body = self.block(fc.body.statements())?;
        self.scope.truncate(mark);
        Ok(Box::new(move |f, cx| {
            // A string's characters, a map: left to the interpreter.
            let Value::Array(a) = items(f, cx)? else {
                return builtins::interpret(pos);
            };
            for (n, item) in a.iter().enumerate() {
                cx.tick(pos)?;
                f.slots[slot] = item.clone();
                if let Some(c) = count {
                    f.slots[c] = Value::Int(n as i64);
                }
                match body(f, cx) {
                    Ok(_) | Err(Flow::Continue) => {}
                    Err(Flow::Break) => break,
                    Err(e) => return Err(e),
                }
            }
            Ok(Value::Unit)
        }))
    }

    fn expr(&mut self, e: &Expr) -> L<Code> {
        match e {
            Expr::DynamicConstant(v, pos) => {
                if let Some(fp) = v.read_lock::<rhai::FnPtr>() {
                    let func = self.closure_fn(fp.fn_name(), *pos)?;
                    if fp.is_curried() {
                        return self.no(*pos, "a curried function pointer");
                    }
                    let c = Value::Fn(Arc::new(Closure {
                        func,
                        name: fp.fn_name().to_string(),
                        captured: Vec::new(),
                    }));
                    return Ok(constant(c));
                }
                match super::value::from_dynamic(v, self.g.known) {
                    Some(v) => Ok(constant(v)),
                    None => self.no(*pos, format!("a constant of type {}", v.type_name())),
                }
            }
            Expr::BoolConstant(b, _) => Ok(constant(Value::Bool(*b))),
            Expr::IntegerConstant(i, _) => Ok(constant(Value::Int(*i))),
            Expr::StringConstant(s, _) => Ok(constant(Value::text(s.as_str()))),
            Expr::Unit(_) => Ok(unit()),
            Expr::CharConstant(_, pos) => self.no(*pos, "a character literal"),
            Expr::InterpolatedString(parts, pos) => {
                let pos = Pos::of(*pos);
                let parts = parts
                    .iter()
                    .map(|p| self.expr(p))
                    .collect::<L<Vec<Code>>>()?;
                Ok(Box::new(move |f, cx| {
                    let mut s = String::new();
                    for p in &parts {
                        match p(f, cx)? {
                            Value::Text(t) => s.push_str(&t),
                            v => match builtins::to_text(&v) {
                                Some(t) => s.push_str(&t),
                                None => return builtins::interpret(pos),
                            },
                        }
                    }
                    let v = Value::text(s);
                    cx.check_size(&v, pos)?;
                    Ok(v)
                }))
            }
            Expr::Array(items, pos) => {
                let pos = Pos::of(*pos);
                let items = items
                    .iter()
                    .map(|p| self.expr(p))
                    .collect::<L<Vec<Code>>>()?;
                Ok(Box::new(move |f, cx| {
                    let mut out = Vec::with_capacity(items.len());
                    for i in &items {
                        out.push(i(f, cx)?);
                    }
                    let v = Value::array(out);
                    cx.check_size(&v, pos)?;
                    Ok(v)
                }))
            }
            Expr::Map(x, pos) => {
                let pos = Pos::of(*pos);
                let values =
                    x.0.iter()
                        .map(|(_, v)| self.expr(v))
                        .collect::<L<Vec<Code>>>()?;
                // rhai refuses a literal with a key twice, so the keys sort
                // into distinct slots once, here: values are still computed
                // in the order written.
                let mut keys: Vec<Arc<str>> =
                    x.0.iter()
                        .map(|(k, _)| Arc::from(k.name.as_str()))
                        .collect();
                keys.sort_unstable();
                keys.dedup();
                let slots: Vec<usize> =
                    x.0.iter()
                        .map(|(k, _)| {
                            keys.binary_search_by(|s| (**s).cmp(k.name.as_str()))
                                .unwrap_or(0)
                        })
                        .collect();
                Ok(Box::new(move |f, cx| {
                    let mut entries: Vec<(Arc<str>, Value)> =
                        keys.iter().map(|k| (k.clone(), Value::Unit)).collect();
                    for (v, &slot) in values.iter().zip(&slots) {
                        let x = v(f, cx)?;
                        if let Some(e) = entries.get_mut(slot) {
                            e.1 = x;
                        }
                    }
                    let v = Value::map(Map::from_sorted(entries));
                    cx.check_size(&v, pos)?;
                    Ok(v)
                }))
            }
            Expr::Variable(x, _, pos) => {
                let name = x.1.as_str();
                match self.lookup(name) {
                    Some(s) => Ok(Box::new(move |f, _| Ok(f.slots[s].clone()))),
                    None => self.no(*pos, format!("the variable `{name}` (not a local)")),
                }
            }
            Expr::ThisPtr(pos) => {
                let pos = Pos::of(*pos);
                Ok(Box::new(move |f, _| Ok(f.this_mut(pos)?.clone())))
            }
            Expr::Stmt(b) => self.block(b.statements()),
            Expr::FnCall(f, pos) => self.fncall(f, *pos),
            Expr::Dot(..) | Expr::Index(..) => self.chain(e),
            Expr::And(list, _) | Expr::Or(list, _) => {
                let and = matches!(e, Expr::And(..));
                let ops = list
                    .iter()
                    .map(|x| Ok((self.expr(x)?, Pos::of(x.position()))))
                    .collect::<L<Vec<(Code, Pos)>>>()?;
                Ok(Box::new(move |f, cx| {
                    for (c, pos) in &ops {
                        match c(f, cx)? {
                            Value::Bool(b) if b != and => return Ok(Value::Bool(b)),
                            Value::Bool(_) => {}
                            other => {
                                return script(
                                    format!(
                                        "Data type incorrect: {} (expecting bool)",
                                        other.raw_name()
                                    ),
                                    *pos,
                                )
                            }
                        }
                    }
                    Ok(Value::Bool(and))
                }))
            }
            Expr::Coalesce(list, _) => {
                let ops = list
                    .iter()
                    .map(|x| self.expr(x))
                    .collect::<L<Vec<Code>>>()?;
                Ok(Box::new(move |f, cx| {
                    let mut last = Value::Unit;
                    for c in &ops {
                        last = c(f, cx)?;
                        if !last.is_unit() {
                            break;
                        }
                    }
                    Ok(last)
                }))
            }
            other => self.no(other.position(), "this expression"),
        }
    }

    /// The policy function a function pointer names (closures are functions
    /// `anon$…` whose first parameters are the captured variables).
    fn closure_fn(&mut self, name: &str, pos: rhai::Position) -> L<usize> {
        let key = self.g.by_name.get(name).cloned();
        match key.and_then(|(n, a)| self.g.function(&n, a)) {
            Some(i) => Ok(i),
            None => self.no(pos, format!("a pointer to `{name}`")),
        }
    }

    fn args(&mut self, args: &[Expr]) -> L<Vec<Code>> {
        args.iter().map(|a| self.expr(a)).collect()
    }

    fn fncall(&mut self, call: &FnCallExpr, pos: rhai::Position) -> L<Code> {
        let at = Pos::of(pos);
        let name = call.name.as_str();
        if let Some(tok) = &call.op_token {
            match (call.args.len(), tok) {
                (1, Token::Minus | Token::UnaryMinus) => {
                    let a = self.expr(&call.args[0])?;
                    return Ok(Box::new(move |f, cx| builtins::neg(&a(f, cx)?, at)));
                }
                (1, Token::Bang) => {
                    let a = self.expr(&call.args[0])?;
                    return Ok(Box::new(move |f, cx| builtins::not(&a(f, cx)?, at)));
                }
                (2, t) => {
                    if let Some(op) = Op::from_token(t) {
                        let a = self.expr(&call.args[0])?;
                        let b = self.expr(&call.args[1])?;
                        return Ok(Box::new(move |f, cx| {
                            let x = a(f, cx)?;
                            let y = b(f, cx)?;
                            builtins::binary(op, &x, &y, at)
                        }));
                    }
                }
                _ => {}
            }
            return self.no(pos, format!("the operator `{name}`"));
        }
        if name == "curry" {
            if let Some(Expr::DynamicConstant(v, p)) = call.args.first() {
                if let Some(fp) = v.read_lock::<rhai::FnPtr>() {
                    let fname = fp.fn_name().to_string();
                    let func = self.closure_fn(&fname, *p)?;
                    self.g.curried.insert(func, call.args.len() - 1);
                    for a in &call.args[1..] {
                        if let Expr::Variable(x, _, pos) = a {
                            if let Some(s) = self.lookup(x.1.as_str()) {
                                self.captured.push((s, x.1.to_string(), Pos::of(*pos)));
                            }
                        }
                    }
                    let captured = self.args(&call.args[1..])?;
                    return Ok(Box::new(move |f, cx| {
                        let mut values = Vec::with_capacity(captured.len());
                        for c in &captured {
                            values.push(c(f, cx)?);
                        }
                        Ok(Value::Fn(Arc::new(Closure {
                            func,
                            name: fname.clone(),
                            captured: values,
                        })))
                    }));
                }
            }
            return self.no(pos, "`curry` of a computed function");
        }
        let argc = call.args.len();
        if let Some(func) = self.g.function(name, argc) {
            let args = self.args(&call.args)?;
            return Ok(Box::new(move |f, cx| {
                let mut values = cx.list();
                for a in &args {
                    values.push(a(f, cx)?);
                }
                cx.call(func, values, None, at).map(|(v, _)| v)
            }));
        }
        if let Some(n) = Native::find(name, argc) {
            // rhai passes a variable first argument of a native function by reference.
            if n.mutates() {
                if let Some(target) = self.target(&call.args[0]) {
                    let args = self.args(&call.args[1..])?;
                    return Ok(self.ref_call(target, LStep::Native(n, args), at));
                }
            }
            let args = self.args(&call.args)?;
            return Ok(Box::new(move |f, cx| {
                let mut values = cx.list();
                for a in &args {
                    values.push(a(f, cx)?);
                }
                let r = builtins::call(n, &mut values, cx, at);
                cx.recycle(values);
                r
            }));
        }
        self.no(
            pos,
            format!("the function `{name}` with {argc} argument(s)"),
        )
    }

    /// A variable or `this`, as a place a call can change.
    fn target(&self, e: &Expr) -> Option<Target> {
        match e {
            Expr::Variable(x, _, _) => self.lookup(x.1.as_str()).map(Target::Slot),
            Expr::ThisPtr(_) => Some(Target::This),
            _ => None,
        }
    }

    /// A method call whose receiver is a variable: the variable is moved into
    /// the call and back, so the method changes it in place.
    fn ref_call(&mut self, target: Target, step: LStep, at: Pos) -> Code {
        if let Target::Slot(s) = target {
            self.mutated.push(s);
        }
        Box::new(move |f, cx| {
            let recv = match target {
                Target::Slot(s) => std::mem::take(&mut f.slots[s]),
                Target::This => std::mem::take(f.this_mut(at)?),
            };
            let (r, back) = apply_method(&step, recv, f, cx, at);
            match target {
                Target::Slot(s) => f.slots[s] = back,
                Target::This => f.this = back,
            }
            r
        })
    }

    /// The steps of a chain, first to last, and its base. rhai marks a link
    /// written `?.` / `?[` as `NEGATED`: its check applies to the value the
    /// link's right side starts from, so a `Step::Elvis` goes right there.
    fn flatten<'e>(&self, e: &'e Expr, out: &mut Vec<Step<'e>>) -> L<&'e Expr> {
        match e {
            Expr::Dot(b, flags, pos) => {
                elvis(*flags, out);
                self.steps_dot(&b.rhs, *pos, out)?;
                Ok(&b.lhs)
            }
            Expr::Index(b, flags, pos) => {
                elvis(*flags, out);
                if flags.contains(ASTFlags::BREAK) {
                    out.push(Step::Index(&b.rhs, Pos::of(*pos)));
                } else {
                    self.steps_index(&b.rhs, *pos, out)?;
                }
                Ok(&b.lhs)
            }
            other => Ok(other),
        }
    }

    /// A property (placed at the `.` before it, as rhai reports it) or a method call.
    fn single<'e>(&self, e: &'e Expr, dot: rhai::Position, out: &mut Vec<Step<'e>>) -> L<()> {
        match e {
            Expr::Property(x, pos) => {
                out.push(Step::Prop(x.2.as_str(), Pos::of(dot), Pos::of(*pos)))
            }
            Expr::MethodCall(f, pos) => out.push(Step::Method(f, Pos::of(*pos))),
            other => return self.no(other.position(), "this property chain"),
        }
        Ok(())
    }

    /// The steps after a `.` at `dot`.
    fn steps_dot<'e>(&self, rhs: &'e Expr, dot: rhai::Position, out: &mut Vec<Step<'e>>) -> L<()> {
        match rhs {
            Expr::Property(..) | Expr::MethodCall(..) => self.single(rhs, dot, out),
            Expr::Dot(b, flags, pos) => {
                self.single(&b.lhs, dot, out)?;
                elvis(*flags, out);
                self.steps_dot(&b.rhs, *pos, out)
            }
            Expr::Index(b, flags, pos) => {
                self.single(&b.lhs, dot, out)?;
                elvis(*flags, out);
                if flags.contains(ASTFlags::BREAK) {
                    out.push(Step::Index(&b.rhs, Pos::of(*pos)));
                    Ok(())
                } else {
                    self.steps_index(&b.rhs, *pos, out)
                }
            }
            other => self.no(other.position(), "this property chain"),
        }
    }

    /// The steps after a `[` at `at` that the chain continues past.
    fn steps_index<'e>(&self, rhs: &'e Expr, at: rhai::Position, out: &mut Vec<Step<'e>>) -> L<()> {
        match rhs {
            Expr::Dot(b, flags, pos) => {
                out.push(Step::Index(&b.lhs, Pos::of(at)));
                elvis(*flags, out);
                self.steps_dot(&b.rhs, *pos, out)
            }
            Expr::Index(b, flags, pos) => {
                out.push(Step::Index(&b.lhs, Pos::of(at)));
                elvis(*flags, out);
                if flags.contains(ASTFlags::BREAK) {
                    out.push(Step::Index(&b.rhs, Pos::of(*pos)));
                    Ok(())
                } else {
                    self.steps_index(&b.rhs, *pos, out)
                }
            }
            other => {
                out.push(Step::Index(other, Pos::of(at)));
                Ok(())
            }
        }
    }

    fn lower_step(&mut self, s: &Step<'_>) -> L<(LStep, Pos, bool)> {
        Ok(match s {
            Step::Elvis => (LStep::Elvis, Pos::default(), false),
            Step::Prop(name, pos, at) => {
                let mut slots = [None; 8];
                for (t, list) in self.g.known.lists.iter().enumerate().take(8) {
                    slots[t] = list.iter().position(|k| &**k == *name);
                }
                (LStep::Prop(Arc::from(*name), slots, *at), *pos, false)
            }
            Step::Index(e, pos) => (
                LStep::Index(self.expr(e)?, Pos::of(e.position())),
                *pos,
                false,
            ),
            Step::Method(call, pos) => {
                let name = call.name.as_str();
                let argc = call.args.len();
                let args = self.args(&call.args)?;
                if let Some(func) = self.g.function(name, argc) {
                    (LStep::Script(func, args), *pos, true)
                } else if let Some(n) = Native::find(name, argc + 1) {
                    (LStep::Native(n, args), *pos, n.mutates())
                } else {
                    return Err(Unsupported {
                        file: self.file.clone(),
                        line: pos.line,
                        column: pos.col,
                        construct: format!(
                            "the method `{name}` with {argc} argument(s) (in `{}`)",
                            self.fn_name
                        ),
                    });
                }
            }
        })
    }

    fn chain(&mut self, e: &Expr) -> L<Code> {
        let mut steps = Vec::new();
        let base = self.flatten(e, &mut steps)?;
        // `flatten` pushes outer steps after inner ones only for nested
        // chains it walks in order, so the list is already first-to-last.
        let target = self.target(base);
        let mut lowered = Vec::with_capacity(steps.len());
        for s in &steps {
            lowered.push(self.lower_step(s)?);
        }
        for (i, (_, pos, mutates)) in lowered.iter().enumerate() {
            if *mutates && i > 0 && target.is_some() {
                return Err(Unsupported {
                    file: self.file.clone(),
                    line: pos.line,
                    column: pos.col,
                    construct: format!(
                        "a changing method deep in a chain on a variable (in `{}`)",
                        self.fn_name
                    ),
                });
            }
        }
        // A chain starting `x?.` reads its base as a value; the `?.` is then
        // the first step of the rest (a changing method after it was refused above).
        let target = if matches!(lowered.first(), Some((LStep::Elvis, ..))) {
            None
        } else {
            target
        };
        let mut lowered = lowered.into_iter();
        let first: Code = match (target, lowered.next()) {
            (Some(t), Some((step @ (LStep::Native(..) | LStep::Script(..)), pos, true))) => {
                self.ref_call(t, step, pos)
            }
            // `c.x`, `v[i]` on a local: read through the slot, no copy of the map.
            (Some(Target::Slot(slot)), Some((LStep::Prop(name, slots, at), pos, _))) => {
                Box::new(move |f, _| prop(&f.slots[slot], &name, &slots, pos, at))
            }
            (Some(Target::Slot(slot)), Some((LStep::Index(key, at), pos, _))) => {
                Box::new(move |f, cx| {
                    let k = key(f, cx)?;
                    index(&f.slots[slot], &k, pos, at)
                })
            }
            (_, Some((LStep::Elvis, ..))) => {
                let base = self.expr(base)?;
                let rest: Vec<(LStep, Pos)> = lowered.map(|(s, p, _)| (s, p)).collect();
                return Ok(Box::new(move |f, cx| {
                    let v = base(f, cx)?;
                    if v.is_unit() {
                        return short_circuit(&rest);
                    }
                    run_steps(&rest, v, f, cx)
                }));
            }
            (_, Some((step, pos, _))) => {
                let base = self.expr(base)?;
                Box::new(move |f, cx| {
                    let v = base(f, cx)?;
                    apply(&step, v, f, cx, pos)
                })
            }
            (_, None) => self.expr(base)?,
        };
        let rest: Vec<(LStep, Pos)> = lowered.map(|(s, p, _)| (s, p)).collect();
        if rest.is_empty() {
            return Ok(first);
        }
        Ok(Box::new(move |f, cx| {
            let v = first(f, cx)?;
            run_steps(&rest, v, f, cx)
        }))
    }

    fn assignment(&mut self, op: &rhai::OpAssignment, lhs: &Expr, rhs: &Expr) -> L<Code> {
        let at = Pos::of(op.position());
        let op = match op.get_op_assignment_info() {
            None => None,
            Some((_, _, tok, ..)) => match Op::from_token(tok) {
                Some(o) => Some(o),
                None => return self.no(op.position(), "this compound assignment"),
            },
        };
        let value = self.expr(rhs)?;
        if let Some(t) = self.target(lhs) {
            if let Target::Slot(s) = t {
                self.mutated.push(s);
            }
            return Ok(Box::new(move |f, cx| {
                let v = value(f, cx)?;
                let place = match t {
                    Target::Slot(s) => &mut f.slots[s],
                    Target::This => f.this_mut(at)?,
                };
                let new = match op {
                    None => v,
                    Some(o) => combine(o, std::mem::take(place), v, at)?,
                };
                if op.is_some() {
                    cx.check_size(&new, at)?;
                }
                *place = new;
                Ok(Value::Unit)
            }));
        }
        // `m[k] = v`, `m.k = v` on a variable.
        // `dot`: where rhai places a failed read of `m.k` before `m.k op= v`.
        let (base, key, at, dot): (&Expr, KeyOf, Pos, Pos) = match lhs {
            Expr::Index(b, flags, pos) if flags.contains(ASTFlags::BREAK) => (
                &b.lhs,
                KeyOf::Index(self.expr(&b.rhs)?),
                Pos::of(*pos),
                Pos::of(*pos),
            ),
            Expr::Dot(b, flags, dot) if flags.contains(ASTFlags::NEGATED) => {
                return self.no(*dot, "`?.` in an assignment")
            }
            Expr::Dot(b, _, dot) => match &b.rhs {
                Expr::Property(x, pos) => (
                    &b.lhs,
                    KeyOf::Name(Arc::from(x.2.as_str())),
                    Pos::of(*pos),
                    Pos::of(*dot),
                ),
                other => return self.no(other.position(), "assigning into this chain"),
            },
            other => return self.no(other.position(), "assigning to this"),
        };
        let Some(t) = self.target(base) else {
            return self.no(base.position(), "assigning into a computed value");
        };
        if let Target::Slot(s) = t {
            self.mutated.push(s);
        }
        Ok(Box::new(move |f, cx| {
            let v = value(f, cx)?;
            let k = match &key {
                KeyOf::Index(c) => c(f, cx)?,
                KeyOf::Name(n) => Value::Text(n.clone()),
            };
            let by_name = matches!(key, KeyOf::Name(_));
            let place = match t {
                Target::Slot(s) => &mut f.slots[s],
                Target::This => f.this_mut(at)?,
            };
            set_in(place, k, v, op, by_name, &cx.prog.known, (at, dot))?;
            let whole = place.clone();
            cx.check_size(&whole, at)?;
            Ok(Value::Unit)
        }))
    }
}

enum KeyOf {
    Index(Code),
    Name(Arc<str>),
}

#[derive(Clone, Copy)]
enum Target {
    Slot(usize),
    This,
}

/// `old op= v`: `+=` appends to an array (an array: all its items), and is
/// `+` otherwise, as rhai's `+=` functions are.
fn combine(op: Op, old: Value, v: Value, at: Pos) -> R<Value> {
    match (op, old, v) {
        (Op::Add, Value::Array(mut a), Value::Array(b)) => {
            Arc::make_mut(&mut a).extend(&b);
            Ok(Value::Array(a))
        }
        (Op::Add, Value::Array(mut a), v) => {
            Arc::make_mut(&mut a).push(v);
            Ok(Value::Array(a))
        }
        (op, old, v) => builtins::binary(op, &old, &v, at),
    }
}

/// `place[k] (op)= v`.
fn set_in(
    place: &mut Value,
    k: Value,
    v: Value,
    op: Option<Op>,
    by_name: bool,
    known: &KnownKeys,
    (at, dot): (Pos, Pos),
) -> R<()> {
    match (place, k) {
        (Value::Map(m), Value::Text(k)) => {
            let m = Arc::make_mut(m);
            let new = match op {
                None => v,
                Some(o) => {
                    let old = match m.get(&k) {
                        Some(x) => x.clone(),
                        None if by_name => return script(format!("Property not found: {k}"), at),
                        None => Value::Unit,
                    };
                    combine(o, old, v, at)?
                }
            };
            m.insert(k, new);
            Ok(())
        }
        (Value::Array(a), Value::Int(i)) => {
            let len = a.len();
            let Some(idx) = array_index(len, i) else {
                return script(bounds(len, i), at);
            };
            let a = Arc::make_mut(a);
            let new = match op {
                None => v,
                Some(o) => combine(o, a.replace(idx, Value::Unit).unwrap_or_default(), v, at)?,
            };
            a.replace(idx, new);
            Ok(())
        }
        // The record and the parameters, as the sandbox's `FrozenMap` answers:
        // only a field name has a setter (which accepts an unchanged value),
        // and there is no index setter at all.
        (Value::Frozen(m), Value::Text(k)) => {
            if !by_name {
                // rhai names the type of the value it would have stored.
                let stored = match (op, m.get(&k)) {
                    (Some(o), Some(old)) => combine(o, old.clone(), v, at)?,
                    _ => v,
                };
                return script(
                    format!(
                        "Indexer unavailable: frozen map [string] = {}",
                        stored.type_name()
                    ),
                    at,
                );
            }
            if op.is_some() && !known.is_field(&k) {
                // `m.k op= v` reads `m.k` first, through the indexer.
                return runtime(
                    format!("no field `{k}` (fields are read-only and fixed)"),
                    dot,
                );
            }
            if !known.is_field(&k) {
                return script(
                    format!(
                        "No writable property '{k}' - a setter is not registered for type 'frozen map' to handle '{}'",
                        v.type_name()
                    ),
                    at,
                );
            }
            let new = match op {
                None => v,
                Some(o) => match m.get(&k) {
                    Some(old) => combine(o, old.clone(), v, at)?,
                    None => {
                        return runtime(
                            format!("no field `{k}` (fields are read-only and fixed)"),
                            at,
                        )
                    }
                },
            };
            match m.get(&k) {
                Some(old) if super::value::same(old, &new) => Ok(()),
                _ => runtime(
                    format!("`{k}` is read-only: rules cannot change the record or the parameters"),
                    at,
                ),
            }
        }
        (p, k) => script(
            format!("Indexer unavailable: {} [{}]", p.type_name(), k.type_name()),
            at,
        ),
    }
}

/// rhai's array index: negative counts from the end.
fn array_index(len: usize, i: i64) -> Option<usize> {
    if i >= 0 {
        let i = usize::try_from(i).ok()?;
        (i < len).then_some(i)
    } else {
        let back = usize::try_from(i.unsigned_abs()).ok()?;
        len.checked_sub(back)
    }
}

fn bounds(len: usize, i: i64) -> String {
    match len {
        0 => format!("Array index {i} out of bounds: array is empty"),
        1 => format!("Array index {i} out of bounds: only 1 element in array"),
        n => format!("Array index {i} out of bounds: only {n} elements in array"),
    }
}

/// Applies one chain step to a value.
fn apply(s: &LStep, v: Value, f: &mut Frame, cx: &mut super::run::Ctx<'_>, pos: Pos) -> R<Value> {
    match s {
        LStep::Prop(name, slots, at) => prop(&v, name, slots, pos, *at),
        LStep::Index(c, at) => {
            let k = c(f, cx)?;
            index(&v, &k, pos, *at)
        }
        LStep::Native(..) | LStep::Script(..) => apply_method(s, v, f, cx, pos).0,
        // Handled by `run_steps`, which can end the chain.
        LStep::Elvis => Ok(v),
    }
}

/// The rest of a chain from `v`; a `()` at a `?.` ends it with `()`.
fn run_steps(
    rest: &[(LStep, Pos)],
    mut v: Value,
    f: &mut Frame,
    cx: &mut super::run::Ctx<'_>,
) -> R<Value> {
    for (i, (s, pos)) in rest.iter().enumerate() {
        if let LStep::Elvis = s {
            if v.is_unit() {
                return short_circuit(&rest[i + 1..]);
            }
            continue;
        }
        v = apply(s, v, f, cx, *pos)?;
    }
    Ok(v)
}

/// A `?.` met `()`: the chain is `()`. rhai evaluates every index and
/// method argument of a chain before walking it, so one that would fail
/// still fails there; when any is left, the interpreter decides the record.
fn short_circuit(rest: &[(LStep, Pos)]) -> R<Value> {
    let pending = rest.iter().any(|(s, _)| match s {
        LStep::Index(..) => true,
        LStep::Native(_, args) | LStep::Script(_, args) => !args.is_empty(),
        LStep::Prop(..) | LStep::Elvis => false,
    });
    if pending {
        return builtins::interpret(Pos::default());
    }
    Ok(Value::Unit)
}

/// Marks a `?.` / `?[` link (see `Fl::flatten`).
fn elvis(flags: ASTFlags, out: &mut Vec<Step<'_>>) {
    if flags.contains(ASTFlags::NEGATED) {
        out.push(Step::Elvis);
    }
}

/// Calls a method on `recv`; returns the result and the receiver as the call left it.
fn apply_method(
    s: &LStep,
    recv: Value,
    f: &mut Frame,
    cx: &mut super::run::Ctx<'_>,
    pos: Pos,
) -> (R<Value>, Value) {
    let args = match s {
        LStep::Native(_, args) | LStep::Script(_, args) => args,
        _ => return (script("not a method", pos), recv),
    };
    let mut values = cx.list();
    if matches!(s, LStep::Native(..)) {
        values.push(Value::Unit);
    }
    for a in args {
        match a(f, cx) {
            Ok(v) => values.push(v),
            Err(e) => return (Err(e), recv),
        }
    }
    match s {
        LStep::Native(n, _) => {
            values[0] = recv;
            let r = builtins::call(*n, &mut values, cx, pos);
            let back = std::mem::take(&mut values[0]);
            cx.recycle(values);
            (r, back)
        }
        LStep::Script(func, _) => match cx.call(*func, values, Some(recv), pos) {
            Ok((v, back)) => (Ok(v), back),
            Err(e) => (Err(e), Value::Unit),
        },
        _ => (script("not a method", pos), Value::Unit),
    }
}

/// `v.name`: a read-only map's field by slot (a kam getter: its error at
/// the `.`), a map's entry or a date's part (errors at the name, `at`).
fn prop(v: &Value, name: &Arc<str>, slots: &[Option<usize>; 8], pos: Pos, at: Pos) -> R<Value> {
    match v {
        Value::Frozen(fr) => {
            let hit = match slots.get(fr.tag).copied().flatten() {
                Some(i) => fr.vals.get(i),
                None if fr.tag < 8 => None,
                None => fr.get(name),
            };
            match hit {
                Some(x) => Ok(x.clone()),
                None => runtime(
                    format!("no field `{name}` (fields are read-only and fixed)"),
                    pos,
                ),
            }
        }
        Value::Map(m) => match m.get(name) {
            Some(x) => Ok(x.clone()),
            None => script(format!("Property not found: {name}"), at),
        },
        Value::Date(d) => match builtins::date_part(d, name) {
            Some(x) => Ok(x),
            None => script(
                format!("Unknown property '{name}' - a getter is not registered for type 'date'"),
                at,
            ),
        },
        other => script(
            format!(
                "Unknown property '{name}' - a getter is not registered for type '{}'",
                other.type_name()
            ),
            at,
        ),
    }
}

/// `v[k]`: a bad index of an array or map is placed at the index (`at`), a
/// read-only map's missing field (kam's indexer) at the `[`.
fn index(v: &Value, k: &Value, pos: Pos, at: Pos) -> R<Value> {
    match (v, k) {
        (Value::Array(a), Value::Int(i)) => match array_index(a.len(), *i) {
            Some(idx) => Ok(a[idx].clone()),
            None => script(bounds(a.len(), *i), at),
        },
        (Value::Map(m), Value::Text(key)) => match m.get(key) {
            Some(x) => Ok(x.clone()),
            None => script(format!("Property not found: {key}"), at),
        },
        (Value::Frozen(fr), Value::Text(key)) => match fr.get(key) {
            Some(x) => Ok(x.clone()),
            None => runtime(
                format!("no field `{key}` (fields are read-only and fixed)"),
                pos,
            ),
        },
        (Value::Array(_), k) => script(
            format!("Data type incorrect: {} (expecting i64)", k.raw_name()),
            at,
        ),
        // A string's characters and an integer's bits are left to the interpreter.
        (Value::Text(_) | Value::Int(_), _) => fail(FailKind::Interpret, pos),
        (v, k) => script(
            format!("Indexer unavailable: {} [{}]", v.type_name(), k.type_name()),
            pos,
        ),
    }
}
