//! The pages: server-rendered HTML (askama, escaping by default) with htmx.
//!
//! `shell` is the layout every page shares, `assets` the embedded CSS, JS and
//! icons; each page has its own file. Pages answer errors through
//! `crate::http::Error`; the `html_error_pages` middleware turns them into
//! [`error_page`].

pub mod assets;
mod dashboard;
mod error;
pub mod form;
mod home;
pub mod shell;
pub mod tabs;

pub use error::error_page;

use crate::access::{Access, Routes};
use crate::http::Result;
use askama::Template;
use axum::response::Html;
use std::fmt;

/// Query parameters that the pages' own scripts read (`?theme=` in theme.js)
/// and the server ignores: a list's filter check must not refuse them.
pub const SCRIPT_PARAMS: &[&str] = &["theme"];

/// The pages, each with its access. Assets are served apart, without a session.
pub fn pages(routes: Routes) -> Routes {
    let routes = crate::auth::pages(routes);
    routes.get("/", Access::SignedIn, home::show).get(
        "/ports/{port}",
        Access::Member,
        dashboard::show,
    )
}

/// Renders a page; a template error is a bug, logged as an internal error.
pub fn render(page: &impl Template) -> Result<Html<String>> {
    page.render()
        .map(Html)
        .map_err(|e| anyhow::Error::new(e).context("rendering a page").into())
}

/// A count as people read it: `1,234`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Count(pub i64);

impl Count {
    pub fn is_zero(&self) -> bool {
        self.0 == 0
    }

    pub fn is_one(&self) -> bool {
        self.0 == 1
    }
}

impl fmt::Display for Count {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let digits = self.0.unsigned_abs().to_string();
        let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
        if self.0 < 0 {
            out.push('-');
        }
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push(',');
            }
            out.push(c);
        }
        f.write_str(&out)
    }
}

#[cfg(test)]
mod tests {
    use super::Count;

    #[test]
    fn counts_group_thousands() {
        let shown: Vec<String> = [0, 7, 999, 1000, 1_234_567, -4200]
            .into_iter()
            .map(|n| Count(n).to_string())
            .collect();
        assert_eq!(shown, ["0", "7", "999", "1,000", "1,234,567", "-4,200"]);
    }
}
