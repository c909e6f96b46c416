//! The embedded static assets (see `build.rs`), served from `/assets/{file}`.
//!
//! Fingerprinted names (`app.3f2a9c1b.css`) never change content, so browsers
//! keep them for a year without asking again. The plain name (`app.css`) is also
//! served, revalidated on every use, for anything that cannot know the hash.

use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

pub struct Asset {
    /// The stable name, such as `app.css`.
    pub name: &'static str,
    /// The fingerprinted file name, such as `app.3f2a9c1b.css`.
    pub file: &'static str,
    pub content_type: &'static str,
    /// A quoted strong validator derived from the content.
    pub etag: &'static str,
    pub body: &'static [u8],
}

include!(concat!(env!("OUT_DIR"), "/assets.rs"));

const IMMUTABLE: &str = "public, max-age=31536000, immutable";
const REVALIDATE: &str = "public, no-cache";

/// The asset a request names, and whether the name carries its fingerprint.
pub fn lookup(file: &str) -> Option<(&'static Asset, bool)> {
    ASSETS.iter().find_map(|a| {
        if a.file == file {
            Some((a, true))
        } else if a.name == file {
            Some((a, false))
        } else {
            None
        }
    })
}

/// `GET /assets/{file}`. Unknown names answer 404 as an error, so a page that
/// points at a stale asset is visible in the logs.
pub async fn serve(Path(file): Path<String>, headers: HeaderMap) -> crate::http::Result<Response> {
    let (asset, fingerprinted) = lookup(&file).ok_or(crate::http::Error::NotFound)?;
    let cache = if fingerprinted { IMMUTABLE } else { REVALIDATE };
    let not_modified = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .any(|tag| tag.trim().trim_start_matches("W/") == asset.etag)
        });
    let common = [
        (header::CACHE_CONTROL, HeaderValue::from_static(cache)),
        (header::ETAG, HeaderValue::from_static(asset.etag)),
        (
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ),
    ];
    if not_modified {
        return Ok((StatusCode::NOT_MODIFIED, common).into_response());
    }
    Ok((
        common,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static(asset.content_type),
        )],
        asset.body,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_asset_is_found_by_both_names_and_urls_point_at_them() {
        for asset in ASSETS {
            assert!(matches!(lookup(asset.file), Some((a, true)) if a.name == asset.name));
            assert!(matches!(lookup(asset.name), Some((a, false)) if a.file == asset.file));
            assert!(asset.etag.starts_with('"') && asset.etag.ends_with('"'));
        }
        for url in [
            url::APP_CSS,
            url::APP_JS,
            url::THEME_JS,
            url::HTMX_JS,
            url::ICONS_SVG,
            url::FAVICON_SVG,
        ] {
            let file = url.strip_prefix("/assets/").unwrap();
            assert!(matches!(lookup(file), Some((_, true))), "{url}");
        }
        assert!(lookup("nothing.css").is_none());
    }
}

#[cfg(test)]
mod stylesheet_tests {
    /// Sections of the one stylesheet are appended by each area; an unclosed
    /// rule in one swallows every rule after it, which no compiler notices.
    #[test]
    fn every_rule_of_the_stylesheet_is_closed() {
        let css = include_str!("../../assets/app.css");
        let mut depth = 0i32;
        let mut in_comment = false;
        let bytes = css.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            match (in_comment, bytes[i], bytes.get(i + 1)) {
                (false, b'/', Some(b'*')) => {
                    in_comment = true;
                    i += 1;
                }
                (true, b'*', Some(b'/')) => {
                    in_comment = false;
                    i += 1;
                }
                (false, b'{', _) => depth += 1,
                (false, b'}', _) => {
                    depth -= 1;
                    assert!(depth >= 0, "a `}}` without its `{{` before byte {i}");
                }
                _ => {}
            }
            i += 1;
        }
        assert_eq!(depth, 0, "unclosed rules at the end of app.css");
        assert!(!in_comment, "an unclosed comment in app.css");
    }
}
