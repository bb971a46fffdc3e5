//! What `mailshift sandbox serve` prints: where each simulated platform's IMAP server,
//! the SMTP relay and the DNS server listen, with the domains and logins to try (no
//! secret but the public demo password).

use std::fmt::Write;
use std::time::Duration;

use mailshift_dns::{PropagationDelay, RecordChange};
use mailshift_panel::{format_bytes, DEMO_PASSWORD};

use super::Sandbox;

impl Sandbox {
    /// A plain-text summary of the running sandbox, for a person to copy from.
    pub fn endpoints_text(&self) -> String {
        let mut out = String::new();
        let dns = self.dns_addr();
        let _ = writeln!(out, "mailshift sandbox: a simulated provider on 127.0.0.1");
        let _ = writeln!(out);
        for p in &self.panel.platforms {
            let _ = writeln!(out, "{} {}: {}", p.kind, p.service_name, p.display_name);
            match self.imap_addr(p.id) {
                Ok(addr) => {
                    let _ = writeln!(
                        out,
                        "  IMAP     {addr} (plain, no TLS; log in with the full address)"
                    );
                }
                Err(_) => {
                    let _ = writeln!(out, "  IMAP     not running (restart the sandbox)");
                }
            }
            for d in &p.domains {
                let _ = writeln!(out, "  domain   {} ({}, {})", d.name, d.kind, d.status);
            }
            for a in p.configured_accounts() {
                let _ = writeln!(
                    out,
                    "  account  {} ({}, {})",
                    a.address(),
                    a.display_name,
                    format_bytes(a.used_bytes)
                );
            }
            let free = p.unconfigured_count();
            if free > 0 {
                let _ = writeln!(out, "  {free} free account slot(s)");
            }
            let _ = writeln!(out);
        }
        let _ = writeln!(
            out,
            "DNS        {dns} (udp+tcp), e.g. dig @{} -p {} MX example.com",
            dns.ip(),
            dns.port()
        );
        let smtp = self.smtp_addr();
        let _ = writeln!(
            out,
            "SMTP       {smtp} (plain or STARTTLS, self-signed; AUTH as {}, password made at start)",
            crate::smtp::RELAY_USER
        );
        let _ = writeln!(
            out,
            "  mail to other addresses lands in {} on {} (IMAP, demo password)",
            crate::NOTIFICATIONS_LOGIN,
            self.panel
                .platforms
                .first()
                .map(|p| p.service_name.as_str())
                .unwrap_or("the first platform")
        );
        let pending = self.pending_dns();
        if !pending.is_empty() {
            let _ = writeln!(out, "  {} DNS change(s) propagating:", pending.len());
            for c in pending {
                let _ = writeln!(
                    out,
                    "    {}: {}, visible in {} (simulated)",
                    c.domain,
                    describe(&c.change),
                    hours(c.remaining)
                );
            }
        }
        let _ = writeln!(out, "Clock      {}", clock_hint(self.clock_factor));
        let _ = writeln!(
            out,
            "Demo accounts log in with the password {DEMO_PASSWORD} (sandbox only)."
        );
        out
    }
}

fn clock_hint(factor: f64) -> String {
    if factor <= 0.0 {
        return "manual: simulated time moves only when advanced".to_string();
    }
    let real = |d: Duration| format!("{:.0} s", d.as_secs_f64() / factor);
    format!(
        "x{factor}: a DNS change propagates in {} to {} of real time",
        real(PropagationDelay::MIN),
        real(PropagationDelay::MAX)
    )
}

fn describe(change: &RecordChange) -> String {
    match change {
        RecordChange::Add(r) => format!("add {}", r.zone_line()),
        RecordChange::Remove(r) => format!("remove {}", r.zone_line()),
    }
}

fn hours(d: Duration) -> String {
    let m = d.as_secs() / 60;
    format!("{}h{:02}", m / 60, m % 60)
}
