//! Real clusters from the machine's PostgreSQL binaries: start, share, crash, recover.
//!
//! Each test has its own directory under /tmp. Some tests need a second process: the
//! test binary runs itself with `hold_cluster_helper` selected (see there).

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

use pgembed::{Cluster, Error, Options};

const HOLD_ENV: &str = "PGEMBED_TEST_HOLD_DIR";

fn temp_dir() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("pgembed-test-")
        .tempdir_in("/tmp")
        .expect("temp dir")
}

/// Options for tests: no fsync (also makes initdb skip its sync), so tests are quick.
fn options(data_dir: impl Into<PathBuf>) -> Options {
    Options::new(data_dir)
        .setting("fsync", "off")
        .setting("full_page_writes", "off")
}

fn psql_program(cluster: &Cluster) -> PathBuf {
    let bundled = cluster.bin_dir().join("psql");
    if bundled.is_file() {
        bundled
    } else {
        PathBuf::from("psql")
    }
}

/// Runs `sql` through `psql` connected with the cluster's URL; returns the output.
fn psql(cluster: &Cluster, sql: &str) -> String {
    let output = Command::new(psql_program(cluster))
        .args(["-X", "-A", "-t", "-v", "ON_ERROR_STOP=1"])
        .arg(cluster.url("postgres"))
        .args(["-c", sql])
        .output()
        .expect("run psql");
    assert!(
        output.status.success(),
        "psql failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap().trim().to_string()
}

/// The same through `-h <socket dir> -U nimara -d postgres`.
fn psql_socket(cluster: &Cluster, sql: &str) -> String {
    let output = Command::new(psql_program(cluster))
        .args(["-X", "-A", "-t", "-h"])
        .arg(cluster.socket_dir())
        .args(["-U", "nimara", "-d", "postgres", "-c", sql])
        .output()
        .expect("run psql");
    assert!(
        output.status.success(),
        "psql failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap().trim().to_string()
}

fn alive(pid: i32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => {
            stat.rsplit_once(')')
                .and_then(|(_, rest)| rest.split_whitespace().next())
                != Some("Z")
        }
        Err(_) => false,
    }
}

fn kill(pid: i32, signal: nix::sys::signal::Signal) {
    nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), signal).expect("kill");
}

fn assert_fully_stopped(data_dir: &Path, postmaster: i32) {
    assert!(!alive(postmaster), "postmaster {postmaster} still alive");
    assert_eq!(
        pgembed::processes(data_dir),
        Vec::<i32>::new(),
        "processes of the cluster remain"
    );
}

/// A cluster held by another process: the test binary running `hold_cluster_helper`.
struct Holder {
    child: Child,
    stdout: BufReader<ChildStdout>,
    owner: bool,
    postmaster: i32,
}

impl Holder {
    fn spawn(data_dir: &Path) -> Holder {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args([
                "hold_cluster_helper",
                "--exact",
                "--ignored",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(HOLD_ENV, data_dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("spawn the holder");
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let line = read_marker(&mut stdout, "PGEMBED-READY");
        let mut owner = None;
        let mut postmaster = None;
        for word in line.split_whitespace() {
            if let Some(value) = word.strip_prefix("owner=") {
                owner = Some(value == "true");
            }
            if let Some(value) = word.strip_prefix("pid=") {
                postmaster = value.parse().ok();
            }
        }
        Holder {
            child,
            stdout,
            owner: owner.unwrap(),
            postmaster: postmaster.unwrap(),
        }
    }

    /// Closes its stdin: it stops its cluster handle and exits.
    fn release(mut self) {
        drop(self.child.stdin.take());
        read_marker(&mut self.stdout, "PGEMBED-STOPPED");
        assert!(self.child.wait().unwrap().success());
    }

    fn kill_9(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

fn read_marker(stdout: &mut impl BufRead, marker: &str) -> String {
    let mut line = String::new();
    loop {
        line.clear();
        let n = stdout.read_line(&mut line).unwrap();
        assert!(n > 0, "the holder exited before printing {marker}");
        // libtest prints "test name ... " without a newline before the test's output.
        if let Some(at) = line.find(marker) {
            return line[at..].to_string();
        }
    }
}

/// Run by `Holder` in a child process (and a no-op otherwise): starts the cluster,
/// reports, waits for stdin to close, stops.
#[test]
#[ignore = "run by other tests in a child process"]
fn hold_cluster_helper() {
    let Some(dir) = std::env::var_os(HOLD_ENV) else {
        return;
    };
    let cluster = Cluster::start(options(dir)).expect("start in the holder");
    println!(
        "PGEMBED-READY owner={} pid={}",
        cluster.is_owner(),
        cluster.postmaster_pid().unwrap()
    );
    std::io::stdout().flush().unwrap();
    let mut sink = Vec::new();
    let _ = std::io::stdin().read_to_end(&mut sink);
    cluster.stop().expect("stop in the holder");
    println!("PGEMBED-STOPPED");
}

#[test]
fn starts_answers_and_stops_leaving_no_process() {
    let dir = temp_dir();
    let data = dir.path().join("postgres");
    let cluster = Cluster::start(options(&data)).unwrap();
    assert!(cluster.is_owner());
    assert!(data.join("PG_VERSION").is_file());
    assert_eq!(psql(&cluster, "select 1"), "1");
    assert_eq!(psql_socket(&cluster, "select 1"), "1");
    assert!(
        cluster
            .url("postgres")
            .starts_with("postgresql://nimara@localhost/postgres?host=%2Ftmp%2Fpgembed-test-"),
        "{}",
        cluster.url("postgres")
    );
    // Only the socket: no TCP listener.
    assert_eq!(psql(&cluster, "show listen_addresses"), "");
    assert_eq!(psql(&cluster, "show fsync"), "off");
    assert_eq!(psql(&cluster, "select current_user"), "nimara");
    let postmaster = cluster.postmaster_pid().unwrap();
    assert!(pgembed::processes(&data).contains(&postmaster));

    cluster.stop().unwrap();
    assert_fully_stopped(&data, postmaster);
    assert!(!data.join("postmaster.pid").exists());
}

#[test]
fn restart_on_existing_data_is_fast_and_drop_stops() {
    let dir = temp_dir();
    let data = dir.path().join("postgres");
    let first = Cluster::start(options(&data)).unwrap();
    psql(
        &first,
        "create table kept (n int); insert into kept values (42)",
    );
    first.stop().unwrap();

    let started = Instant::now();
    let second = Cluster::start(options(&data)).unwrap();
    let elapsed = started.elapsed();
    println!(
        "start on an existing data directory: {} ms",
        elapsed.as_millis()
    );
    assert!(elapsed < Duration::from_secs(2), "took {elapsed:?}");
    assert_eq!(psql(&second, "select n from kept"), "42");

    let postmaster = second.postmaster_pid().unwrap();
    drop(second);
    assert_fully_stopped(&data, postmaster);
}

#[test]
fn killed_server_is_recovered_on_next_start() {
    let dir = temp_dir();
    let data = dir.path().join("postgres");
    let cluster = Cluster::start(options(&data)).unwrap();
    psql(
        &cluster,
        "create table kept (n int); insert into kept values (7)",
    );
    let postmaster = cluster.postmaster_pid().unwrap();
    kill(postmaster, nix::sys::signal::Signal::SIGKILL);
    // Stopping a server that is already dead succeeds and ends its orphaned children.
    cluster.stop().unwrap();
    assert_fully_stopped(&data, postmaster);
    assert!(
        data.join("postmaster.pid").exists(),
        "a killed server leaves its postmaster.pid"
    );

    let cluster = Cluster::start(options(&data)).unwrap();
    assert_eq!(psql(&cluster, "select n from kept"), "7");
    let postmaster = cluster.postmaster_pid().unwrap();
    cluster.stop().unwrap();
    assert_fully_stopped(&data, postmaster);
}

#[test]
fn orphan_of_a_killed_owner_is_adopted_and_stopped() {
    let dir = temp_dir();
    let data = dir.path().join("postgres");
    let holder = Holder::spawn(&data);
    assert!(holder.owner);
    let postmaster = holder.postmaster;
    holder.kill_9();
    // PostgreSQL outlives its owner…
    assert!(alive(postmaster));

    // …and the next start takes it over instead of starting another.
    let started = Instant::now();
    let cluster = Cluster::start(options(&data)).unwrap();
    println!(
        "adopting a running server: {} ms",
        started.elapsed().as_millis()
    );
    assert!(cluster.is_owner());
    assert_eq!(cluster.postmaster_pid(), Some(postmaster));
    assert_eq!(psql(&cluster, "select 1"), "1");
    cluster.stop().unwrap();
    assert_fully_stopped(&data, postmaster);
}

#[test]
fn second_process_attaches_and_leaves_the_server_running() {
    let dir = temp_dir();
    let data = dir.path().join("postgres");
    let holder = Holder::spawn(&data);
    assert!(holder.owner);

    let attached = Cluster::start(options(&data)).unwrap();
    assert!(!attached.is_owner());
    assert_eq!(attached.postmaster_pid(), Some(holder.postmaster));
    assert_eq!(psql(&attached, "select 1"), "1");
    attached.stop().unwrap();
    assert!(
        alive(holder.postmaster),
        "an attached handle must not stop the server"
    );
    let again = Cluster::start(options(&data)).unwrap();
    assert_eq!(psql(&again, "select 2"), "2");
    drop(again);
    assert!(alive(holder.postmaster));

    let postmaster = holder.postmaster;
    holder.release();
    assert_fully_stopped(&data, postmaster);
}

#[test]
fn concurrent_starts_share_one_server() {
    let dir = temp_dir();
    let data = dir.path().join("postgres");
    let handles: Vec<_> = (0..2)
        .map(|_| {
            let data = data.clone();
            std::thread::spawn(move || Cluster::start(options(data)).unwrap())
        })
        .collect();
    let clusters: Vec<Cluster> = handles
        .into_iter()
        .map(|handle| handle.join().unwrap())
        .collect();
    assert_eq!(
        clusters.iter().filter(|cluster| cluster.is_owner()).count(),
        1
    );
    assert_eq!(clusters[0].postmaster_pid(), clusters[1].postmaster_pid());
    let postmaster = clusters[0].postmaster_pid().unwrap();
    for cluster in &clusters {
        assert_eq!(psql(cluster, "select 1"), "1");
    }
    // Stop the attached one first, then the owner.
    let mut clusters = clusters;
    clusters.sort_by_key(Cluster::is_owner);
    for cluster in clusters {
        cluster.stop().unwrap();
    }
    assert_fully_stopped(&data, postmaster);
}

/// Writes `postmaster.pid` as a crashed server would have left it, naming `pid`.
fn plant_pidfile(data: &Path, template: &str, pid: i32) {
    let mut lines: Vec<String> = template.lines().map(str::to_string).collect();
    lines[0] = pid.to_string();
    std::fs::write(data.join("postmaster.pid"), lines.join("\n") + "\n").unwrap();
}

#[test]
fn stale_postmaster_pid_is_recovered() {
    let dir = temp_dir();
    let data = dir.path().join("postgres");
    let cluster = Cluster::start(options(&data)).unwrap();
    let template = std::fs::read_to_string(data.join("postmaster.pid")).unwrap();
    cluster.stop().unwrap();

    // A PID that no longer exists.
    let mut gone = Command::new("true").spawn().unwrap();
    let dead_pid = gone.id() as i32;
    gone.wait().unwrap();
    plant_pidfile(&data, &template, dead_pid);
    let cluster = Cluster::start(options(&data)).unwrap();
    assert_eq!(psql(&cluster, "select 1"), "1");
    cluster.stop().unwrap();

    // A PID reused by an unrelated live process of the server's own user, which
    // PostgreSQL alone would take for a running server.
    let mut unrelated = Command::new("sleep");
    unrelated.arg("60");
    if nix::unistd::geteuid().is_root() {
        use std::os::unix::process::CommandExt;
        let user = nix::unistd::User::from_name("postgres")
            .unwrap()
            .expect("a postgres user");
        unrelated.uid(user.uid.as_raw()).gid(user.gid.as_raw());
    }
    let mut unrelated = unrelated.spawn().unwrap();
    plant_pidfile(&data, &template, unrelated.id() as i32);
    let cluster = Cluster::start(options(&data)).unwrap();
    assert_eq!(psql(&cluster, "select 1"), "1");
    assert!(
        alive(unrelated.id() as i32),
        "the unrelated process must be left alone"
    );
    let postmaster = cluster.postmaster_pid().unwrap();
    cluster.stop().unwrap();
    assert_fully_stopped(&data, postmaster);
    unrelated.kill().unwrap();
    unrelated.wait().unwrap();
}

#[test]
fn interrupted_initdb_is_redone() {
    let dir = temp_dir();
    let data = dir.path().join("postgres");
    let leftover = dir.path().join("postgres.init-tmp");
    std::fs::create_dir_all(leftover.join("base")).unwrap();
    std::fs::write(leftover.join("PG_VERSION"), "15\n").unwrap();
    // An empty data directory (e.g. a mount point made in advance) is fine too.
    std::fs::create_dir(&data).unwrap();

    let cluster = Cluster::start(options(&data)).unwrap();
    assert!(!leftover.exists());
    assert_eq!(psql(&cluster, "select 1"), "1");
    cluster.stop().unwrap();
}

#[test]
fn initdb_left_running_by_a_killed_owner_is_ended() {
    use std::os::unix::process::CommandExt;
    let dir = temp_dir();
    let data = dir.path().join("postgres");
    let tmp = dir.path().join("postgres.init-tmp");
    std::fs::create_dir(&tmp).unwrap();
    let bin_dir = pgembed::find_bin_dir(None).unwrap();
    let mut initdb = Command::new(bin_dir.join("initdb"));
    initdb
        .arg("-D")
        .arg(&tmp)
        .args(["-U", "nimara", "--no-sync"]);
    initdb
        .current_dir("/")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    if nix::unistd::geteuid().is_root() {
        let user = nix::unistd::User::from_name("postgres")
            .unwrap()
            .expect("a postgres user");
        nix::unistd::chown(dir.path(), Some(user.uid), Some(user.gid)).unwrap();
        nix::unistd::chown(&tmp, Some(user.uid), Some(user.gid)).unwrap();
        initdb.uid(user.uid.as_raw()).gid(user.gid.as_raw());
    }
    let mut initdb = initdb.spawn().unwrap();
    std::thread::sleep(Duration::from_millis(200));

    let cluster = Cluster::start(options(&data)).unwrap();
    // The stray initdb was killed, not left to write into the new cluster.
    assert!(!initdb.wait().unwrap().success());
    assert_eq!(psql(&cluster, "select 1"), "1");
    let postmaster = cluster.postmaster_pid().unwrap();
    cluster.stop().unwrap();
    assert_fully_stopped(&data, postmaster);
}

#[test]
fn refuses_a_non_empty_folder_that_is_not_a_cluster() {
    let dir = temp_dir();
    let data = dir.path().join("postgres");
    std::fs::create_dir(&data).unwrap();
    std::fs::write(data.join("precious.txt"), "keep me").unwrap();
    let err = Cluster::start(options(&data)).unwrap_err();
    assert!(matches!(err, Error::NotACluster { .. }), "{err}");
    assert_eq!(
        std::fs::read_to_string(data.join("precious.txt")).unwrap(),
        "keep me"
    );
}

#[test]
fn missing_binaries_name_the_package() {
    let dir = temp_dir();
    let mut options = options(dir.path().join("postgres"));
    options.bin_dir = Some(dir.path().to_path_buf());
    let err = Cluster::start(options).unwrap_err();
    assert!(matches!(err, Error::NoBinaries { .. }));
    let message = err.to_string();
    assert!(
        message.starts_with("PostgreSQL server binaries not found: "),
        "{message}"
    );
    assert!(message.contains("`postgresql` package"), "{message}");
    assert!(!message.contains('\n'));
}

#[test]
fn long_data_path_gets_a_short_socket_dir() {
    let dir = temp_dir();
    let data = dir
        .path()
        .join("a-rather-long-folder-name-".repeat(4))
        .join("postgres");
    let cluster = Cluster::start(options(&data)).unwrap();
    assert!(
        cluster
            .socket_dir()
            .to_string_lossy()
            .starts_with("/tmp/nimara-pg-"),
        "{}",
        cluster.socket_dir().display()
    );
    assert_eq!(psql(&cluster, "select 1"), "1");
    let postmaster = cluster.postmaster_pid().unwrap();
    let socket_dir = cluster.socket_dir().to_path_buf();
    cluster.stop().unwrap();
    assert_fully_stopped(&data, postmaster);
    std::fs::remove_dir_all(socket_dir).unwrap();
}
