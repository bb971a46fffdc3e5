//! A password (or token) read from a file: a regular file of at most
//! [`MAX_SECRET_FILE_BYTES`], read once, trailing line breaks dropped. Anything else
//! (a device such as /dev/zero, a pipe, a folder, a large file) is refused with a
//! sentence instead of being read forever or sent to a server.

use std::fs::{File, OpenOptions};
use std::io::Read;
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use mailshift_engine::imap::Secret;

/// The largest password file read: passwords and OAuth tokens are far smaller.
pub const MAX_SECRET_FILE_BYTES: u64 = 4096;

/// Why a password file was not used. Never carries its content.
#[derive(Debug, thiserror::Error)]
pub enum SecretFileError {
    #[error("cannot read the password file {}: {source}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "the password file {} is {kind}, not a regular file: point to a file that holds only the password",
        path.display()
    )]
    NotRegular { path: PathBuf, kind: &'static str },
    #[error(
        "the password file {} is larger than {MAX_SECRET_FILE_BYTES} bytes: a password file holds only the password",
        path.display()
    )]
    TooLarge { path: PathBuf },
    #[error("the password file {} is empty", path.display())]
    Empty { path: PathBuf },
    #[error("the password file {} is not UTF-8 text", path.display())]
    NotText { path: PathBuf },
}

fn kind_of(t: std::fs::FileType) -> &'static str {
    if t.is_dir() {
        "a folder"
    } else if t.is_char_device() {
        "a character device"
    } else if t.is_block_device() {
        "a block device"
    } else if t.is_fifo() {
        "a named pipe"
    } else if t.is_socket() {
        "a socket"
    } else {
        "not a regular file"
    }
}

/// Read the secret in `path`.
pub fn read_secret_file(path: &Path) -> Result<Secret, SecretFileError> {
    let read_err = |source| SecretFileError::Read {
        path: path.to_owned(),
        source,
    };
    // Non-blocking, so that opening a named pipe with no writer returns at once.
    let file: File = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_CLOEXEC)
        .open(path)
        .map_err(read_err)?;
    let meta = file.metadata().map_err(read_err)?;
    if !meta.file_type().is_file() {
        return Err(SecretFileError::NotRegular {
            path: path.to_owned(),
            kind: kind_of(meta.file_type()),
        });
    }
    if meta.len() > MAX_SECRET_FILE_BYTES {
        return Err(SecretFileError::TooLarge {
            path: path.to_owned(),
        });
    }
    let mut bytes = zeroize::Zeroizing::new(Vec::with_capacity(MAX_SECRET_FILE_BYTES as usize + 1));
    file.take(MAX_SECRET_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(read_err)?;
    if bytes.len() as u64 > MAX_SECRET_FILE_BYTES {
        return Err(SecretFileError::TooLarge {
            path: path.to_owned(),
        });
    }
    let text = std::str::from_utf8(&bytes).map_err(|_| SecretFileError::NotText {
        path: path.to_owned(),
    })?;
    let value = text.trim_end_matches(['\r', '\n']);
    if value.is_empty() {
        return Err(SecretFileError::Empty {
            path: path.to_owned(),
        });
    }
    Ok(Secret::new(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_small_file_is_read_and_its_line_break_dropped() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("pw");
        std::fs::write(&p, "s3cret\r\n").unwrap();
        assert_eq!(read_secret_file(&p).unwrap().expose(), "s3cret");
        std::fs::write(&p, "\n").unwrap();
        assert!(matches!(
            read_secret_file(&p),
            Err(SecretFileError::Empty { .. })
        ));
    }

    #[test]
    fn devices_pipes_folders_and_large_files_are_refused_at_once() {
        let e = read_secret_file(Path::new("/dev/zero")).unwrap_err();
        assert!(e.to_string().contains("character device"), "{e}");
        let d = tempfile::tempdir().unwrap();
        let e = read_secret_file(d.path()).unwrap_err();
        assert!(e.to_string().contains("folder"), "{e}");
        let big = d.path().join("big");
        std::fs::write(&big, vec![b'a'; 5000]).unwrap();
        let e = read_secret_file(&big).unwrap_err();
        assert!(e.to_string().contains("larger than 4096 bytes"), "{e}");
        let fifo = d.path().join("fifo");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        // SAFETY: mkfifo with a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let e = read_secret_file(&fifo).unwrap_err();
        assert!(e.to_string().contains("named pipe"), "{e}");
    }
}
