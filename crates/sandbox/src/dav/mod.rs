//! The sandbox's CalDAV/CardDAV server (RFC 4791, 6352) on loopback, one per groupware
//! platform: HTTP/1.1 (hyper), Basic auth against the platform's logins, each login
//! confined to `/dav/<login>/`, over the platform's [`crate::GroupwareStore`].

mod auth;
mod collections;
mod handler;
mod objects;
mod preconditions;
mod props;
mod reply;
mod request;
mod target;
mod xml;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::connection_limit::{self, ConnectionLimit, DEFAULT_MAX_CONNECTIONS};
use crate::{Directory, GroupwareStore};

pub use handler::MAX_BODY;

/// A running DAV server; [`SandboxDavHandle::shutdown`] stops it (dropping it does too).
pub struct SandboxDavHandle {
    addr: SocketAddr,
    stop: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl SandboxDavHandle {
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The URL clients start from (`http://127.0.0.1:PORT/dav/`).
    pub fn url(&self) -> String {
        format!("http://{}/dav/", self.addr)
    }

    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        if let Some(t) = self.task.take() {
            let _ = t.await;
        }
    }
}

impl Drop for SandboxDavHandle {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
        if let Some(t) = self.task.take() {
            t.abort();
        }
    }
}

/// The answer beyond the connection limit.
const TOO_MANY: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nContent-Length: 21\r\nConnection: close\r\nRetry-After: 5\r\n\r\nToo many connections\n";

/// Start serving `store` on `bind` (e.g. `127.0.0.1:0`), logins checked in `directory`.
pub async fn start(
    store: Arc<GroupwareStore>,
    directory: Arc<Directory>,
    bind: &str,
) -> std::io::Result<SandboxDavHandle> {
    start_with(store, directory, bind, DEFAULT_MAX_CONNECTIONS).await
}

/// [`start`], serving at most `max_connections` at once (more get a 503 and are closed).
pub async fn start_with(
    store: Arc<GroupwareStore>,
    directory: Arc<Directory>,
    bind: &str,
    max_connections: usize,
) -> std::io::Result<SandboxDavHandle> {
    let limit = ConnectionLimit::new(max_connections);
    let listener = TcpListener::bind(bind).await?;
    let addr = listener.local_addr()?;
    let (stop, mut stopped) = watch::channel(false);
    let ctx = Arc::new(handler::Ctx { store, directory });
    let task = tokio::spawn(async move {
        loop {
            let (stream, _) = tokio::select! {
                _ = stopped.changed() => break,
                accepted = listener.accept() => match accepted {
                    Ok(a) => a,
                    Err(e) => {
                        tracing::debug!("sandbox DAV accept failed: {e}");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                },
            };
            let Some(slot) = limit.try_admit() else {
                connection_limit::turn_away(stream, TOO_MANY);
                continue;
            };
            let ctx = ctx.clone();
            let mut conn_stop = stopped.clone();
            tokio::spawn(async move {
                let _slot = slot;
                let service = service_fn(move |req| {
                    let ctx = ctx.clone();
                    async move { Ok::<_, std::convert::Infallible>(handler::handle(ctx, req).await) }
                });
                let conn = http1::Builder::new()
                    .timer(TokioTimer::new())
                    .header_read_timeout(Duration::from_secs(30))
                    .serve_connection(TokioIo::new(stream), service);
                tokio::pin!(conn);
                tokio::select! {
                    r = conn.as_mut() => {
                        if let Err(e) = r {
                            tracing::debug!("sandbox DAV connection ended: {e}");
                        }
                    }
                    _ = conn_stop.changed() => {}
                }
            });
        }
    });
    Ok(SandboxDavHandle {
        addr,
        stop,
        task: Some(task),
    })
}
