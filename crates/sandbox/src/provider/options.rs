//! How a sandbox runs: how fast simulated time goes, the demo seed, fixed ports
//! (IMAP, DNS, SMTP). Ports left at 0 are the ones kept in `ports.json` (chosen
//! free at the first start).

/// Settings of [`super::Sandbox::start`].
#[derive(Debug, Clone, PartialEq)]
pub struct SandboxOptions {
    /// Simulated seconds per real second. The default, 1440, makes the 4-to-24-hour DNS
    /// propagation take 10 to 60 real seconds. 0 (or less) gives a manual clock that only
    /// moves with `clock().advance(..)` (tests, step-by-step demos).
    pub clock_factor: f64,
    /// Seed of the demo mail generator and of the propagation delays.
    pub seed: u64,
    /// 0: each platform's IMAP server on an ephemeral port. Otherwise platform number `n`
    /// (1, 2, ...) listens on `imap_port_base + n - 1`, handy to configure a mail client once.
    pub imap_port_base: u16,
    /// 0: the DNS server on an ephemeral port; otherwise this port (UDP and TCP).
    pub dns_port: u16,
    /// 0: the SMTP relay on an ephemeral port; otherwise this port.
    pub smtp_port: u16,
    /// Simulated time a platform takes to set up a domain associated with it (then
    /// its status turns OK).
    pub domain_setup: std::time::Duration,
}

impl SandboxOptions {
    /// The default simulation speed: a simulated day in a real minute.
    pub const DEFAULT_CLOCK_FACTOR: f64 = 1440.0;
    /// The seed `sandbox reset` uses.
    pub const DEFAULT_SEED: u64 = 2024;
    /// One simulated hour: 2.5 real seconds at the default clock.
    pub const DEFAULT_DOMAIN_SETUP: std::time::Duration = std::time::Duration::from_secs(3600);

    /// These options with the ports set in the environment, where set and not already
    /// given: `MAILSHIFT_SANDBOX_IMAP_PORT` (first IMAP port, platform n on +n-1),
    /// `MAILSHIFT_SANDBOX_DNS_PORT`, `MAILSHIFT_SANDBOX_SMTP_PORT`; and the domain
    /// set-up delay `MAILSHIFT_SANDBOX_DOMAIN_SETUP_SECS` (simulated seconds).
    pub fn with_env(mut self) -> Result<Self, String> {
        use super::ports::from_env;
        if self.imap_port_base == 0 {
            self.imap_port_base = from_env("MAILSHIFT_SANDBOX_IMAP_PORT")?.unwrap_or(0);
        }
        if self.dns_port == 0 {
            self.dns_port = from_env("MAILSHIFT_SANDBOX_DNS_PORT")?.unwrap_or(0);
        }
        if self.smtp_port == 0 {
            self.smtp_port = from_env("MAILSHIFT_SANDBOX_SMTP_PORT")?.unwrap_or(0);
        }
        if let Ok(v) = std::env::var("MAILSHIFT_SANDBOX_DOMAIN_SETUP_SECS") {
            let secs: u64 = v.trim().parse().map_err(|_| {
                format!(
                    "MAILSHIFT_SANDBOX_DOMAIN_SETUP_SECS={v} is not a number of simulated seconds"
                )
            })?;
            self.domain_setup = std::time::Duration::from_secs(secs);
        }
        Ok(self)
    }
}

impl Default for SandboxOptions {
    fn default() -> Self {
        SandboxOptions {
            clock_factor: Self::DEFAULT_CLOCK_FACTOR,
            seed: Self::DEFAULT_SEED,
            imap_port_base: 0,
            dns_port: 0,
            smtp_port: 0,
            domain_setup: Self::DEFAULT_DOMAIN_SETUP,
        }
    }
}
