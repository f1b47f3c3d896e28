//! Accounts of the handler service: a name (its namespace, `~NAME/`),
//! whether it may act on every namespace, and the SHA-256 of its token
//! (the token itself is shown once, when the account is made).

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// One account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    /// Its name, which is its namespace.
    pub name: String,
    /// Whether it may act on every namespace.
    pub admin: bool,
    /// SHA-256 of its token, in hex.
    pub token_sha256: String,
    /// When it was made (RFC 3339).
    pub created: String,
}

/// The token prefix, so a token is recognisable where it leaks.
const PREFIX: &str = "gdt_";

/// Whether `name` may name an account or a handler: 1 to 32 lower-case
/// letters, digits, `-` and `_`, starting with a letter or digit.
pub fn valid_name(name: &str) -> bool {
    (1..=32).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
        && name.as_bytes()[0].is_ascii_alphanumeric()
}

/// A new random token for account `name`: `gdt_NAME_` and 64 hex digits.
pub fn new_token(name: &str) -> anyhow::Result<String> {
    let mut secret = [0u8; 32];
    getrandom::fill(&mut secret).map_err(|e| anyhow::anyhow!("no randomness for a token: {e}"))?;
    Ok(format!("{PREFIX}{name}_{}", hex::encode(secret)))
}

/// The SHA-256 of a token, in hex.
pub fn hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The account a token says it belongs to (checked against its hash).
pub fn name_in(token: &str) -> Option<&str> {
    let rest = token.strip_prefix(PREFIX)?;
    let (name, secret) = rest.rsplit_once('_')?;
    (secret.len() == 64 && valid_name(name)).then_some(name)
}

/// Whether `token` is the one whose hash `account` keeps.
pub fn matches(account: &Account, token: &str) -> bool {
    let given = hash(token);
    // Compared whole, in constant time over the hex digits.
    given.len() == account.token_sha256.len()
        && given
            .bytes()
            .zip(account.token_sha256.bytes())
            .fold(0u8, |d, (a, b)| d | (a ^ b))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_name_their_account_and_are_kept_hashed() {
        let token = new_token("ann").unwrap();
        assert_eq!(name_in(&token), Some("ann"));
        let account = Account {
            name: "ann".into(),
            admin: false,
            token_sha256: hash(&token),
            created: String::new(),
        };
        assert!(matches(&account, &token));
        assert!(!matches(&account, &new_token("ann").unwrap()));
        assert!(!account.token_sha256.contains(&token[10..20]));
        assert_eq!(name_in("gdt_ann_short"), None);
        assert_eq!(name_in("bearer"), None);
    }

    #[test]
    fn names_are_short_and_plain() {
        assert!(valid_name("ann") && valid_name("class-2b") && valid_name("a_1"));
        for bad in ["", "Ann", "-x", "a/b", "a.b", "~a", &"x".repeat(33)] {
            assert!(!valid_name(bad), "{bad}");
        }
    }
}
