//! A private PostgreSQL cluster run from the machine's PostgreSQL server binaries.
//!
//! [`Cluster::start`] makes sure a server is running on a data directory (creating the
//! cluster with `initdb` on first use) and returns a handle with a connection URL; the
//! server listens only on a Unix socket in a private directory, never on TCP.
//!
//! # Files
//!
//! For a data directory `D` (say `$NIMARA_DATA_DIR/postgres`), next to it:
//!
//! - `D.lock`: the owner lock (below).
//! - `D.log`: the server's log, appended to; moved to `D.log.1` past 10 MiB.
//! - `D-run/`: the socket directory, mode 0700. If the socket path would be too long
//!   for a Unix socket (about 100 bytes), `/tmp/nimara-pg-<hash of D>/` instead.
//! - `D.init-tmp/`: exists only while `initdb` runs; see "First start".
//!
//! # Ownership protocol
//!
//! Several processes may want the same cluster at once: the `nimara serve` process,
//! and CLI commands run beside it. Exactly one of them, the *owner*, starts and stops
//! the server; the others *attach* to it.
//!
//! The owner is whoever holds an exclusive `flock` on `D.lock`, kept for the handle's
//! whole life. A `flock` is released by the kernel when its process ends, however it
//! ends, so the lock can never be left behind by a crash: there is no stale-lock
//! cleanup to get wrong, unlike a PID file.
//!
//! - The lock is free: this process becomes the owner. If a server is already running
//!   on `D` (see below), it *adopts* it; otherwise it starts one. Either way it stops
//!   the server when the handle is stopped or dropped.
//! - The lock is held by another process: this process waits (up to 30 s) until the
//!   server accepts connections and attaches ([`Cluster::is_owner`] is false); its
//!   [`Cluster::stop`] leaves the server running. While waiting it keeps trying the
//!   lock, so if the owner goes away meanwhile it takes over.
//!
//! # After `kill -9`
//!
//! PostgreSQL runs in its own process group and survives the `kill -9` of its owner
//! (its parent). The lock is released with the dead owner, so the next
//! [`Cluster::start`] becomes the owner, finds the orphaned server through
//! `postmaster.pid`, checks through `/proc` that this PID really is a PostgreSQL
//! process working in `D`, and adopts it: no restart, no recovery, and the orphan is
//! stopped when the new owner stops. (An adopted server keeps the settings it was
//! started with.)
//!
//! If the server itself was killed (or the machine crashed), `postmaster.pid` is
//! stale. A dead PID is left for PostgreSQL, which recognises it and also frees the
//! shared memory the file names; a PID reused by an unrelated process of the server's
//! user is removed first, since PostgreSQL would take it for a running server. Any
//! leftover PostgreSQL process of `D` is ended, then the server starts and replays its
//! write-ahead log as after any crash.
//!
//! # First start
//!
//! `initdb` runs into `D.init-tmp`, which is then renamed to `D`. The rename is atomic,
//! so a crash during `initdb` never leaves a half-made cluster at `D`: only the
//! temporary directory, removed on the next try. A `D` that exists, is not empty and
//! has no `PG_VERSION` is refused rather than touched.
//!
//! # Running as root
//!
//! PostgreSQL refuses to run as root. As root, the server runs as the `postgres`
//! system user (`nobody` if there is none): the data and socket directories are given
//! to it, directories above `D` that we own get o+x where it cannot traverse them, and
//! `initdb` and `postgres` are spawned with that user's IDs. Root can still connect to
//! the 0700 socket; any other user runs everything as itself.
//!
//! The API is synchronous (it spawns processes and polls); from async code call it
//! through `spawn_blocking`.

mod binaries;
mod ping;
mod procs;
mod setup;

use std::fs::{self, File, OpenOptions};
use std::os::unix::fs::OpenOptionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use nix::errno::Errno;
use nix::fcntl::{Flock, FlockArg};
use nix::sys::signal::Signal;

pub use binaries::find_bin_dir;
use ping::Ping;
use setup::RunAs;

/// How long [`Cluster::start`] waits for a server owned by another process.
const ATTACH_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a server we start (or adopt) may take to accept connections. Generous:
/// after a crash the server first replays its write-ahead log.
const READY_TIMEOUT: Duration = Duration::from_secs(120);
/// How long a fast shutdown may take before harsher signals follow.
const FAST_SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(60);
/// Unix socket paths are limited to 108 bytes on Linux (104 elsewhere); stay clear.
const MAX_SOCKET_PATH: usize = 100;
const DEFAULT_PORT: u16 = 5432;

/// What [`Cluster::start`] needs to know.
#[derive(Debug, Clone)]
pub struct Options {
    /// The cluster's data directory, e.g. `$NIMARA_DATA_DIR/postgres`. Its parent
    /// also holds the lock file, log and socket directory.
    pub data_dir: PathBuf,
    /// Where `initdb` and `postgres` are; `None` looks for them (see [`find_bin_dir`]).
    pub bin_dir: Option<PathBuf>,
    /// The superuser role `initdb` creates and connections use. Default `nimara`.
    pub superuser: String,
    /// Server settings, passed as `-c name=value` so they override `postgresql.conf`
    /// (e.g. `fsync=off` for tests; that also makes `initdb` skip its final sync).
    pub extra_settings: Vec<(String, String)>,
}

impl Options {
    pub fn new(data_dir: impl Into<PathBuf>) -> Self {
        Options {
            data_dir: data_dir.into(),
            bin_dir: None,
            superuser: "nimara".to_string(),
            extra_settings: Vec::new(),
        }
    }

    /// Adds a server setting (see [`Options::extra_settings`]).
    pub fn setting(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.extra_settings.push((name.into(), value.into()));
        self
    }

    fn port(&self) -> Result<u16, Error> {
        match self
            .extra_settings
            .iter()
            .rev()
            .find(|(name, _)| name == "port")
        {
            None => Ok(DEFAULT_PORT),
            Some((_, value)) => value.trim().parse().map_err(|_| Error::InvalidSetting {
                name: "port".to_string(),
                value: value.clone(),
            }),
        }
    }

    fn fsync_off(&self) -> bool {
        self.extra_settings
            .iter()
            .rev()
            .find(|(name, _)| name == "fsync")
            .is_some_and(|(_, value)| {
                matches!(
                    value.trim().to_ascii_lowercase().as_str(),
                    "off" | "false" | "no" | "0"
                )
            })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// No `initdb` and `postgres` found; `hint` names the package to install.
    #[error("PostgreSQL server binaries not found: {hint}")]
    NoBinaries { hint: String },
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "cannot run PostgreSQL as root, and there is neither a `postgres` nor a `nobody` user to run it as"
    )]
    NoSystemUser,
    #[error("{} is not empty and is not a PostgreSQL data directory (it has no PG_VERSION); it was left untouched", path.display())]
    NotACluster { path: PathBuf },
    #[error("invalid path {}: {reason}", path.display())]
    InvalidPath { path: PathBuf, reason: String },
    #[error("invalid setting {name}={value}")]
    InvalidSetting { name: String, value: String },
    #[error("the socket directory {} is unsafe: {reason}", path.display())]
    UnsafeSocketDir { path: PathBuf, reason: String },
    #[error("initdb failed ({status}):\n{output}")]
    InitDb { status: String, output: String },
    /// The server did not come up; `log_tail` holds the last lines of its log.
    #[error("PostgreSQL did not start: {reason}; the end of {}:\n{log_tail}", log.display())]
    Start {
        reason: String,
        log: PathBuf,
        log_tail: String,
    },
    #[error("another process owns the PostgreSQL cluster in {}, and it did not accept connections within {} s", data_dir.display(), waited.as_secs())]
    AttachTimeout { data_dir: PathBuf, waited: Duration },
    #[error("PostgreSQL did not stop: {reason}")]
    Stop { reason: String },
}

impl Error {
    fn io(context: String, source: std::io::Error) -> Self {
        Error::Io { context, source }
    }
}

/// Where everything of one cluster lives. All absolute, with a canonical parent.
#[derive(Debug, Clone)]
struct Paths {
    data_dir: PathBuf,
    init_tmp: PathBuf,
    lock_file: PathBuf,
    log_file: PathBuf,
    socket_dir: PathBuf,
}

impl Paths {
    fn new(data_dir: &Path, port: u16) -> Result<Paths, Error> {
        let invalid = |reason: &str| Error::InvalidPath {
            path: data_dir.to_path_buf(),
            reason: reason.to_string(),
        };
        let absolute = std::path::absolute(data_dir)
            .map_err(|err| Error::io(format!("invalid path {}", data_dir.display()), err))?;
        let (Some(parent), Some(name)) = (absolute.parent(), absolute.file_name()) else {
            return Err(invalid("it needs a parent directory and a final name"));
        };
        fs::create_dir_all(parent)
            .map_err(|err| Error::io(format!("cannot create {}", parent.display()), err))?;
        // Canonical, so that every process (and the hash below) sees the same path.
        let parent = fs::canonicalize(parent)
            .map_err(|err| Error::io(format!("cannot resolve {}", parent.display()), err))?;
        let data_dir = parent.join(name);

        let mut socket_dir = setup::sibling(&data_dir, "-run");
        if ping::socket_path(&socket_dir, port).as_os_str().len() >= MAX_SOCKET_PATH {
            let hash = setup::stable_hash(data_dir.as_os_str().as_encoded_bytes());
            socket_dir = PathBuf::from(format!("/tmp/nimara-pg-{hash:016x}"));
        }
        Ok(Paths {
            init_tmp: setup::sibling(&data_dir, ".init-tmp"),
            lock_file: setup::sibling(&data_dir, ".lock"),
            log_file: setup::sibling(&data_dir, ".log"),
            socket_dir,
            data_dir,
        })
    }
}

/// A running cluster: owned (this process stops it) or attached (another does).
#[derive(Debug)]
pub struct Cluster {
    paths: Paths,
    bin_dir: PathBuf,
    superuser: String,
    port: u16,
    owner: Option<Owner>,
}

/// What the owner holds: the lock (released when this is dropped) and the server.
#[derive(Debug)]
struct Owner {
    _lock: Flock<File>,
    postmaster: Postmaster,
    /// The data directory as the kernel reports it in /proc/<pid>/cwd.
    real_data_dir: PathBuf,
    stopped: bool,
}

#[derive(Debug)]
enum Postmaster {
    /// Started by this process; kept so that it can be reaped once it exits.
    Spawned(Child),
    /// Found running, left by a previous owner that ended without stopping it.
    Adopted(i32),
}

impl Postmaster {
    fn pid(&self) -> i32 {
        match self {
            Postmaster::Spawned(child) => child.id() as i32,
            Postmaster::Adopted(pid) => *pid,
        }
    }

    fn gone(&mut self) -> bool {
        match self {
            Postmaster::Spawned(child) => match child.try_wait() {
                Ok(status) => status.is_some(),
                Err(_) => !procs::alive(child.id() as i32),
            },
            Postmaster::Adopted(pid) => !procs::alive(*pid),
        }
    }
}

enum Wait {
    Ready,
    Died,
    TimedOut,
}

impl Cluster {
    /// Ensures a cluster is running in `options.data_dir`: `initdb` if the folder is
    /// empty or absent, start if not running (recovering a stale `postmaster.pid`),
    /// adopt one left running by an owner that died, or attach to one owned by another
    /// process. Returns once the server accepts connections.
    pub fn start(options: Options) -> Result<Cluster, Error> {
        let started = Instant::now();
        let bin_dir = find_bin_dir(options.bin_dir.as_deref())?;
        let port = options.port()?;
        let paths = Paths::new(&options.data_dir, port)?;
        let run_as = RunAs::detect()?;
        let lock_file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .open(&paths.lock_file)
            .map_err(|err| Error::io(format!("cannot open {}", paths.lock_file.display()), err))?;
        let mut lock_file = Some(lock_file);
        let mut waiting_logged = false;
        loop {
            let file = lock_file
                .take()
                .expect("the lock file is kept until it is locked");
            match Flock::lock(file, FlockArg::LockExclusiveNonblock) {
                Ok(lock) => {
                    let (postmaster, real_data_dir) =
                        start_as_owner(&paths, &bin_dir, &run_as, &options)?;
                    tracing::info!(
                        data_dir = %paths.data_dir.display(),
                        pid = postmaster.pid(),
                        elapsed_ms = started.elapsed().as_millis() as u64,
                        "PostgreSQL is ready"
                    );
                    let owner = Owner {
                        _lock: lock,
                        postmaster,
                        real_data_dir,
                        stopped: false,
                    };
                    return Ok(Cluster {
                        paths,
                        bin_dir,
                        superuser: options.superuser,
                        port,
                        owner: Some(owner),
                    });
                }
                Err((file, Errno::EWOULDBLOCK | Errno::EINTR)) => lock_file = Some(file),
                Err((_, errno)) => {
                    return Err(Error::io(
                        format!("cannot lock {}", paths.lock_file.display()),
                        errno.into(),
                    ));
                }
            }
            // Another process owns the cluster: share its server once it is ready.
            let probe = Probe::new(&paths.data_dir, &paths.socket_dir, port, &options.superuser);
            if probe.ping(None) == Ping::Ready {
                tracing::info!(data_dir = %paths.data_dir.display(), "attached to the PostgreSQL cluster of another process");
                return Ok(Cluster {
                    paths,
                    bin_dir,
                    superuser: options.superuser,
                    port,
                    owner: None,
                });
            }
            if started.elapsed() >= ATTACH_TIMEOUT {
                return Err(Error::AttachTimeout {
                    data_dir: paths.data_dir,
                    waited: ATTACH_TIMEOUT,
                });
            }
            if !waiting_logged {
                tracing::info!(data_dir = %paths.data_dir.display(), "another process owns the PostgreSQL cluster; waiting for it");
                waiting_logged = true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// True when this process is responsible for stopping the server (it holds the
    /// owner lock).
    pub fn is_owner(&self) -> bool {
        self.owner.is_some()
    }

    /// A URL for `database` on this cluster, usable by libpq, `psql` and sqlx's
    /// `PgConnectOptions::from_str`, e.g.
    /// `postgresql://nimara@localhost/crm?host=%2Fdata%2Fpostgres-run`.
    pub fn url(&self, database: &str) -> String {
        let port = if self.port == DEFAULT_PORT {
            String::new()
        } else {
            format!(":{}", self.port)
        };
        format!(
            "postgresql://{}@localhost{port}/{}?host={}",
            percent_encode(self.superuser.as_bytes()),
            percent_encode(database.as_bytes()),
            percent_encode(self.paths.socket_dir.as_os_str().as_encoded_bytes()),
        )
    }

    /// The directory holding the server's socket (`.s.PGSQL.<port>`).
    pub fn socket_dir(&self) -> &Path {
        &self.paths.socket_dir
    }

    /// The data directory (with a canonical parent).
    pub fn data_dir(&self) -> &Path {
        &self.paths.data_dir
    }

    /// The directory of the PostgreSQL binaries in use (`psql` is usually there too).
    pub fn bin_dir(&self) -> &Path {
        &self.bin_dir
    }

    /// The server log.
    pub fn log_file(&self) -> &Path {
        &self.paths.log_file
    }

    pub fn superuser(&self) -> &str {
        &self.superuser
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The PID of the server's postmaster (for an attached handle, as `postmaster.pid`
    /// names it).
    pub fn postmaster_pid(&self) -> Option<i32> {
        match &self.owner {
            Some(owner) => Some(owner.postmaster.pid()),
            None => procs::read_pidfile(&self.paths.data_dir),
        }
    }

    /// Stops the server if this process is the owner (fast shutdown: sessions are
    /// ended, open transactions rolled back, a checkpoint written) and waits until no
    /// process of the cluster remains. An attached handle does nothing.
    pub fn stop(mut self) -> Result<(), Error> {
        self.shutdown()
    }

    fn shutdown(&mut self) -> Result<(), Error> {
        let Some(owner) = self.owner.as_mut() else {
            return Ok(());
        };
        if owner.stopped {
            return Ok(());
        }
        owner.stopped = true;
        let started = Instant::now();
        let pid = owner.postmaster.pid();
        // SIGINT is the fast shutdown of `pg_ctl stop -m fast`, without its 100 ms polling.
        procs::signal(pid, Signal::SIGINT);
        let mut gone = procs::wait_until(FAST_SHUTDOWN_TIMEOUT, || owner.postmaster.gone());
        for harsher in [Signal::SIGQUIT, Signal::SIGKILL] {
            if gone {
                break;
            }
            tracing::warn!(pid, signal = ?harsher, "PostgreSQL did not shut down in time");
            procs::signal(pid, harsher);
            gone = procs::wait_until(Duration::from_secs(5), || owner.postmaster.gone());
        }
        // Children exit before the postmaster does; this catches any that did not.
        let left = procs::end_leftovers(&owner.real_data_dir, Duration::from_secs(5));
        if !gone || !left.is_empty() {
            let mut pids = left;
            if !gone {
                pids.insert(0, pid);
            }
            return Err(Error::Stop {
                reason: format!(
                    "processes {pids:?} of {} remain",
                    self.paths.data_dir.display()
                ),
            });
        }
        tracing::info!(data_dir = %self.paths.data_dir.display(), elapsed_ms = started.elapsed().as_millis() as u64, "PostgreSQL stopped");
        Ok(())
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if let Err(err) = self.shutdown() {
            tracing::error!(%err, "cannot stop PostgreSQL");
        }
    }
}

/// PIDs of the live PostgreSQL processes of the cluster in `data_dir` (postmaster and
/// children), found through /proc. Empty once a cluster is fully stopped.
pub fn processes(data_dir: &Path) -> Vec<i32> {
    match fs::canonicalize(data_dir) {
        Ok(real) => procs::cluster_processes(&real),
        Err(_) => Vec::new(),
    }
}

/// Holding the lock: makes sure our server runs, returning it and the canonical data
/// directory.
fn start_as_owner(
    paths: &Paths,
    bin_dir: &Path,
    run_as: &RunAs,
    options: &Options,
) -> Result<(Postmaster, PathBuf), Error> {
    let parent = paths
        .data_dir
        .parent()
        .expect("Paths::new checked the parent");
    run_as.make_reachable(parent)?;
    if !paths.data_dir.join("PG_VERSION").is_file() {
        run_as.init_cluster(
            bin_dir,
            &paths.data_dir,
            &paths.init_tmp,
            &options.superuser,
            options.fsync_off(),
        )?;
    }
    let real = fs::canonicalize(&paths.data_dir)
        .map_err(|err| Error::io(format!("cannot resolve {}", paths.data_dir.display()), err))?;
    run_as.prepare_socket_dir(&paths.socket_dir)?;
    let port = options.port()?;
    let start_error = |reason: String| Error::Start {
        reason,
        log: paths.log_file.clone(),
        log_tail: setup::tail(&paths.log_file, 20),
    };

    let probe = Probe::new(&real, &paths.socket_dir, port, &options.superuser);
    // A server found running may be shutting down; then it is started afresh.
    for _ in 0..3 {
        if let Some(pid) = procs::read_pidfile(&real) {
            if procs::is_cluster_process(pid, &real) {
                tracing::info!(
                    pid,
                    "PostgreSQL is already running on this data directory, left by a previous owner: taking it over"
                );
                match probe.wait_ready(Some(pid), || procs::alive(pid)) {
                    Wait::Ready => return Ok((Postmaster::Adopted(pid), real)),
                    Wait::Died => continue,
                    Wait::TimedOut => {
                        return Err(start_error(format!(
                            "the running server (pid {pid}) does not accept connections"
                        )));
                    }
                }
            }
            if procs::alive(pid) {
                // The PID was reused by an unrelated process: PostgreSQL would take it
                // for a running server and refuse to start. A dead PID is left for
                // PostgreSQL, which also frees the shared memory the file names.
                tracing::info!(
                    pid,
                    "removing a stale postmaster.pid naming an unrelated process"
                );
                remove_if_exists(&procs::pidfile(&real))?;
            }
        }
        // Children of a killed server linger briefly and would block a new start.
        let left = procs::end_leftovers(&real, Duration::from_secs(5));
        if !left.is_empty() {
            return Err(start_error(format!(
                "processes {left:?} of a previous server remain"
            )));
        }
        // With no process of the cluster left, the socket and its lock file are stale.
        let socket = ping::socket_path(&paths.socket_dir, port);
        remove_if_exists(&setup::sibling(&socket, ".lock"))?;
        remove_if_exists(&socket)?;

        let mut postmaster =
            Postmaster::Spawned(spawn_postgres(paths, bin_dir, run_as, options, &real)?);
        let pid = postmaster.pid();
        return match probe.wait_ready(Some(pid), || !postmaster.gone()) {
            Wait::Ready => Ok((postmaster, real)),
            Wait::Died => Err(start_error("the server exited".to_string())),
            Wait::TimedOut => {
                procs::signal(pid, Signal::SIGQUIT);
                procs::wait_until(Duration::from_secs(5), || postmaster.gone());
                Err(start_error(format!(
                    "it did not accept connections within {} s",
                    READY_TIMEOUT.as_secs()
                )))
            }
        };
    }
    Err(start_error(
        "the running server kept shutting down".to_string(),
    ))
}

fn spawn_postgres(
    paths: &Paths,
    bin_dir: &Path,
    run_as: &RunAs,
    options: &Options,
    real: &Path,
) -> Result<Child, Error> {
    let log = setup::open_log(&paths.log_file)?;
    let log_err = log
        .try_clone()
        .map_err(|err| Error::io("cannot duplicate the log file handle".to_string(), err))?;
    let mut settings: Vec<(String, String)> = vec![
        // No TCP at all: only the socket, in a directory only the server's user can enter.
        ("listen_addresses".into(), String::new()),
        (
            "unix_socket_directories".into(),
            setup::socket_dirs_setting(&paths.socket_dir)?,
        ),
        ("unix_socket_permissions".into(), "0700".into()),
    ];
    settings.extend(options.extra_settings.iter().cloned());

    let mut command = run_as.command(&bin_dir.join("postgres"));
    command.arg("-D").arg(real);
    for (name, value) in &settings {
        command.arg("-c").arg(format!("{name}={value}"));
    }
    command
        .stdin(Stdio::null())
        .stdout(log)
        .stderr(log_err)
        // Its own process group: a Ctrl-C in the terminal reaches only our process,
        // which then stops the server in order; and it outlives a `kill -9` of ours,
        // to be adopted by the next owner.
        .process_group(0);
    command.spawn().map_err(|err| {
        Error::io(
            format!("cannot run {}", bin_dir.join("postgres").display()),
            err,
        )
    })
}

/// Where and as whom to ask whether the server is ready.
struct Probe<'a> {
    data_dir: &'a Path,
    socket_dir: &'a Path,
    port: u16,
    user: &'a str,
    /// PostgreSQL 10 and later write their state into `postmaster.pid`.
    writes_status: bool,
}

impl<'a> Probe<'a> {
    fn new(data_dir: &'a Path, socket_dir: &'a Path, port: u16, user: &'a str) -> Self {
        let major = fs::read_to_string(data_dir.join("PG_VERSION"))
            .ok()
            .and_then(|text| text.trim().split('.').next()?.parse::<u32>().ok());
        let writes_status = major.is_some_and(|major| major >= 10);
        Probe {
            data_dir,
            socket_dir,
            port,
            user,
            writes_status,
        }
    }

    /// Asks the server whether it accepts connections. When `postmaster.pid` can be
    /// read, its state line is checked first and the socket is asked only once it says
    /// "ready" (the line is written a moment after the file): asking earlier makes the
    /// server log a FATAL "the database system is starting up" for every poll. `pid`,
    /// when known, must be the file's PID (a file left by a killed server may still
    /// say "ready").
    fn ping(&self, pid: Option<i32>) -> Ping {
        if let Some((file_pid, status)) = procs::read_pidfile_status(self.data_dir) {
            let ready = match status {
                Some(status) => status == "ready",
                None => !self.writes_status,
            };
            if !ready || pid.is_some_and(|pid| pid != file_pid) {
                return Ping::NotReady;
            }
        }
        ping::ping(self.socket_dir, self.port, self.user)
    }

    /// Waits until the server accepts connections, `alive` turns false, or the timeout.
    fn wait_ready(&self, pid: Option<i32>, mut alive: impl FnMut() -> bool) -> Wait {
        let started = Instant::now();
        let mut told = false;
        loop {
            if !alive() {
                return Wait::Died;
            }
            if self.ping(pid) == Ping::Ready {
                return Wait::Ready;
            }
            if started.elapsed() >= READY_TIMEOUT {
                return Wait::TimedOut;
            }
            if !told && started.elapsed() >= Duration::from_secs(3) {
                tracing::info!(
                    "waiting for PostgreSQL to accept connections (after a crash it first replays its log)"
                );
                told = true;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

fn remove_if_exists(path: &Path) -> Result<(), Error> {
    match fs::remove_file(path) {
        Err(err) if err.kind() != std::io::ErrorKind::NotFound => {
            Err(Error::io(format!("cannot remove {}", path.display()), err))
        }
        _ => Ok(()),
    }
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
fn percent_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for &byte in bytes {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handles_can_be_shared_between_threads() {
        fn send_sync<T: Send + Sync>() {}
        send_sync::<Cluster>();
        send_sync::<Error>();
    }

    #[test]
    fn url_encodes_the_socket_path() {
        assert_eq!(percent_encode(b"/data/my dir"), "%2Fdata%2Fmy%20dir");
        assert_eq!(percent_encode(b"crm_test-1"), "crm_test-1");
    }

    #[test]
    fn long_paths_get_a_short_socket_dir() {
        let root = tempfile::tempdir().unwrap();
        let short = Paths::new(&root.path().join("postgres"), DEFAULT_PORT).unwrap();
        assert_eq!(
            short.socket_dir,
            short.data_dir.with_file_name("postgres-run")
        );
        assert_eq!(
            short.lock_file,
            short.data_dir.with_file_name("postgres.lock")
        );

        let long = Paths::new(
            &root.path().join("x".repeat(90)).join("postgres"),
            DEFAULT_PORT,
        )
        .unwrap();
        let socket = long.socket_dir.join(".s.PGSQL.5432");
        assert!(
            long.socket_dir.starts_with("/tmp"),
            "{}",
            long.socket_dir.display()
        );
        assert!(socket.as_os_str().len() < MAX_SOCKET_PATH);
        // Stable: the same data directory always maps to the same socket directory.
        assert_eq!(
            Paths::new(&long.data_dir, DEFAULT_PORT).unwrap().socket_dir,
            long.socket_dir
        );
    }

    #[test]
    fn reads_port_and_fsync_from_settings() {
        let options = Options::new("/x")
            .setting("fsync", "off")
            .setting("port", "5433");
        assert!(options.fsync_off());
        assert_eq!(options.port().unwrap(), 5433);
        assert!(!Options::new("/x").fsync_off());
        assert!(Options::new("/x").setting("port", "x").port().is_err());
    }
}
