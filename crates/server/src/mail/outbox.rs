//! The outbox page for super admins: without SMTP, mail is written to
//! `$NIMARA_DATA_DIR/outbox/*.eml`, and this is where an operator reads it.
//! Messages are shown as plain text only; their HTML is never rendered.

use crate::access::{Access, Routes};
use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::http::{Error, Result};
use crate::web::render;
use crate::web::shell::{Shell, UserMenu};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Html;
use mail_parser::MessageParser;
use std::path::{Path as FsPath, PathBuf};

/// The newest this many messages are listed.
const LIST_LIMIT: usize = 200;

pub fn routes(routes: Routes) -> Routes {
    routes.get("/admin/outbox", Access::SuperAdmin, list).get(
        "/admin/outbox/{id}",
        Access::SuperAdmin,
        show,
    )
}

/// One message, as the list and the reader show it.
pub struct Summary {
    pub id: String,
    pub date: String,
    pub from: String,
    pub to: String,
    pub subject: String,
}

#[derive(Template)]
#[template(path = "mail/outbox.html")]
struct ListPage {
    shell: Shell,
    dir: String,
    smtp: bool,
    messages: Vec<Summary>,
    total: usize,
}

#[derive(Template)]
#[template(path = "mail/outbox_message.html")]
struct MessagePage {
    shell: Shell,
    message: Summary,
    text: String,
    has_html: bool,
    source: String,
}

/// The layout of an installation-wide page: no port of its own.
fn shell(user: &CurrentUser, title: &str) -> Shell {
    let mut shell = Shell::bare(title, None);
    shell.user = Some(UserMenu::of(user));
    shell
}

/// `GET /admin/outbox`: newest first.
async fn list(State(state): State<AppState>, user: CurrentUser) -> Result<Html<String>> {
    let dir = super::outbox_dir(&state.config);
    let scan = dir.clone();
    let (messages, total) = tokio::task::spawn_blocking(move || read_all(&scan))
        .await
        .map_err(|e| Error::Internal(e.into()))?;
    render(&ListPage {
        shell: shell(&user, "Outbox"),
        dir: dir.display().to_string(),
        smtp: state.config.smtp_url.is_some(),
        messages,
        total,
    })
}

/// `GET /admin/outbox/{id}`: one message as plain text.
async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Html<String>> {
    // lettre names the files by a UUID; nothing else may reach the file system.
    if id.is_empty() || id.len() > 64 || !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    {
        return Err(Error::NotFound);
    }
    let path = super::outbox_dir(&state.config).join(format!("{id}.eml"));
    let raw = match tokio::fs::read(&path).await {
        Ok(raw) => raw,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(Error::NotFound),
        Err(e) => return Err(Error::Internal(e.into())),
    };
    let parsed = MessageParser::default().parse(&raw);
    let text = parsed
        .as_ref()
        .and_then(|m| m.body_text(0).map(|t| t.into_owned()))
        .unwrap_or_default();
    let has_html = parsed.as_ref().is_some_and(|m| m.html_body_count() > 0);
    let message = summary(id, &raw, None);
    render(&MessagePage {
        shell: shell(&user, &message.subject),
        message,
        text,
        has_html,
        source: String::from_utf8_lossy(&raw).into_owned(),
    })
}

/// The newest messages of `dir`, and how many there are in all.
fn read_all(dir: &FsPath) -> (Vec<Summary>, usize) {
    let mut files: Vec<(PathBuf, std::time::SystemTime)> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "eml"))
                .map(|p| {
                    let modified = std::fs::metadata(&p)
                        .and_then(|m| m.modified())
                        .unwrap_or(std::time::UNIX_EPOCH);
                    (p, modified)
                })
                .collect()
        })
        .unwrap_or_default();
    let total = files.len();
    files.sort_by_key(|f| std::cmp::Reverse(f.1));
    let messages = files
        .into_iter()
        .take(LIST_LIMIT)
        .filter_map(|(path, modified)| {
            let id = path.file_stem()?.to_str()?.to_owned();
            let raw = std::fs::read(&path).ok()?;
            Some(summary(id, &raw, Some(modified)))
        })
        .collect();
    (messages, total)
}

fn summary(id: String, raw: &[u8], modified: Option<std::time::SystemTime>) -> Summary {
    let parsed = MessageParser::default().parse_headers(raw);
    let address = |a: Option<&mail_parser::Address>| {
        a.map(|a| {
            a.iter()
                .filter_map(|x| x.address.as_deref())
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default()
    };
    let date = parsed
        .as_ref()
        .and_then(|m| m.date())
        .and_then(|d| chrono::DateTime::from_timestamp(d.to_timestamp(), 0))
        .or_else(|| modified.map(chrono::DateTime::<chrono::Utc>::from))
        .map(|d| d.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_default();
    Summary {
        id,
        date,
        from: address(parsed.as_ref().and_then(|m| m.from())),
        to: address(parsed.as_ref().and_then(|m| m.to())),
        subject: parsed
            .as_ref()
            .and_then(|m| m.subject())
            .unwrap_or("(no subject)")
            .to_owned(),
    }
}
