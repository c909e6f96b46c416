//! LIKE patterns built from what a person typed: their `%`, `_` and `\` are
//! matched literally (PostgreSQL's default escape character is `\`).

/// `term` as a literal inside a LIKE pattern.
pub fn escape(term: &str) -> String {
    let mut out = String::with_capacity(term.len());
    for c in term.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// `%term%`: anything containing `term`.
pub fn contains(term: &str) -> String {
    format!("%{}%", escape(term))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_are_taken_literally() {
        assert_eq!(escape("a_b%c\\"), "a\\_b\\%c\\\\");
        assert_eq!(contains("a_b%c\\"), "%a\\_b\\%c\\\\%");
    }
}
