//! Who PostgreSQL runs as, and the files and directories it needs.

use std::ffi::OsStr;
use std::fs::{self, DirBuilder, OpenOptions};
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use nix::unistd::{Gid, Uid, User, chown, geteuid};

use crate::Error;

/// The user PostgreSQL runs as: the current one, or, when we are root (PostgreSQL
/// refuses to run as root), an unprivileged system user.
#[derive(Debug, Clone)]
pub(crate) struct RunAs {
    /// `None`: run as the current user and change no ownership.
    user: Option<SystemUser>,
}

#[derive(Debug, Clone)]
struct SystemUser {
    name: String,
    uid: Uid,
    gid: Gid,
    home: PathBuf,
}

impl RunAs {
    pub(crate) fn detect() -> Result<Self, Error> {
        if !geteuid().is_root() {
            return Ok(RunAs { user: None });
        }
        // Looked up, never hard-coded: the IDs differ between machines.
        for name in ["postgres", "nobody"] {
            let found = User::from_name(name)
                .map_err(|err| Error::io(format!("cannot look up user {name}"), err.into()))?;
            if let Some(user) = found {
                if name != "postgres" {
                    tracing::warn!("no `postgres` system user: running PostgreSQL as `{name}`");
                }
                return Ok(RunAs {
                    user: Some(SystemUser {
                        name: user.name,
                        uid: user.uid,
                        gid: user.gid,
                        home: user.dir,
                    }),
                });
            }
        }
        Err(Error::NoSystemUser)
    }

    /// The user name PostgreSQL runs as, for messages.
    pub(crate) fn describe(&self) -> String {
        match &self.user {
            Some(user) => user.name.clone(),
            None => "the current user".to_string(),
        }
    }

    fn uid(&self) -> Uid {
        self.user.as_ref().map_or_else(geteuid, |user| user.uid)
    }

    /// A command for a PostgreSQL program, run as this user in a clean environment.
    pub(crate) fn command(&self, program: &Path) -> Command {
        let mut command = Command::new(program);
        // PGDATA, PGPORT, PGHOST, PGOPTIONS, … would override what we pass.
        for (key, _) in std::env::vars_os() {
            if key.to_string_lossy().starts_with("PG") {
                command.env_remove(key);
            }
        }
        // Fixed messages in the log, and no failure on a locale the machine lacks.
        command.env("LC_ALL", "C");
        // Our working directory may not be readable by the system user.
        command.current_dir("/");
        if let Some(user) = &self.user {
            // std drops the supplementary groups too when it changes the user as root.
            command
                .uid(user.uid.as_raw())
                .gid(user.gid.as_raw())
                .env("HOME", &user.home)
                .env("USER", &user.name);
        }
        command
    }

    /// Gives `path` to the system user (nothing to do when not root).
    pub(crate) fn chown(&self, path: &Path) -> Result<(), Error> {
        if let Some(user) = &self.user {
            chown(path, Some(user.uid), Some(user.gid)).map_err(|err| {
                Error::io(
                    format!("cannot change the owner of {}", path.display()),
                    err.into(),
                )
            })?;
        }
        Ok(())
    }

    /// Makes sure the system user can traverse every directory above `dir` (PostgreSQL
    /// needs to reach its data directory). Adds o+x where missing, but only on
    /// directories we own: someone else's directory is theirs to change.
    pub(crate) fn make_reachable(&self, dir: &Path) -> Result<(), Error> {
        let Some(user) = &self.user else {
            return Ok(());
        };
        let me = geteuid().as_raw();
        for ancestor in dir.ancestors() {
            let meta = fs::metadata(ancestor)
                .map_err(|err| Error::io(format!("cannot inspect {}", ancestor.display()), err))?;
            let mode = meta.mode();
            let traversable = if meta.uid() == user.uid.as_raw() {
                mode & 0o100 != 0
            } else if meta.gid() == user.gid.as_raw() {
                mode & 0o010 != 0
            } else {
                mode & 0o001 != 0
            };
            if traversable {
                continue;
            }
            if meta.uid() == me {
                tracing::info!(dir = %ancestor.display(), "adding o+x so PostgreSQL can reach its data directory");
                fs::set_permissions(
                    ancestor,
                    fs::Permissions::from_mode((mode & 0o7777) | 0o001),
                )
                .map_err(|err| {
                    Error::io(
                        format!("cannot change the mode of {}", ancestor.display()),
                        err,
                    )
                })?;
            } else {
                tracing::warn!(dir = %ancestor.display(), user = %user.name, "PostgreSQL may not be able to reach its data directory through this directory");
            }
        }
        Ok(())
    }

    /// Creates the socket directory if needed, owned by the system user, mode 0700.
    /// An existing one must be a real directory owned by that user or by us: in /tmp,
    /// anyone could have created it first.
    pub(crate) fn prepare_socket_dir(&self, dir: &Path) -> Result<(), Error> {
        match fs::symlink_metadata(dir) {
            Ok(meta) => {
                let owner = meta.uid();
                if !meta.file_type().is_dir() {
                    return Err(Error::UnsafeSocketDir {
                        path: dir.to_path_buf(),
                        reason: "not a directory".into(),
                    });
                }
                if owner != self.uid().as_raw() && owner != geteuid().as_raw() {
                    return Err(Error::UnsafeSocketDir {
                        path: dir.to_path_buf(),
                        reason: format!("owned by uid {owner}, not by {}", self.describe()),
                    });
                }
            }
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                DirBuilder::new()
                    .mode(0o700)
                    .create(dir)
                    .map_err(|err| Error::io(format!("cannot create {}", dir.display()), err))?;
            }
            Err(err) => return Err(Error::io(format!("cannot inspect {}", dir.display()), err)),
        }
        self.chown(dir)?;
        fs::set_permissions(dir, fs::Permissions::from_mode(0o700))
            .map_err(|err| Error::io(format!("cannot change the mode of {}", dir.display()), err))
    }

    /// Runs `initdb` into `<data_dir>.init-tmp`, then renames it to `data_dir`.
    ///
    /// The rename is atomic: a crash during `initdb` leaves only the temporary
    /// directory (removed on the next try), never a half cluster at `data_dir` that
    /// would look valid.
    pub(crate) fn init_cluster(
        &self,
        bin_dir: &Path,
        data_dir: &Path,
        init_tmp: &Path,
        superuser: &str,
        no_sync: bool,
    ) -> Result<(), Error> {
        if data_dir.exists() && !is_empty_dir(data_dir)? {
            return Err(Error::NotACluster {
                path: data_dir.to_path_buf(),
            });
        }
        if init_tmp.exists() {
            tracing::info!(dir = %init_tmp.display(), "removing an interrupted initdb");
            // A killed initdb may have started one more single-user server just
            // before it died, which then writes its shutdown files while we
            // delete: kill again and retry until the folder is really gone.
            let mut attempts = 0;
            loop {
                crate::procs::kill_initdb_leftovers(init_tmp);
                match fs::remove_dir_all(init_tmp) {
                    Ok(()) => break,
                    Err(err) if err.kind() == std::io::ErrorKind::NotFound => break,
                    Err(_) if attempts < 50 => {
                        attempts += 1;
                        std::thread::sleep(std::time::Duration::from_millis(100));
                    }
                    Err(err) => {
                        return Err(Error::io(
                            format!("cannot remove {}", init_tmp.display()),
                            err,
                        ));
                    }
                }
            }
        }
        DirBuilder::new()
            .mode(0o700)
            .create(init_tmp)
            .map_err(|err| Error::io(format!("cannot create {}", init_tmp.display()), err))?;
        self.chown(init_tmp)?;

        tracing::info!(dir = %data_dir.display(), user = %self.describe(), "creating the PostgreSQL cluster (initdb)");
        let mut command = self.command(&bin_dir.join("initdb"));
        command
            .arg("-D")
            .arg(init_tmp)
            .args(["-U", superuser])
            // Trust is safe here: the server listens only on a socket in a 0700 directory.
            .args(["--auth=trust", "--encoding=UTF8", "--locale=C"]);
        if no_sync {
            command.arg("--no-sync");
        }
        let output = command
            .output()
            .map_err(|err| Error::io("cannot run initdb".to_string(), err))?;
        if !output.status.success() {
            let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
            text.push_str(&String::from_utf8_lossy(&output.stderr));
            return Err(Error::InitDb {
                status: output.status.to_string(),
                output: last_lines(&text, 20),
            });
        }
        // Replaces `data_dir` if it is an empty directory (rename(2) allows that).
        fs::rename(init_tmp, data_dir).map_err(|err| {
            Error::io(
                format!(
                    "cannot rename {} to {}",
                    init_tmp.display(),
                    data_dir.display()
                ),
                err,
            )
        })?;
        if let Some(parent) = data_dir.parent() {
            sync_dir(parent);
        }
        Ok(())
    }
}

fn is_empty_dir(dir: &Path) -> Result<bool, Error> {
    let mut entries = fs::read_dir(dir)
        .map_err(|err| Error::io(format!("cannot read {}", dir.display()), err))?;
    Ok(entries.next().is_none())
}

/// Makes a rename in `dir` durable; failure only weakens durability, so it is logged.
fn sync_dir(dir: &Path) {
    if let Err(err) = fs::File::open(dir).and_then(|file| file.sync_all()) {
        tracing::warn!(dir = %dir.display(), %err, "cannot sync directory");
    }
}

/// Opens the server log for appending (created 0640), first moving it to `<log>.1`
/// once it passes 10 MiB, so it does not grow without bound across restarts.
pub(crate) fn open_log(log: &Path) -> Result<fs::File, Error> {
    const ROTATE_AT: u64 = 10 * 1024 * 1024;
    if fs::metadata(log).is_ok_and(|meta| meta.len() > ROTATE_AT) {
        let mut old = log.as_os_str().to_owned();
        old.push(".1");
        let _ = fs::rename(log, old);
    }
    OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o640)
        .open(log)
        .map_err(|err| Error::io(format!("cannot open {}", log.display()), err))
}

/// The last `n` lines of a file, for error messages ("" if unreadable).
pub(crate) fn tail(path: &Path, n: usize) -> String {
    fs::read(path)
        .map(|bytes| last_lines(&String::from_utf8_lossy(&bytes), n))
        .unwrap_or_default()
}

fn last_lines(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

/// A value for `unix_socket_directories`, a comma-separated list whose entries may be
/// double-quoted.
pub(crate) fn socket_dirs_setting(dir: &Path) -> Result<String, Error> {
    let text = dir.to_str().ok_or_else(|| Error::InvalidPath {
        path: dir.to_path_buf(),
        reason: "the socket directory path is not UTF-8".into(),
    })?;
    if text.contains([',', '"']) || text.chars().any(char::is_whitespace) {
        Ok(format!("\"{}\"", text.replace('"', "\"\"")))
    } else {
        Ok(text.to_string())
    }
}

/// `base` with `suffix` appended to its file name: `/x/postgres` + `.lock`.
pub(crate) fn sibling(base: &Path, suffix: &str) -> PathBuf {
    let mut name = base.as_os_str().to_owned();
    name.push(OsStr::new(suffix));
    PathBuf::from(name)
}

/// FNV-1a: a stable short hash (the standard library's hasher may change between
/// releases, and the socket directory name must not).
pub(crate) fn stable_hash(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_socket_dirs_only_when_needed() {
        assert_eq!(socket_dirs_setting(Path::new("/a/b")).unwrap(), "/a/b");
        assert_eq!(
            socket_dirs_setting(Path::new("/a b/c,d")).unwrap(),
            "\"/a b/c,d\""
        );
        assert_eq!(
            socket_dirs_setting(Path::new("/a\"b")).unwrap(),
            "\"/a\"\"b\""
        );
    }

    #[test]
    fn keeps_the_last_lines() {
        assert_eq!(last_lines("a\nb\nc\n", 2), "b\nc");
        assert_eq!(last_lines("a", 5), "a");
    }

    #[test]
    fn hash_is_stable() {
        assert_eq!(stable_hash(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(stable_hash(b"a"), 0xaf63_dc4c_8601_ec8c);
    }
}
