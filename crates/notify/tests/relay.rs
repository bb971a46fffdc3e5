//! mailshift-notify against a real SMTP listener (the sandbox's, on 127.0.0.1 port 0):
//! delivery with AUTH, refused login, STARTTLS with and without the pinned certificate,
//! a refused recipient, a missing login and a relay that is not there.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use mailshift_notify::{send, Notice, NotifyError, Relay, Secret, SmtpSecurity};
use mailshift_sandbox::{Mailbox, RelayLogin, SandboxSmtp, SandboxSmtpHandle, SmtpConfig};

const USER: &str = "relay-user";
const PASSWORD: &str = "Relay-Pass-42";
/// Every test ends well within this, whatever happens on the wire.
const LIMIT: Duration = Duration::from_secs(30);

/// Keeps what the listener delivers; refuses one address at RCPT.
#[derive(Default)]
struct Inbox {
    got: Mutex<Vec<(String, Vec<u8>)>>,
}

impl Mailbox for Inbox {
    fn accepts(&self, rcpt: &str) -> Result<(), String> {
        if rcpt == "refused@example.com" {
            Err("no such user here".into())
        } else {
            Ok(())
        }
    }

    fn deliver(&self, rcpt: &str, raw: &[u8]) -> Result<(), String> {
        self.got
            .lock()
            .unwrap()
            .push((rcpt.to_string(), raw.to_vec()));
        Ok(())
    }
}

async fn listener(with_login: bool) -> (SandboxSmtpHandle, Arc<Inbox>) {
    let inbox = Arc::new(Inbox::default());
    let login = with_login.then(|| RelayLogin::new(USER, PASSWORD));
    let config = SmtpConfig {
        idle_timeout: Duration::from_secs(10),
        ..SmtpConfig::default()
    };
    let handle = SandboxSmtp::start("127.0.0.1:0".parse().unwrap(), inbox.clone(), login, config)
        .await
        .unwrap();
    (handle, inbox)
}

fn relay(handle: &SandboxSmtpHandle, security: SmtpSecurity, password: &str) -> Relay {
    Relay {
        host: "127.0.0.1".into(),
        port: handle.local_addr().port(),
        security,
        user: Some(USER.into()),
        password: Some(Secret::new(password)),
        from: "mailshift@example.net".into(),
        ca_file: None,
        insecure: false,
        timeout: Duration::from_secs(5),
    }
}

fn notice(to: &str) -> Notice {
    Notice {
        to: to.into(),
        subject: "Migration T-42 finished".into(),
        text: "Task T-42: 1203 messages copied, 0 failed.\nVerified: all folders match.\n".into(),
    }
}

async fn send_in_time(relay: &Relay, notice: &Notice) -> Result<(), NotifyError> {
    tokio::time::timeout(LIMIT, send(relay, notice))
        .await
        .expect("send returns by itself")
}

#[tokio::test]
async fn plain_with_auth_delivers_the_notice() {
    let (handle, inbox) = listener(true).await;
    let relay = relay(&handle, SmtpSecurity::None, PASSWORD);
    send_in_time(&relay, &notice("ops@example.org"))
        .await
        .unwrap();
    let got = inbox.got.lock().unwrap().clone();
    assert_eq!(got.len(), 1);
    let (rcpt, raw) = &got[0];
    assert_eq!(rcpt, "ops@example.org");
    let text = String::from_utf8(raw.clone()).unwrap();
    for needle in [
        "Subject: Migration T-42 finished\r\n",
        "To: ops@example.org\r\n",
        "From: mailshift@example.net\r\n",
        "Auto-Submitted: auto-generated\r\n",
        "Task T-42: 1203 messages copied, 0 failed.\r\n",
        "Message-ID: <",
        "\r\nDate: ",
        "with ESMTPA;",
    ] {
        assert!(text.contains(needle), "{needle:?} not in\n{text}");
    }
    assert!(!text.contains(PASSWORD));
    handle.shutdown().await;
}

#[tokio::test]
async fn a_wrong_password_is_reported_as_a_login_problem() {
    let (handle, inbox) = listener(true).await;
    let relay = relay(&handle, SmtpSecurity::None, "not-the-password");
    let err = send_in_time(&relay, &notice("ops@example.org"))
        .await
        .unwrap_err();
    assert!(matches!(err, NotifyError::LoginRefused { .. }), "{err:?}");
    let msg = err.to_string();
    let expected = format!(
        "notification relay 127.0.0.1:{} refused the login for {USER}: check the relay user and password",
        handle.local_addr().port()
    );
    assert!(msg.starts_with(&expected), "{msg}");
    assert!(!msg.contains("not-the-password"), "{msg}");
    assert!(!format!("{err:?}").contains("not-the-password"));
    assert!(inbox.got.lock().unwrap().is_empty());
}

#[tokio::test]
async fn no_login_when_the_relay_wants_one_says_so() {
    let (handle, inbox) = listener(true).await;
    let mut relay = relay(&handle, SmtpSecurity::None, PASSWORD);
    relay.user = None;
    relay.password = None;
    let err = send_in_time(&relay, &notice("ops@example.org"))
        .await
        .unwrap_err();
    assert!(matches!(err, NotifyError::LoginRequired { .. }), "{err:?}");
    assert!(err.to_string().contains("requires a login"), "{err}");
    assert!(inbox.got.lock().unwrap().is_empty());
}

#[tokio::test]
async fn starttls_with_the_pinned_certificate_works() {
    let (handle, inbox) = listener(true).await;
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("sandbox-smtp.pem");
    std::fs::write(&ca, handle.certificate_pem().expect("STARTTLS is on")).unwrap();
    let mut relay = relay(&handle, SmtpSecurity::Starttls, PASSWORD);
    relay.ca_file = Some(ca);
    send_in_time(&relay, &notice("ops@example.org"))
        .await
        .unwrap();
    let got = inbox.got.lock().unwrap().clone();
    assert_eq!(got.len(), 1);
    let text = String::from_utf8_lossy(&got[0].1);
    assert!(
        text.contains("with ESMTPSA;"),
        "sent over TLS, logged in:\n{text}"
    );
}

#[tokio::test]
async fn starttls_without_pinning_fails_on_the_certificate() {
    let (handle, inbox) = listener(true).await;
    let relay = relay(&handle, SmtpSecurity::Starttls, PASSWORD);
    let err = send_in_time(&relay, &notice("ops@example.org"))
        .await
        .unwrap_err();
    assert!(matches!(err, NotifyError::Untrusted { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(msg.contains("certificate not trusted"), "{msg}");
    assert!(msg.contains("pass a CA file or insecure"), "{msg}");
    assert!(
        inbox.got.lock().unwrap().is_empty(),
        "nothing sent unverified"
    );

    // `insecure` skips the check (test relays only).
    let mut insecure = relay.clone();
    insecure.insecure = true;
    send_in_time(&insecure, &notice("ops@example.org"))
        .await
        .unwrap();
    assert_eq!(inbox.got.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn a_refused_recipient_is_named() {
    let (handle, inbox) = listener(true).await;
    let relay = relay(&handle, SmtpSecurity::None, PASSWORD);
    let err = send_in_time(&relay, &notice("refused@example.com"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, NotifyError::RecipientRefused { .. }),
        "{err:?}"
    );
    let msg = err.to_string();
    assert!(
        msg.starts_with("the relay rejected recipient refused@example.com: "),
        "{msg}"
    );
    assert!(
        msg.contains("550") && msg.contains("no such user here"),
        "{msg}"
    );
    assert!(inbox.got.lock().unwrap().is_empty());
}

#[tokio::test]
async fn a_bad_address_is_refused_before_connecting() {
    let (handle, _inbox) = listener(true).await;
    let relay = relay(&handle, SmtpSecurity::None, PASSWORD);
    let err = send_in_time(&relay, &notice("foo")).await.unwrap_err();
    assert!(
        err.to_string()
            .starts_with("'foo' is not an e-mail address"),
        "{err}"
    );
}

#[tokio::test]
async fn an_unreachable_relay_is_reported_within_the_timeout() {
    // A port that was just free: nothing listens there.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let relay = Relay {
        host: "127.0.0.1".into(),
        port,
        security: SmtpSecurity::None,
        user: None,
        password: None,
        from: "mailshift@example.net".into(),
        ca_file: None,
        insecure: false,
        timeout: Duration::from_secs(3),
    };
    let err = send_in_time(&relay, &notice("ops@example.org"))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            NotifyError::Unreachable { .. } | NotifyError::Timeout { .. }
        ),
        "{err:?}"
    );
    assert!(err.is_transient());
    let msg = err.to_string();
    assert!(
        msg.starts_with(&format!(
            "could not reach the notification relay 127.0.0.1:{port}"
        )),
        "{msg}"
    );
}
