//! Typed configuration: defaults, then an optional `nimara.toml`, then `NIMARA_*`
//! environment variables, validated once at start-up.
//!
//! Every key is also an environment variable: `http_addr` is `NIMARA_HTTP_ADDR`.
//! Secrets are `SecretString`s, so neither `Debug` nor a log line can print them.

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Where the embedded PostgreSQL cluster and local files live.
    pub data_dir: PathBuf,
    /// Address the HTTP server binds; port 0 picks a free one.
    pub http_addr: SocketAddr,
    /// An external PostgreSQL 15+; unset runs the embedded cluster.
    pub database_url: Option<SecretString>,
    /// Folder of the PostgreSQL server binaries for the embedded cluster; unset
    /// finds them with `pg_config` or under `/usr/lib/postgresql`.
    pub postgres_bin_dir: Option<PathBuf>,
    /// Largest connection pool per process.
    pub database_max_connections: u32,
    /// The address users reach the server at, e.g. `https://crm.example.com`.
    /// Used for links in e-mails and to recognise same-origin requests.
    pub public_url: Option<String>,
    /// SMTP server for outgoing mail, e.g. `smtps://user:pass@mail.example.com`
    /// or `smtp://localhost:25`; unset writes mail to `$NIMARA_DATA_DIR/outbox`.
    pub smtp_url: Option<SecretString>,
    /// The sender of outgoing mail.
    pub mail_from: String,
    /// `tracing` filter, e.g. `info` or `nimara=debug,tower_http=info`.
    pub log: String,
    /// `text` for people, `json` for log collectors.
    pub log_format: LogFormat,
    /// A request taking longer than this is answered 503 and abandoned.
    pub request_timeout_secs: u64,
    /// Largest accepted request body, in bytes.
    pub body_limit_bytes: usize,
    /// Largest CSV file a client import accepts, in bytes (may exceed the above).
    pub import_max_bytes: usize,
    /// Jobs run concurrently by each process; 0 lets `serve` run no workers.
    pub workers: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

/// The defaults: zero configuration runs.
#[derive(Serialize)]
struct Defaults {
    data_dir: &'static str,
    http_addr: &'static str,
    database_max_connections: u32,
    mail_from: &'static str,
    log: &'static str,
    log_format: LogFormat,
    request_timeout_secs: u64,
    body_limit_bytes: usize,
    import_max_bytes: usize,
    workers: usize,
}

const DEFAULTS: Defaults = Defaults {
    data_dir: "./data",
    http_addr: "127.0.0.1:8080",
    database_max_connections: 10,
    mail_from: "Port Nimara CRM <no-reply@localhost>",
    log: "info,sqlx=warn",
    log_format: LogFormat::Text,
    request_timeout_secs: 30,
    body_limit_bytes: 25 * 1024 * 1024,
    import_max_bytes: 20 * 1024 * 1024,
    workers: 2,
};

/// A configuration problem, already phrased as the one line the operator sees.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(pub String);

/// `NIMARA_` variables that are not settings: the configuration file's name,
/// the tests' database, and the demo team's password (`nimara demo`).
const IGNORED: [&str; 3] = ["CONFIG", "TEST_DATABASE_URL", "DEMO_PASSWORD"];

impl Config {
    /// Reads defaults, `nimara.toml` (or the file named by `NIMARA_CONFIG`) and the
    /// environment, then validates.
    pub fn load() -> Result<Config, ConfigError> {
        let file = std::env::var("NIMARA_CONFIG").unwrap_or_else(|_| "nimara.toml".into());
        let figment = Figment::from(Serialized::defaults(DEFAULTS))
            .merge(Toml::file(&file))
            .merge(Env::prefixed("NIMARA_").ignore(&IGNORED));
        Self::from_figment(figment)
    }

    fn from_figment(figment: Figment) -> Result<Config, ConfigError> {
        let config: Config = figment.extract().map_err(|e| {
            let e = e
                .into_iter()
                .next()
                .expect("a figment error has at least one cause");
            let key = e.path.join("_");
            let name = if key.is_empty() {
                "configuration".to_owned()
            } else {
                format!("NIMARA_{}", key.to_uppercase())
            };
            ConfigError(format!("{name}: {}", e.kind))
        })?;
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        let bad = |var: &str, why: &str| Err(ConfigError(format!("{var}: {why}")));
        if self.data_dir.as_os_str().is_empty() {
            return bad("NIMARA_DATA_DIR", "must not be empty");
        }
        if let Some(url) = &self.database_url {
            let url = url.expose_secret();
            if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
                return bad(
                    "NIMARA_DATABASE_URL",
                    "must start with postgres:// or postgresql://",
                );
            }
        }
        if let Some(url) = &self.smtp_url {
            let url = url.expose_secret();
            if !(url.starts_with("smtp://") || url.starts_with("smtps://")) {
                return bad("NIMARA_SMTP_URL", "must start with smtp:// or smtps://");
            }
        }
        if self.mail_from.parse::<lettre::message::Mailbox>().is_err() {
            return bad(
                "NIMARA_MAIL_FROM",
                "must be a mailbox such as `Port Nimara <crm@example.com>`",
            );
        }
        if let Some(url) = &self.public_url
            && !(url.starts_with("http://") || url.starts_with("https://"))
        {
            return bad("NIMARA_PUBLIC_URL", "must start with http:// or https://");
        }
        if self.database_max_connections == 0 {
            return bad("NIMARA_DATABASE_MAX_CONNECTIONS", "must be at least 1");
        }
        if self.request_timeout_secs == 0 {
            return bad("NIMARA_REQUEST_TIMEOUT_SECS", "must be at least 1");
        }
        if self.body_limit_bytes < 1024 {
            return bad("NIMARA_BODY_LIMIT_BYTES", "must be at least 1024");
        }
        if self.import_max_bytes < 1024 {
            return bad("NIMARA_IMPORT_MAX_BYTES", "must be at least 1024");
        }
        if let Err(e) = tracing_subscriber::EnvFilter::try_new(&self.log) {
            return bad("NIMARA_LOG", &e.to_string());
        }
        Ok(())
    }

    /// A configuration for tests and tools: defaults with the given overrides.
    pub fn for_tests(database_url: String) -> Config {
        let figment = Figment::from(Serialized::defaults(DEFAULTS))
            .merge(("http_addr", "127.0.0.1:0"))
            .merge(("database_url", database_url))
            .merge(("workers", 0));
        Self::from_figment(figment).expect("test configuration is valid")
    }

    pub fn request_timeout(&self) -> Duration {
        Duration::from_secs(self.request_timeout_secs)
    }

    /// The embedded cluster's folder.
    pub fn postgres_dir(&self) -> PathBuf {
        self.data_dir.join("postgres")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let mut figment = Figment::from(Serialized::defaults(DEFAULTS));
        for (k, v) in pairs {
            figment = figment.merge((*k, *v));
        }
        Config::from_figment(figment)
    }

    #[test]
    fn zero_configuration_runs() {
        let c = load(&[]).unwrap();
        assert_eq!(c.http_addr.to_string(), "127.0.0.1:8080");
        assert_eq!(c.data_dir, PathBuf::from("./data"));
        assert!(c.database_url.is_none());
    }

    #[test]
    fn a_malformed_value_names_its_variable() {
        let e = load(&[("http_addr", "nowhere")]).unwrap_err().to_string();
        assert!(e.starts_with("NIMARA_HTTP_ADDR:"), "{e}");
        let e = load(&[("database_url", "mysql://x")])
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("NIMARA_DATABASE_URL:"), "{e}");
        let e = load(&[("workers", "many")]).unwrap_err().to_string();
        assert!(e.starts_with("NIMARA_WORKERS:"), "{e}");
    }

    #[test]
    fn secrets_never_reach_debug_output() {
        let c = load(&[("database_url", "postgres://u:hunter2@db/x")]).unwrap();
        assert!(!format!("{c:?}").contains("hunter2"));
    }
}
