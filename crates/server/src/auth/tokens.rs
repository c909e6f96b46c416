//! Secret tokens: sessions, API tokens, invitations and resets.
//!
//! A token is 32 bytes from the OS generator (256 bits), shown once as
//! URL-safe base64; only its SHA-256 is stored, so a database leak reveals no
//! usable token. Looking a token up by its hash needs no secret comparison.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

/// A fresh token and the hash to store.
pub fn generate() -> (String, Vec<u8>) {
    let bytes: [u8; 32] = rand::random();
    let token = URL_SAFE_NO_PAD.encode(bytes);
    let hash = hash(&token);
    (token, hash)
}

/// The stored form of `token`.
pub fn hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// A short random string for CSRF form tokens.
pub fn csrf() -> String {
    let bytes: [u8; 24] = rand::random();
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Compares two secrets in constant time.
pub fn same(a: &str, b: &str) -> bool {
    use subtle::ConstantTimeEq;
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn tokens_are_long_unique_and_hash_stably() {
        let (a, ha) = super::generate();
        let (b, _) = super::generate();
        assert_eq!(a.len(), 43);
        assert_ne!(a, b);
        assert_eq!(super::hash(&a), ha);
        assert!(super::same(&a, &a.clone()) && !super::same(&a, &b));
    }
}
