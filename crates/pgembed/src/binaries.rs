//! Finding the PostgreSQL server binaries installed on the machine.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::Error;

/// The programs a cluster needs. `pg_ctl` is not among them: the server is started
/// and stopped directly, which is faster than going through `pg_ctl`'s polling.
const REQUIRED: [&str; 2] = ["initdb", "postgres"];

/// Returns the directory holding `initdb` and `postgres`.
///
/// Order: `explicit` (an error if it lacks them), then `pg_config --bindir`, then the
/// highest version among `/usr/lib/postgresql/*/bin` (Debian and Ubuntu install the
/// server there, outside `PATH`), then the directory of an `initdb` found on `PATH`.
pub fn find_bin_dir(explicit: Option<&Path>) -> Result<PathBuf, Error> {
    if let Some(dir) = explicit {
        if has_server_binaries(dir) {
            return Ok(dir.to_path_buf());
        }
        return Err(Error::NoBinaries {
            hint: format!(
                "{} has no initdb and postgres; {}",
                dir.display(),
                install_hint()
            ),
        });
    }
    // On Debian, /usr/bin/pg_config may come from libpq-dev alone and still report
    // /usr/lib/postgresql/NN/bin, which then lacks the server: check, don't trust.
    if let Some(dir) = pg_config_bindir()
        && has_server_binaries(&dir)
    {
        return Ok(dir);
    }
    if let Some(dir) = highest_debian_version(Path::new("/usr/lib/postgresql")) {
        return Ok(dir);
    }
    if let Some(dir) = on_path("initdb")
        && has_server_binaries(&dir)
    {
        return Ok(dir);
    }
    Err(Error::NoBinaries {
        hint: install_hint(),
    })
}

fn has_server_binaries(dir: &Path) -> bool {
    REQUIRED.iter().all(|name| dir.join(name).is_file())
}

fn pg_config_bindir() -> Option<PathBuf> {
    let output = Command::new("pg_config").arg("--bindir").output().ok()?;
    if !output.status.success() {
        return None;
    }
    let text = String::from_utf8(output.stdout).ok()?;
    let dir = text.trim();
    (!dir.is_empty()).then(|| PathBuf::from(dir))
}

/// `/usr/lib/postgresql/<version>/bin` with the highest version that has the server.
fn highest_debian_version(root: &Path) -> Option<PathBuf> {
    let mut found: Vec<(Vec<u64>, PathBuf)> = std::fs::read_dir(root)
        .ok()?
        .filter_map(|entry| entry.ok())
        .filter_map(|entry| {
            let name = entry.file_name().into_string().ok()?;
            // "15", "9.6": compare numerically, not as text ("9.6" < "15").
            let version = name
                .split('.')
                .map(|part| part.parse::<u64>().ok())
                .collect::<Option<Vec<_>>>()?;
            let bin = entry.path().join("bin");
            has_server_binaries(&bin).then_some((version, bin))
        })
        .collect();
    found.sort();
    found.pop().map(|(_, bin)| bin)
}

fn on_path(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).find_map(|dir| {
        let candidate = dir.join(program);
        if !candidate.is_file() {
            return None;
        }
        // /usr/local/bin/initdb may be a symbolic link into the real bin directory,
        // which is where `postgres` lives too.
        let real = std::fs::canonicalize(&candidate).unwrap_or(candidate);
        real.parent().map(Path::to_path_buf)
    })
}

/// One clause telling which package to install, for the machine's distribution.
fn install_hint() -> String {
    let os_release = std::fs::read_to_string("/etc/os-release").unwrap_or_default();
    let field = |key: &str| {
        os_release.lines().find_map(|line| {
            let value = line.strip_prefix(key)?.strip_prefix('=')?;
            Some(value.trim_matches('"').to_string())
        })
    };
    let id = field("ID").unwrap_or_default();
    let id_like = field("ID_LIKE").unwrap_or_default();
    let version = field("VERSION_ID").unwrap_or_default();
    // The version each release ships, so the hint names an installable package.
    let versioned = match (id.as_str(), version.as_str()) {
        ("debian", "11") => Some("postgresql-13"),
        ("debian", "12") => Some("postgresql-15"),
        ("debian", "13") => Some("postgresql-17"),
        ("ubuntu", "22.04") => Some("postgresql-14"),
        ("ubuntu", "24.04") => Some("postgresql-16"),
        _ => None,
    };
    let debian_like = id == "debian" || id == "ubuntu" || id_like.contains("debian");
    let fedora_like = id == "fedora" || id_like.contains("fedora") || id_like.contains("rhel");
    let command = if let Some(package) = versioned {
        format!("apt-get install {package}")
    } else if debian_like {
        "apt-get install postgresql".to_string()
    } else if fedora_like {
        "dnf install postgresql-server".to_string()
    } else if id == "alpine" {
        "apk add postgresql".to_string()
    } else {
        "or set the database URL to an existing server".to_string()
    };
    format!("install the `postgresql` package ({command})")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_the_highest_version_numerically() {
        let root = tempfile::tempdir().unwrap();
        for version in ["9.6", "15", "16", "not-a-version"] {
            let bin = root.path().join(version).join("bin");
            std::fs::create_dir_all(&bin).unwrap();
            if version != "16" {
                for name in REQUIRED {
                    std::fs::write(bin.join(name), "").unwrap();
                }
            }
        }
        // 16 lacks the server binaries, so 15 wins over 9.6.
        assert_eq!(
            highest_debian_version(root.path()),
            Some(root.path().join("15/bin"))
        );
    }

    #[test]
    fn explicit_dir_without_binaries_is_an_error_naming_the_package() {
        let empty = tempfile::tempdir().unwrap();
        let err = find_bin_dir(Some(empty.path())).unwrap_err();
        let text = err.to_string();
        assert!(matches!(err, Error::NoBinaries { .. }));
        assert!(text.contains("`postgresql` package"), "{text}");
        assert!(!text.contains('\n'), "{text}");
    }
}
