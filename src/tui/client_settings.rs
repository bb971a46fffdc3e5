//! What a person types into Outlook, Thunderbird or a phone after the migration: the
//! IMAP, POP, SMTP, EWS and autodiscover settings of an account's platform. A
//! platform served by the provider shows its published values (`assets/platforms.toml`);
//! one served by the backend itself (the sandbox) shows the servers it actually runs,
//! read from the backend, so a real client can be pointed at the sandbox.

use mailshift_panel::{PlatformId, Security};

use super::backend::Backend;

/// One service a client connects to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting {
    /// "IMAP", "POP", "SMTP", "EWS", "Autodiscover", "CalDAV/CardDAV".
    pub service: &'static str,
    /// Host name or URL; empty when the service is not offered.
    pub server: String,
    /// Port, when the service is reached by host and port.
    pub port: Option<u16>,
    /// "SSL/TLS", "STARTTLS", "none".
    pub security: String,
    /// The login to type, when it is not the account's address.
    pub note: Option<String>,
}

/// The settings of one account.
#[derive(Debug, Clone)]
pub struct ClientSettings {
    /// The account's address (the login of every service unless a note says otherwise).
    pub address: String,
    /// Its platform, as the panel names it.
    pub platform: String,
    /// Whether the values are the backend's own servers (the sandbox), not published ones.
    pub local: bool,
    /// One line per service.
    pub rows: Vec<Setting>,
    /// What the password is.
    pub password: String,
    /// The SMTP relay's own password, when the backend runs the relay (shown masked
    /// until `revealed`, like every secret on screen).
    pub smtp_password: Option<mailshift_tasks::Secret>,
    /// Whether the person asked to see `smtp_password` (v).
    pub revealed: bool,
    /// The messages in this mailbox, when it is the notifications mailbox.
    pub notices: Option<Vec<super::backend::Notice>>,
}

impl PartialEq for ClientSettings {
    fn eq(&self, other: &Self) -> bool {
        let secret = |s: &Self| s.smtp_password.as_ref().map(|p| p.expose().to_string());
        self.address == other.address
            && self.platform == other.platform
            && self.local == other.local
            && self.rows == other.rows
            && self.password == other.password
            && secret(self) == secret(other)
            && self.revealed == other.revealed
            && self.notices == other.notices
    }
}

impl ClientSettings {
    /// These settings listing the messages of the notifications mailbox.
    pub fn with_notices(mut self, notices: Vec<super::backend::Notice>) -> Self {
        self.notices = Some(notices);
        self
    }

    /// The relay password as shown: bullets until revealed.
    pub fn smtp_password_text(&self) -> Option<String> {
        let p = self.smtp_password.as_ref()?;
        Some(if self.revealed {
            p.expose().to_string()
        } else {
            "•".repeat(p.expose().chars().count())
        })
    }
}

fn security_text(s: Security) -> String {
    match s {
        Security::Tls => "SSL/TLS",
        Security::Starttls => "STARTTLS",
        Security::None => "none",
    }
    .to_string()
}

/// The settings of `address` on `platform`, as this backend serves them.
pub fn client_settings(
    backend: &dyn Backend,
    platform: PlatformId,
    address: &str,
) -> Option<ClientSettings> {
    let p = backend.panel().platform(platform).ok()?;
    let facts = p.kind.facts();
    // The sandbox replaces a platform's published endpoints with the servers it runs.
    let local = p.endpoints != facts.endpoints;
    let imap = backend.imap_endpoint(platform, address)?;
    let not_offered = |service: &'static str, why: &str| Setting {
        service,
        server: String::new(),
        port: None,
        security: String::new(),
        note: Some(why.to_string()),
    };
    let mut smtp_password = None;
    let mut rows = vec![Setting {
        service: "IMAP",
        server: imap.host.clone(),
        port: Some(imap.port),
        security: security_text(imap.security),
        note: None,
    }];
    if local {
        rows.push(not_offered("POP", "not served by the sandbox"));
        match backend.local_smtp() {
            Some(smtp) => {
                rows.push(Setting {
                    service: "SMTP",
                    server: smtp.host,
                    port: Some(smtp.port),
                    security: "none (STARTTLS offered)".into(),
                    note: Some(format!(
                        "login {} (the sandbox relay; its password, below, changes at each start)",
                        smtp.user
                    )),
                });
                smtp_password = Some(smtp.password);
            }
            None => rows.push(not_offered("SMTP", "not served here")),
        }
        rows.push(not_offered("EWS", "not served by the sandbox: use IMAP"));
        if let Some(dav) = imap.groupware.dav_url.clone() {
            rows.push(Setting {
                service: "CalDAV/CardDAV",
                server: dav,
                port: None,
                security: "none".into(),
                note: None,
            });
        }
    } else {
        let c = &facts.client;
        match (c.pop_port, c.pop_security) {
            (Some(port), Some(sec)) => rows.push(Setting {
                service: "POP",
                server: p.endpoints.host.clone(),
                port: Some(port),
                security: security_text(sec),
                note: None,
            }),
            _ => rows.push(not_offered("POP", "not offered on this platform")),
        }
        rows.push(Setting {
            service: "SMTP",
            server: p.endpoints.host.clone(),
            port: Some(p.endpoints.smtp_port),
            security: security_text(p.endpoints.smtp_security),
            note: Some("authentication required (same login and password)".into()),
        });
        match &c.ews_url {
            Some(url) => rows.push(Setting {
                service: "EWS",
                server: url.clone(),
                port: None,
                security: "HTTPS".into(),
                note: None,
            }),
            None => rows.push(not_offered("EWS", "not offered on this platform: use IMAP")),
        }
        if let Some(url) = &c.autodiscover_url {
            rows.push(Setting {
                service: "Autodiscover",
                server: url.clone(),
                port: None,
                security: "HTTPS".into(),
                note: None,
            });
        }
    }
    Some(ClientSettings {
        address: address.to_ascii_lowercase(),
        platform: p.label(),
        local,
        rows,
        password: if local {
            "the account's password (the demo password for seeded accounts)".into()
        } else {
            "the account's password".into()
        },
        smtp_password,
        revealed: false,
        notices: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::DemoBackend;

    #[test]
    fn a_provider_platform_shows_its_published_values() {
        let b = DemoBackend::new();
        let ex = b.panel().platform_by_service("exchange-ab12cd").unwrap().id;
        let s = client_settings(&b, ex, "thomas.leroy@example.org").unwrap();
        assert!(!s.local);
        let imap = &s.rows[0];
        assert_eq!(
            (imap.server.as_str(), imap.port),
            ("ex5.mail.ovh.net", Some(993))
        );
        assert_eq!(imap.security, "SSL/TLS");
        let smtp = s.rows.iter().find(|r| r.service == "SMTP").unwrap();
        assert_eq!((smtp.port, smtp.security.as_str()), (Some(587), "STARTTLS"));
        let ews = s.rows.iter().find(|r| r.service == "EWS").unwrap();
        assert!(
            ews.server.starts_with("https://ex5.mail.ovh.net/"),
            "{ews:?}"
        );
        let pop = s.rows.iter().find(|r| r.service == "POP").unwrap();
        assert_eq!(pop.port, Some(995));
        let mx = b.panel().platform_by_service("mxplan-7f3e21").unwrap().id;
        let s = client_settings(&b, mx, "john.smith@example.com").unwrap();
        let smtp = s.rows.iter().find(|r| r.service == "SMTP").unwrap();
        assert_eq!(
            (smtp.server.as_str(), smtp.port),
            ("ssl0.ovh.net", Some(465))
        );
        let ews = s.rows.iter().find(|r| r.service == "EWS").unwrap();
        assert!(ews.server.is_empty() && ews.note.is_some());
    }
}
