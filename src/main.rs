//! mailshift: parse the command line, then run the TUI or a headless command.

mod cli;
mod logging;

use clap::Parser;

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
    let opts = match mailshift_sandbox::SandboxOptions::default().with_env() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("mailshift: {e}");
            return cli::exit::USAGE;
        }
    };
    // A handed-off runner may serve the sandbox until its task ends: use its servers.
    match mailshift_sandbox::ServedSandbox::find(&home).await {
        Ok(Some(served)) => {
            let backend = mailshift::sandbox_backend::AttachedBackend::new(&home, served);
            return tui_exit(mailshift::tui::run(Box::new(backend)).await);
        }
        Ok(None) => {}
        Err(e) => tracing::warn!("cannot tell whether another mailshift serves the sandbox: {e}"),
    }
    let sandbox = match mailshift_sandbox::Sandbox::start(&home, opts).await {
        Ok(s) => s,
        Err(e @ mailshift_sandbox::SandboxError::PortTaken { .. }) => {
            eprintln!("mailshift: cannot start the sandbox: {e}");
            return cli::exit::STATE;
        }
        Err(e) => {
            eprintln!("mailshift: cannot start the sandbox: {e} (try `mailshift sandbox reset`)");
            return cli::exit::STATE;
        }
    };
    let backend = Box::new(mailshift::sandbox_backend::SandboxBackend::new(sandbox));
    tui_exit(mailshift::tui::run(backend).await)
}

/// The exit code of a control panel session.
fn tui_exit(result: std::io::Result<()>) -> i32 {
    match result {
        Ok(()) => cli::exit::OK,
        Err(e) => {
            eprintln!("mailshift: terminal error: {e}");
            cli::exit::FAILURE
        }
    }
}

fn main() {
    if let Err(e) = mailshift::core_dumps::forbid() {
        eprintln!("mailshift: cannot turn core dumps off ({e}); a crash could leave the passwords in a core file");
    }
    tune_allocator();
    let args = cli::Cli::parse();
    let _log = logging::init();
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
