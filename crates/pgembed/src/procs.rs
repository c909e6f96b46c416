//! Recognising the processes of a cluster through `/proc`.
//!
//! Every PostgreSQL process (the postmaster and each of its children) changes its
//! working directory to the data directory. So "a process whose executable is
//! `postgres` and whose working directory is this data directory" identifies the
//! processes of one cluster without trusting `postmaster.pid`, which survives crashes
//! and may name a PID that has since been given to an unrelated process.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use nix::errno::Errno;
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

/// True when `pid` exists (a zombie counts as gone: it has released everything).
pub(crate) fn alive(pid: i32) -> bool {
    match kill(Pid::from_raw(pid), None) {
        // EPERM: it exists but belongs to another user.
        Ok(()) | Err(Errno::EPERM) => !is_zombie(pid),
        Err(_) => false,
    }
}

fn is_zombie(pid: i32) -> bool {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return false;
    };
    // "pid (comm) S ...": comm may contain spaces and parentheses, so split after the last ')'.
    stat.rsplit_once(')')
        .and_then(|(_, rest)| rest.split_whitespace().next())
        == Some("Z")
}

/// True when `pid` is a PostgreSQL process of the cluster in `data_dir` (a canonical path).
///
/// A process whose working directory cannot be read is not ours: as root every process
/// is readable, and as another user PostgreSQL must run as the data directory's owner,
/// which is us.
pub(crate) fn is_cluster_process(pid: i32, data_dir: &Path) -> bool {
    let Ok(cwd) = std::fs::read_link(format!("/proc/{pid}/cwd")) else {
        return false;
    };
    if cwd != data_dir {
        return false;
    }
    let exe_is_postgres = std::fs::read_link(format!("/proc/{pid}/exe"))
        .ok()
        .and_then(|exe| {
            exe.file_name()
                .map(|name| name.to_string_lossy().starts_with("postgres"))
        })
        // If the binary was replaced by an upgrade the link reads "postgres (deleted)",
        // still matched above; fall back to the command name if it cannot be read.
        .unwrap_or_else(|| {
            std::fs::read_to_string(format!("/proc/{pid}/comm"))
                .is_ok_and(|comm| comm.trim() == "postgres")
        });
    exe_is_postgres && !is_zombie(pid)
}

/// PIDs of every live PostgreSQL process of the cluster in `data_dir` (a canonical path).
pub(crate) fn cluster_processes(data_dir: &Path) -> Vec<i32> {
    let own = std::process::id() as i32;
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    let mut pids: Vec<i32> = entries
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<i32>().ok())
        .filter(|&pid| pid != own && is_cluster_process(pid, data_dir))
        .collect();
    pids.sort_unstable();
    pids
}

/// The PID on the first line of `<data_dir>/postmaster.pid`, if the file exists and
/// holds one.
pub(crate) fn read_pidfile(data_dir: &Path) -> Option<i32> {
    read_pidfile_status(data_dir).map(|(pid, _)| pid)
}

/// The PID and, when present, the server state on line 8 of `postmaster.pid`
/// ("starting", "ready", "stopping" or "standby"; PostgreSQL 10 and later).
pub(crate) fn read_pidfile_status(data_dir: &Path) -> Option<(i32, Option<String>)> {
    let text = std::fs::read_to_string(pidfile(data_dir)).ok()?;
    let mut lines = text.lines();
    let pid = lines.next()?.trim().parse().ok().filter(|&pid| pid > 0)?;
    let status = lines
        .nth(6)
        .map(|line| line.trim().to_string())
        .filter(|s| !s.is_empty());
    Some((pid, status))
}

pub(crate) fn pidfile(data_dir: &Path) -> PathBuf {
    data_dir.join("postmaster.pid")
}

/// Sends `signal` to `pid`, ignoring a process that is already gone.
pub(crate) fn signal(pid: i32, signal: Signal) {
    if let Err(err) = kill(Pid::from_raw(pid), signal)
        && err != Errno::ESRCH
    {
        tracing::warn!(pid, ?signal, %err, "cannot signal a PostgreSQL process");
    }
}

/// Polls `done` every few milliseconds until it returns true or `timeout` passes.
pub(crate) fn wait_until(timeout: Duration, mut done: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + timeout;
    loop {
        if done() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Kills `initdb` and the `postgres` it runs if they still work on `dir` (canonical): an owner
/// killed during `initdb` leaves them running, and they would go on writing into the
/// directory of the next attempt.
pub(crate) fn kill_initdb_leftovers(dir: &Path) {
    let target = dir.as_os_str().as_encoded_bytes();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return;
    };
    let pids: Vec<i32> = entries
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<i32>().ok())
        .filter(|&pid| {
            let Ok(cmdline) = std::fs::read(format!("/proc/{pid}/cmdline")) else {
                return false;
            };
            let mut args = cmdline.split(|&b| b == 0);
            let program_matches = args.next().is_some_and(|program| {
                let name = program.rsplit(|&b| b == b'/').next().unwrap_or(program);
                name == b"initdb" || name.starts_with(b"postgres")
            });
            // initdb names the directory in its arguments; the server it runs works in it.
            program_matches
                && (args.any(|arg| arg == target)
                    || std::fs::read_link(format!("/proc/{pid}/cwd")).is_ok_and(|cwd| cwd == dir))
        })
        .collect();
    for &pid in &pids {
        tracing::warn!(pid, dir = %dir.display(), "killing an interrupted initdb");
        signal(pid, Signal::SIGKILL);
    }
    wait_until(Duration::from_secs(5), || {
        pids.iter().all(|&pid| !alive(pid))
    });
}

/// Ends every remaining process of the cluster in `data_dir`: waits `grace` for them to
/// exit on their own (children of a dead postmaster notice its death quickly), then
/// sends SIGQUIT (PostgreSQL's "exit at once"), then SIGKILL. Returns what is left.
pub(crate) fn end_leftovers(data_dir: &Path, grace: Duration) -> Vec<i32> {
    if wait_until(grace, || cluster_processes(data_dir).is_empty()) {
        return Vec::new();
    }
    for (sig, wait) in [
        (Signal::SIGQUIT, Duration::from_secs(3)),
        (Signal::SIGKILL, Duration::from_secs(3)),
    ] {
        let left = cluster_processes(data_dir);
        tracing::warn!(pids = ?left, ?sig, "ending leftover PostgreSQL processes");
        for pid in left {
            signal(pid, sig);
        }
        if wait_until(wait, || cluster_processes(data_dir).is_empty()) {
            return Vec::new();
        }
    }
    cluster_processes(data_dir)
}
