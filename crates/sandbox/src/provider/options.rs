//! How a sandbox runs: how fast simulated time goes, the demo seed, fixed ports
//! (IMAP, DNS, SMTP).

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
}

impl SandboxOptions {
    /// The default simulation speed: a simulated day in a real minute.
    pub const DEFAULT_CLOCK_FACTOR: f64 = 1440.0;
    /// The seed `sandbox reset` uses.
    pub const DEFAULT_SEED: u64 = 2024;
}

impl Default for SandboxOptions {
    fn default() -> Self {
        SandboxOptions {
            clock_factor: Self::DEFAULT_CLOCK_FACTOR,
            seed: Self::DEFAULT_SEED,
            imap_port_base: 0,
            dns_port: 0,
            smtp_port: 0,
        }
    }
}
