//! `mailshift sandbox serve|reset`: the simulated provider without the TUI.

use clap::{Args, Subcommand};
use mailshift_sandbox::{Sandbox, SandboxOptions};

use super::exit;

#[derive(Debug, Subcommand)]
pub enum SandboxCommand {
    /// Run the sandbox (one IMAP server per platform, a DNS server for its
    /// domains) on 127.0.0.1 and print the endpoints; Ctrl-C stops it.
    /// Real mail clients and `mailshift migrate` can use it.
    Serve(ServeArgs),
    /// Restore the demo platforms, accounts, mail and DNS zones.
    Reset,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// First IMAP port (platform N gets PORT+N-1); default: MAILSHIFT_SANDBOX_IMAP_PORT,
    /// else the ports kept in the sandbox folder (free ports chosen at the first start).
    #[arg(long, value_name = "PORT", default_value_t = 0)]
    pub imap_port: u16,
    /// DNS port; default: MAILSHIFT_SANDBOX_DNS_PORT, else the kept one.
    #[arg(long, value_name = "PORT", default_value_t = 0)]
    pub dns_port: u16,
    /// Simulated seconds per real second for DNS propagation (4-24 simulated hours).
    #[arg(long, value_name = "FACTOR", default_value_t = 1440.0)]
    pub clock_factor: f64,
    /// Print the endpoints and stop at once (for scripts and tests).
    #[arg(long)]
    pub once: bool,
}

pub async fn run(cmd: SandboxCommand) -> i32 {
    let home = match mailshift_store::data_dir() {
        Ok(h) => h,
        Err(e) => {
            eprintln!("mailshift: {e}");
            return exit::STATE;
        }
    };
    match cmd {
        SandboxCommand::Reset => match Sandbox::reset(&home).await {
            Ok(()) => {
                println!(
                    "sandbox restored to its demo state in {}",
                    home.join("sandbox").display()
                );
                exit::OK
            }
            Err(e) => {
                eprintln!("mailshift: {e}");
                exit::STATE
            }
        },
        SandboxCommand::Serve(a) => {
            let opts = SandboxOptions {
                clock_factor: a.clock_factor,
                imap_port_base: a.imap_port,
                dns_port: a.dns_port,
                ..SandboxOptions::default()
            };
            let opts = match opts.with_env() {
                Ok(o) => o,
                Err(e) => {
                    eprintln!("mailshift: {e}");
                    return exit::USAGE;
                }
            };
            let sandbox = match Sandbox::start(&home, opts).await {
                Ok(s) => s,
                Err(e) => {
                    eprintln!("mailshift: {e}");
                    return exit::STATE;
                }
            };
            print!("{}", sandbox.endpoints_text());
            println!(
                "\nDemo password for every seeded account: {}\nTry: MAILSHIFT_SRC_PASSWORD=... mailshift migrate --src-host 127.0.0.1 --src-port PORT --src-security none ...",
                mailshift_panel::DEMO_PASSWORD
            );
            if !a.once {
                println!("Serving; Ctrl-C to stop.");
                let _ = tokio::signal::ctrl_c().await;
            }
            sandbox.shutdown().await;
            exit::OK
        }
    }
}
