//! The workers of a run and the one way jobs reach them: a phase hands out
//! its jobs, each worker takes the next free one, results come back as they
//! finish. A job that panics becomes an error for that job (its worker and
//! connections are dropped), never a run that waits forever.

use std::future::Future;
use std::panic::AssertUnwindSafe;

use futures::FutureExt;
use tokio::sync::mpsc;

/// How a job ended: its result, or the panic message.
pub(crate) type JobResult<R> = Result<R, String>;

pub(crate) struct Pool<W> {
    workers: Vec<W>,
}

impl<W: Send + 'static> Pool<W> {
    pub fn new(workers: Vec<W>) -> Pool<W> {
        Pool { workers }
    }

    pub fn len(&self) -> usize {
        self.workers.len()
    }

    pub fn into_workers(self) -> Vec<W> {
        self.workers
    }

    /// Run every job on the pool; `on_result(job index, result)` is called
    /// as each finishes. Jobs no worker could run (all were lost to panics)
    /// get an error too, so every index is answered exactly once.
    pub async fn run<J, R, F, Fut>(
        &mut self,
        jobs: Vec<J>,
        work: F,
        mut on_result: impl FnMut(usize, JobResult<R>),
    ) where
        J: Send + 'static,
        R: Send + 'static,
        F: Fn(W, J) -> Fut + Clone + Send + 'static,
        Fut: Future<Output = (W, R)> + Send + 'static,
    {
        let total = jobs.len();
        if total == 0 {
            return;
        }
        let (job_tx, job_rx) = async_channel::unbounded::<(usize, J)>();
        for job in jobs.into_iter().enumerate() {
            let _ = job_tx.try_send(job);
        }
        job_tx.close();
        let (done_tx, mut done_rx) = mpsc::unbounded_channel::<(usize, JobResult<R>)>();
        let mut handles = Vec::new();
        for w in std::mem::take(&mut self.workers) {
            let jobs = job_rx.clone();
            let done = done_tx.clone();
            let work = work.clone();
            handles.push(tokio::spawn(async move {
                let mut w = Some(w);
                while let Ok((i, job)) = jobs.recv().await {
                    let Some(worker) = w.take() else { break };
                    match AssertUnwindSafe(work(worker, job)).catch_unwind().await {
                        Ok((back, r)) => {
                            w = Some(back);
                            let _ = done.send((i, Ok(r)));
                        }
                        Err(panic) => {
                            let msg = panic
                                .downcast_ref::<&str>()
                                .map(|s| s.to_string())
                                .or_else(|| panic.downcast_ref::<String>().cloned())
                                .unwrap_or_else(|| "unknown panic".into());
                            tracing::error!(%msg, "a worker panicked; its job is reported failed");
                            let _ = done.send((i, Err(format!("internal error: {msg}"))));
                            // This worker is gone; the others go on.
                            return None;
                        }
                    }
                }
                w
            }));
        }
        drop(done_tx);
        let mut answered = vec![false; total];
        while let Some((i, r)) = done_rx.recv().await {
            answered[i] = true;
            on_result(i, r);
        }
        for h in handles {
            if let Ok(Some(w)) = h.await {
                self.workers.push(w);
            }
        }
        // Jobs left in the queue when the last worker was lost.
        while let Ok((i, _)) = job_rx.try_recv() {
            if !answered[i] {
                answered[i] = true;
                on_result(
                    i,
                    Err("not run: every connection was lost to an internal error".into()),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_panicking_job_is_an_error_and_the_rest_still_run() {
        let mut pool = Pool::new(vec![0u32, 0u32]);
        let mut seen = Vec::new();
        pool.run(
            (0..10u32).collect(),
            |w: u32, j: u32| async move {
                if j == 3 {
                    panic!("job three broke");
                }
                (w + 1, j * 2)
            },
            |i, r| seen.push((i, r)),
        )
        .await;
        seen.sort_by_key(|(i, _)| *i);
        assert_eq!(seen.len(), 10, "every job answered once");
        assert!(seen[3].1.as_ref().unwrap_err().contains("job three broke"));
        assert_eq!(seen[4].1, Ok(8));
        assert_eq!(pool.len(), 1, "the panicking worker is dropped");
    }

    #[tokio::test]
    async fn when_every_worker_panics_the_remaining_jobs_are_answered() {
        let mut pool = Pool::new(vec![()]);
        let mut seen = Vec::new();
        pool.run(
            vec![1, 2, 3],
            |_w: (), _j: i32| async move {
                panic!("always");
                #[allow(unreachable_code)]
                ((), ())
            },
            |i, r| seen.push((i, r.is_err())),
        )
        .await;
        seen.sort();
        assert_eq!(seen, vec![(0, true), (1, true), (2, true)]);
        assert_eq!(pool.len(), 0);
    }
}
