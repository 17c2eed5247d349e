//! Running compiled code: the program, a call's frame, the sandbox counters,
//! and turning a failure into the same [`RuleError`] the interpreter reports.

use std::collections::HashMap;

use rhai::Dynamic;

use super::value::{self, KnownKeys, Value};
use crate::error::{RuleError, RuleErrorKind};
use crate::policy::sandbox::deadline;
use crate::policy::{fn_line, Limits, Policy};

/// One lowered node: evaluates in a frame under the call's counters.
pub(crate) type Code = Box<dyn Fn(&mut Frame, &mut Ctx<'_>) -> R<Value> + Send + Sync>;

/// How evaluation leaves a node other than with a value.
pub(crate) enum Flow {
    Fail(Box<Fail>),
    Return(Value),
    Break,
    Continue,
}

pub(crate) type R<T> = Result<T, Flow>;

/// A failure, located where it happened; `func` is filled in by the
/// innermost function call it leaves (as rhai's nested call errors name it).
#[derive(Debug)]
pub(crate) struct Fail {
    pub kind: FailKind,
    pub pos: Pos,
    pub func: Option<usize>,
}

/// What went wrong, in the categories the interpreter's errors fall into.
#[derive(Debug)]
pub(crate) enum FailKind {
    /// A kam function refused (rhai's `ErrorRuntime` of a registered
    /// function): reported as "rule threw: …".
    Runtime(String),
    /// `throw value`.
    Throw(Value),
    /// Any other script error (arithmetic, a missing property, a type).
    Script(String),
    /// A sandbox limit.
    Limit(String),
    /// A value compiled code does not model (a character of a string): the
    /// record is evaluated again by the interpreter, which gives the answer.
    /// Rules are pure, so running them twice changes nothing.
    Interpret,
}

/// A source position: 1-based line and column.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Pos {
    pub line: Option<usize>,
    pub col: Option<usize>,
}

impl Pos {
    pub(crate) fn of(p: rhai::Position) -> Pos {
        Pos {
            line: p.line(),
            col: p.position(),
        }
    }
}

pub(crate) fn fail<T>(kind: FailKind, pos: Pos) -> R<T> {
    Err(Flow::Fail(Box::new(Fail {
        kind,
        pos,
        func: None,
    })))
}

pub(crate) fn script<T>(msg: impl Into<String>, pos: Pos) -> R<T> {
    fail(FailKind::Script(msg.into()), pos)
}

pub(crate) fn runtime<T>(msg: impl Into<String>, pos: Pos) -> R<T> {
    fail(FailKind::Runtime(msg.into()), pos)
}

/// A compiled function.
pub(crate) struct Func {
    pub name: String,
    pub file: String,
    pub nparams: usize,
    pub nslots: usize,
    pub body: Code,
}

/// A compiled policy: every function reachable from kam's entry points.
pub(crate) struct Program {
    pub funcs: Vec<Func>,
    /// Entry name → function (the arity kam calls it with).
    pub entries: HashMap<String, usize>,
    pub known: KnownKeys,
    pub limits: Limits,
    /// The parameters, converted once.
    pub params: Value,
}

/// The locals of one call: parameters first, then every `let` its own slot.
pub(crate) struct Frame {
    pub slots: Vec<Value>,
    pub this: Value,
    /// Whether the call is a method call (`x.f()`): otherwise `this` is unbound.
    pub bound: bool,
}

impl Frame {
    /// `this`, or rhai's error when the function was not called as a method.
    pub(crate) fn this_mut(&mut self, pos: Pos) -> R<&mut Value> {
        if self.bound {
            Ok(&mut self.this)
        } else {
            script("'this' not bound", pos)
        }
    }
}

/// The counters of one evaluation.
pub(crate) struct Ctx<'p> {
    pub prog: &'p Program,
    pub ops: u64,
    pub depth: usize,
    /// Finished calls' slot lists, kept so that a call does not allocate.
    pub spare: Vec<Vec<Value>>,
}

impl Ctx<'_> {
    /// An empty list for a call's arguments, reusing a finished call's.
    #[inline]
    pub(crate) fn list(&mut self) -> Vec<Value> {
        self.spare.pop().unwrap_or_default()
    }

    /// Gives a finished call's list back for the next call.
    #[inline]
    pub(crate) fn recycle(&mut self, mut v: Vec<Value>) {
        v.clear();
        // Bounded: deep recursion must not keep its lists for ever.
        if self.spare.len() < 64 {
            self.spare.push(v);
        }
    }

    /// Counts one operation; fails past the budget or the deadline.
    #[inline]
    pub(crate) fn tick(&mut self, pos: Pos) -> R<()> {
        self.ops += 1;
        if self.ops > self.prog.limits.max_operations {
            return fail(FailKind::Limit("Too many operations".into()), pos);
        }
        if self.ops % 1024 == 0 && deadline::expired() {
            return fail(
                FailKind::Limit(format!(
                    "evaluation exceeded its time limit of {:?}",
                    self.prog.limits.max_duration.unwrap_or_default()
                )),
                pos,
            );
        }
        Ok(())
    }

    /// Checks a value a rule built against the size limits.
    pub(crate) fn check_size(&self, v: &Value, pos: Pos) -> R<()> {
        let n = value::sizes(v);
        let l = &self.prog.limits;
        let over = if l.max_string_size > 0 && n.strings > l.max_string_size {
            Some("Length of string")
        } else if l.max_array_size > 0 && n.arrays > l.max_array_size {
            Some("Size of array/BLOB")
        } else if l.max_map_size > 0 && n.maps > l.max_map_size {
            Some("Size of object map")
        } else {
            None
        };
        match over {
            Some(what) => fail(FailKind::Limit(format!("{what} too large")), pos),
            None => Ok(()),
        }
    }

    /// Calls policy function `func` with `args` (and `this`), returning its
    /// value and `this` as the call left it.
    pub(crate) fn call(
        &mut self,
        func: usize,
        mut args: Vec<Value>,
        this: Option<Value>,
        pos: Pos,
    ) -> R<(Value, Value)> {
        let prog = self.prog;
        let Some(f) = prog.funcs.get(func) else {
            return script("function not compiled", pos);
        };
        if self.depth >= prog.limits.max_call_levels {
            return fail(FailKind::Limit("Stack overflow".into()), pos);
        }
        self.tick(pos)?;
        args.resize(f.nslots.max(f.nparams), Value::Unit);
        let bound = this.is_some();
        let mut frame = Frame {
            slots: args,
            this: this.unwrap_or_default(),
            bound,
        };
        self.depth += 1;
        let r = (f.body)(&mut frame, self);
        self.depth -= 1;
        self.recycle(frame.slots);
        match r {
            Ok(v) | Err(Flow::Return(v)) => Ok((v, frame.this)),
            Err(Flow::Break | Flow::Continue) => Ok((Value::Unit, frame.this)),
            Err(Flow::Fail(mut e)) => {
                if e.func.is_none() {
                    e.func = Some(func);
                }
                Err(Flow::Fail(e))
            }
        }
    }

    /// Calls a closure value with `args` after its captured values.
    pub(crate) fn call_closure(&mut self, f: &Value, mut args: Vec<Value>, pos: Pos) -> R<Value> {
        let Value::Fn(c) = f else {
            return script(
                format!("Data type incorrect: {} (expecting Fn)", f.type_name()),
                pos,
            );
        };
        let mut all = self.list();
        all.extend(c.captured.iter().cloned());
        all.append(&mut args);
        self.recycle(args);
        let want = self.prog.funcs.get(c.func).map_or(0, |f| f.nparams);
        if all.len() != want {
            return script(format!("Function not found: {}", c.name), pos);
        }
        self.call(c.func, all, None, pos).map(|(v, _)| v)
    }
}

/// Calls entry or helper `name` of the compiled policy with the arguments kam
/// passes the interpreter, giving the interpreter's value. `None`: the program
/// cannot take these arguments or give this answer (a value type it does not
/// know); the caller uses the interpreter.
pub(crate) fn call(
    policy: &Policy,
    prog: &Program,
    name: &str,
    record_id: &str,
    args: &[Dynamic],
) -> Option<Result<Dynamic, Box<RuleError>>> {
    Some(match call_value(policy, prog, name, record_id, args)? {
        Ok(v) => Ok(value::to_dynamic_checked(&v)?),
        Err(e) => Err(e),
    })
}

/// [`call`], giving compiled code's own value.
fn call_value(
    policy: &Policy,
    prog: &Program,
    name: &str,
    record_id: &str,
    args: &[Dynamic],
) -> Option<Result<Value, Box<RuleError>>> {
    let func = *prog.entries.get(name)?;
    let params_ptr = policy
        .params()
        .read_lock::<crate::policy::sandbox::FrozenMap>()
        .map(|m| std::sync::Arc::as_ptr(&m.0));
    let mut values = Vec::with_capacity(args.len());
    for a in args {
        let is_params = params_ptr.is_some()
            && a.read_lock::<crate::policy::sandbox::FrozenMap>()
                .map(|m| std::sync::Arc::as_ptr(&m.0))
                == params_ptr;
        if is_params {
            values.push(prog.params.clone());
        } else {
            values.push(value::from_dynamic(a, &prog.known)?);
        }
    }
    run(policy, prog, func, record_id, values)
}

/// Runs function `func` on compiled arguments (the parameters are
/// [`Program::params`]): its value, its rule error, or `None` where the
/// interpreter must answer (see [`FailKind::Interpret`]).
pub(crate) fn run(
    policy: &Policy,
    prog: &Program,
    func: usize,
    record_id: &str,
    values: Vec<Value>,
) -> Option<Result<Value, Box<RuleError>>> {
    let mut ctx = Ctx {
        prog,
        ops: 0,
        depth: 0,
        spare: Vec::new(),
    };
    let r = deadline::run(prog.limits.max_duration, || {
        ctx.call(func, values, None, Pos::default())
    });
    Some(match r {
        Ok((v, _)) | Err(Flow::Return(v)) => Ok(v),
        Err(Flow::Break | Flow::Continue) => Ok(Value::Unit),
        Err(Flow::Fail(e))
            if matches!(&e.kind, FailKind::Interpret)
                || matches!(&e.kind, FailKind::Throw(v) if value::to_dynamic_checked(v).is_none()) =>
        {
            return None
        }
        Err(Flow::Fail(e)) => Err(Box::new(locate(policy, prog, *e, func, record_id))),
    })
}

/// A compiled failure as the interpreter's `locate` reports it: the file of
/// the innermost function, the line and column where it failed (or the
/// function's `fn` line when there is none).
fn locate(policy: &Policy, prog: &Program, e: Fail, entry: usize, record_id: &str) -> RuleError {
    let func = prog.funcs.get(e.func.unwrap_or(entry));
    let file = func.map(|f| f.file.clone()).unwrap_or_default();
    let line = e.pos.line.or_else(|| {
        func.and_then(|f| {
            policy
                .sources()
                .get(&f.file)
                .and_then(|text| fn_line(text, &f.name))
        })
    });
    let kind = match e.kind {
        FailKind::Runtime(m) => RuleErrorKind::Script(format!("rule threw: {m}")),
        FailKind::Throw(v) => {
            RuleErrorKind::Script(format!("rule threw: {}", value::to_dynamic(&v)))
        }
        FailKind::Script(m) => RuleErrorKind::Script(m),
        FailKind::Limit(m) => RuleErrorKind::Limit(m),
        FailKind::Interpret => RuleErrorKind::Script("(evaluated by the interpreter)".into()),
    };
    RuleError {
        record_id: record_id.to_string(),
        file,
        line,
        column: e.pos.col,
        kind,
    }
}
