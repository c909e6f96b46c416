//! A notification by e-mail, for users who keep e-mail on for its kind.
//!
//! Queued by [`super::notify`] in the change's transaction; composed when the
//! job runs, because only then is the configuration at hand that turns the
//! notification's path into a link the reader can follow (`NIMARA_PUBLIC_URL`).
//! Delivered through the one mail transport.

use super::Kind;
use crate::config::Config;
use crate::jobs::{Job, JobContext};
use crate::mail::{self, Message};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NotificationMail {
    pub to: String,
    pub port_name: String,
    pub kind: Kind,
    pub title: String,
    pub description: Option<String>,
    pub link: Option<String>,
}

impl Job for NotificationMail {
    const NAME: &'static str = "notifications.email";

    async fn run(self, ctx: JobContext) -> anyhow::Result<()> {
        mail::send(&ctx.state.config, &self.message(&ctx.state.config)).await
    }
}

impl NotificationMail {
    pub fn message(&self, config: &Config) -> Message {
        let mut text = format!("{}\n", self.title);
        if let Some(description) = self.description.as_deref().filter(|d| !d.is_empty()) {
            text.push_str(&format!("\n{description}\n"));
        }
        if let Some(link) = &self.link {
            text.push_str(&format!("\nOpen it: {}\n", absolute(config, link)));
        }
        text.push_str(&format!(
            "\n-- \nNimara CRM · {port}\nYou get this e-mail because e-mail is on for “{kind}” notifications at {port}. \
             Your notification preferences turn it off.\n",
            port = self.port_name,
            kind = self.kind.label(),
        ));
        Message {
            to: self.to.clone(),
            subject: format!("[{}] {}", self.port_name, self.title),
            text,
            html: None,
        }
    }
}

/// `link` as a URL a mail reader can open: our paths are joined to the public
/// URL when one is configured; without one the path is all there is.
fn absolute(config: &Config, link: &str) -> String {
    match &config.public_url {
        Some(base) if link.starts_with('/') => format!("{}{link}", base.trim_end_matches('/')),
        _ => link.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_joined_to_the_public_url() {
        let mut config = Config::for_tests("postgres://localhost/x".into());
        let mail = NotificationMail {
            to: "ana@example.test".into(),
            port_name: "Port Nimara".into(),
            kind: Kind::InvoiceOverdue,
            title: "INV-202501-004 is overdue".into(),
            description: Some("Due 3 days ago.".into()),
            link: Some("/ports/nimara/invoices/1".into()),
        };
        let plain = mail.message(&config);
        assert_eq!(plain.subject, "[Port Nimara] INV-202501-004 is overdue");
        assert!(plain.text.contains("Open it: /ports/nimara/invoices/1\n"));
        assert!(
            plain
                .text
                .contains("“Invoice overdue” notifications at Port Nimara")
        );
        config.public_url = Some("https://crm.example.com/".into());
        let linked = mail.message(&config);
        assert!(
            linked
                .text
                .contains("Open it: https://crm.example.com/ports/nimara/invoices/1\n")
        );
    }
}
