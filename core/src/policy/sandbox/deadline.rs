//! The per-evaluation wall-clock limit: the deadline lives in a thread-local,
//! set around each evaluation by [`run`], read by `on_progress`.

use rhai::{Dynamic, Engine};
// WebAssembly has no std clock; web-time reads `performance.now()` there
// (browser, worker, Node) and is `std::time::Instant` everywhere else.
use web_time::Instant;

std::thread_local! {
    static DEADLINE: std::cell::Cell<Option<(Instant, std::time::Duration)>> =
        const { std::cell::Cell::new(None) };
}

/// The message a timed-out evaluation reports.
pub(crate) const TIMED_OUT: &str = "time limit";

pub(super) fn install(engine: &mut Engine) {
    engine.on_progress(|ops| {
        if ops % 1024 != 0 {
            return None;
        }
        let (start, budget) = DEADLINE.with(|d| d.get())?;
        (start.elapsed() > budget).then(|| Dynamic::from(TIMED_OUT))
    });
}

/// Whether the deadline set by [`run`] has passed (compiled code's check).
pub(crate) fn expired() -> bool {
    DEADLINE
        .with(|d| d.get())
        .is_some_and(|(start, budget)| start.elapsed() > budget)
}

/// Runs `f` with the deadline `budget` from now (none when `None`).
pub(crate) fn run<R>(budget: Option<std::time::Duration>, f: impl FnOnce() -> R) -> R {
    let previous = DEADLINE.with(|d| d.replace(budget.map(|b| (Instant::now(), b))));
    let result = f();
    DEADLINE.with(|d| d.set(previous));
    result
}
