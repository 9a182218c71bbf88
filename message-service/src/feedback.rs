//! Feedback (API.md §6.1, #16): a suggestion of 1–500 characters from a registered mobile.

use crate::error::MessageError;
use crate::MessageCore;

/// The suggestion and its source, as they may be stored.
pub struct Feedback<'a> {
    pub suggestion: &'a str,
    pub source: &'a str,
}

impl<'a> Feedback<'a> {
    pub fn parse(suggestion: &'a str, source: &'a str) -> Result<Self, MessageError> {
        let length = suggestion.trim().chars().count();
        if length == 0 || suggestion.chars().count() > 500 {
            return Err(MessageError::SuggestionInvalid);
        }
        if source.chars().count() > 100 {
            return Err(MessageError::InvalidField("source"));
        }
        Ok(Self { suggestion, source })
    }
}

impl MessageCore {
    pub async fn submit_feedback(
        &self,
        user_id: &str,
        mobile: &str,
        feedback: Feedback<'_>,
    ) -> Result<(), MessageError> {
        self.store
            .insert_feedback(user_id, mobile, feedback.suggestion, feedback.source)
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_are_one_to_five_hundred_characters() {
        assert!(Feedback::parse("还款提醒能早一天吗?", "1").is_ok());
        assert!(Feedback::parse(&"意".repeat(500), "1").is_ok());
        for bad in [String::new(), "   ".to_string(), "意".repeat(501)] {
            assert!(
                matches!(Feedback::parse(&bad, "1"), Err(MessageError::SuggestionInvalid)),
                "{bad:?}"
            );
        }
        assert!(Feedback::parse("ok", &"s".repeat(101)).is_err());
    }
}
