//! What the TUI talks to: the panel model, account and domain operations, the DNS
//! diagnostic and its fixes. The TUI never knows whether it is the sandbox, a demo
//! or (later) a real provider behind this trait.

mod demo;

pub use demo::DemoBackend;

use futures::future::BoxFuture;
use mailshift_dns::{DomainReport, Fix, PendingChange};
use mailshift_panel::{DomainKind, NewAccount, PanelState, PlatformId};

/// The operations the control panel offers. Errors are sentences a person can act on.
pub trait Backend: Send {
    /// The panel as it stands (platforms, domains, accounts).
    fn panel(&self) -> &PanelState;
    /// Create an account on `platform`; returns its address.
    fn create_account(&mut self, platform: PlatformId, new: NewAccount) -> Result<String, String>;
    /// Give `address` the login `new_local` (same domain); returns the new address.
    fn rename_account(
        &mut self,
        platform: PlatformId,
        address: &str,
        new_local: &str,
    ) -> Result<String, String>;
    /// Wipe `address` and turn its slot back into a free one.
    fn reset_account(&mut self, platform: PlatformId, address: &str) -> Result<(), String>;
    /// Associate `name` with `platform`.
    fn add_domain(
        &mut self,
        platform: PlatformId,
        name: &str,
        kind: DomainKind,
    ) -> Result<(), String>;
    /// DNS diagnostic of `domain` as `platform` expects it. The future is run by the
    /// TUI's event loop in the background; its result comes back as an Action.
    fn dns_check(&self, platform: PlatformId, domain: &str) -> BoxFuture<'static, DomainReport>;
    /// Apply a fix to the zone of `domain`; returns the changes now propagating.
    fn apply_fix(&mut self, domain: &str, fix: &Fix) -> Result<Vec<PendingChange>, String>;
    /// Zone changes not yet visible to resolvers, soonest first.
    fn pending_changes(&self) -> Vec<PendingChange>;
    /// A line saying what this backend is (shown in the header), if anything.
    fn sandbox_note(&self) -> Option<String>;
}
