//! Replacing a user's file without ever leaving it half written.
//!
//! `std::fs::write` truncates the file and then writes: a crash, a full disk
//! or `ulimit -f` in between leaves the policy empty or cut mid-rule. Here
//! the new text goes to a temporary file in the same directory (so the
//! rename cannot cross file systems), is synced to disk, gets the original's
//! permissions, and is renamed over the original, which is atomic on POSIX
//! and on NTFS. On any failure the temporary file is removed and the
//! original is untouched.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Replaces the contents of `path` with `bytes`, atomically.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    write_atomically_with(path, bytes, |file, bytes| file.write_all(bytes))
}

/// [`write_atomically`] with the writing step given, so that tests can make
/// it fail halfway.
pub fn write_atomically_with(
    path: &Path,
    bytes: &[u8],
    write: impl FnOnce(&mut File, &[u8]) -> io::Result<()>,
) -> io::Result<()> {
    let permissions = std::fs::metadata(path)?.permissions();
    let (temp_path, mut temp) = create_temp_beside(path)?;
    let result = (|| {
        write(&mut temp, bytes)?;
        temp.sync_all()?;
        std::fs::set_permissions(&temp_path, permissions)?;
        drop(temp);
        std::fs::rename(&temp_path, path)?;
        sync_parent(path);
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temp_path);
    }
    result
}

/// A new file `.NAME.refuge-N.tmp` in the directory of `path`.
fn create_temp_beside(path: &Path) -> io::Result<(PathBuf, File)> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map_or_else(|| "file".into(), |n| n.to_string_lossy().into_owned());
    let pid = std::process::id();
    let mut last = io::Error::new(io::ErrorKind::AlreadyExists, "no temporary name is free");
    for attempt in 0..100u32 {
        let candidate = dir.join(format!(".{name}.refuge-{pid}-{attempt}.tmp"));
        match OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&candidate)
        {
            Ok(file) => return Ok((candidate, file)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last = e,
            Err(e) => return Err(e),
        }
    }
    Err(last)
}

/// Syncs the directory entry of a rename (best effort: not every platform
/// can open a directory).
fn sync_parent(path: &Path) {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        if let Ok(dir) = File::open(dir) {
            let _ = dir.sync_all();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("refuge-atomic-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let made = std::fs::create_dir_all(&dir);
        assert!(made.is_ok(), "{made:?}");
        dir
    }

    fn entries(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_failure_mid_write_leaves_the_original_intact_and_no_temporary_file() {
        let dir = scratch("fail");
        let path = dir.join("a.policy");
        let original = "fact a : bool\n".repeat(1000);
        assert!(std::fs::write(&path, &original).is_ok());
        let new = "fact b : bool\n".repeat(1000);
        let result = write_atomically_with(&path, new.as_bytes(), |file, bytes| {
            // Half the text reaches the disk, then the disk is full.
            file.write_all(bytes.get(..bytes.len() / 2).unwrap_or_default())?;
            Err(io::Error::other("simulated: no space left on device"))
        });
        assert!(result.is_err());
        assert_eq!(std::fs::read_to_string(&path).ok(), Some(original));
        assert_eq!(entries(&dir), vec!["a.policy".to_owned()]);
    }

    #[test]
    fn a_write_replaces_the_text_and_keeps_the_permissions() {
        let dir = scratch("ok");
        let path = dir.join("a.policy");
        assert!(std::fs::write(&path, "old").is_ok());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let set = std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640));
            assert!(set.is_ok());
        }
        assert!(write_atomically(&path, b"new text").is_ok());
        assert_eq!(
            std::fs::read_to_string(&path).ok().as_deref(),
            Some("new text")
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&path).map(|m| m.permissions().mode() & 0o777);
            assert_eq!(mode.ok(), Some(0o640));
        }
        assert_eq!(entries(&dir), vec!["a.policy".to_owned()]);
    }

    #[test]
    fn a_missing_file_is_an_error_and_creates_nothing() {
        let dir = scratch("missing");
        assert!(write_atomically(&dir.join("none.policy"), b"x").is_err());
        assert!(entries(&dir).is_empty());
    }
}
