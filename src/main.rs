//! mailshift: parse the command line, then run the TUI or a headless command.

mod cli;

use clap::Parser;

fn init_logging() -> Option<tracing_appender::non_blocking::WorkerGuard> {
    let dir = mailshift_store::data_dir().ok()?.join("logs");
    mailshift_store::create_private_dir(&dir).ok()?;
    // Create the file 0600 before the appender opens it (it would follow the umask).
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        let path = dir.join("mailshift.log");
        let _ = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .mode(0o600)
            .open(&path);
        let _ = std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600));
    }
    let appender = tracing_appender::rolling::never(&dir, "mailshift.log");
    let (writer, guard) = tracing_appender::non_blocking(appender);
    let filter = tracing_subscriber::EnvFilter::try_from_env("MAILSHIFT_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"))
        // async-imap logs every command it sends at trace level, LOGIN with its
        // password included: never let that through.
        .add_directive("async_imap=debug".parse().expect("static directive"))
        .add_directive("imap_next=debug".parse().expect("static directive"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_ansi(false)
        .init();
    Some(guard)
}

/// Message buffers are large and short-lived. With glibc's default dynamic
/// mmap threshold, freed multi-MB buffers stay in the heap and RSS grows with
/// the mailbox; a fixed threshold returns them to the OS on free, and two
/// arenas stop per-thread heaps from multiplying that.
fn tune_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only adjusts allocator parameters; called before any thread starts.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}

/// The control panel: on the sandbox (started in-process, persisted under
/// the data dir) or, with `--demo`, on an in-memory demo.
async fn tui_main(demo: bool) -> i32 {
    use std::io::IsTerminal;
    if !std::io::stdout().is_terminal() {
        eprintln!("mailshift: the control panel needs a terminal; for scripts use `mailshift migrate`, `mailshift dns check` or `mailshift sandbox serve` (see --help)");
        return cli::exit::USAGE;
    }
    if demo {
        let backend = Box::new(mailshift::tui::DemoBackend::new());
        return match mailshift::tui::run(backend).await {
            Ok(()) => cli::exit::OK,
            Err(e) => {
                eprintln!("mailshift: terminal error: {e}");
                cli::exit::FAILURE
            }
        };
    }
    let home = match mailshift_store::data_dir() {
        Ok(h) => h,
        Err(e) => {
            eprintln!("mailshift: {e}");
            return cli::exit::STATE;
        }
    };
    let sandbox = match mailshift_sandbox::Sandbox::start(&home, Default::default()).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("mailshift: cannot start the sandbox: {e} (try `mailshift sandbox reset`)");
            return cli::exit::STATE;
        }
    };
    let backend = Box::new(mailshift::sandbox_backend::SandboxBackend::new(sandbox));
    let result = mailshift::tui::run(backend).await;
    match result {
        Ok(()) => cli::exit::OK,
        Err(e) => {
            eprintln!("mailshift: terminal error: {e}");
            cli::exit::FAILURE
        }
    }
}

fn main() {
    tune_allocator();
    let args = cli::Cli::parse();
    let _log = init_logging();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let code = runtime.block_on(async {
        match args.command {
            Some(cli::Command::Migrate(a)) => cli::migrate::run(*a).await,
            Some(cli::Command::Dns { command }) => cli::dns::run(command).await,
            Some(cli::Command::Sandbox { command }) => cli::sandbox::run(command).await,
            Some(cli::Command::Status(a)) => cli::tasks::status(a).await,
            Some(cli::Command::Cancel(a)) => cli::tasks::cancel(a).await,
            Some(cli::Command::Rollback(a)) => cli::tasks::rollback(*a).await,
            Some(cli::Command::Resume(a)) => cli::tasks::resume(*a).await,
            Some(cli::Command::Tasks(a)) => cli::tasks::list(a).await,
            Some(cli::Command::Project { command }) => cli::project::run(*command).await,
            None => tui_main(args.demo).await,
        }
    });
    drop(_log);
    std::process::exit(code);
}
