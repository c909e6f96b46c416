//! The invitation message.

use askama::Template;

#[derive(Template)]
#[template(path = "mail/invitation.txt")]
struct Text<'a> {
    inviter: &'a str,
    port: &'a str,
    role: &'a str,
    link: &'a str,
    expires: &'a str,
}

#[derive(Template)]
#[template(path = "mail/invitation.html")]
struct Html<'a> {
    inviter: &'a str,
    port: &'a str,
    role: &'a str,
    link: &'a str,
    expires: &'a str,
}

pub struct Invitation<'a> {
    pub to: &'a str,
    pub inviter: &'a str,
    pub port: &'a str,
    pub role: &'a str,
    pub link: &'a str,
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

impl Invitation<'_> {
    pub fn message(&self) -> anyhow::Result<crate::mail::Message> {
        let expires = crate::mail::when(self.expires_at);
        let role = role_label(self.role);
        let (inviter, port, link) = (self.inviter, self.port, self.link);
        crate::mail::compose(
            self.to,
            &format!("{inviter} invited you to {port} on Nimara CRM"),
            &Text {
                inviter,
                port,
                role: &role,
                link,
                expires: &expires,
            },
            &Html {
                inviter,
                port,
                role: &role,
                link,
                expires: &expires,
            },
        )
    }
}

/// `sales_agent` as people read it: `sales agent`.
pub fn role_label(name: &str) -> String {
    name.replace('_', " ")
}
