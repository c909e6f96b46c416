//! What a port (a tenant marina) must look like before it is stored.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PortFieldError {
    #[error(
        "must be 2 to 63 characters of lower-case letters, digits and single dashes, starting with a letter"
    )]
    Slug,
    #[error("must be a three-letter ISO 4217 code such as USD or EUR")]
    Currency,
    #[error("must not be empty")]
    Empty,
}

/// A URL-safe port identifier, e.g. `port-nimara`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slug(String);

impl Slug {
    pub fn parse(raw: &str) -> Result<Slug, PortFieldError> {
        let s = raw.trim();
        let ok_chars = s
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        let ok_shape = s.len() >= 2
            && s.len() <= 63
            && s.as_bytes()[0].is_ascii_lowercase()
            && !s.ends_with('-')
            && !s.contains("--");
        if ok_chars && ok_shape {
            Ok(Slug(s.to_owned()))
        } else {
            Err(PortFieldError::Slug)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An ISO 4217 currency code, upper-cased.
pub fn parse_currency(raw: &str) -> Result<String, PortFieldError> {
    let s = raw.trim().to_ascii_uppercase();
    if s.len() == 3 && s.bytes().all(|b| b.is_ascii_uppercase()) {
        Ok(s)
    } else {
        Err(PortFieldError::Currency)
    }
}

/// A display name: trimmed, not empty.
pub fn parse_name(raw: &str) -> Result<String, PortFieldError> {
    let s = raw.trim();
    if s.is_empty() {
        Err(PortFieldError::Empty)
    } else {
        Ok(s.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert_eq!(
            Slug::parse(" port-nimara ").unwrap().as_str(),
            "port-nimara"
        );
        for bad in [
            "", "a", "Port", "port--x", "-port", "port-", "9port", "port_x", "pört",
        ] {
            assert!(Slug::parse(bad).is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn currencies() {
        assert_eq!(parse_currency("usd").unwrap(), "USD");
        assert!(parse_currency("US").is_err());
        assert!(parse_currency("U$D").is_err());
    }
}
