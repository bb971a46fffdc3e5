//! The sandbox's own relay: the listener started with the sandbox, its login (a
//! password generated at each start and kept in memory only), its STARTTLS
//! certificate, and the notifications mailbox that collects third-party mail.

use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;

use rand::distr::Alphanumeric;
use rand::Rng;

use super::local_delivery::LocalDelivery;
use super::{RelayLogin, SandboxSmtp, SandboxSmtpHandle, SmtpConfig, SmtpError};
use crate::{Directory, MailStore, StoreError};

/// The account (on the first platform) that receives mail for non-sandbox addresses.
pub const NOTIFICATIONS_LOGIN: &str = "notifications@sandbox.invalid";
/// The relay user clients give with AUTH.
pub const RELAY_USER: &str = "relay@sandbox.invalid";
/// The sender address a sandbox relay is configured with.
pub const RELAY_FROM: &str = "mailshift@sandbox.invalid";

/// What a client needs to send through the sandbox relay (security: none, or STARTTLS
/// pinning `certificate_pem`). `Debug` masks the password; nothing here is serialisable.
#[derive(Clone, PartialEq, Eq)]
pub struct SandboxRelay {
    pub host: String,
    pub port: u16,
    pub user: String,
    pub password: String,
    pub from: String,
    /// The listener's self-signed STARTTLS certificate.
    pub certificate_pem: String,
}

impl fmt::Debug for SandboxRelay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SandboxRelay")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("user", &self.user)
            .field("password", &"********")
            .field("from", &self.from)
            .finish_non_exhaustive()
    }
}

/// Why the sandbox relay could not start.
#[derive(Debug, thiserror::Error)]
pub enum RelayStartError {
    #[error("{0}")]
    Smtp(#[from] SmtpError),
    #[error("cannot prepare the sandbox notifications mailbox {NOTIFICATIONS_LOGIN}: {0}")]
    Mailbox(#[from] StoreError),
}

/// The running relay, owned by the sandbox.
pub(crate) struct SandboxRelayService {
    handle: SandboxSmtpHandle,
    password: String,
}

impl SandboxRelayService {
    /// Starts the listener on 127.0.0.1:`port`, delivering into `stores` (panel order);
    /// the notifications mailbox is made in `first` if missing and may log in over IMAP
    /// with `imap_password`.
    pub(crate) async fn start(
        port: u16,
        stores: Vec<Arc<MailStore>>,
        first: (&Arc<MailStore>, &Directory),
        imap_password: &str,
    ) -> Result<Self, RelayStartError> {
        let (store, directory) = first;
        if !store.account_exists(NOTIFICATIONS_LOGIN) {
            store.create_account(NOTIFICATIONS_LOGIN)?;
        }
        if !directory.verify(NOTIFICATIONS_LOGIN, imap_password) {
            directory.set_password(NOTIFICATIONS_LOGIN, imap_password);
        }
        let password: String = rand::rng()
            .sample_iter(&Alphanumeric)
            .take(24)
            .map(char::from)
            .collect();
        let delivery = LocalDelivery {
            stores,
            notifications: (store.clone(), NOTIFICATIONS_LOGIN.to_string()),
        };
        let handle = SandboxSmtp::start(
            SocketAddr::new(Ipv4Addr::LOCALHOST.into(), port),
            Arc::new(delivery),
            Some(RelayLogin::new(RELAY_USER, &password)),
            SmtpConfig::default(),
        )
        .await?;
        Ok(SandboxRelayService { handle, password })
    }

    pub(crate) fn local_addr(&self) -> SocketAddr {
        self.handle.local_addr()
    }

    pub(crate) fn credential(&self) -> (String, String) {
        (RELAY_USER.to_string(), self.password.clone())
    }

    pub(crate) fn relay(&self) -> SandboxRelay {
        let addr = self.local_addr();
        SandboxRelay {
            host: addr.ip().to_string(),
            port: addr.port(),
            user: RELAY_USER.to_string(),
            password: self.password.clone(),
            from: RELAY_FROM.to_string(),
            certificate_pem: self
                .handle
                .certificate_pem()
                .unwrap_or_default()
                .to_string(),
        }
    }

    pub(crate) async fn shutdown(self) {
        self.handle.shutdown().await;
    }
}
