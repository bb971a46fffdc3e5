//! LOGIN and AUTHENTICATE PLAIN against the sandbox directory.

use imap_next::imap_types::auth::{AuthMechanism, AuthenticateData};
use imap_next::imap_types::core::Tag;
use imap_next::imap_types::response::{Code, CommandContinuationRequest};
use imap_next::server::Server;
use imap_next::types::CommandAuthenticate;

use super::reply::{code_other, status_bad, status_no, status_ok, Reply};
use super::Session;
use crate::imap::capability::capabilities;

impl Session {
    pub(super) fn try_login(&mut self, user: &str, pass: &str) -> Result<Code<'static>, Reply> {
        if self.shared.directory.verify(user, pass) && self.shared.store.account_exists(user) {
            self.login = Some(user.to_string());
            tracing::debug!(server = %self.shared.name, login = user, "sandbox login");
            Ok(Code::Capability(capabilities()))
        } else {
            Err(Reply::No(
                Some(code_other("AUTHENTICATIONFAILED")),
                format!("login refused for {user}: unknown account or wrong password"),
            ))
        }
    }

    pub fn authenticate(&mut self, server: &mut Server, command: CommandAuthenticate) {
        if self.login.is_some() || command.mechanism != AuthMechanism::Plain {
            let msg = if self.login.is_some() {
                "already logged in"
            } else {
                "only AUTHENTICATE PLAIN is supported"
            };
            let _ = server.authenticate_finish(status_no(Some(command.tag), None, msg));
            return;
        }
        match command.initial_response {
            Some(data) => self.finish_plain(server, command.tag, data.declassify().as_ref()),
            None => {
                self.auth_tag = Some(command.tag);
                let _ = server
                    .authenticate_continue(CommandContinuationRequest::base64(b"".as_slice()));
            }
        }
    }

    pub fn authenticate_data(&mut self, server: &mut Server, data: AuthenticateData<'static>) {
        let tag = self
            .auth_tag
            .take()
            .unwrap_or_else(|| Tag::try_from("*").unwrap_or_else(|_| Tag::unvalidated("x")));
        match data {
            AuthenticateData::Continue(bytes) => {
                self.finish_plain(server, tag, bytes.declassify().as_ref())
            }
            AuthenticateData::Cancel => {
                let _ = server.authenticate_finish(status_bad(Some(tag), "AUTHENTICATE cancelled"));
            }
        }
    }

    fn finish_plain(&mut self, server: &mut Server, tag: Tag<'static>, data: &[u8]) {
        let parts: Vec<&[u8]> = data.split(|&b| b == 0).collect();
        let status = if parts.len() != 3 {
            status_bad(
                Some(tag),
                "malformed PLAIN response: expected authzid NUL authcid NUL password",
            )
        } else {
            let user = String::from_utf8_lossy(parts[1]).into_owned();
            let pass = String::from_utf8_lossy(parts[2]).into_owned();
            let authz = String::from_utf8_lossy(parts[0]).into_owned();
            if !authz.is_empty() && authz != user {
                status_no(
                    Some(tag),
                    None,
                    "the sandbox does not allow acting as another user",
                )
            } else {
                match self.try_login(&user, &pass) {
                    Ok(code) => status_ok(Some(tag), Some(code), "AUTHENTICATE completed"),
                    Err(Reply::No(code, msg)) => status_no(Some(tag), code, &msg),
                    Err(Reply::Bad(msg)) => status_bad(Some(tag), &msg),
                }
            }
        };
        let _ = server.authenticate_finish(status);
    }
}
