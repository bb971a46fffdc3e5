//! Unprivileged system accounts Dovecot runs as (it refuses root for mail).

use crate::TestkitError;

#[derive(Debug, Clone)]
pub(crate) struct Account {
    pub name: String,
    pub uid: u32,
    pub gid: u32,
}

/// Look an account up in the system user database.
pub(crate) fn lookup(name: &str) -> Option<Account> {
    let cname = std::ffi::CString::new(name).ok()?;
    // SAFETY: getpwnam_r writes into our own buffer; we read the result only when it succeeded.
    unsafe {
        let mut pwd: libc::passwd = std::mem::zeroed();
        let mut buf = vec![0 as libc::c_char; 4096];
        let mut result: *mut libc::passwd = std::ptr::null_mut();
        let rc = libc::getpwnam_r(
            cname.as_ptr(),
            &mut pwd,
            buf.as_mut_ptr(),
            buf.len(),
            &mut result,
        );
        if rc != 0 || result.is_null() {
            return None;
        }
        Some(Account {
            name: name.to_string(),
            uid: pwd.pw_uid,
            gid: pwd.pw_gid,
        })
    }
}

/// The first account of `candidates` that exists and is not root.
pub(crate) fn first_of(candidates: &[&str]) -> Result<Account, TestkitError> {
    candidates
        .iter()
        .filter_map(|n| lookup(n))
        .find(|a| a.uid != 0)
        .ok_or_else(|| {
            TestkitError::Setup(format!(
                "none of the system users {candidates:?} exists; Dovecot needs an unprivileged \
                 account (install `dovecot-core`, which creates `dovecot` and `dovenull`)"
            ))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_is_found_but_never_chosen() {
        assert_eq!(lookup("root").map(|a| a.uid), Some(0));
        assert!(first_of(&["root"]).is_err());
        assert!(lookup("no-such-user-mailshift").is_none());
    }
}
