//! Free loopback ports and waiting until a freshly started server greets.

use std::io::{BufRead as _, BufReader};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::time::{Duration, Instant};

/// Ask the kernel for a free 127.0.0.1 port (there is a small race until Dovecot binds it;
/// the caller retries on a clash).
pub(crate) fn free_port() -> std::io::Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    Ok(listener.local_addr()?.port())
}

/// Did the server on `port` send an IMAP `* OK` greeting?
pub(crate) fn greets(port: u16) -> bool {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let Ok(stream) = TcpStream::connect_timeout(&addr, Duration::from_millis(300)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let mut line = String::new();
    let mut reader = BufReader::new(&stream);
    reader.read_line(&mut line).is_ok() && line.starts_with("* OK")
}

/// Does something accept TCP connections on `port`?
pub(crate) fn accepts(port: u16) -> bool {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    TcpStream::connect_timeout(&addr, Duration::from_millis(300)).is_ok()
}

/// Poll `check` until it is true or `limit` passes; `abort` ends the wait early (e.g. the
/// process exited).
pub(crate) fn wait_until(
    limit: Duration,
    mut check: impl FnMut() -> bool,
    mut abort: impl FnMut() -> bool,
) -> bool {
    let start = Instant::now();
    while start.elapsed() < limit {
        if check() {
            return true;
        }
        if abort() {
            return false;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}
