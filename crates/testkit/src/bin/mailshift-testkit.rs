//! mailshift-testkit: run a throwaway Dovecot, seed a mailbox, or print a snapshot digest,
//! for scripts such as scripts/bench.sh.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use clap::{Parser, Subcommand, ValueEnum};
use mailshift_testkit::{seed::seed_at, Dovecot, DovecotOptions, Layout, Oracle, SeedSpec};

#[derive(Parser)]
#[command(
    name = "mailshift-testkit",
    about = "Throwaway Dovecot, seeding and snapshots for tests and benchmarks"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum LayoutArg {
    Slash,
    Dot,
    /// `INBOX.` prefix with `.`, public `Public.` and shared `shared.<owner>.` namespaces.
    Cpanel,
}

#[derive(Subcommand)]
enum Command {
    /// Run Dovecot in DIR in the foreground; prints `port=NNNN`; stops on SIGINT/SIGTERM or
    /// when stdin closes.
    Dovecot {
        #[arg(long)]
        dir: PathBuf,
        #[arg(long, value_enum, default_value = "slash")]
        layout: LayoutArg,
        /// USER:PASSWORD, repeatable.
        #[arg(long = "user")]
        users: Vec<String>,
        #[arg(long)]
        tls: bool,
        #[arg(long)]
        quota_bytes: Option<u64>,
    },
    /// Fill a mailbox with deterministic generated mail.
    Seed {
        #[arg(long, default_value = "127.0.0.1")]
        host: String,
        #[arg(long)]
        port: u16,
        #[arg(long)]
        user: String,
        /// Name of the environment variable holding the password.
        #[arg(long)]
        password_env: String,
        /// N messages with real-mail sizes; without it, the realistic ~10-folder set.
        #[arg(long)]
        bulk: Option<usize>,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Print per-folder counts, bytes and digests of a mailbox (read-only).
    Snapshot {
        #[arg(long, default_value = "127.0.0.1")]
        host: String,
        #[arg(long)]
        port: u16,
        #[arg(long)]
        user: String,
        #[arg(long)]
        password_env: String,
        /// Header field to leave out of hashes and sizes (repeatable), e.g. X-TUID for mbsync.
        #[arg(long = "ignore-header")]
        ignore_headers: Vec<String>,
    },
}

static STOP: AtomicBool = AtomicBool::new(false);

extern "C" fn on_signal(_: libc::c_int) {
    STOP.store(true, Ordering::SeqCst);
}

fn main() -> ExitCode {
    match run(Cli::parse().command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("mailshift-testkit: {e}");
            ExitCode::FAILURE
        }
    }
}

fn password(var: &str) -> Result<String, String> {
    std::env::var(var).map_err(|_| format!("set the password in the environment variable {var}"))
}

fn run(command: Command) -> Result<(), String> {
    match command {
        Command::Dovecot {
            dir,
            layout,
            users,
            tls,
            quota_bytes,
        } => {
            let layout = match layout {
                LayoutArg::Slash => Layout::Slash,
                LayoutArg::Dot => Layout::Dot,
                LayoutArg::Cpanel => Layout::Cpanel,
            };
            let mut dovecot = Dovecot::start_with(DovecotOptions {
                layout,
                tls,
                quota_bytes,
                dir: Some(dir),
                ..DovecotOptions::default()
            })
            .map_err(|e| e.to_string())?;
            for spec in &users {
                let (user, pass) = spec.split_once(':').ok_or_else(|| {
                    format!(
                        "--user takes USER:PASSWORD, got {:?}",
                        spec.split(':').next()
                    )
                })?;
                dovecot.add_user(user, pass).map_err(|e| e.to_string())?;
            }
            println!("host={}", dovecot.host());
            println!("port={}", dovecot.port());
            if let Some(p) = dovecot.tls_port() {
                println!("tls_port={p}");
            }
            if let Some(ca) = dovecot.ca_cert_pem() {
                println!("ca_cert={}", ca.display());
            }
            println!("separator={}", dovecot.separator());
            println!("ready");
            // SAFETY: installing a handler that only stores to an atomic.
            unsafe {
                libc::signal(libc::SIGINT, on_signal as *const () as libc::sighandler_t);
                libc::signal(libc::SIGTERM, on_signal as *const () as libc::sighandler_t);
            }
            std::thread::spawn(|| {
                let _ = std::io::copy(&mut std::io::stdin().lock(), &mut std::io::sink());
                STOP.store(true, Ordering::SeqCst);
            });
            while !STOP.load(Ordering::SeqCst) {
                if !dovecot.is_running() {
                    return Err(format!(
                        "dovecot exited unexpectedly; see {}/dovecot.log",
                        dovecot.dir().display()
                    ));
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            dovecot.stop();
            Ok(())
        }
        Command::Seed {
            host,
            port,
            user,
            password_env,
            bulk,
            seed,
        } => {
            let pass = password(&password_env)?;
            let spec = match bulk {
                Some(n) => SeedSpec::bulk(n, seed),
                None => SeedSpec::realistic(seed),
            };
            let report = seed_at(&host, port, &user, &pass, &spec).map_err(|e| e.to_string())?;
            for (folder, n) in &report.per_folder {
                println!("seeded folder={folder:?} messages={n}");
            }
            println!("seeded messages={} bytes={}", report.messages, report.bytes);
            Ok(())
        }
        Command::Snapshot {
            host,
            port,
            user,
            password_env,
            ignore_headers,
        } => {
            let pass = password(&password_env)?;
            let mut oracle = Oracle::login(&host, port, &user, &pass).map_err(|e| e.to_string())?;
            let names: Vec<&str> = ignore_headers.iter().map(String::as_str).collect();
            oracle.ignore_headers(&names);
            let snap = oracle.snapshot().map_err(|e| e.to_string())?;
            print!("{}", snap.summary());
            println!(
                "messages={} bytes={}",
                snap.total_messages(),
                snap.total_bytes()
            );
            println!("duplicates={}", snap.duplicates().len());
            println!("content_digest={}", snap.content_digest());
            println!(
                "system_flags_digest={}",
                snap.without_keywords().full_digest()
            );
            println!("full_digest={}", snap.full_digest());
            Ok(())
        }
    }
}
