//! "Test connection": log in to one side and list its folders, so a wrong
//! login, password or server shows up before a task starts.

use mailshift_engine::imap::{self, Secret, Side, Timeouts};
use mailshift_net::{Failure, Remedy};

use crate::spec::EndpointSpec;

/// `Ok("logged in to host as login: 12 folders")`, or what happened with what the user can change.
pub async fn test_connection(
    ep: &EndpointSpec,
    side: Side,
    secret: Secret,
) -> Result<String, Failure> {
    if secret.is_empty() {
        return Err(Failure::new(
            format!("the {side} password is empty"),
            Some(Remedy::PasswordMissing(side)),
        ));
    }
    let endpoint = ep.endpoint(side, secret);
    let timeouts = Timeouts {
        connect: std::time::Duration::from_secs(10),
        ..Timeouts::default()
    };
    let mut conn = imap::connect(&endpoint, timeouts)
        .await
        .map_err(|e| Failure::new(e.to_string(), e.remedy()))?;
    let folders = conn
        .list()
        .await
        .map_err(|e| Failure::new(e.to_string(), e.remedy()))?;
    let selectable = folders.iter().filter(|f| !f.noselect).count();
    conn.logout().await;
    Ok(format!(
        "logged in to {} as {}: {selectable} folders",
        ep.host, ep.login
    ))
}
