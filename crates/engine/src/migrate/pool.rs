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

/// What a worker hands back after a job.
pub(crate) struct Turn<W, J, R> {
    /// The worker, or None when it left the pool (the server accepts fewer
    /// connections): the others go on without it.
    pub worker: Option<W>,
    /// The job's result, if it has one to report (a job handed back whole has none).
    pub result: Option<R>,
    /// What is left of the job, for another worker.
    pub rest: Option<J>,
}

impl<W, J, R> Turn<W, J, R> {
    pub fn done(worker: W, result: R) -> Turn<W, J, R> {
        Turn {
            worker: Some(worker),
            result: Some(result),
            rest: None,
        }
    }
}

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
    /// as results come in (a job a leaving worker handed back in part may
    /// report more than once). Jobs no worker could run (all were lost)
    /// get an error, so every job is answered.
    pub async fn run<J, R, F, Fut>(
        &mut self,
        jobs: Vec<J>,
        work: F,
        mut on_result: impl FnMut(usize, JobResult<R>),
    ) where
        J: Send + 'static,
        R: Send + 'static,
        F: Fn(W, J) -> Fut + Clone + Send + 'static,
        Fut: Future<Output = Turn<W, J, R>> + Send + 'static,
    {
        let total = jobs.len();
        if total == 0 {
            return;
        }
        let (job_tx, job_rx) = async_channel::unbounded::<(usize, J)>();
        for job in jobs.into_iter().enumerate() {
            let _ = job_tx.try_send(job);
        }
        // (job, result if any, whether the job is finished)
        let (done_tx, mut done_rx) =
            mpsc::unbounded_channel::<(usize, Option<JobResult<R>>, bool)>();
        let mut handles = Vec::new();
        for w in std::mem::take(&mut self.workers) {
            let jobs = job_rx.clone();
            let requeue = job_tx.clone();
            let done = done_tx.clone();
            let work = work.clone();
            handles.push(tokio::spawn(async move {
                let mut w = Some(w);
                while let Ok((i, job)) = jobs.recv().await {
                    let Some(worker) = w.take() else { break };
                    match AssertUnwindSafe(work(worker, job)).catch_unwind().await {
                        Ok(turn) => {
                            let finished = turn.rest.is_none();
                            if let Some(rest) = turn.rest {
                                let _ = requeue.try_send((i, rest));
                            }
                            let _ = done.send((i, turn.result.map(Ok), finished));
                            match turn.worker {
                                Some(back) => w = Some(back),
                                // Left the pool: its job (or the rest) is queued again.
                                None => return None,
                            }
                        }
                        Err(panic) => {
                            let msg = panic
                                .downcast_ref::<&str>()
                                .map(|s| s.to_string())
                                .or_else(|| panic.downcast_ref::<String>().cloned())
                                .unwrap_or_else(|| "unknown panic".into());
                            tracing::error!(%msg, "a worker panicked; its job is reported failed");
                            let _ =
                                done.send((i, Some(Err(format!("internal error: {msg}"))), true));
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
        let mut open = total;
        while open > 0 {
            let Some((i, r, finished)) = done_rx.recv().await else {
                break; // every worker is gone
            };
            if let Some(r) = r {
                on_result(i, r);
            }
            if finished && !answered[i] {
                answered[i] = true;
                open -= 1;
            }
        }
        job_tx.close();
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
                Turn::done(w + 1, j * 2)
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
                Turn::done((), ())
            },
            |i, r| seen.push((i, r.is_err())),
        )
        .await;
        seen.sort();
        assert_eq!(seen, vec![(0, true), (1, true), (2, true)]);
        assert_eq!(pool.len(), 0);
    }

    #[tokio::test]
    async fn a_worker_that_leaves_hands_its_job_to_the_others() {
        let mut pool = Pool::new(vec![0u32, 1u32, 2u32]);
        let mut seen = Vec::new();
        pool.run(
            (0..12u32).collect(),
            |w: u32, j: u32| async move {
                tokio::task::yield_now().await;
                // Workers 1 and 2 leave on their first job, handing back what is left.
                if w != 0 {
                    return Turn {
                        worker: None,
                        result: Some(j + 1000),
                        rest: Some(j),
                    };
                }
                Turn::done(w, j)
            },
            |i, r| seen.push((i, r)),
        )
        .await;
        assert_eq!(pool.len(), 1, "one worker left");
        let finals: Vec<_> = seen.iter().filter(|(i, r)| *r == Ok(*i as u32)).collect();
        assert_eq!(
            finals.len(),
            12,
            "every job finished by the remaining worker: {seen:?}"
        );
    }
}
