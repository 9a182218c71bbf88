//! The tonic service: proto in, the core's call, proto out.

use cashloan_proto::message::v1 as pb;
use tonic::{Request, Response, Status};

use crate::error::MessageError;
use crate::feedback::Feedback;
use crate::sms::CodePurpose;
use crate::store::MessageRow;
use crate::MessageCore;

type Reply<T> = Result<Response<T>, Status>;

#[tonic::async_trait]
impl pb::message_server::Message for MessageCore {
    async fn send_verification_code(
        &self,
        request: Request<pb::SendVerificationCodeRequest>,
    ) -> Reply<pb::Empty> {
        let req = request.into_inner();
        let purpose = match req.purpose() {
            pb::CodePurpose::Register => CodePurpose::Register,
            pb::CodePurpose::ResetPassword => CodePurpose::ResetPassword,
            pb::CodePurpose::Unspecified => return Err(MessageError::InvalidField("purpose").into()),
        };
        self.send_verification_code(purpose, &req.mobile, &req.code)
            .await?;
        Ok(Response::new(pb::Empty {}))
    }

    async fn list_sms_outbox(
        &self,
        request: Request<pb::ListSmsOutboxRequest>,
    ) -> Reply<pb::ListSmsOutboxReply> {
        let req = request.into_inner();
        let records = self
            .sms_outbox(&req.mobile, req.limit)
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
        let feedback = Feedback::parse(&req.suggestion, &req.source)?;
        self.submit_feedback(&req.user_id, &req.mobile, feedback).await?;
        Ok(Response::new(pb::Empty {}))
    }

    async fn detect_app_version(
        &self,
        request: Request<pb::DetectAppVersionRequest>,
    ) -> Reply<pb::AppVersion> {
        let req = request.into_inner();
        Ok(Response::new(
            self.detect_app_version(&req.app_type, &req.app_version).await?,
        ))
    }

    async fn publish_app_version(&self, request: Request<pb::AppVersion>) -> Reply<pb::Empty> {
        self.publish_app_version(&request.into_inner()).await?;
        Ok(Response::new(pb::Empty {}))
    }

    async fn deliver_loan_event(&self, request: Request<pb::LoanEvent>) -> Reply<pb::DeliverLoanEventReply> {
        let created = self.deliver_loan_event(request.into_inner()).await?;
        Ok(Response::new(pb::DeliverLoanEventReply { created }))
    }

    async fn list_customer_messages(
        &self,
        request: Request<pb::ListCustomerMessagesRequest>,
    ) -> Reply<pb::MessagePage> {
        let r = request.into_inner();
        let (rows, total) = self.customer_messages(&r.user_id, page_bounds(r.page)).await?;
        Ok(Response::new(message_page(rows, total)))
    }

    async fn publish_system_message(&self, request: Request<pb::SystemMessage>) -> Reply<pb::Empty> {
        self.publish_system_message(request.into_inner()).await?;
        Ok(Response::new(pb::Empty {}))
    }

    async fn list_system_messages(
        &self,
        request: Request<pb::ListSystemMessagesRequest>,
    ) -> Reply<pb::MessagePage> {
        let page = page_bounds(request.into_inner().page);
        let (rows, total) = self.system_messages(page).await?;
        Ok(Response::new(message_page(rows, total)))
    }
}

/// Offset and limit of a requested page.
fn page_bounds(page: Option<pb::Page>) -> (i64, i64) {
    let page = page.unwrap_or(pb::Page { num: 1, size: 10 });
    cashloan_runtime::db::page_bounds(page.num, page.size)
}

fn message_page(rows: Vec<MessageRow>, total: i64) -> pb::MessagePage {
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
