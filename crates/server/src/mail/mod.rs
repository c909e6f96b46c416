//! Outgoing mail: one transport for the whole product.
//!
//! Mail is queued as a `mail.send` job inside the transaction of the change that
//! sends it, so it leaves exactly when that change commits, and a failed send is
//! retried with backoff instead of lost. The job delivers over SMTP when
//! `NIMARA_SMTP_URL` is set; otherwise it writes an `.eml` file to the outbox
//! folder (`$NIMARA_DATA_DIR/outbox`), where the operator can read it. Nothing
//! is ever dropped silently.

use crate::config::Config;
use crate::jobs::{Job, JobContext, NewJob, enqueue};
use anyhow::Context;
use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use std::path::PathBuf;

pub mod outbox;

/// One e-mail to one recipient.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Message {
    pub to: String,
    pub subject: String,
    /// The plain-text body; always present, it is what every client can show.
    pub text: String,
    /// An HTML alternative, already escaped or sanitised by the caller.
    pub html: Option<String>,
}

/// Queues `message` in the caller's transaction.
pub async fn queue(conn: &mut PgConnection, message: Message) -> Result<(), sqlx::Error> {
    enqueue(conn, NewJob::of(&SendMail(message)).max_attempts(8)).await?;
    Ok(())
}

/// The job that delivers one queued message.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct SendMail(pub Message);

impl Job for SendMail {
    const NAME: &'static str = "mail.send";

    async fn run(self, ctx: JobContext) -> anyhow::Result<()> {
        send(&ctx.state.config, &self.0).await
    }
}

/// Where mail goes when no SMTP server is configured.
pub fn outbox_dir(config: &Config) -> PathBuf {
    config.data_dir.join("outbox")
}

/// Delivers `message` now, through the configured transport.
pub async fn send(config: &Config, message: &Message) -> anyhow::Result<()> {
    let from: Mailbox = config
        .mail_from
        .parse()
        .context("NIMARA_MAIL_FROM is not a mailbox")?;
    let to: Mailbox = message
        .to
        .parse()
        .with_context(|| format!("`{}` is not an e-mail address", message.to))?;
    let builder = lettre::Message::builder()
        .from(from)
        .to(to)
        .subject(&message.subject);
    let email = match &message.html {
        Some(html) => builder.multipart(MultiPart::alternative_plain_html(
            message.text.clone(),
            html.clone(),
        ))?,
        None => builder.body(message.text.clone())?,
    };
    match &config.smtp_url {
        Some(url) => {
            let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url.expose_secret())
                .context("NIMARA_SMTP_URL is not a valid SMTP URL")?
                .build();
            transport
                .send(email)
                .await
                .context("the SMTP server refused the message")?;
        }
        None => {
            let dir = outbox_dir(config);
            tokio::fs::create_dir_all(&dir)
                .await
                .with_context(|| format!("cannot create {}", dir.display()))?;
            AsyncFileTransport::<Tokio1Executor>::new(&dir)
                .send(email)
                .await
                .context("cannot write the message to the outbox")?;
        }
    }
    Ok(())
}

/// An absolute link to `path` for an e-mail: under `NIMARA_PUBLIC_URL` when it
/// is set, else under the `Host` the request came to (over plain http). Set
/// `NIMARA_PUBLIC_URL` in production: without it, a request with a forged
/// `Host` header would get mail linking elsewhere.
pub fn link(config: &Config, headers: &axum::http::HeaderMap, path: &str) -> String {
    if let Some(base) = &config.public_url {
        return format!("{}{path}", base.trim_end_matches('/'));
    }
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        // A host name, an IPv4 or bracketed IPv6 address, and a port: nothing else
        // may reach a link in a message.
        .filter(|h| {
            !h.is_empty()
                && h.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
        })
        .map(str::to_owned)
        .unwrap_or_else(|| config.http_addr.to_string());
    format!("http://{host}{path}")
}

/// A message from two templates: the plain text (not escaped) and the HTML
/// alternative (an `.html` template, so askama escapes every value).
pub fn compose(
    to: &str,
    subject: &str,
    text: &impl askama::Template,
    html: &impl askama::Template,
) -> anyhow::Result<Message> {
    Ok(Message {
        to: to.to_owned(),
        // A name in a subject must not break the header onto a new line.
        subject: subject.chars().filter(|c| !c.is_control()).collect(),
        text: text.render().context("rendering a mail's text")?,
        html: Some(html.render().context("rendering a mail's HTML")?),
    })
}

/// A moment as mail states it, in UTC (the reader's time zone is unknown).
pub fn when(at: chrono::DateTime<chrono::Utc>) -> String {
    at.format("%-d %B %Y, %H:%M UTC").to_string()
}
