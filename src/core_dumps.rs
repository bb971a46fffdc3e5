//! No core dump of a mailshift process: its memory holds both sides' passwords.
//! Called first thing in `main`, before any secret is read.

/// Make this process non-dumpable (`PR_SET_DUMPABLE` 0: no core file, and no
/// ptrace or /proc/PID/mem access by processes without CAP_SYS_PTRACE) and set its
/// core-file size limit to 0 (inherited by children it spawns).
pub fn forbid() -> std::io::Result<()> {
    // SAFETY: prctl with PR_SET_DUMPABLE and integer arguments only changes a flag
    // of this process.
    if unsafe { libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    let none = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: setrlimit reads a valid, initialised rlimit struct.
    if unsafe { libc::setrlimit(libc::RLIMIT_CORE, &none) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(())
}

/// Whether this process may dump core (`PR_GET_DUMPABLE`), for checks and tests.
pub fn dumpable() -> bool {
    // SAFETY: PR_GET_DUMPABLE takes no pointer and only reads a flag.
    unsafe { libc::prctl(libc::PR_GET_DUMPABLE, 0, 0, 0, 0) != 0 }
}

/// The soft and hard core-file size limits of this process.
pub fn core_limit() -> (libc::rlim_t, libc::rlim_t) {
    let mut l = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes into a valid rlimit struct we own.
    unsafe { libc::getrlimit(libc::RLIMIT_CORE, &mut l) };
    (l.rlim_cur, l.rlim_max)
}
