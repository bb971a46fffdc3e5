//! What to do about an error, in command-line words: the flag or environment variable
//! to set. The layers below say only what happened and carry a `Remedy`; this is the
//! one place the CLI words it (`{error}: {hint}` on stderr, `"hint"` beside a plain
//! `"error"` in JSON). The panel words the same remedies in `tui::advice`.

use mailshift_tasks::{Failure, Remedy, Side};

use super::secret::env_name;

/// The remedy as the command line says it.
pub fn hint(remedy: Remedy) -> String {
    let f = |s: Side| s.flag();
    match remedy {
        Remedy::Password(s) => format!(
            "check the password ({} or --{}-password-file)",
            env_name(s),
            f(s)
        ),
        Remedy::PasswordMissing(s) => format!(
            "set {}, pass --{}-password-file, or run on a terminal to be asked",
            env_name(s),
            f(s)
        ),
        Remedy::Host(s) => format!("check the --{}-host spelling", f(s)),
        Remedy::Port(s) => format!("check --{}-port and that the IMAP server runs", f(s)),
        Remedy::Security(s) => format!(
            "use --{}-security tls, or none only on a trusted network",
            f(s)
        ),
        Remedy::AuthMethod(s) => format!("use --{}-auth login or plain", f(s)),
        Remedy::CaFile {
            side,
            self_signed: false,
        } => format!(
            "give --{}-ca-file the certificate this server presents (or the CA that signed it), or --insecure to skip verification",
            f(side)
        ),
        Remedy::CaFile {
            side,
            self_signed: true,
        } => format!(
            "for a self-signed or private CA certificate pass its PEM with --{}-ca-file, or --insecure to skip verification",
            f(side)
        ),
        Remedy::DavServer(s) => format!("pass --{}-dav URL", f(s)),
        Remedy::SieveServer(s) => format!("pass --{}-sieve HOST[:PORT]", f(s)),
        Remedy::ProjectRowGroupware(s) => format!(
            "a project row names no CalDAV/CardDAV or ManageSieve server: move it with `mailshift migrate ... --{0}-dav URL` (or --{0}-sieve HOST[:PORT])",
            f(s)
        ),
        Remedy::PasswordFilesAnywhere => "put it in that folder (or below it), or pass --allow-password-files-anywhere if this CSV is yours".into(),
        Remedy::OtherNamespaces => "pass --other-namespaces-into FOLDER to copy them".into(),
        Remedy::MaxInflight => "raise --max-inflight-mib to copy it".into(),
        Remedy::Nameserver => "pass --nameserver IP[:PORT] to ask a given server".into(),
        Remedy::RunningElsewhere => {
            "cancel it there, or with `mailshift cancel` and the task ID".into()
        }
    }
}

/// `{text}: {hint}`, or the text alone when nothing can be advised.
pub fn with_hint(text: &str, remedy: Option<Remedy>) -> String {
    match remedy {
        Some(r) => format!("{text}: {}", hint(r)),
        None => text.to_string(),
    }
}

/// [`super::fail`] for an error that may carry a remedy: the sentence with its hint on
/// stderr; in JSON `error` stays the plain sentence and `hint` says what to do.
pub fn fail(json: bool, code: i32, failure: &Failure) -> i32 {
    if json {
        let mut v = serde_json::json!({ "error": failure.text, "exit_code": code });
        add_hint(&mut v, failure.remedy);
        println!("{v}");
    }
    eprintln!("mailshift: {}", with_hint(&failure.text, failure.remedy));
    code
}

/// Set `hint` (and `remedy`, the remedy as data) on a JSON object when there is one.
pub fn add_hint(v: &mut serde_json::Value, remedy: Option<Remedy>) {
    if let Some(r) = remedy {
        v["hint"] = serde_json::json!(hint(r));
        v["remedy"] = serde_json::json!(r);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_remedy_names_a_flag_or_variable() {
        for r in Remedy::all() {
            let h = hint(r);
            // A flag, or a command to run.
            assert!(h.contains("--") || h.contains("`mailshift "), "{r:?}: {h}");
            if let Some(side) = r.side() {
                assert!(h.contains(&format!("--{}-", side.flag())), "{r:?}: {h}");
            }
        }
        assert_eq!(
            with_hint(
                "source: login refused by h for u",
                Some(Remedy::Password(Side::Source))
            ),
            "source: login refused by h for u: check the password (MAILSHIFT_SRC_PASSWORD or --src-password-file)"
        );
        assert_eq!(with_hint("x", None), "x");
    }
}
