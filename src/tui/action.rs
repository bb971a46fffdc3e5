//! Every user intent and background result the TUI handles: keys are turned into
//! these by the keymap, background tasks send them back over the Action channel.

use mailshift_dns::DomainReport;
use mailshift_panel::PlatformId;
use tui_input::InputRequest;

/// One thing to do; `update` consumes them one at a time.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Leave the application.
    Quit,
    /// Close the topmost overlay, or go back one screen.
    Back,
    /// Move the selection up.
    Up,
    /// Move the selection down.
    Down,
    /// Put the focus on the platform sidebar.
    FocusSidebar,
    /// Put the focus on the tab's table.
    FocusTable,
    /// Next tab of the platform (domains / accounts).
    NextTab,
    /// Previous tab of the platform.
    PrevTab,
    /// Show the associated-domains tab.
    ShowDomains,
    /// Show the email-accounts tab.
    ShowAccounts,
    /// Show or hide the help overlay.
    ToggleHelp,
    /// Show or hide the log pane.
    ToggleLog,
    /// Open what is selected (platform, domain's DNS, a red record's fix).
    Open,
    /// The DNS diagnostic of the selected domain.
    OpenDns,
    /// Run the diagnostic of the shown domain again.
    Recheck,
    /// The "add a domain" form.
    AddDomain,
    /// The "create an account" form.
    CreateAccount,
    /// The "rename an account" form.
    RenameAccount,
    /// The reset confirmation of the selected account.
    ResetAccount,
    /// Next form field.
    NextField,
    /// Previous form field.
    PrevField,
    /// An edit of the focused form field.
    Edit(InputRequest),
    /// Submit the open form.
    Submit,
    /// Say yes to the open dialog (reset, apply a fix).
    Confirm,
    /// A second passed (countdowns).
    Tick,
    /// The terminal has a new size (columns, rows).
    Resize(u16, u16),
    /// A mouse click at (column, row).
    Click(u16, u16),
    /// Start a DNS diagnostic in the background.
    StartDnsCheck {
        /// The platform whose expectations apply.
        platform: PlatformId,
        /// The domain to check.
        domain: String,
    },
    /// A DNS diagnostic finished.
    DnsChecked {
        /// The platform it was run for.
        platform: PlatformId,
        /// What it found.
        report: DomainReport,
    },
}
