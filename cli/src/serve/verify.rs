//! Zoom's webhook security: the signature every event carries, and the answer to the
//! endpoint's URL validation. Pure functions over bytes; the HTTP side is in `http`.
//!
//! - `x-zm-signature: v0=HEX`, HEX = HMAC-SHA256(secret token, `v0:` + the
//!   `x-zm-request-timestamp` header + `:` + the raw body). Checked over the bytes as
//!   received (re-encoding a body changes non-ASCII names and breaks the signature), in
//!   constant time, with the timestamp within [`MAX_SKEW_S`] of the clock.
//! - `endpoint.url_validation`: answered with `{"plainToken": T, "encryptedToken":
//!   hex(HMAC-SHA256(secret token, T))}`.

use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// How far an event's timestamp may be from the clock, either way: 5 minutes, after which a
/// captured event can no longer be replayed.
pub const MAX_SKEW_S: i64 = 300;

/// The app's secret token. Its `Debug` never shows it.
#[derive(Clone)]
pub struct Secret(Vec<u8>);

impl Secret {
    /// The token as Zoom's app page shows it (surrounding whitespace, as a file or a
    /// variable may end with a line feed, is not part of it).
    ///
    /// # Errors
    /// An empty token: every signature would be forgeable by anyone who guesses that.
    pub fn new(token: &str) -> Result<Secret, String> {
        let token = token.trim();
        if token.is_empty() {
            return Err("the secret token is empty".to_owned());
        }
        Ok(Secret(token.as_bytes().to_vec()))
    }

    fn mac(&self) -> HmacSha256 {
        // HMAC takes keys of any length; the error is for fixed-size MACs only.
        HmacSha256::new_from_slice(&self.0).unwrap_or_else(|_| unreachable!())
    }
}

impl core::fmt::Debug for Secret {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Secret(..)")
    }
}

/// Why an event was refused (401, or 400 for what cannot be an event at all).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// No `x-zm-signature` or `x-zm-request-timestamp` header.
    Unsigned,
    /// A timestamp that is not whole seconds.
    BadTimestamp,
    /// A timestamp further than [`MAX_SKEW_S`] from the clock.
    Stale,
    /// A signature that is not `v0=` and 64 hex digits, or does not match.
    Forged,
}

impl Refusal {
    /// In words, for the answer's body and the log.
    pub fn reason(self) -> &'static str {
        match self {
            Refusal::Unsigned => "no x-zm-signature or x-zm-request-timestamp header",
            Refusal::BadTimestamp => "x-zm-request-timestamp is not whole seconds",
            Refusal::Stale => "x-zm-request-timestamp is more than 5 minutes from now",
            Refusal::Forged => "the signature does not match the body",
        }
    }
}

/// Checks an event's signature over its raw `body`, with the clock at `now_s`.
///
/// # Errors
/// Why it is refused.
pub fn check(
    secret: &Secret,
    timestamp: Option<&[u8]>,
    signature: Option<&[u8]>,
    body: &[u8],
    now_s: i64,
) -> Result<(), Refusal> {
    let (Some(timestamp), Some(signature)) = (timestamp, signature) else {
        return Err(Refusal::Unsigned);
    };
    let seconds = core::str::from_utf8(timestamp)
        .ok()
        .filter(|t| !t.is_empty() && t.len() <= 12 && t.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|t| t.parse::<i64>().ok())
        .ok_or(Refusal::BadTimestamp)?;
    if (seconds - now_s).abs() > MAX_SKEW_S {
        return Err(Refusal::Stale);
    }
    let expected = signature
        .strip_prefix(b"v0=")
        .and_then(unhex)
        .ok_or(Refusal::Forged)?;
    let mut mac = secret.mac();
    mac.update(b"v0:");
    mac.update(timestamp);
    mac.update(b":");
    mac.update(body);
    mac.verify_slice(&expected).map_err(|_| Refusal::Forged)
}

/// The `x-zm-signature` value of `body` at `timestamp`: what Zoom sends, and what tests
/// and the load generator sign with.
pub fn sign(secret: &Secret, timestamp: &str, body: &[u8]) -> String {
    let mut mac = secret.mac();
    mac.update(b"v0:");
    mac.update(timestamp.as_bytes());
    mac.update(b":");
    mac.update(body);
    format!("v0={}", hex(&mac.finalize().into_bytes()))
}

/// The `encryptedToken` answering a URL validation of `plain_token`.
pub fn encrypted_token(secret: &Secret, plain_token: &str) -> String {
    let mut mac = secret.mac();
    mac.update(plain_token.as_bytes());
    hex(&mac.finalize().into_bytes())
}

/// Lower-case hex, as Zoom writes its digests.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    out
}

/// A SHA-256 digest written in hex (either case), else `None`.
fn unhex(text: &[u8]) -> Option<[u8; 32]> {
    if text.len() != 64 {
        return None;
    }
    let digit = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    };
    let mut out = [0u8; 32];
    for (i, pair) in text.chunks_exact(2).enumerate() {
        out[i] = (digit(pair[0])? << 4) | digit(pair[1])?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reference: Python's `hmac.new(b"s3cret", b"abc", hashlib.sha256).hexdigest()`.
    #[test]
    fn url_validation_matches_a_worked_example() {
        let secret = Secret::new("s3cret\n").expect("a token");
        assert_eq!(
            encrypted_token(&secret, "abc"),
            "4f2f30aaf4a57bd60ab473c8e9c2cdfefc186723d4727ed6f31f04353c91389a"
        );
    }

    /// Reference: RFC 4231's test case 2 (key "Jefe"), an HMAC-SHA256 computed by
    /// the RFC's authors, not by this code.
    #[test]
    fn hmac_matches_rfc_4231() {
        let secret = Secret::new("Jefe").expect("a token");
        assert_eq!(
            encrypted_token(&secret, "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn signatures_are_checked_over_the_raw_bytes_and_the_time() {
        let secret = Secret::new("s3cret").expect("a token");
        let body = "{\"event\":\"meeting.participant_qos\",\"user_name\":\"Zoë 山田\"}".as_bytes();
        let signature = sign(&secret, "1700000000", body);
        // Reference: Python's hmac over the same bytes (UTF-8 as sent), not this code.
        assert_eq!(
            signature,
            "v0=71c9b5660103ae9fc122e69da208d6f2ca493dfa75a0607cc4bc4493bb468fa4"
        );
        let check_at = |ts: &str, sig: &str, body: &[u8], now: i64| {
            check(
                &secret,
                Some(ts.as_bytes()),
                Some(sig.as_bytes()),
                body,
                now,
            )
        };
        assert_eq!(
            check_at("1700000000", &signature, body, 1_700_000_100),
            Ok(())
        );
        assert_eq!(
            check_at(
                "1700000000",
                &signature.to_uppercase().replace("V0=", "v0="),
                body,
                1_700_000_000
            ),
            Ok(())
        );
        // One byte of the body, the timestamp, the secret: each breaks it.
        let mut changed = body.to_vec();
        changed[10] ^= 1;
        assert_eq!(
            check_at("1700000000", &signature, &changed, 1_700_000_000),
            Err(Refusal::Forged)
        );
        assert_eq!(
            check_at("1700000001", &signature, body, 1_700_000_000),
            Err(Refusal::Forged)
        );
        let other = sign(&Secret::new("other").expect("a token"), "1700000000", body);
        assert_eq!(
            check_at("1700000000", &other, body, 1_700_000_000),
            Err(Refusal::Forged)
        );
        assert_eq!(
            check_at("1700000000", &signature, body, 1_700_000_301),
            Err(Refusal::Stale)
        );
        assert_eq!(
            check_at("1700000000", &signature, body, 1_699_999_699),
            Err(Refusal::Stale)
        );
        assert_eq!(
            check_at("17e8", &signature, body, 1_700_000_000),
            Err(Refusal::BadTimestamp)
        );
        assert_eq!(
            check_at("1700000000", "v0=abc", body, 1_700_000_000),
            Err(Refusal::Forged)
        );
        assert_eq!(
            check(&secret, None, Some(b"v0="), body, 0),
            Err(Refusal::Unsigned)
        );
        assert!(Secret::new(" \n").is_err());
        assert_eq!(format!("{secret:?}"), "Secret(..)");
    }
}
