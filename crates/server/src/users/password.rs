//! Password hashing: argon2id with the crate's recommended parameters.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};

/// Shortest password accepted.
pub const MIN_LENGTH: usize = 10;

pub fn hash(password: &str) -> anyhow::Result<String> {
    // 16 bytes from the OS generator, as argon2's own `generate` would take.
    let bytes: [u8; 16] = rand::random();
    let salt = SaltString::encode_b64(&bytes)
        .map_err(|e| anyhow::anyhow!("cannot encode the salt: {e}"))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("cannot hash the password: {e}"))
}

/// What is wrong with a new password typed twice, by form field (`password`,
/// `password_confirm`); empty when it is fine.
pub fn check_new(password: &str, confirm: &str) -> crate::http::error::FieldErrors {
    let mut errors = crate::http::error::FieldErrors::new();
    if password.chars().count() < MIN_LENGTH {
        errors.insert(
            "password".into(),
            vec![format!("Use at least {MIN_LENGTH} characters.")],
        );
    } else if password != confirm {
        errors.insert(
            "password_confirm".into(),
            vec!["The two passwords are not the same.".into()],
        );
    }
    errors
}

/// Checks `password` against a stored PHC string; a malformed hash never matches.
pub fn verify(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_new_password_must_be_long_enough_and_typed_twice_alike() {
        assert!(super::check_new("long enough pw", "long enough pw").is_empty());
        assert!(super::check_new("short", "short").contains_key("password"));
        let e = super::check_new("long enough pw", "long enough pX");
        assert!(e.contains_key("password_confirm") && !e.contains_key("password"));
    }

    #[test]
    fn a_hash_verifies_its_password_only() {
        let h = super::hash("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(super::verify("correct horse battery", &h));
        assert!(!super::verify("wrong horse battery", &h));
        assert!(!super::verify("anything", "not a hash"));
    }
}
