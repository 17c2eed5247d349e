//! Evaluating many records at once: in parallel where threads exist, always in
//! input order, one `Result` per record so a bad record never costs the others.

/// Applies `f` to every item, in parallel with the `parallel` feature (rayon),
/// returning results in input order.
pub fn map<T, R, F>(items: &[T], f: F) -> Vec<R>
where
    T: Sync,
    R: Send,
    F: Fn(&T) -> R + Sync + Send,
{
    #[cfg(feature = "parallel")]
    {
        use rayon::prelude::*;
        // Small batches are not worth waking the pool for.
        if items.len() > 1 {
            return items.par_iter().with_min_len(64).map(f).collect();
        }
    }
    items.iter().map(f).collect()
}
