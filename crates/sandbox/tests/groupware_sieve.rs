//! The sandbox's ManageSieve server end to end over raw TCP on loopback: the greeting and
//! capabilities, AUTHENTICATE PLAIN (string and literal), the demo scripts, and the
//! PUTSCRIPT / LISTSCRIPTS / SETACTIVE / GETSCRIPT round trip with validation.

use std::path::Path;
use std::time::Duration;

use base64::Engine;
use mailshift_panel::{PlatformId, DEMO_PASSWORD};
use mailshift_sandbox::{Sandbox, SandboxOptions};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::time::timeout;

const EXCHANGE: PlatformId = PlatformId(2);
const LUCAS: &str = "lucas.petit@example.org";
const CLAIRE: &str = "claire.moreau@example.org";
const STEP: Duration = Duration::from_secs(20);

async fn start(home: &Path) -> Sandbox {
    let opts = SandboxOptions {
        clock_factor: 0.0,
        ..SandboxOptions::default()
    };
    timeout(Duration::from_secs(120), Sandbox::start(home, opts))
        .await
        .expect("the sandbox starts in time")
        .expect("the sandbox starts")
}

struct Client {
    reader: BufReader<tokio::net::tcp::OwnedReadHalf>,
    writer: tokio::net::tcp::OwnedWriteHalf,
}

impl Client {
    /// Connect and return the client with the greeting (capabilities and OK).
    async fn connect(sb: &Sandbox) -> (Client, String) {
        let addr = sb.groupware(EXCHANGE).unwrap().sieve;
        let s = timeout(STEP, TcpStream::connect(addr))
            .await
            .unwrap()
            .unwrap();
        let (r, w) = s.into_split();
        let mut c = Client {
            reader: BufReader::new(r),
            writer: w,
        };
        let greeting = c.answer().await;
        (c, greeting)
    }

    /// Everything up to and including the final OK / NO / BYE line (literals inline).
    async fn answer(&mut self) -> String {
        timeout(STEP, async {
            let mut out = String::new();
            loop {
                let mut line = String::new();
                let n = self.reader.read_line(&mut line).await.unwrap();
                assert!(n > 0, "the server closed the connection after {out:?}");
                out.push_str(&line);
                if let Some(len) = line
                    .trim_end()
                    .strip_suffix('}')
                    .and_then(|l| l.rsplit_once('{'))
                    .and_then(|(_, n)| n.parse::<usize>().ok())
                {
                    let mut buf = vec![0; len];
                    self.reader.read_exact(&mut buf).await.unwrap();
                    out.push_str(&String::from_utf8_lossy(&buf));
                    continue;
                }
                if ["OK", "NO", "BYE"]
                    .iter()
                    .any(|w| line.starts_with(w) && line[w.len()..].starts_with([' ', '\r']))
                {
                    return out;
                }
            }
        })
        .await
        .expect("the ManageSieve server answers in time")
    }

    async fn cmd(&mut self, raw: &[u8]) -> String {
        self.writer.write_all(raw).await.unwrap();
        self.answer().await
    }

    async fn login(&mut self, user: &str, password: &str) -> String {
        let b = base64::engine::general_purpose::STANDARD.encode(format!("\0{user}\0{password}"));
        self.cmd(format!("AUTHENTICATE \"PLAIN\" \"{b}\"\r\n").as_bytes())
            .await
    }
}

fn last_line(answer: &str) -> &str {
    answer.trim_end().lines().last().unwrap_or("")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn greeting_login_and_demo_scripts() {
    let home = tempfile::tempdir().unwrap();
    let sb = start(home.path()).await;
    let (mut c, greeting) = Client::connect(&sb).await;
    assert!(
        greeting.contains("\"IMPLEMENTATION\" \"mailshift sandbox\""),
        "{greeting}"
    );
    assert!(greeting.contains("\"SASL\" \"PLAIN\"") && greeting.contains("\"VERSION\" \"1.0\""));
    for ext in [
        "fileinto",
        "reject",
        "envelope",
        "vacation",
        "imap4flags",
        "copy",
        "include",
        "variables",
        "body",
    ] {
        assert!(greeting.contains(ext), "{ext} missing from {greeting}");
    }
    let r = c.cmd(b"LISTSCRIPTS\r\n").await;
    assert!(last_line(&r).starts_with("NO"), "{r}");
    let r = c.login(LUCAS, "wrong-password").await;
    assert!(last_line(&r).starts_with("NO"), "{r}");
    let r = c.login(LUCAS, DEMO_PASSWORD).await;
    assert!(last_line(&r).starts_with("OK"), "{r}");
    let r = c.cmd(b"LISTSCRIPTS\r\n").await;
    assert!(
        r.contains("\"rules\" ACTIVE\r\n") && r.contains("\"out-of-office\"\r\n"),
        "{r}"
    );
    let r = c.cmd(b"GETSCRIPT \"out-of-office\"\r\n").await;
    assert!(
        r.contains("require \"vacation\";\r\n") && last_line(&r).starts_with("OK"),
        "{r}"
    );
    let r = c.cmd(b"DELETESCRIPT \"rules\"\r\n").await;
    assert!(last_line(&r).starts_with("NO (ACTIVE)"), "{r}");
    let r = c.cmd(b"NOOP \"t1\"\r\n").await;
    assert!(last_line(&r).starts_with("OK (TAG \"t1\")"), "{r}");
    let r = c.cmd(b"LOGOUT\r\n").await;
    assert!(last_line(&r).starts_with("OK"), "{r}");

    // Claire's out-of-office is the demo's active one; it keeps her rules by including them.
    let (mut c, _) = Client::connect(&sb).await;
    let b =
        base64::engine::general_purpose::STANDARD.encode(format!("\0{CLAIRE}\0{DEMO_PASSWORD}"));
    let r = c
        .cmd(format!("AUTHENTICATE \"PLAIN\" {{{}+}}\r\n{b}\r\n", b.len()).as_bytes())
        .await;
    assert!(last_line(&r).starts_with("OK"), "{r}");
    let r = c.cmd(b"LISTSCRIPTS\r\n").await;
    assert!(r.contains("\"out-of-office\" ACTIVE"), "{r}");
    let r = c.cmd(b"GETSCRIPT \"out-of-office\"\r\n").await;
    assert!(r.contains("include :personal \"rules\";"), "{r}");
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scripts_round_trip_and_bad_ones_are_refused_with_the_reason() {
    let home = tempfile::tempdir().unwrap();
    let sb = start(home.path()).await;
    let (mut c, _) = Client::connect(&sb).await;
    assert!(last_line(&c.login(LUCAS, DEMO_PASSWORD).await).starts_with("OK"));

    let script = "require [\"fileinto\"];\r\nif header :contains \"subject\" \"ünïcode\" {\r\n  fileinto \"Projects\";\r\n}\r\n";
    let r = c
        .cmd(format!("CHECKSCRIPT {{{}+}}\r\n{script}\r\n", script.len()).as_bytes())
        .await;
    assert!(last_line(&r).starts_with("OK"), "{r}");
    let r = c
        .cmd(
            format!(
                "PUTSCRIPT \"projects\" {{{}}}\r\n{script}\r\n",
                script.len()
            )
            .as_bytes(),
        )
        .await;
    assert!(last_line(&r).starts_with("OK"), "{r}");
    let r = c.cmd(b"SETACTIVE \"projects\"\r\n").await;
    assert!(last_line(&r).starts_with("OK"), "{r}");
    let r = c.cmd(b"LISTSCRIPTS\r\n").await;
    assert!(
        r.contains("\"projects\" ACTIVE") && r.contains("\"rules\"\r\n"),
        "{r}"
    );
    let r = c.cmd(b"GETSCRIPT \"projects\"\r\n").await;
    assert!(
        r.contains(&format!("{{{}}}\r\n{script}", script.len())),
        "{r}"
    );

    let broken = "require \"fileinto\";\r\nif true {\r\n  keep;\r\n";
    let r = c
        .cmd(format!("PUTSCRIPT \"broken\" {{{}+}}\r\n{broken}\r\n", broken.len()).as_bytes())
        .await;
    assert!(
        last_line(&r).starts_with("NO") && r.contains("unclosed"),
        "{r}"
    );
    let odd = "require \"x-teleport\";\r\nkeep;\r\n";
    let r = c
        .cmd(format!("CHECKSCRIPT {{{}+}}\r\n{odd}\r\n", odd.len()).as_bytes())
        .await;
    assert!(
        last_line(&r).starts_with("NO") && r.contains("x-teleport"),
        "{r}"
    );
    let r = c.cmd(b"GETSCRIPT \"broken\"\r\n").await;
    assert!(last_line(&r).starts_with("NO (NONEXISTENT)"), "{r}");
    let r = c.cmd(b"HAVESPACE \"big\" 99999999\r\n").await;
    assert!(last_line(&r).starts_with("NO (QUOTA/MAXSIZE)"), "{r}");
    let r = c.cmd(b"HAVESPACE \"small\" 100\r\n").await;
    assert!(last_line(&r).starts_with("OK"), "{r}");

    let r = c.cmd(b"RENAMESCRIPT \"projects\" \"work\"\r\n").await;
    assert!(last_line(&r).starts_with("OK"), "{r}");
    let r = c.cmd(b"RENAMESCRIPT \"work\" \"rules\"\r\n").await;
    assert!(last_line(&r).starts_with("NO (ALREADYEXISTS)"), "{r}");
    let r = c.cmd(b"SETACTIVE \"\"\r\n").await;
    assert!(last_line(&r).starts_with("OK"), "{r}");
    let r = c.cmd(b"DELETESCRIPT \"work\"\r\n").await;
    assert!(last_line(&r).starts_with("OK"), "{r}");
    let s = sb.groupware_summary(EXCHANGE, LUCAS).unwrap();
    assert_eq!((s.scripts, s.active_script), (2, None));
    let r = c.cmd(b"FROB\r\n").await;
    assert!(last_line(&r).starts_with("NO"), "{r}");
    sb.shutdown().await;

    // The scripts survive a restart.
    let sb = start(home.path()).await;
    let s = sb.groupware_summary(EXCHANGE, LUCAS).unwrap();
    assert_eq!((s.scripts, s.active_script), (2, None));
    sb.shutdown().await;
}
