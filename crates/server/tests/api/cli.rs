//! The `nimara` binary as an operator runs it: configuration errors, the
//! embedded PostgreSQL's life cycle, and the admin commands.

use crate::helpers::{empty_database, fresh_database};
use std::io::Write;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

fn nimara() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_nimara"));
    for (key, _) in std::env::vars() {
        if key.starts_with("NIMARA_") {
            cmd.env_remove(key);
        }
    }
    cmd.env("NIMARA_LOG", "warn");
    cmd
}

fn run(cmd: &mut Command, stdin: &str) -> Output {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// PIDs of postgres processes serving `data_dir`.
fn postgres_pids(data_dir: &Path) -> Vec<i32> {
    let needle = data_dir.to_string_lossy().into_owned();
    let mut pids = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<i32>() else {
            continue;
        };
        let cmdline = std::fs::read(entry.path().join("cmdline")).unwrap_or_default();
        let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
        if cmdline.contains("postgres") && cmdline.contains(&needle) {
            pids.push(pid);
        }
    }
    pids
}

async fn wait_ready(port: u16, child: &mut Child) {
    let deadline = Instant::now() + Duration::from_secs(60);
    let client = reqwest::Client::new();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            panic!("nimara exited early with {status}");
        }
        if let Ok(res) = client
            .get(format!("http://127.0.0.1:{port}/readyz"))
            .send()
            .await
            && res.status() == 200
        {
            return;
        }
        assert!(Instant::now() < deadline, "nimara did not become ready");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn serve(data_dir: &Path, port: u16) -> Child {
    nimara()
        .args(["serve"])
        .env("NIMARA_DATA_DIR", data_dir)
        .env("NIMARA_HTTP_ADDR", format!("127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

fn signal(child: &Child, sig: nix::sys::signal::Signal) {
    nix::sys::signal::kill(nix::unistd::Pid::from_raw(child.id() as i32), sig).unwrap();
}

#[test]
fn a_malformed_setting_is_one_line_naming_the_variable_and_exit_code_2() {
    let out = run(
        nimara()
            .arg("migrate")
            .env("NIMARA_HTTP_ADDR", "the-harbour"),
        "",
    );
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("NIMARA_HTTP_ADDR"), "{stderr}");
}

#[test]
fn a_port_in_use_is_a_clear_line_and_exit_code_1() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let dir = tempfile::tempdir().unwrap();
    let out = run(
        nimara()
            .arg("serve")
            .env("NIMARA_HTTP_ADDR", &addr)
            .env("NIMARA_DATA_DIR", dir.path()),
        "",
    );
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&addr) && stderr.contains("in use"),
        "{stderr}"
    );
}

#[test]
fn the_demo_password_variable_is_not_taken_for_a_setting() {
    // The configuration refuses unknown NIMARA_ variables; this one is read by
    // `nimara demo` and `serve --demo`, so it must get past the configuration
    // (to the port-in-use error, which needs no database).
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let dir = tempfile::tempdir().unwrap();
    let out = run(
        nimara()
            .args(["serve", "--demo"])
            .env("NIMARA_DEMO_PASSWORD", "a-chosen-demo-password")
            .env("NIMARA_HTTP_ADDR", &addr)
            .env("NIMARA_DATA_DIR", dir.path()),
        "",
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("in use"), "{stderr}");
}

#[test]
fn without_postgresql_binaries_one_line_names_the_package_and_exit_code_1() {
    let dir = tempfile::tempdir().unwrap();
    let empty_bin = tempfile::tempdir().unwrap();
    let out = run(
        nimara()
            .arg("migrate")
            .env("NIMARA_DATA_DIR", dir.path())
            .env("NIMARA_POSTGRES_BIN_DIR", empty_bin.path()),
        "",
    );
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("postgresql"), "{stderr}");
}

#[tokio::test]
async fn migrate_against_an_external_database_creates_the_schema_and_a_second_run_does_nothing() {
    let url = empty_database().await;
    for _ in 0..2 {
        let out = run(nimara().arg("migrate").env("NIMARA_DATABASE_URL", &url), "");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let pool = sqlx::PgPool::connect(&url).await.unwrap();
    let applied: i64 = sqlx::query_scalar("SELECT count(*) FROM _sqlx_migrations")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(applied, nimara::db::migrate::MIGRATOR.iter().count() as i64);
    let spec = crate::migrations::spec();
    let tables: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public' AND table_name = ANY($1)",
    )
    .bind(spec.tables.keys().cloned().collect::<Vec<_>>())
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(tables, 51);
}

#[tokio::test]
async fn port_and_user_create_from_the_command_line() {
    let url = fresh_database().await;
    let out = run(
        nimara()
            .args([
                "port",
                "create",
                "--name",
                "Marina Bay",
                "--slug",
                "marina-bay",
                "--timezone",
                "Europe/Paris",
                "--currency",
                "eur",
            ])
            .env("NIMARA_DATABASE_URL", &url),
        "",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let again = run(
        nimara()
            .args(["port", "create", "--name", "Other", "--slug", "marina-bay"])
            .env("NIMARA_DATABASE_URL", &url),
        "",
    );
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("slug already exists"));

    let bad = run(
        nimara()
            .args([
                "port",
                "create",
                "--name",
                "X",
                "--slug",
                "Bad Slug",
                "--timezone",
                "Mars/Base",
            ])
            .env("NIMARA_DATABASE_URL", &url),
        "",
    );
    assert_eq!(bad.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert!(
        stderr.contains("slug:") && stderr.contains("timezone:"),
        "{stderr}"
    );

    let out = run(
        nimara()
            .args([
                "user",
                "create",
                "--email",
                " Director@Marina-Bay.example ",
                "--name",
                "Dana Director",
                "--password-stdin",
            ])
            .args(["--port", "marina-bay", "--role", "director"])
            .env("NIMARA_DATABASE_URL", &url),
        "a long harbour password\n",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let pool = sqlx::PgPool::connect(&url).await.unwrap();
    let (email, hash, role, port_tz): (String, String, String, String) = sqlx::query_as(
        "SELECT u.email::text, a.password_hash, r.name, p.timezone FROM users u
         JOIN accounts a ON a.user_id = u.id
         JOIN user_port_roles upr ON upr.user_id = u.id
         JOIN roles r ON r.id = upr.role_id JOIN ports p ON p.id = upr.port_id",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(
        (email.as_str(), role.as_str(), port_tz.as_str()),
        ("director@marina-bay.example", "director", "Europe/Paris")
    );
    assert!(hash.starts_with("$argon2id$"));
    assert!(nimara::users::password::verify(
        "a long harbour password",
        &hash
    ));

    let short = run(
        nimara()
            .args([
                "user",
                "create",
                "--email",
                "x@y.example",
                "--name",
                "X",
                "--password-stdin",
            ])
            .env("NIMARA_DATABASE_URL", &url),
        "short\n",
    );
    assert_eq!(short.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&short.stderr).contains("password:"));
}

/// The embedded cluster's whole life: first start, stop on SIGTERM and on
/// SIGINT with no postgres left, recovery after `kill -9`, and CLI commands
/// sharing a running server's cluster.
#[tokio::test]
async fn the_embedded_postgres_lives_and_dies_with_nimara() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let port = free_port();

    // First start: initdb, migrate, serve. SIGTERM stops everything.
    let mut child = serve(&data, port);
    wait_ready(port, &mut child).await;
    assert!(data.join("postgres").join("PG_VERSION").exists());
    assert!(!postgres_pids(&data).is_empty());

    // A command run meanwhile shares the running cluster and leaves it running.
    let out = run(
        nimara()
            .args(["port", "create", "--name", "Shared", "--slug", "shared"])
            .env("NIMARA_DATA_DIR", &data),
        "",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let res = reqwest::get(format!("http://127.0.0.1:{port}/readyz"))
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "the server still has its database");

    signal(&child, nix::sys::signal::Signal::SIGTERM);
    assert!(child.wait().unwrap().success());
    assert!(
        postgres_pids(&data).is_empty(),
        "no postgres left after SIGTERM"
    );

    // kill -9: postgres outlives nimara; the same command serves again on the same data.
    let mut child = serve(&data, port);
    wait_ready(port, &mut child).await;
    signal(&child, nix::sys::signal::Signal::SIGKILL);
    child.wait().unwrap();
    let mut child = serve(&data, port);
    wait_ready(port, &mut child).await;
    let out = run(
        nimara()
            .args(["port", "create", "--name", "Shared", "--slug", "shared"])
            .env("NIMARA_DATA_DIR", &data),
        "",
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("already exists"),
        "same data as before the kill"
    );

    // Ctrl-C stops it as cleanly.
    signal(&child, nix::sys::signal::Signal::SIGINT);
    assert!(child.wait().unwrap().success());
    assert!(
        postgres_pids(&data).is_empty(),
        "no postgres left after SIGINT"
    );

    // Run alone, a command starts the cluster for itself and stops it again.
    let out = run(
        nimara()
            .args(["port", "create", "--name", "Alone", "--slug", "alone"])
            .env("NIMARA_DATA_DIR", &data),
        "",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        postgres_pids(&data).is_empty(),
        "a lone command leaves no postgres behind"
    );
}
