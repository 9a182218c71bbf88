//! System messages (API.md §6.5, #25; §7 publishing): 0 活动消息 or 1 公告消息, for everyone.

use cashloan_proto::message::v1 as pb;

use crate::error::MessageError;
use crate::store::MessageRow;
use crate::MessageCore;

/// `[title, content, type, event url]` of a message that may be published.
pub fn parse(m: pb::SystemMessage) -> Result<[String; 4], MessageError> {
    let message_type = match m.message_type.trim_start_matches('0') {
        "" if !m.message_type.is_empty() => "0",
        "1" => "1",
        _ => return Err(MessageError::InvalidField("messageType")),
    };
    if !(1..=100).contains(&m.title.chars().count()) {
        return Err(MessageError::InvalidField("messageTitle"));
    }
    if !(1..=2000).contains(&m.content.chars().count()) {
        return Err(MessageError::InvalidField("messageContent"));
    }
    if m.event_url.chars().count() > 500 {
        return Err(MessageError::InvalidField("eventUrl"));
    }
    Ok([m.title, m.content, message_type.to_owned(), m.event_url])
}

impl MessageCore {
    pub async fn publish_system_message(&self, message: pb::SystemMessage) -> Result<(), MessageError> {
        let message = parse(message)?;
        self.store
            .insert_system_message(message, self.clock.now_ms())
            .await
    }

    pub async fn system_messages(&self, page: (i64, i64)) -> Result<(Vec<MessageRow>, i64), MessageError> {
        self.store.system_messages(page.0, page.1).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(kind: &str) -> pb::SystemMessage {
        pb::SystemMessage {
            title: "公告".into(),
            content: "系统维护".into(),
            message_type: kind.into(),
            event_url: String::new(),
        }
    }

    #[test]
    fn types_are_zero_or_one_with_a_leading_zero_allowed() {
        assert_eq!(parse(message("0")).unwrap()[2], "0");
        assert_eq!(parse(message("01")).unwrap()[2], "1");
        assert!(parse(message("2")).is_err());
        assert!(parse(message("")).is_err());
    }
}
