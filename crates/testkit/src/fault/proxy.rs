//! The proxy itself: a listener on 127.0.0.1 (ephemeral port) forwarding each accepted
//! connection to one target, with two pump threads per connection applying the armed faults.

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::rule::{Action, Direction, Fault, StreamMatcher, Trigger};

const CHUNK: usize = 16 * 1024;
const CONNECT_LIMIT: Duration = Duration::from_secs(5);
/// Bytes kept per direction for `captured` (enough for greetings, logins, commands).
const CAPTURE_LIMIT: usize = 256 * 1024;

/// An armed fault and how often it matched / fired.
#[derive(Debug)]
struct Armed {
    fault: Fault,
    /// Pattern matches or connections counted so far.
    seen: usize,
    fired: usize,
}

impl Armed {
    /// Count one more match (or connection); does this one fire?
    fn claim(&mut self) -> bool {
        self.seen += 1;
        let first = match self.fault.trigger {
            Trigger::AfterPattern { occurrence, .. } => occurrence.max(1),
            _ => 1,
        };
        self.seen >= first && self.seen - first < self.fault.times
    }
}

#[derive(Debug, Default)]
struct Shared {
    faults: Mutex<Vec<Armed>>,
    connections: AtomicUsize,
    stopping: AtomicBool,
    live: Mutex<Vec<TcpStream>>,
    /// The first bytes seen in each direction, all connections concatenated.
    to_server: Mutex<Vec<u8>>,
    to_client: Mutex<Vec<u8>>,
}

impl Shared {
    fn faults(&self) -> std::sync::MutexGuard<'_, Vec<Armed>> {
        self.faults.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn capture(&self, dir: Direction, bytes: &[u8]) {
        let store = match dir {
            Direction::ToServer => &self.to_server,
            Direction::ToClient => &self.to_client,
        };
        let mut v = store.lock().unwrap_or_else(|p| p.into_inner());
        let room = CAPTURE_LIMIT.saturating_sub(v.len());
        v.extend_from_slice(&bytes[..room.min(bytes.len())]);
    }
}

/// A fault-injecting TCP proxy in front of `target`. Dropping it closes every connection.
#[derive(Debug)]
pub struct FaultProxy {
    port: u16,
    shared: Arc<Shared>,
    accept: Option<JoinHandle<()>>,
}

impl FaultProxy {
    /// Listen on 127.0.0.1 (ephemeral port) and forward to `127.0.0.1:target_port`.
    pub fn start(target_port: u16, faults: Vec<Fault>) -> io::Result<FaultProxy> {
        FaultProxy::start_to(SocketAddr::from(([127, 0, 0, 1], target_port)), faults)
    }

    /// Listen on 127.0.0.1 (ephemeral port) and forward to `target`.
    pub fn start_to(target: SocketAddr, faults: Vec<Fault>) -> io::Result<FaultProxy> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let port = listener.local_addr()?.port();
        let shared = Arc::new(Shared::default());
        for f in faults {
            shared.faults().push(Armed {
                fault: f,
                seen: 0,
                fired: 0,
            });
        }
        let s = shared.clone();
        let accept = std::thread::Builder::new()
            .name(format!("fault-proxy-{port}"))
            .spawn(move || accept_loop(listener, target, s))?;
        Ok(FaultProxy {
            port,
            shared,
            accept: Some(accept),
        })
    }

    /// The port clients connect to (on 127.0.0.1).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Add a fault; it counts matches and connections from now on.
    pub fn arm(&self, fault: Fault) {
        self.shared.faults().push(Armed {
            fault,
            seen: 0,
            fired: 0,
        });
    }

    /// Remove every fault: from now on the proxy forwards faithfully.
    pub fn disarm_all(&self) {
        self.shared.faults().clear();
    }

    /// How many times faults named `name` fired.
    pub fn fired(&self, name: &str) -> usize {
        self.shared
            .faults()
            .iter()
            .filter(|a| a.fault.name == name)
            .map(|a| a.fired)
            .sum()
    }

    /// How many times any fault fired.
    pub fn fired_total(&self) -> usize {
        self.shared.faults().iter().map(|a| a.fired).sum()
    }

    /// The first 256 KiB that went through in one direction (all connections, in order of
    /// arrival per connection), e.g. to check that no password crossed in clear.
    pub fn captured(&self, dir: Direction) -> Vec<u8> {
        let store = match dir {
            Direction::ToServer => &self.shared.to_server,
            Direction::ToClient => &self.shared.to_client,
        };
        store.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Connections accepted so far.
    pub fn connections(&self) -> usize {
        self.shared.connections.load(Ordering::SeqCst)
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.shared.stopping.store(true, Ordering::SeqCst);
        // Wake the blocking accept.
        let _ = TcpStream::connect_timeout(
            &SocketAddr::from(([127, 0, 0, 1], self.port)),
            Duration::from_secs(1),
        );
        for s in self
            .shared
            .live
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .drain(..)
        {
            let _ = s.shutdown(Shutdown::Both);
        }
        if let Some(h) = self.accept.take() {
            let _ = h.join();
        }
    }
}

fn accept_loop(listener: TcpListener, target: SocketAddr, shared: Arc<Shared>) {
    for conn in listener.incoming() {
        if shared.stopping.load(Ordering::SeqCst) {
            return;
        }
        let Ok(client) = conn else { continue };
        shared.connections.fetch_add(1, Ordering::SeqCst);
        let s = shared.clone();
        let _ = std::thread::Builder::new()
            .name("fault-proxy-conn".into())
            .spawn(move || serve(client, target, s));
    }
}

/// Faults that fire on this connection by accept or offset, per direction.
type Planned = Vec<(u64, Action, usize)>;

fn serve(client: TcpStream, target: SocketAddr, shared: Arc<Shared>) {
    let _ = client.set_nodelay(true);
    // Accept and offset triggers are decided once per connection.
    let mut on_accept: Option<(Action, usize)> = None;
    let mut to_server: Planned = Vec::new();
    let mut to_client: Planned = Vec::new();
    {
        let mut faults = shared.faults();
        for (i, a) in faults.iter_mut().enumerate() {
            // Claiming counts the connection: only for faults that can fire here.
            let offset = match a.fault.trigger {
                Trigger::AtOffset(off) => Some(off),
                Trigger::AtOffsetBetween { min, max, seed } => {
                    Some(super::rule::offset_between(min, max, seed, a.seen as u64))
                }
                _ => None,
            };
            if a.fault.trigger == Trigger::OnAccept && on_accept.is_none() && a.claim() {
                a.fired += 1;
                on_accept = Some((a.fault.action.clone(), i));
            }
            if let Some(off) = offset.filter(|_| a.claim()) {
                let list = match a.fault.direction {
                    Direction::ToServer => &mut to_server,
                    Direction::ToClient => &mut to_client,
                };
                list.push((off, a.fault.action.clone(), i));
            }
        }
    }
    if let Some((action, _)) = on_accept {
        let mut c = &client;
        match action {
            Action::Reply(bytes) | Action::Inject(bytes) => {
                let _ = c.write_all(&bytes);
                let _ = c.flush();
            }
            Action::Stall(d) => std::thread::sleep(d),
            Action::Cut => {}
        }
        let _ = client.shutdown(Shutdown::Both);
        return;
    }
    let Ok(server) = TcpStream::connect_timeout(&target, CONNECT_LIMIT) else {
        let _ = client.shutdown(Shutdown::Both);
        return;
    };
    let _ = server.set_nodelay(true);
    {
        let mut live = shared.live.lock().unwrap_or_else(|p| p.into_inner());
        live.retain(|s| s.peer_addr().is_ok());
        if let (Ok(a), Ok(b)) = (client.try_clone(), server.try_clone()) {
            live.push(a);
            live.push(b);
        }
    }
    let ends = |a: &TcpStream, b: &TcpStream| Some((a.try_clone().ok()?, b.try_clone().ok()?));
    let (Some(up), Some(down), Some(both)) = (
        ends(&client, &server),
        ends(&server, &client),
        ends(&client, &server),
    ) else {
        let _ = client.shutdown(Shutdown::Both);
        let _ = server.shutdown(Shutdown::Both);
        return;
    };
    let closed = Arc::new(AtomicBool::new(false));
    let back = {
        let shared = shared.clone();
        let closed = closed.clone();
        let both = ends(&both.0, &both.1);
        std::thread::spawn(move || {
            if let Some(both) = both {
                pump(
                    Direction::ToClient,
                    down,
                    to_client,
                    &shared,
                    &closed,
                    &both,
                );
            }
        })
    };
    pump(Direction::ToServer, up, to_server, &shared, &closed, &both);
    let _ = back.join();
}

/// Close both sides of a proxied connection.
fn close(both: &(TcpStream, TcpStream), closed: &AtomicBool) {
    closed.store(true, Ordering::SeqCst);
    let _ = both.0.shutdown(Shutdown::Both);
    let _ = both.1.shutdown(Shutdown::Both);
}

/// Sleep for `d`, waking early when the connection is closed.
fn stall(d: Duration, closed: &AtomicBool, shared: &Shared) {
    let until = Instant::now() + d;
    while Instant::now() < until
        && !closed.load(Ordering::SeqCst)
        && !shared.stopping.load(Ordering::SeqCst)
    {
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Forward `from` -> `to` in one direction, applying the faults that fire on the way.
/// `both` is (client, server), for closing.
fn pump(
    dir: Direction,
    (mut from, mut to): (TcpStream, TcpStream),
    mut planned: Planned,
    shared: &Shared,
    closed: &AtomicBool,
    both: &(TcpStream, TcpStream),
) {
    let mut matchers: Vec<(usize, StreamMatcher, u64)> = shared
        .faults()
        .iter()
        .enumerate()
        .filter(|(_, a)| a.fault.direction == dir)
        .filter_map(|(i, a)| match &a.fault.trigger {
            Trigger::AfterPattern { pattern, after, .. } => {
                Some((i, StreamMatcher::new(pattern), *after))
            }
            _ => None,
        })
        .collect();
    let mut buf = vec![0u8; CHUNK];
    let mut pos: u64 = 0;
    loop {
        let n = match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        let chunk = &buf[..n];
        {
            let mut faults = shared.faults();
            for (i, m, after) in matchers.iter_mut() {
                for end in m.feed(chunk) {
                    if let Some(a) = faults.get_mut(*i) {
                        if a.claim() {
                            planned.push((end + *after, a.fault.action.clone(), *i));
                        }
                    }
                }
            }
        }
        planned.sort_by_key(|p| p.0);
        let mut sent = 0usize;
        while let Some(first) = planned.first() {
            let at = first.0.max(pos + sent as u64);
            if at > pos + n as u64 {
                break;
            }
            let (_, action, idx) = planned.remove(0);
            let upto = (at - pos) as usize;
            shared.capture(dir, &chunk[sent..upto]);
            if to.write_all(&chunk[sent..upto]).is_err() {
                close(both, closed);
                return;
            }
            sent = upto;
            if let Some(a) = shared.faults().get_mut(idx) {
                a.fired += 1;
            }
            match action {
                Action::Cut => {
                    close(both, closed);
                    return;
                }
                Action::Reply(bytes) => {
                    let mut client = &both.0;
                    let _ = client.write_all(&bytes);
                    close(both, closed);
                    return;
                }
                Action::Inject(bytes) => {
                    shared.capture(dir, &bytes);
                    if to.write_all(&bytes).is_err() {
                        close(both, closed);
                        return;
                    }
                }
                Action::Stall(d) => {
                    let _ = to.flush();
                    stall(d, closed, shared);
                    if closed.load(Ordering::SeqCst) {
                        return;
                    }
                }
            }
        }
        shared.capture(dir, &chunk[sent..]);
        if to.write_all(&chunk[sent..]).is_err() {
            break;
        }
        pos += n as u64;
    }
    // One side finished: pass the EOF on, and stop the other direction too.
    close(both, closed);
}
