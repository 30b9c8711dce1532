//! What Zoom's answers mean: the error body's `code` and `message`, the documented meaning
//! of each code, and whether a 429 is the daily limit.

/// Zoom's `code` and `message` of an error body, or the start of a body that is not one.
pub(crate) fn parse_error_body(body: &[u8]) -> (Option<i64>, String) {
    #[derive(serde::Deserialize)]
    struct ZoomError {
        code: Option<i64>,
        message: Option<String>,
    }
    match serde_json::from_slice::<ZoomError>(body) {
        Ok(e) => (e.code, e.message.unwrap_or_default()),
        Err(_) => {
            let text = String::from_utf8_lossy(&body[..body.len().min(200)]);
            (None, text.trim().to_owned())
        }
    }
}

/// Zoom's `code` in an error body, if it has one.
pub(crate) fn error_code(body: &[u8]) -> Option<i64> {
    parse_error_body(body).0
}

/// What a status and code mean, per the Dashboard API's documentation. Code 300 is Zoom's
/// "invalid request" of several causes, so its message decides: only one about the page
/// token is explained as an expired token.
pub(crate) fn meaning(status: u16, code: Option<i64>, message: &str) -> &'static str {
    match (status, code) {
        (_, Some(124)) => "invalid or expired access token",
        (_, Some(200)) => "the account needs a paid plan with the Dashboard feature",
        (_, Some(300)) if message.to_ascii_lowercase().contains("token") => {
            "next_page_token invalid or expired (tokens last 15 minutes)"
        }
        (_, Some(300)) => "the request was refused as invalid",
        (_, Some(3001)) => "meeting not found, or not ended yet",
        (_, Some(4700 | 4711)) => "the token lacks the dashboard scopes",
        (429, _) => "rate limit reached (the Dashboard API is rated Heavy)",
        (500..=599, _) => "Zoom's server failed",
        _ => "error answer",
    }
}

/// Whether a 429 says the daily limit is reached: the header `X-RateLimit-Type:
/// Daily-limit`, or a message containing "daily rate limit" (Zoom's rate-limit docs).
pub(crate) fn is_daily_limit(rate_limit_type: Option<&str>, body: &[u8]) -> bool {
    rate_limit_type.is_some_and(|t| t.trim().eq_ignore_ascii_case("daily-limit"))
        || parse_error_body(body)
            .1
            .to_ascii_lowercase()
            .contains("daily rate limit")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_300_is_an_expired_token_only_when_the_message_says_so() {
        let expired = meaning(400, Some(300), "The next page token is invalid or expired.");
        assert!(expired.contains("next_page_token"), "{expired}");
        for message in [
            "from and to are required",
            "Can not access webinar info.",
            "",
        ] {
            let other = meaning(400, Some(300), message);
            assert!(!other.contains("token"), "{message}: {other}");
        }
    }

    #[test]
    fn the_daily_limit_is_told_by_header_or_message() {
        assert!(is_daily_limit(Some("Daily-limit"), b""));
        assert!(is_daily_limit(
            None,
            br#"{"code":429,"message":"You have reached the maximum daily rate limit for this API."}"#
        ));
        assert!(!is_daily_limit(Some("Per-second-limit"), b"{}"));
        assert!(!is_daily_limit(
            None,
            br#"{"code":429,"message":"Too many requests"}"#
        ));
    }
}
