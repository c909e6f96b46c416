//! The command line: `nimara serve | worker | migrate | demo | user create | port create |
//! import clients`.
//!
//! Exit codes: 0 done, 1 failed, 2 the configuration or the command line is wrong.

use crate::app::Application;
use crate::config::Config;
use crate::db::{self, migrate};
use crate::http::error::Error as HttpError;
use crate::{demo, jobs, ports, telemetry, users};
use anyhow::Context;
use clap::{Parser, Subcommand};
use std::io::Read;
use std::process::ExitCode;

#[derive(Debug, Parser)]
#[command(
    name = "nimara",
    version,
    about = "Port Nimara CRM: berths, clients and the sales pipeline of marinas"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the pages and the API, with background workers in the same process.
    Serve {
        /// Load the demo port before serving (changes nothing if it is loaded).
        #[arg(long)]
        demo: bool,
    },
    /// Run background workers only.
    Worker,
    /// Bring the database schema up to date and exit.
    Migrate,
    /// Create the demo port "Port Nimara" with realistic data (idempotent);
    /// with --clients, --interests or --berths, a port of that many generated
    /// clients, open interests over berths, or berths with map shapes instead
    /// (benchmarks).
    Demo {
        /// Generate this many clients (two contacts each) at --port.
        #[arg(long, group = "generate")]
        clients: Option<i64>,
        /// Generate this many open interests (a client each, most on a berth) at --port.
        #[arg(long, group = "generate")]
        interests: Option<i64>,
        /// Generate this many berths with map shapes and interests at --port.
        #[arg(long, group = "generate")]
        berths: Option<i64>,
        /// The port (slug) to generate at; created if missing [default: bench
        /// for --clients and --berths, board for --interests].
        #[arg(long, requires = "generate")]
        port: Option<String>,
    },
    /// Manage users.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage ports.
    #[command(subcommand)]
    Port(PortCommand),
    /// Import records from a file.
    #[command(subcommand)]
    Import(ImportCommand),
}

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Import clients with their contacts from a CSV file (UTF-8).
    Clients {
        /// The CSV file; its first row names the columns.
        file: std::path::PathBuf,
        /// The port (slug) to import into.
        #[arg(long)]
        port: String,
        /// Only report what each row would do; write nothing.
        #[arg(long)]
        dry_run: bool,
        /// `auto` (from the column names), a JSON object {"<column>": "<field>"}, or a file holding one.
        #[arg(long, default_value = "auto")]
        mapping: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user; the password is read from standard input, never from an argument.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// Read the password from standard input (required).
        #[arg(long, required = true)]
        password_stdin: bool,
        #[arg(long)]
        super_admin: bool,
        /// A port (slug) to give the user a role at; needs --role.
        #[arg(long, requires = "role")]
        port: Option<String>,
        /// The role at --port: director, sales_manager, sales_agent, finance, viewer, …
        #[arg(long, requires = "port")]
        role: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum PortCommand {
    /// Create a port.
    Create {
        #[arg(long)]
        name: String,
        #[arg(long)]
        slug: String,
        #[arg(long, default_value = "America/Anguilla")]
        timezone: String,
        #[arg(long, default_value = "USD")]
        currency: String,
    },
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let config = match Config::load() {
        Ok(config) => config,
        Err(e) => {
            eprintln!("nimara: configuration error: {e}");
            return ExitCode::from(2);
        }
    };
    telemetry::init_logs(&config);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("the async runtime starts");
    match runtime.block_on(run(cli.command, config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // One line for the operator: the chain of causes, outermost first.
            eprintln!("nimara: {}", one_line(&e));
            ExitCode::FAILURE
        }
    }
}

fn one_line(e: &anyhow::Error) -> String {
    if let Some(pgembed::Error::NoBinaries { .. }) = e.downcast_ref::<pgembed::Error>() {
        return e
            .downcast_ref::<pgembed::Error>()
            .map(ToString::to_string)
            .unwrap_or_default();
    }
    if let Some(HttpError::Unprocessable(fields)) = e.downcast_ref::<HttpError>() {
        return fields
            .iter()
            .map(|(f, msgs)| format!("{f}: {}", msgs.join("; ")))
            .collect::<Vec<_>>()
            .join(", ");
    }
    if let Some(HttpError::Conflict(msg)) = e.downcast_ref::<HttpError>() {
        return msg.clone();
    }
    format!("{e:#}")
}

pub async fn run(command: Command, config: Config) -> anyhow::Result<()> {
    match command {
        Command::Serve { demo: load_demo } => {
            let app = Application::build(config).await?;
            if load_demo {
                let report = demo::load(&app.state().db).await?;
                println!("{report}");
            }
            app.run_until_stopped().await
        }
        Command::Worker => worker(config).await,
        Command::Migrate => with_database(&config, |_| async { Ok(()) }).await,
        Command::Demo {
            clients: None,
            interests: None,
            berths: None,
            port: _,
        } => {
            with_database(&config, |db| async move {
                let report = demo::load(&db).await?;
                println!("{report}");
                Ok(())
            })
            .await
        }
        Command::Demo {
            interests: Some(count),
            port,
            ..
        } => {
            let slug = port.unwrap_or_else(|| demo::board::DEFAULT_SLUG.to_owned());
            with_database(&config, |db| async move {
                let report = demo::board::generate(&db, &slug, count).await?;
                println!("{report}");
                Ok(())
            })
            .await
        }
        Command::Demo {
            berths: Some(count),
            port,
            ..
        } => {
            let slug = port.unwrap_or_else(|| demo::bulk::DEFAULT_SLUG.to_owned());
            with_database(&config, |db| async move {
                let report = demo::map::generate(&db, &slug, count).await?;
                println!("{report}");
                Ok(())
            })
            .await
        }
        Command::Demo {
            clients: Some(count),
            port,
            ..
        } => {
            let slug = port.unwrap_or_else(|| demo::bulk::DEFAULT_SLUG.to_owned());
            with_database(&config, |db| async move {
                let report = demo::bulk::generate(&db, &slug, count).await?;
                println!("{report}");
                Ok(())
            })
            .await
        }
        Command::User(UserCommand::Create {
            email,
            name,
            password_stdin: _,
            super_admin,
            port,
            role,
        }) => {
            let mut password = String::new();
            std::io::stdin()
                .read_to_string(&mut password)
                .context("cannot read the password from standard input")?;
            let password = password.trim_end_matches(['\n', '\r']).to_owned();
            let new = users::NewUser {
                email,
                name,
                password,
                super_admin,
                port_role: port.zip(role),
            };
            with_database(&config, |db| async move {
                let user = users::create(db.pool(), &new)
                    .await
                    .map_err(anyhow::Error::new)?;
                println!("created user {} <{}> ({})", user.name, user.email, user.id);
                Ok(())
            })
            .await
        }
        Command::Import(ImportCommand::Clients {
            file,
            port,
            dry_run,
            mapping,
        }) => {
            with_database(&config, |db| async move {
                crate::clients::import::cli::clients(db, &file, &port, dry_run, &mapping).await
            })
            .await
        }
        Command::Port(PortCommand::Create {
            name,
            slug,
            timezone,
            currency,
        }) => {
            let new = ports::NewPort {
                name,
                slug,
                timezone,
                default_currency: currency,
            };
            with_database(&config, |db| async move {
                let port = ports::create(db.pool(), &new)
                    .await
                    .map_err(anyhow::Error::new)?;
                println!(
                    "created port {} ({}), {} {}",
                    port.name, port.slug, port.timezone, port.default_currency
                );
                Ok(())
            })
            .await
        }
    }
}

/// Opens the database (sharing an embedded cluster that `serve` already runs, or
/// starting it for this command only), brings the schema up to date, runs `f`,
/// and stops a cluster this command started.
async fn with_database<F, Fut>(config: &Config, f: F) -> anyhow::Result<()>
where
    F: FnOnce(db::Db) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<()>>,
{
    let database = db::open(config).await?;
    let result = async {
        migrate::run(database.db.pool(), &migrate::MIGRATOR).await?;
        crate::access::seed::sync_system_roles(database.db.pool()).await?;
        f(database.db.clone()).await
    }
    .await;
    database.db.pool().close().await;
    if let Some(cluster) = database.cluster {
        tokio::task::spawn_blocking(move || cluster.stop()).await??;
    }
    result
}

/// `nimara worker`: the job runners without HTTP, until SIGINT or SIGTERM.
async fn worker(config: Config) -> anyhow::Result<()> {
    let database = db::open(&config).await?;
    migrate::run(database.db.pool(), &migrate::MIGRATOR).await?;
    crate::access::seed::sync_system_roles(database.db.pool()).await?;
    let registry = jobs::default_registry();
    jobs::schedule::sync(database.db.pool(), &registry).await?;
    let stop = tokio_util::sync::CancellationToken::new();
    let state = crate::app::AppState {
        db: database.db.clone(),
        config: std::sync::Arc::new(config),
        migrator: &migrate::MIGRATOR,
        // A worker serves no streams; the hub stays idle (it listens only once subscribed).
        notifications: crate::notifications::Hub::new(database.db.pool(), stop.clone()),
    };
    let count = state.config.workers.max(1);
    let pool = jobs::WorkerPool::start(state, std::sync::Arc::new(registry), count, stop.clone());
    tracing::info!(workers = count, "worker running");
    telemetry::wait_for_signal().await;
    stop.cancel();
    pool.join().await;
    database.db.pool().close().await;
    if let Some(cluster) = database.cluster {
        tokio::task::spawn_blocking(move || cluster.stop()).await??;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn user_create_needs_password_stdin_and_pairs_port_with_role() {
        let ok = Cli::try_parse_from([
            "nimara",
            "user",
            "create",
            "--email",
            "a@b.co",
            "--name",
            "A",
            "--password-stdin",
        ]);
        assert!(ok.is_ok());
        let no_stdin = Cli::try_parse_from([
            "nimara", "user", "create", "--email", "a@b.co", "--name", "A",
        ]);
        assert!(no_stdin.is_err());
        let port_without_role = Cli::try_parse_from([
            "nimara",
            "user",
            "create",
            "--email",
            "a@b.co",
            "--name",
            "A",
            "--password-stdin",
            "--port",
            "x",
        ]);
        assert!(port_without_role.is_err());
        let password_as_argument = Cli::try_parse_from([
            "nimara",
            "user",
            "create",
            "--email",
            "a@b.co",
            "--name",
            "A",
            "--password",
            "secret",
        ]);
        assert!(password_as_argument.is_err());
    }
}
