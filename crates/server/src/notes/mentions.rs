//! Mentions: `@[Name](user-id)` tokens in a note's content, who of them may be
//! mentioned, and the autocomplete over the port's members.

use crate::access::PortCtx;
use crate::http::Result;
use axum::Json;
use axum::extract::Query;
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use uuid::Uuid;

/// A piece of a note's content: text, or a mention token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece<'a> {
    Text(&'a str),
    Mention { name: &'a str, id: &'a str },
}

const MAX_NAME: usize = 120;
const MAX_ID: usize = 64;

/// Splits `content` into text and `@[Name](id)` tokens. A name has no `]` or
/// newline, an id no `)` or whitespace; anything else stays text.
pub fn pieces(content: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut rest = content;
    let mut text_start = 0usize;
    let mut offset = 0usize;
    while let Some(at) = rest.find("@[") {
        let after = &rest[at + 2..];
        let token = after.find("](").and_then(|close| {
            let name = &after[..close];
            let tail = &after[close + 2..];
            let end = tail.find(')')?;
            let id = &tail[..end];
            let ok = !name.trim().is_empty()
                && name.len() <= MAX_NAME
                && !name.contains(['\n', '['])
                && !id.is_empty()
                && id.len() <= MAX_ID
                && !id.contains(char::is_whitespace);
            ok.then_some((name, id, 2 + close + 2 + end + 1))
        });
        match token {
            Some((name, id, len)) => {
                let start = offset + at;
                if start > text_start {
                    out.push(Piece::Text(&content[text_start..start]));
                }
                out.push(Piece::Mention { name, id });
                offset = start + len;
                text_start = offset;
                rest = &content[offset..];
            }
            None => {
                offset += at + 2;
                rest = &content[offset..];
            }
        }
    }
    if text_start < content.len() {
        out.push(Piece::Text(&content[text_start..]));
    }
    out
}

/// The user ids the content's tokens name, each once, in order.
pub fn named_ids(content: &str) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    for piece in pieces(content) {
        if let Piece::Mention { id, .. } = piece
            && !ids.iter().any(|i| i == id)
        {
            ids.push(id.to_owned());
        }
    }
    ids
}

/// Of `ids`, those of active members of `port_id` (a role there), in order.
pub async fn members_only(
    conn: &mut PgConnection,
    port_id: Uuid,
    ids: &[String],
) -> sqlx::Result<Vec<String>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let found = sqlx::query_scalar!(
        "SELECT u.id FROM users u
         JOIN user_profiles up ON up.user_id = u.id AND up.is_active
         WHERE u.id = ANY($1)
           AND EXISTS (SELECT 1 FROM user_port_roles r WHERE r.user_id = u.id AND r.port_id = $2)",
        ids,
        port_id
    )
    .fetch_all(conn)
    .await?;
    Ok(ids.iter().filter(|i| found.contains(i)).cloned().collect())
}

#[derive(Debug, Deserialize)]
pub struct MentionQuery {
    #[serde(default)]
    pub q: String,
}

#[derive(Debug, Serialize)]
pub struct Mentionable {
    pub id: String,
    pub name: String,
    pub email: String,
}

/// `GET /api/v1/ports/{port}/mentionable?q=`: up to 8 active members whose
/// name or e-mail starts with `q` (any word of the name), else is close to it
/// (trigram word similarity, for typos); prefix matches first.
pub async fn mentionable(
    ctx: PortCtx,
    Query(query): Query<MentionQuery>,
) -> Result<Json<Vec<Mentionable>>> {
    let q = query.q.trim();
    let like = format!("{}%", crate::db::like::escape(q));
    let word = format!("% {}%", crate::db::like::escape(q));
    let rows = sqlx::query_as!(
        Mentionable,
        r#"SELECT u.id, up.display_name AS name, u.email::text AS "email!"
           FROM users u
           JOIN user_profiles up ON up.user_id = u.id AND up.is_active
           WHERE EXISTS (SELECT 1 FROM user_port_roles r WHERE r.user_id = u.id AND r.port_id = $1)
             AND ($2 = ''
                  OR up.display_name ILIKE $3 OR up.display_name ILIKE $4 OR u.email::text ILIKE $3
                  OR word_similarity($2, up.display_name) >= 0.5)
           ORDER BY (up.display_name ILIKE $3 OR up.display_name ILIKE $4 OR u.email::text ILIKE $3) DESC,
                    word_similarity($2, up.display_name) DESC, up.display_name, u.id
           LIMIT 8"#,
        ctx.port.id,
        q,
        like,
        word
    )
    .fetch_all(ctx.state().db.pool())
    .await?;
    Ok(Json(rows))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_found_and_the_rest_stays_text() {
        let p = pieces("Ask @[Ana Silva](u-1) and @[Bo](u-2)!");
        assert_eq!(
            p,
            vec![
                Piece::Text("Ask "),
                Piece::Mention {
                    name: "Ana Silva",
                    id: "u-1"
                },
                Piece::Text(" and "),
                Piece::Mention {
                    name: "Bo",
                    id: "u-2"
                },
                Piece::Text("!"),
            ]
        );
        assert_eq!(
            pieces("mail me @ noon [x](y)"),
            vec![Piece::Text("mail me @ noon [x](y)")]
        );
        assert_eq!(
            pieces("@[](x) @[A](b c)"),
            vec![Piece::Text("@[](x) @[A](b c)")]
        );
        assert_eq!(named_ids("@[A](1) @[A again](1) @[B](2)"), vec!["1", "2"]);
        assert_eq!(
            pieces("é @[Zoë](z)"),
            vec![
                Piece::Text("é "),
                Piece::Mention {
                    name: "Zoë",
                    id: "z"
                }
            ]
        );
    }
}
