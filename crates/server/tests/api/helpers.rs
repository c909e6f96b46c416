//! The test harness: a PostgreSQL server for the whole run, a fresh database
//! per test, and a real server on a random port.
//!
//! The server is the embedded cluster in `target/test-postgres` (started once,
//! shared by every test of the run and adopted by the next run), or the one
//! `NIMARA_TEST_DATABASE_URL` names (a URL to a database with rights to create
//! databases). A template database migrated once per set of migrations makes
//! each test's `CREATE DATABASE … TEMPLATE` take milliseconds.

use nimara::app::{Application, BuildOptions};
use nimara::config::Config;
use nimara::db::migrate::MIGRATOR;
use sqlx::postgres::PgPoolOptions;
use sqlx::{Connection, PgConnection, PgPool};
use std::path::PathBuf;
use std::sync::OnceLock;
use tokio::sync::OnceCell;
use tokio_util::sync::CancellationToken;

struct Server {
    /// URL of a maintenance database on the server, without the database name's effect.
    base: String,
    _cluster: Option<pgembed::Cluster>,
}

fn server() -> &'static Server {
    static SERVER: OnceLock<Server> = OnceLock::new();
    SERVER.get_or_init(|| {
        if let Ok(url) = std::env::var("NIMARA_TEST_DATABASE_URL") {
            return Server {
                base: url,
                _cluster: None,
            };
        }
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
            .join("test-postgres")
            .join("data");
        let mut options = pgembed::Options::new(dir);
        // Durability buys nothing in tests; these make them several times faster.
        for (k, v) in [
            ("fsync", "off"),
            ("synchronous_commit", "off"),
            ("full_page_writes", "off"),
            ("max_connections", "300"),
        ] {
            options.extra_settings.push((k.into(), v.into()));
        }
        let cluster = pgembed::Cluster::start(options).expect("the test PostgreSQL starts");
        Server {
            base: cluster.url("postgres"),
            _cluster: Some(cluster),
        }
    })
}

/// `base` with its database replaced by `name`.
pub fn database_url(name: &str) -> String {
    let base = &server().base;
    let (head, query) = base
        .split_once('?')
        .map_or((base.as_str(), None), |(h, q)| (h, Some(q)));
    let head = head.rsplit_once('/').map_or(head, |(h, _)| h);
    match query {
        Some(q) => format!("{head}/{name}?{q}"),
        None => format!("{head}/{name}"),
    }
}

/// Name of the template for the current migrations: a new migration makes a new one.
fn template_name() -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for m in MIGRATOR.iter() {
        for b in m.version.to_le_bytes().iter().chain(m.checksum.iter()) {
            hash = (hash ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("nimara_template_{hash:016x}")
}

async fn admin() -> PgConnection {
    PgConnection::connect(&server().base)
        .await
        .expect("connect to the test server")
}

/// Creates the template once per run (and once across concurrent runs, thanks
/// to an advisory lock).
async fn template() -> &'static str {
    static TEMPLATE: OnceCell<String> = OnceCell::const_new();
    TEMPLATE
        .get_or_init(|| async {
            let name = template_name();
            let mut conn = admin().await;
            sqlx::query("SELECT pg_advisory_lock(727274)").execute(&mut conn).await.unwrap();
            let exists: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
                .bind(&name)
                .fetch_one(&mut conn)
                .await
                .unwrap();
            if !exists {
                let building = format!("{name}_building");
                sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {building}"))).execute(&mut conn).await.unwrap();
                sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {building}"))).execute(&mut conn).await.unwrap();
                let pool = PgPool::connect(&database_url(&building)).await.unwrap();
                nimara::db::migrate::run(&pool, &MIGRATOR).await.expect("migrations apply to an empty database");
                pool.close().await;
                sqlx::query(sqlx::AssertSqlSafe(format!("ALTER DATABASE {building} RENAME TO {name}"))).execute(&mut conn).await.unwrap();
                // Earlier templates and test databases of earlier runs go.
                let stale: Vec<String> = sqlx::query_scalar(
                    "SELECT datname FROM pg_database WHERE (datname LIKE 'nimara_template_%' AND datname <> $1) OR datname LIKE 'test_%'",
                )
                .bind(&name)
                .fetch_all(&mut conn)
                .await
                .unwrap();
                for db in stale {
                    let _ = sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS \"{db}\" WITH (FORCE)"))).execute(&mut conn).await;
                }
            }
            sqlx::query("SELECT pg_advisory_unlock(727274)").execute(&mut conn).await.unwrap();
            name
        })
        .await
}

/// A fresh, migrated database of its own; returns its URL.
pub async fn fresh_database() -> String {
    let template = template().await;
    let name = format!("test_{}", uuid::Uuid::new_v4().simple());
    let mut conn = admin().await;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "CREATE DATABASE {name} TEMPLATE {template}"
    )))
    .execute(&mut conn)
    .await
    .unwrap();
    database_url(&name)
}

/// An empty database (no migrations), for migration tests.
pub async fn empty_database() -> String {
    let name = format!("test_{}", uuid::Uuid::new_v4().simple());
    let mut conn = admin().await;
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut conn)
        .await
        .unwrap();
    database_url(&name)
}

/// A real server on a random port over a fresh database.
pub struct TestApp {
    pub address: String,
    /// The owner connection (no row-level security applies to it in the
    /// embedded cluster): for arranging data and checking results.
    pub db: PgPool,
    pub client: reqwest::Client,
    /// The server's state, for running its jobs from a test.
    pub state: nimara::AppState,
    /// `NIMARA_DATA_DIR` of this app: its mail outbox lives here.
    pub data_dir: PathBuf,
    _data: tempfile::TempDir,
    stop: CancellationToken,
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        Self::spawn_with(BuildOptions::default())
            .await
            .expect("the test app starts")
    }

    pub async fn spawn_with(options: BuildOptions) -> anyhow::Result<TestApp> {
        let db_url = fresh_database().await;
        Self::spawn_on(db_url, options).await
    }

    pub async fn spawn_on(db_url: String, options: BuildOptions) -> anyhow::Result<TestApp> {
        let data = tempfile::tempdir()?;
        let mut config = Config::for_tests(db_url.clone());
        config.data_dir = data.path().to_owned();
        let app = Application::build_with(config, options).await?;
        let port = app.port();
        let stop = app.shutdown_handle();
        let state = app.state().clone();
        tokio::spawn(app.run_until_stopped());
        let db = PgPoolOptions::new()
            .max_connections(5)
            .connect(&db_url)
            .await?;
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .cookie_store(true)
            .build()?;
        Ok(TestApp {
            address: format!("http://127.0.0.1:{port}"),
            db,
            client,
            state,
            data_dir: data.path().to_owned(),
            _data: data,
            stop,
        })
    }

    /// A client that keeps no cookies, for requests that set their own.
    pub fn client_without_cookies(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
    }

    /// Another browser against the same app: its own cookies.
    pub fn client_for(_app: &TestApp) -> reqwest::Client {
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .cookie_store(true)
            .build()
            .unwrap()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("the request is sent")
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

/// A connection to the server's maintenance database.
pub async fn admin_connection() -> PgConnection {
    admin().await
}

/// The password of every user the tests create.
pub const PASSWORD: &str = "correct horse battery staple";

impl TestApp {
    /// Creates a user (optionally with `role` at the port `slug`); returns its id.
    pub async fn create_user(
        &self,
        email: &str,
        super_admin: bool,
        role_at: Option<(&str, &str)>,
    ) -> String {
        let new = nimara::users::NewUser {
            email: email.to_owned(),
            name: email.split('@').next().unwrap().replace('.', " "),
            password: PASSWORD.to_owned(),
            super_admin,
            port_role: role_at.map(|(slug, role)| (slug.to_owned(), role.to_owned())),
        };
        nimara::users::create(&self.db, &new)
            .await
            .expect("the test user is created")
            .id
    }

    /// Signs this app's client in through the API; the session cookie is kept.
    pub async fn login(&self, email: &str, password: &str) -> reqwest::Response {
        self.client
            .post(self.url("/api/v1/auth/login"))
            .json(&serde_json::json!({"email": email, "password": password}))
            .send()
            .await
            .expect("the request is sent")
    }

    /// A new super admin, signed in.
    pub async fn sign_in_super_admin(&self) -> String {
        let email = format!("admin.{}@example.test", uuid::Uuid::new_v4().simple());
        let id = self.create_user(&email, true, None).await;
        assert_eq!(self.login(&email, PASSWORD).await.status(), 200);
        id
    }

    /// A new member with `role` at the port `slug`, signed in; returns the e-mail.
    pub async fn sign_in_as(&self, role: &str, slug: &str) -> String {
        let email = format!("{role}.{}@example.test", uuid::Uuid::new_v4().simple());
        self.create_user(&email, false, Some((slug, role))).await;
        assert_eq!(self.login(&email, PASSWORD).await.status(), 200);
        email
    }

    /// Runs every due job to its end (the test app runs no workers of its own).
    pub async fn run_jobs(&self) -> usize {
        let registry = nimara::jobs::default_registry();
        let mut ran = 0;
        while nimara::jobs::runner::run_next(&self.state, &registry, "test")
            .await
            .expect("the queue answers")
        {
            ran += 1;
        }
        ran
    }

    /// The messages in this app's mail outbox, as raw RFC 5322 text, oldest first.
    pub fn outbox(&self) -> Vec<String> {
        let dir = self.data_dir.join("outbox");
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .map(|d| {
                d.flatten()
                    .map(|e| e.path())
                    .filter(|p| p.extension().is_some_and(|x| x == "eml"))
                    .collect()
            })
            .unwrap_or_default();
        files.sort_by_key(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok());
        files
            .iter()
            .map(|p| std::fs::read_to_string(p).unwrap())
            .collect()
    }

    pub async fn post_json(&self, path: &str, body: &serde_json::Value) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .json(body)
            .send()
            .await
            .expect("the request is sent")
    }
}

/// A port with `slug` as its name and slug; returns its id.
pub async fn port(app: &TestApp, slug: &str) -> uuid::Uuid {
    sqlx::query_scalar("INSERT INTO ports (name, slug) VALUES ($1, $1) RETURNING id")
        .bind(slug)
        .fetch_one(&app.db)
        .await
        .unwrap()
}
