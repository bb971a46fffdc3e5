//! The keymap as data: (keys, action, context, description). Key handling, the `?`
//! help overlay and the footer hints all read this one table.

use std::sync::LazyLock;

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::action::Action;

/// Where a binding applies. The app lists the active contexts, most specific first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Context {
    /// Everywhere, even in forms.
    Always,
    /// Everywhere but in forms and dialogs.
    Global,
    /// The Platforms screen, whatever has the focus.
    Platforms,
    /// The platform sidebar has the focus.
    Sidebar,
    /// The associated-domains table has the focus.
    Domains,
    /// The email-accounts table has the focus.
    Accounts,
    /// The DNS diagnostic screen.
    Dns,
    /// The tasks dashboard.
    Dashboard,
    /// The project view.
    Project,
    /// The project import form.
    ImportForm,
    /// The guided migration wizard.
    Wizard,
    /// The wizard's last step.
    WizardDone,
    /// The cancel confirmation.
    CancelAsk,
    /// The question asked when quitting with tasks running.
    QuitAsk,
    /// The verification report.
    Report,
    /// The question asked when leaving a wizard that changed something.
    LeaveAsk,
    /// The mail client settings dialog.
    Settings,
    /// A form is open.
    Form,
    /// The reset confirmation is open.
    Confirm,
    /// The fix dialog is open.
    Fix,
    /// The help overlay is open.
    Help,
}

impl Context {
    /// The heading of this context in the help overlay.
    pub fn title(self) -> &'static str {
        match self {
            Context::Always | Context::Global => "Everywhere",
            Context::Platforms => "Platforms",
            Context::Sidebar => "Platform list",
            Context::Domains => "Associated domains",
            Context::Accounts => "Email accounts",
            Context::Dns => "DNS diagnostic",
            Context::Dashboard => "Tasks",
            Context::Project => "Project",
            Context::ImportForm => "Project import",
            Context::Wizard => "Migration wizard",
            Context::WizardDone => "Wizard, last step",
            Context::CancelAsk => "Cancel a task",
            Context::QuitAsk => "Quit with tasks running",
            Context::Report => "Verification report",
            Context::LeaveAsk => "Leave the wizard",
            Context::Settings => "Mail client settings",
            Context::Form => "Form",
            Context::Confirm => "Confirmation",
            Context::Fix => "Fix dialog",
            Context::Help => "Help",
        }
    }
}

/// One key chord: a code and its modifiers (Shift is ignored for characters).
pub type Chord = (KeyCode, KeyModifiers);

/// One row of the keymap.
#[derive(Debug, Clone)]
pub struct Binding {
    /// The chords that trigger it.
    pub keys: Vec<Chord>,
    /// How the keys are written in help and hints (`↑/k`).
    pub label: &'static str,
    /// What it does.
    pub action: Action,
    /// Where it applies.
    pub context: Context,
    /// What a person reads in help and hints.
    pub description: &'static str,
    /// Whether the footer shows it.
    pub hint: bool,
}

const NONE: KeyModifiers = KeyModifiers::NONE;

fn ch(c: char) -> Chord {
    (KeyCode::Char(c), NONE)
}

fn key(code: KeyCode) -> Chord {
    (code, NONE)
}

fn bind(
    context: Context,
    keys: Vec<Chord>,
    label: &'static str,
    action: Action,
    description: &'static str,
    hint: bool,
) -> Binding {
    Binding {
        keys,
        label,
        action,
        context,
        description,
        hint,
    }
}

/// The whole keymap.
pub fn keymap() -> &'static [Binding] {
    static MAP: LazyLock<Vec<Binding>> = LazyLock::new(build);
    &MAP
}

fn build() -> Vec<Binding> {
    use Action as A;
    use Context as C;
    use KeyCode as K;
    let up = || vec![key(K::Up), ch('k')];
    let down = || vec![key(K::Down), ch('j')];
    vec![
        bind(
            C::Always,
            vec![(K::Char('c'), KeyModifiers::CONTROL)],
            "Ctrl-C",
            A::QuitNow,
            "quit now (running tasks resume on the next start)",
            false,
        ),
        bind(C::Global, vec![ch('q')], "q", A::Quit, "quit", true),
        bind(
            C::Global,
            vec![ch('t')],
            "t",
            A::ShowDashboard,
            "tasks",
            true,
        ),
        bind(
            C::Global,
            vec![ch('p')],
            "p",
            A::ShowPlatforms,
            "platforms",
            false,
        ),
        bind(C::Global, vec![ch('?')], "?", A::ToggleHelp, "help", true),
        bind(
            C::Global,
            vec![ch('l')],
            "l",
            A::ToggleLog,
            "show/hide the log",
            false,
        ),
        bind(C::Global, vec![key(K::Esc)], "Esc", A::Back, "back", false),
        bind(
            C::Platforms,
            vec![key(K::Tab)],
            "Tab",
            A::NextTab,
            "next tab",
            true,
        ),
        bind(
            C::Platforms,
            vec![key(K::BackTab)],
            "S-Tab",
            A::PrevTab,
            "previous tab",
            false,
        ),
        bind(
            C::Platforms,
            vec![ch('1')],
            "1",
            A::ShowDomains,
            "associated domains",
            false,
        ),
        bind(
            C::Platforms,
            vec![ch('2')],
            "2",
            A::ShowAccounts,
            "email accounts",
            false,
        ),
        bind(
            C::Platforms,
            vec![key(K::Left)],
            "←",
            A::FocusSidebar,
            "focus the platform list",
            false,
        ),
        bind(
            C::Platforms,
            vec![key(K::Right)],
            "→",
            A::FocusTable,
            "focus the table",
            false,
        ),
        bind(C::Sidebar, up(), "↑/k", A::Up, "previous platform", false),
        bind(C::Sidebar, down(), "↓/j", A::Down, "next platform", false),
        bind(
            C::Sidebar,
            vec![key(K::Enter)],
            "Enter",
            A::Open,
            "open the platform",
            true,
        ),
        bind(
            C::Sidebar,
            vec![ch('m'), ch('r'), ch('x'), ch('n')],
            "m/r/x/n",
            A::AccountKeyElsewhere,
            "account keys: say where they work",
            false,
        ),
        bind(C::Domains, up(), "↑/k", A::Up, "previous domain", false),
        bind(C::Domains, down(), "↓/j", A::Down, "next domain", false),
        bind(
            C::Domains,
            vec![key(K::Enter), ch('d')],
            "Enter/d",
            A::OpenDns,
            "DNS diagnostic",
            true,
        ),
        bind(
            C::Domains,
            vec![ch('a')],
            "a",
            A::AddDomain,
            "add a domain",
            true,
        ),
        bind(C::Accounts, up(), "↑/k", A::Up, "previous account", false),
        bind(C::Accounts, down(), "↓/j", A::Down, "next account", false),
        bind(
            C::Accounts,
            vec![ch('n')],
            "n",
            A::CreateAccount,
            "create an account",
            true,
        ),
        bind(
            C::Accounts,
            vec![ch('r')],
            "r",
            A::RenameAccount,
            "rename",
            true,
        ),
        bind(
            C::Accounts,
            vec![ch('x')],
            "x",
            A::ResetAccount,
            "reset",
            true,
        ),
        bind(
            C::Accounts,
            vec![ch('m')],
            "m",
            A::MigrateAccount,
            "migrate this account",
            true,
        ),
        bind(C::Dashboard, up(), "↑/k", A::Up, "previous task", false),
        bind(C::Dashboard, down(), "↓/j", A::Down, "next task", false),
        bind(
            C::Dashboard,
            vec![ch('n')],
            "n",
            A::NewMigration,
            "new",
            true,
        ),
        bind(
            C::Dashboard,
            vec![ch('f')],
            "f",
            A::FollowTask,
            "follow",
            true,
        ),
        bind(
            C::Dashboard,
            vec![ch('i')],
            "i",
            A::ImportProject,
            "import a CSV project",
            false,
        ),
        bind(
            C::Dashboard,
            vec![ch('c')],
            "c",
            A::CancelTask,
            "cancel",
            true,
        ),
        bind(
            C::Dashboard,
            vec![ch('b')],
            "b",
            A::RollbackTask,
            "roll back",
            true,
        ),
        bind(
            C::Dashboard,
            vec![ch('r')],
            "r",
            A::ResumeTask,
            "resume",
            false,
        ),
        bind(
            C::Dashboard,
            vec![ch('v'), key(K::Enter)],
            "v",
            A::ShowReport,
            "report",
            true,
        ),
        bind(
            C::Dashboard,
            vec![ch('o')],
            "o",
            A::ShowProject,
            "project",
            true,
        ),
        bind(C::Project, up(), "↑/k", A::Up, "previous row", false),
        bind(C::Project, down(), "↓/j", A::Down, "next row", false),
        bind(
            C::Project,
            vec![ch('p')],
            "p",
            A::PauseProject,
            "pause",
            true,
        ),
        bind(
            C::Project,
            vec![ch('r')],
            "r",
            A::ResumeProject,
            "resume",
            true,
        ),
        bind(
            C::Project,
            vec![ch('c')],
            "c",
            A::CancelProject,
            "cancel",
            true,
        ),
        bind(
            C::Project,
            vec![ch('i')],
            "i",
            A::ImportProject,
            "import",
            true,
        ),
        bind(
            C::ImportForm,
            vec![(K::Char('w'), KeyModifiers::CONTROL)],
            "Ctrl-W",
            A::WriteTemplate,
            "write a template CSV",
            true,
        ),
        bind(
            C::Wizard,
            vec![key(K::Enter)],
            "Enter",
            A::Submit,
            "do this step / retry",
            true,
        ),
        bind(
            C::Wizard,
            vec![key(K::Esc)],
            "Esc",
            A::Back,
            "previous step",
            true,
        ),
        bind(
            C::Wizard,
            vec![key(K::Tab), key(K::Down)],
            "Tab/↓",
            A::NextField,
            "next field",
            false,
        ),
        bind(
            C::Wizard,
            vec![key(K::BackTab), key(K::Up)],
            "S-Tab/↑",
            A::PrevField,
            "previous field",
            false,
        ),
        bind(
            C::WizardDone,
            vec![ch('k')],
            "k",
            A::KeepProvisional,
            "keep provisional",
            true,
        ),
        bind(
            C::WizardDone,
            vec![ch('x')],
            "x",
            A::ResetProvisional,
            "reset it",
            true,
        ),
        bind(C::WizardDone, vec![ch('d')], "d", A::WizardDns, "DNS", true),
        bind(
            C::WizardDone,
            vec![key(K::Enter)],
            "Enter",
            A::Submit,
            "close",
            true,
        ),
        bind(
            C::CancelAsk,
            vec![ch('y')],
            "y",
            A::Confirm,
            "yes, cancel it",
            true,
        ),
        bind(
            C::CancelAsk,
            vec![ch('n'), key(K::Esc)],
            "n/Esc",
            A::Back,
            "let it run",
            true,
        ),
        bind(
            C::QuitAsk,
            vec![ch('h')],
            "h",
            A::HandOff,
            "quit, tasks continue headless",
            true,
        ),
        bind(
            C::QuitAsk,
            vec![ch('c')],
            "c",
            A::CancelAndQuit,
            "cancel them and quit",
            true,
        ),
        bind(
            C::QuitAsk,
            vec![key(K::Esc), ch('n')],
            "Esc",
            A::Back,
            "stay",
            true,
        ),
        bind(
            C::Report,
            vec![key(K::Esc), key(K::Enter), ch('v')],
            "Esc",
            A::Back,
            "close",
            true,
        ),
        bind(
            C::Settings,
            vec![ch('v')],
            "v",
            A::RevealSecret,
            "show/mask the password",
            // The dialog names the key beside the password; published settings have none.
            false,
        ),
        bind(
            C::Settings,
            vec![key(K::Esc), key(K::Enter), ch('s')],
            "Esc",
            A::Back,
            "close",
            true,
        ),
        bind(
            C::Accounts,
            vec![ch('s')],
            "s",
            A::ShowClientSettings,
            "client settings",
            true,
        ),
        bind(
            C::WizardDone,
            vec![ch('s')],
            "s",
            A::ShowClientSettings,
            "client settings",
            true,
        ),
        bind(
            C::Dashboard,
            vec![ch('e')],
            "e",
            A::ShowNotifications,
            "notification mails",
            false,
        ),
        bind(
            C::LeaveAsk,
            vec![ch('l')],
            "l",
            A::LeaveWizardLater,
            "continue later",
            true,
        ),
        bind(
            C::LeaveAsk,
            vec![ch('u')],
            "u",
            A::UndoWizard,
            "undo what was done",
            true,
        ),
        bind(
            C::LeaveAsk,
            vec![key(K::Esc), ch('n')],
            "Esc",
            A::Back,
            "stay",
            true,
        ),
        bind(C::Dns, up(), "↑/k", A::Up, "previous record", false),
        bind(C::Dns, down(), "↓/j", A::Down, "next record", false),
        bind(
            C::Dns,
            vec![key(K::Enter)],
            "Enter",
            A::Open,
            "fix a red record",
            true,
        ),
        bind(C::Dns, vec![ch('r')], "r", A::Recheck, "check again", true),
        bind(
            C::Form,
            vec![key(K::Tab), key(K::Down)],
            "Tab/↓",
            A::NextField,
            "next field",
            true,
        ),
        bind(
            C::Form,
            vec![key(K::BackTab), key(K::Up)],
            "S-Tab/↑",
            A::PrevField,
            "previous field",
            false,
        ),
        bind(
            C::Form,
            vec![key(K::Enter)],
            "Enter",
            A::Submit,
            "submit",
            true,
        ),
        bind(C::Form, vec![key(K::Esc)], "Esc", A::Back, "cancel", true),
        bind(
            C::Form,
            vec![(K::Char('t'), KeyModifiers::CONTROL)],
            "Ctrl-T",
            A::TestConnection,
            "test the connection (migration form)",
            false,
        ),
        bind(
            C::Confirm,
            vec![ch('y')],
            "y",
            A::Confirm,
            "yes, wipe it",
            true,
        ),
        bind(
            C::Confirm,
            vec![ch('n'), key(K::Esc)],
            "n/Esc",
            A::Back,
            "cancel",
            true,
        ),
        bind(
            C::Fix,
            vec![key(K::Enter), ch('a')],
            "Enter/a",
            A::Confirm,
            "apply the fix",
            true,
        ),
        bind(C::Fix, vec![key(K::Esc)], "Esc", A::Back, "close", true),
        bind(
            C::Help,
            vec![key(K::Esc), ch('?'), ch('q')],
            "Esc/?",
            A::Back,
            "close help",
            true,
        ),
        bind(C::Help, up(), "↑/k", A::Up, "scroll up", true),
        bind(C::Help, down(), "↓/j", A::Down, "scroll down", true),
    ]
}

/// The chord of a key event: Shift dropped from characters and Shift-Tab.
fn chord_of(event: &KeyEvent) -> Chord {
    let mut mods = event.modifiers;
    if matches!(event.code, KeyCode::Char(_) | KeyCode::BackTab) {
        mods.remove(KeyModifiers::SHIFT);
    }
    (event.code, mods)
}

/// The action bound to `event` in the first of `contexts` that binds it.
pub fn resolve(contexts: &[Context], event: &KeyEvent) -> Option<Action> {
    if event.kind == KeyEventKind::Release {
        return None;
    }
    let chord = chord_of(event);
    contexts.iter().find_map(|c| {
        keymap()
            .iter()
            .find(|b| b.context == *c && b.keys.contains(&chord))
            .map(|b| b.action.clone())
    })
}

/// The bindings of `contexts` in order, without duplicates of an already listed key
/// (what the help overlay lists).
pub fn bindings_for(contexts: &[Context]) -> Vec<&'static Binding> {
    let mut out: Vec<&'static Binding> = Vec::new();
    for c in contexts {
        for b in keymap().iter().filter(|b| b.context == *c) {
            if !out
                .iter()
                .any(|o| o.keys.iter().any(|k| b.keys.contains(k)))
            {
                out.push(b);
            }
        }
    }
    out
}

/// The footer hints of `contexts`: `(label, description)` pairs.
pub fn hints(contexts: &[Context]) -> Vec<(&'static str, &'static str)> {
    bindings_for(contexts)
        .into_iter()
        .filter(|b| b.hint)
        .map(|b| (b.label, b.description))
        .collect()
}

/// The key line at the bottom of a form or dialog box ("y confirms · Esc cancels").
/// Each prompt lists actions and the words said after their key; the key is read
/// from the binding that triggers the action in the prompt's contexts, so the box
/// cannot name a key that does something else.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prompt {
    /// Any form.
    Form,
    /// The rollback form.
    Rollback,
    /// The resume form.
    Resume,
    /// The New migration form.
    NewMigration,
    /// The reset confirmation.
    Reset,
    /// The fix dialog.
    Fix,
    /// The cancel confirmation.
    Cancel,
    /// The quit question.
    Quit,
    /// The verification report.
    Report,
    /// The mail client settings.
    Settings,
    /// The leave-the-wizard question.
    LeaveWizard,
    /// Under a wizard step that failed.
    WizardRetry,
    /// The help overlay (its scroll keys come first, see `help::render_help`).
    Help,
}

impl Prompt {
    /// Every prompt (the label test walks them).
    pub const ALL: [Prompt; 13] = [
        Prompt::Form,
        Prompt::Rollback,
        Prompt::Resume,
        Prompt::NewMigration,
        Prompt::Reset,
        Prompt::Fix,
        Prompt::Cancel,
        Prompt::Quit,
        Prompt::Report,
        Prompt::Settings,
        Prompt::LeaveWizard,
        Prompt::WizardRetry,
        Prompt::Help,
    ];

    /// The contexts in force while the prompt is shown, most specific first.
    pub fn contexts(self) -> &'static [Context] {
        match self {
            Prompt::Form | Prompt::Rollback | Prompt::Resume | Prompt::NewMigration => {
                &[Context::Form, Context::Always]
            }
            Prompt::Reset => &[Context::Confirm, Context::Always],
            Prompt::Fix => &[Context::Fix, Context::Always],
            Prompt::Cancel => &[Context::CancelAsk, Context::Always],
            Prompt::Quit => &[Context::QuitAsk, Context::Always],
            Prompt::Report => &[Context::Report, Context::Always],
            Prompt::Settings => &[Context::Settings, Context::Always],
            Prompt::LeaveWizard => &[Context::LeaveAsk, Context::Always],
            Prompt::WizardRetry => &[Context::Wizard, Context::Always],
            Prompt::Help => &[Context::Help, Context::Always],
        }
    }

    /// The actions it names, with the words after each key.
    pub fn items(self) -> &'static [(Action, &'static str)] {
        use Action as A;
        match self {
            Prompt::Form => &[(A::Submit, "submits"), (A::Back, "cancels")],
            Prompt::Rollback => &[(A::Submit, "rolls back"), (A::Back, "cancels")],
            Prompt::Resume => &[(A::Submit, "resumes"), (A::Back, "cancels")],
            Prompt::NewMigration => &[
                (A::Submit, "starts"),
                (A::TestConnection, "tests the connection"),
                (A::Back, "cancels"),
            ],
            Prompt::Reset => &[(A::Confirm, "confirms"), (A::Back, "cancels")],
            Prompt::Fix => &[(A::Confirm, "applies"), (A::Back, "closes")],
            Prompt::Cancel => &[(A::Confirm, "confirms"), (A::Back, "keeps it running")],
            Prompt::Quit => &[
                (A::HandOff, "headless"),
                (A::CancelAndQuit, "cancel"),
                (A::Back, "stay"),
            ],
            Prompt::Report | Prompt::Settings | Prompt::Help => &[(A::Back, "closes")],
            Prompt::LeaveWizard => &[
                (A::LeaveWizardLater, "later"),
                (A::UndoWizard, "undo"),
                (A::Back, "stay"),
            ],
            Prompt::WizardRetry => &[(A::Submit, "retries"), (A::Back, "goes back")],
        }
    }

    /// The (key, words) pairs shown, each key read from the keymap.
    pub fn keys(self) -> Vec<(&'static str, &'static str)> {
        self.items()
            .iter()
            .filter_map(|(action, words)| Some((key_label(self.contexts(), action)?, *words)))
            .collect()
    }

    /// The line shown: "key words · key words".
    pub fn text(self) -> String {
        self.keys()
            .into_iter()
            .map(|(k, w)| format!("{k} {w}"))
            .collect::<Vec<_>>()
            .join(" · ")
    }
}

/// How a box names the key of `action` in `contexts`: one key of the first binding
/// that triggers it (and that no earlier context shadows), the named keys Enter and
/// Esc before letters ("n/Esc" is said "Esc").
pub fn key_label(contexts: &[Context], action: &Action) -> Option<&'static str> {
    let b = bindings_for(contexts)
        .into_iter()
        .find(|b| &b.action == action)?;
    let tokens: Vec<&'static str> = b.label.split('/').collect();
    tokens
        .iter()
        .find(|t| matches!(**t, "Enter" | "Esc"))
        .or_else(|| tokens.first())
        .copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn press(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, mods)
    }

    #[test]
    fn the_first_context_that_binds_a_key_wins() {
        let r = press(KeyCode::Char('r'), NONE);
        assert_eq!(
            resolve(&[Context::Accounts, Context::Global], &r),
            Some(Action::RenameAccount)
        );
        assert_eq!(
            resolve(&[Context::Dns, Context::Global], &r),
            Some(Action::Recheck)
        );
        assert_eq!(resolve(&[Context::Domains, Context::Global], &r), None);
    }

    #[test]
    fn shifted_characters_and_ctrl_c_resolve() {
        let q = press(KeyCode::Char('?'), KeyModifiers::SHIFT);
        assert_eq!(resolve(&[Context::Global], &q), Some(Action::ToggleHelp));
        let cc = press(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(
            resolve(&[Context::Form, Context::Always], &cc),
            Some(Action::QuitNow)
        );
        let c = press(KeyCode::Char('c'), NONE);
        assert_eq!(
            resolve(&[Context::Form, Context::Always], &c),
            None,
            "typed, not bound"
        );
    }

    #[test]
    fn no_key_is_bound_twice_in_one_context() {
        for (i, a) in keymap().iter().enumerate() {
            for b in &keymap()[i + 1..] {
                if a.context == b.context {
                    assert!(
                        !a.keys.iter().any(|k| b.keys.contains(k)),
                        "{:?} binds {} twice",
                        a.context,
                        a.label
                    );
                }
            }
        }
    }

    #[test]
    fn hints_come_from_the_table() {
        let h = hints(&[Context::Accounts, Context::Platforms, Context::Global]);
        assert!(h.contains(&("n", "create an account")));
        assert!(h.contains(&("q", "quit")));
        assert!(
            !h.iter().any(|(_, d)| *d == "previous account"),
            "not a hint"
        );
    }
}

#[cfg(test)]
mod label_tests {
    use super::*;

    /// The chord a label token names ("Enter", "S-Tab", "Ctrl-W", "↑", "k").
    pub fn chord_of_token(token: &str) -> Option<Chord> {
        chord_of(token)
    }

    fn chord_of(token: &str) -> Option<Chord> {
        let code = match token {
            "Enter" => KeyCode::Enter,
            "Esc" => KeyCode::Esc,
            "Tab" => KeyCode::Tab,
            "S-Tab" => KeyCode::BackTab,
            "Space" => KeyCode::Char(' '),
            "↑" => KeyCode::Up,
            "↓" => KeyCode::Down,
            "←" => KeyCode::Left,
            "→" => KeyCode::Right,
            t if t.starts_with("Ctrl-") => {
                let c = t
                    .strip_prefix("Ctrl-")?
                    .chars()
                    .next()?
                    .to_ascii_lowercase();
                return Some((KeyCode::Char(c), KeyModifiers::CONTROL));
            }
            t if t.chars().count() == 1 => KeyCode::Char(t.chars().next()?),
            _ => return None,
        };
        Some((code, KeyModifiers::NONE))
    }

    #[test]
    fn every_label_shown_names_keys_bound_to_its_action() {
        let mut wrong = Vec::new();
        for b in keymap() {
            for token in b.label.split('/') {
                match chord_of(token) {
                    Some(c) if b.keys.contains(&c) => {}
                    _ => wrong.push(format!("{:?} '{}' ({})", b.context, b.label, token)),
                }
            }
        }
        assert!(wrong.is_empty(), "labels naming unbound keys: {wrong:?}");
    }

    #[test]
    fn every_prompt_names_a_key_that_triggers_its_action_there() {
        for p in Prompt::ALL {
            let keys = p.keys();
            assert_eq!(
                keys.len(),
                p.items().len(),
                "{p:?}: an action without a key"
            );
            for ((label, _), (action, _)) in keys.iter().zip(p.items()) {
                let chord = chord_of(label).unwrap_or_else(|| panic!("{p:?}: '{label}'"));
                let event = KeyEvent::new(chord.0, chord.1);
                assert_eq!(
                    resolve(p.contexts(), &event).as_ref(),
                    Some(action),
                    "{p:?}: '{label}' does not {action:?}"
                );
            }
        }
    }
}

/// The chord a label token names, for tests elsewhere (the app-level hint test).
#[cfg(test)]
pub fn chord_of_label(token: &str) -> Option<Chord> {
    label_tests::chord_of_token(token)
}
