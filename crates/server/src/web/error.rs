//! The HTML error page that `html_error_pages` puts in place of a problem+json
//! response on the pages.

use super::shell::Shell;
use askama::Template;
use axum::http::StatusCode;
use axum::response::Html;

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage<'a> {
    pub shell: Shell,
    pub status: u16,
    pub heading: &'a str,
    pub message: &'a str,
    pub detail: Option<&'a str>,
}

/// The page for `status`; `detail` is the problem's detail, already safe to show.
/// Never fails: if the template cannot render, a plain page says the same.
pub fn error_page(status: StatusCode, detail: Option<&str>) -> Html<String> {
    let (heading, message) = wording(status);
    // The problem details repeat the heading for the common cases; show only news.
    let detail =
        detail.filter(|d| !d.trim().is_empty() && *d != message && !is_stock_detail(status, d));
    let page = ErrorPage {
        shell: Shell::bare(heading, None),
        status: status.as_u16(),
        heading,
        message,
        detail,
    };
    match page.render() {
        Ok(html) => Html(html),
        Err(e) => {
            tracing::error!(error = %e, "the error page did not render");
            Html(format!(
                "<!doctype html><title>{heading}</title><h1>{heading}</h1><p>{}</p><p><a href=\"/\">Go to the dashboard</a></p>",
                escape(detail.unwrap_or(message))
            ))
        }
    }
}

fn wording(status: StatusCode) -> (&'static str, &'static str) {
    match status.as_u16() {
        400 => (
            "That request was not understood",
            "Check the address or the form and try again.",
        ),
        401 => (
            "Sign in to continue",
            "This page needs you to be signed in.",
        ),
        403 => (
            "Not allowed",
            "Your role at this port does not allow this page.",
        ),
        404 => (
            "Page not found",
            "The page may have moved, or the address may be mistyped.",
        ),
        409 => (
            "That clashes with something",
            "Someone may have changed it meanwhile; reload and try again.",
        ),
        413 => ("Too large", "What was sent is larger than allowed."),
        422 => (
            "Some fields are not valid",
            "Go back, correct them and send again.",
        ),
        429 => ("Too many requests", "Wait a little, then try again."),
        503 => (
            "Briefly unavailable",
            "The service is catching its breath. Try again in a moment.",
        ),
        _ if status.is_server_error() => (
            "Something went wrong",
            "The error has been logged. Try again; if it keeps happening, tell your administrator.",
        ),
        _ => ("That did not work", "Go back and try again."),
    }
}

/// Details that `Error` gives every response of a kind; they add nothing here.
fn is_stock_detail(status: StatusCode, detail: &str) -> bool {
    matches!(
        (status.as_u16(), detail),
        (404, "There is nothing here.")
            | (
                503,
                "The service is briefly unavailable; try again shortly."
            )
    )
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_pages_fit_the_shell_and_escape_the_detail() {
        let Html(html) = error_page(StatusCode::CONFLICT, Some("<b>taken</b>"));
        assert!(html.contains("class=\"sidebar\""), "inside the layout");
        assert!(
            html.contains("&#60;b&#62;taken&#60;/b&#62;"),
            "escaped: {html}"
        );
        assert!(html.contains("href=\"/\""), "a way home");
        let Html(html) = error_page(StatusCode::NOT_FOUND, Some("There is nothing here."));
        assert!(html.contains("Page not found") && !html.contains("There is nothing here."));
        let Html(html) = error_page(StatusCode::INTERNAL_SERVER_ERROR, None);
        assert!(html.contains("Something went wrong"));
    }
}
