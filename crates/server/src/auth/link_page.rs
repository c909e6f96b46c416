//! The page for a link that no longer works (an invitation or a reset link
//! that is unknown, used, withdrawn or expired): it says which, in plain
//! words, and offers the way forward.

use crate::http::Result;
use crate::web::render;
use crate::web::shell::Shell;
use askama::Template;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// A way forward from the page: a link, the first one primary.
pub struct Way {
    pub href: String,
    pub label: String,
    pub primary: bool,
}

impl Way {
    pub fn primary(href: &str, label: &str) -> Way {
        Way {
            href: href.to_owned(),
            label: label.to_owned(),
            primary: true,
        }
    }

    pub fn other(href: &str, label: &str) -> Way {
        Way {
            primary: false,
            ..Way::primary(href, label)
        }
    }
}

#[derive(Template)]
#[template(path = "auth/link_problem.html")]
pub struct LinkProblem {
    pub shell: Shell,
    /// `unknown`, `used`, `revoked` or `expired`: for tests and styling.
    pub kind: &'static str,
    pub heading: String,
    pub message: String,
    pub detail: Option<String>,
    pub ways: Vec<Way>,
}

impl LinkProblem {
    pub fn new(kind: &'static str, heading: &str, message: String) -> LinkProblem {
        LinkProblem {
            shell: Shell::bare(heading, None),
            kind,
            heading: heading.to_owned(),
            message,
            detail: None,
            ways: Vec::new(),
        }
    }

    pub fn detail(mut self, detail: String) -> LinkProblem {
        self.detail = Some(detail);
        self
    }

    pub fn way(mut self, way: Way) -> LinkProblem {
        self.ways.push(way);
        self
    }

    /// 404 for a link that never existed, 410 for one that did and is gone.
    pub fn respond(self) -> Result<Response> {
        let status = if self.kind == "unknown" {
            StatusCode::NOT_FOUND
        } else {
            StatusCode::GONE
        };
        Ok((status, render(&self)?).into_response())
    }
}
