//! The tonic service: proto in, domain rules, proto out.

use std::sync::Arc;

use cashloan_proto::message::v1 as pb;
use cashloan_runtime::db::DbPool;
use tonic::{Request, Response, Status};
use tracing::Instrument;

use crate::app_version::{must_update, parse_app_type, Publication, Version};
use crate::error::MessageError;
use crate::sms::{verification_sms, CodePurpose, SmsProvider};
use crate::store;

pub struct MessageApi {
    pub pool: DbPool,
    pub sms: Arc<dyn SmsProvider>,
}

type Reply<T> = Result<Response<T>, Status>;

#[tonic::async_trait]
impl pb::message_server::Message for MessageApi {
    async fn send_verification_code(
        &self,
        request: Request<pb::SendVerificationCodeRequest>,
    ) -> Reply<pb::Empty> {
        let req = request.into_inner();
        let purpose = match pb::CodePurpose::try_from(req.purpose) {
            Ok(pb::CodePurpose::Register) => CodePurpose::Register,
            Ok(pb::CodePurpose::ResetPassword) => CodePurpose::ResetPassword,
            _ => return Err(MessageError::InvalidField("purpose").into()),
        };
        if req.code.len() != 6 || !req.code.bytes().all(|b| b.is_ascii_digit()) {
            return Err(MessageError::InvalidField("code").into());
        }
        let sms = verification_sms(purpose, &req.code);
        crate::sms::deliver(self.sms.as_ref(), &req.mobile, &sms).await?;
        Ok(Response::new(pb::Empty {}))
    }

    async fn list_sms_outbox(
        &self,
        request: Request<pb::ListSmsOutboxRequest>,
    ) -> Reply<pb::ListSmsOutboxReply> {
        let req = request.into_inner();
        let limit = match req.limit {
            0 => 10,
            n => n.min(100),
        };
        let records = store::list_sms(&self.pool, &req.mobile, limit.into())
            .await?
            .into_iter()
            .map(|(mobile, content, sent_at)| pb::SmsRecord {
                mobile,
                content,
                sent_at,
            })
            .collect();
        Ok(Response::new(pb::ListSmsOutboxReply { records }))
    }

    async fn submit_feedback(&self, request: Request<pb::SubmitFeedbackRequest>) -> Reply<pb::Empty> {
        let req = request.into_inner();
        let length = req.suggestion.trim().chars().count();
        if length == 0 || req.suggestion.chars().count() > 500 {
            return Err(MessageError::SuggestionInvalid.into());
        }
        if req.source.chars().count() > 100 {
            return Err(MessageError::InvalidField("source").into());
        }
        store::insert_feedback(
            &self.pool,
            &req.user_id,
            &req.mobile,
            &req.suggestion,
            &req.source,
        )
        .await?;
        Ok(Response::new(pb::Empty {}))
    }

    async fn detect_app_version(
        &self,
        request: Request<pb::DetectAppVersionRequest>,
    ) -> Reply<pb::AppVersion> {
        let req = request.into_inner();
        let app_type = parse_app_type(&req.app_type)?;
        let client = match req.app_version.as_str() {
            "" => None,
            text => Some(Version::parse(text).ok_or(MessageError::InvalidField("appVersion"))?),
        };
        let current = store::current_version(&self.pool, app_type)
            .await?
            .ok_or(MessageError::AppVersionNotPublished)?;
        // A stored minimum always parses: it was validated when published.
        let force_update = Version::parse(&current.min_supported_version)
            .is_some_and(|min| must_update(client.as_ref(), &min));
        Ok(Response::new(pb::AppVersion {
            app_type: app_type.to_owned(),
            latest_version: current.latest_version,
            min_supported_version: current.min_supported_version,
            download_url: current.download_url,
            release_notes: current.release_notes,
            force_update,
        }))
    }

    async fn publish_app_version(&self, request: Request<pb::AppVersion>) -> Reply<pb::Empty> {
        let req = request.into_inner();
        let publication = Publication::parse(
            &req.app_type,
            &req.latest_version,
            &req.min_supported_version,
            &req.download_url,
            &req.release_notes,
        )?;
        store::publish_version(&self.pool, publication).await?;
        Ok(Response::new(pb::Empty {}))
    }

    async fn deliver_loan_event(&self, request: Request<pb::LoanEvent>) -> Reply<pb::DeliverLoanEventReply> {
        let event = request.into_inner();
        if event.event_id.is_empty() || event.user_id.is_empty() {
            return Err(MessageError::InvalidField("event_id").into());
        }
        let (message_type, title, content) =
            crate::loan_messages::compose(&event).ok_or(MessageError::InvalidField("kind"))?;
        let sms = crate::loan_messages::sms(&event, message_type, &content);
        let sent_at = if event.occurred_at > 0 {
            event.occurred_at
        } else {
            cashloan_runtime::clock::now_ms()
        };
        let created = store::insert_customer_message(
            &self.pool,
            &event.event_id,
            &event.user_id,
            (message_type, title, content),
            sent_at,
        )
        .await?;
        // The SMS goes with the message's first delivery only. It is sent apart from the call: a
        // caller that gives up must not cancel it, since a redelivery sends no second one.
        if created && !event.mobile.is_empty() {
            let provider = self.sms.clone();
            tokio::spawn(
                async move {
                    if let Err(e) = crate::sms::deliver(provider.as_ref(), &event.mobile, &sms).await {
                        tracing::warn!(error = %e, event = %event.event_id, "loan event SMS not delivered");
                    }
                }
                .in_current_span(),
            );
        }
        Ok(Response::new(pb::DeliverLoanEventReply { created }))
    }

    async fn list_customer_messages(
        &self,
        request: Request<pb::ListCustomerMessagesRequest>,
    ) -> Reply<pb::MessagePage> {
        let r = request.into_inner();
        let (offset, limit) = page_bounds(r.page);
        let (rows, total) = store::customer_messages(&self.pool, &r.user_id, offset, limit).await?;
        Ok(Response::new(message_page(rows, total)))
    }

    async fn publish_system_message(&self, request: Request<pb::SystemMessage>) -> Reply<pb::Empty> {
        let m = request.into_inner();
        let message_type = match m.message_type.trim_start_matches('0') {
            "" if !m.message_type.is_empty() => "0",
            "1" => "1",
            _ => return Err(MessageError::InvalidField("messageType").into()),
        };
        if !(1..=100).contains(&m.title.chars().count()) {
            return Err(MessageError::InvalidField("messageTitle").into());
        }
        if !(1..=2000).contains(&m.content.chars().count()) {
            return Err(MessageError::InvalidField("messageContent").into());
        }
        if m.event_url.chars().count() > 500 {
            return Err(MessageError::InvalidField("eventUrl").into());
        }
        let message = [m.title, m.content, message_type.to_owned(), m.event_url];
        store::insert_system_message(&self.pool, message, cashloan_runtime::clock::now_ms()).await?;
        Ok(Response::new(pb::Empty {}))
    }

    async fn list_system_messages(
        &self,
        request: Request<pb::ListSystemMessagesRequest>,
    ) -> Reply<pb::MessagePage> {
        let (offset, limit) = page_bounds(request.into_inner().page);
        let (rows, total) = store::system_messages(&self.pool, offset, limit).await?;
        Ok(Response::new(message_page(rows, total)))
    }
}

/// Offset and limit of a requested page.
fn page_bounds(page: Option<pb::Page>) -> (i64, i64) {
    let page = page.unwrap_or(pb::Page { num: 1, size: 10 });
    cashloan_runtime::db::page_bounds(page.num, page.size)
}

fn message_page(rows: Vec<store::MessageRow>, total: i64) -> pb::MessagePage {
    let items = rows
        .into_iter()
        .map(
            |(id, title, content, message_type, event_url, sent_at)| pb::MessageItem {
                id,
                title,
                content,
                message_type,
                event_url,
                sent_at,
            },
        )
        .collect();
    pb::MessagePage {
        items,
        total: total as u64,
    }
}
