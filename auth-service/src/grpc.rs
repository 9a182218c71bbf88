//! The tonic service: proto in, flows, proto out; errors become statuses with reasons.

use cashloan_proto::auth::v1 as pb;
use tonic::{Request, Response, Status};

use crate::error::AuthError;
use crate::sms_code::Purpose;
use crate::AuthCore;

type Reply<T> = Result<Response<T>, Status>;

fn empty() -> Reply<pb::Empty> {
    Ok(Response::new(pb::Empty {}))
}

fn purpose(value: i32) -> Result<Purpose, AuthError> {
    match pb::SmsPurpose::try_from(value) {
        Ok(pb::SmsPurpose::Register) => Ok(Purpose::Register),
        Ok(pb::SmsPurpose::ResetPassword) => Ok(Purpose::ResetPassword),
        _ => Err(AuthError::InvalidField("purpose")),
    }
}

#[tonic::async_trait]
impl pb::auth_server::Auth for AuthCore {
    async fn issue_captcha(&self, _: Request<pb::IssueCaptchaRequest>) -> Reply<pb::IssueCaptchaReply> {
        let captcha = self.issue_captcha().await?;
        Ok(Response::new(pb::IssueCaptchaReply { captcha }))
    }

    async fn send_sms_code(&self, request: Request<pb::SendSmsCodeRequest>) -> Reply<pb::Empty> {
        let r = request.into_inner();
        self.send_sms_code(purpose(r.purpose)?, &r.mobile, &r.captcha, &r.client_ip)
            .await?;
        empty()
    }

    async fn check_sms_code(&self, request: Request<pb::CheckSmsCodeRequest>) -> Reply<pb::Empty> {
        let r = request.into_inner();
        self.check_sms_code(purpose(r.purpose)?, &r.mobile, &r.code)
            .await?;
        empty()
    }

    async fn register(&self, request: Request<pb::RegisterRequest>) -> Reply<pb::Empty> {
        let r = request.into_inner();
        self.register(&r.mobile, &r.password, &r.confirm_password).await?;
        empty()
    }

    async fn login(&self, request: Request<pb::LoginRequest>) -> Reply<pb::LoginReply> {
        let r = request.into_inner();
        let session_token = self
            .login(
                &r.mobile,
                &r.password,
                (&r.app_type, &r.device_token),
                &r.client_ip,
            )
            .await?;
        Ok(Response::new(pb::LoginReply { session_token }))
    }

    async fn logout(&self, request: Request<pb::LogoutRequest>) -> Reply<pb::Empty> {
        self.end_session(&request.into_inner().session_token).await?;
        empty()
    }

    async fn resolve_session(&self, request: Request<pb::ResolveSessionRequest>) -> Reply<pb::SessionUser> {
        let user = self.resolve_session(&request.into_inner().session_token).await?;
        Ok(Response::new(pb::SessionUser {
            user_id: user.user_id,
            mobile: user.mobile,
        }))
    }

    async fn verify_reset_identity(
        &self,
        request: Request<pb::VerifyResetIdentityRequest>,
    ) -> Reply<pb::Empty> {
        let r = request.into_inner();
        self.verify_reset_identity(&r.mobile, &r.real_name, &r.id_card_no)
            .await?;
        empty()
    }

    async fn reset_password(&self, request: Request<pb::ResetPasswordRequest>) -> Reply<pb::Empty> {
        let r = request.into_inner();
        self.reset_password(&r.mobile, &r.password, &r.confirm_password)
            .await?;
        empty()
    }

    async fn change_password(&self, request: Request<pb::ChangePasswordRequest>) -> Reply<pb::Empty> {
        let r = request.into_inner();
        self.change_password(&r.mobile, &r.old_password, &r.new_password, &r.session_user_id)
            .await?;
        empty()
    }

    async fn find_account(&self, request: Request<pb::FindAccountRequest>) -> Reply<pb::SessionUser> {
        let mobile = crate::mobile::Mobile::parse(&request.into_inner().mobile)?;
        let account = self.existing_account(&mobile).await?;
        Ok(Response::new(pb::SessionUser {
            user_id: account.id,
            mobile: account.mobile,
        }))
    }

    async fn get_authentication_status(
        &self,
        request: Request<pb::UserRef>,
    ) -> Reply<pb::AuthenticationStatus> {
        Ok(Response::new(
            self.authentication_status(&request.into_inner().user_id).await?,
        ))
    }

    async fn verify_real_name(
        &self,
        request: Request<pb::VerifyRealNameRequest>,
    ) -> Reply<pb::VerifyRealNameReply> {
        let r = request.into_inner();
        let mobile_verified = self
            .verify_real_name(&r.user_id, &r.real_name, &r.id_card_no)
            .await?;
        Ok(Response::new(pb::VerifyRealNameReply { mobile_verified }))
    }

    async fn verify_bank_card(&self, request: Request<pb::VerifyBankCardRequest>) -> Reply<pb::Empty> {
        let r = request.into_inner();
        self.verify_bank_card(&r.user_id, &r.card_no, &r.reserved_mobile)
            .await?;
        empty()
    }

    async fn verify_carrier(&self, request: Request<pb::UserRef>) -> Reply<pb::Empty> {
        self.verify_carrier(&request.into_inner().user_id).await?;
        empty()
    }

    async fn get_profile(&self, request: Request<pb::UserRef>) -> Reply<pb::ProfileReply> {
        Ok(Response::new(self.profile(&request.into_inner().user_id).await?))
    }

    async fn save_profile(&self, request: Request<pb::SaveProfileRequest>) -> Reply<pb::Empty> {
        let r = request.into_inner();
        let profile = r.profile.ok_or(AuthError::InvalidField("profile"))?;
        self.save_profile(&r.user_id, &profile).await?;
        empty()
    }

    async fn save_contact(&self, request: Request<pb::SaveContactRequest>) -> Reply<pb::SaveContactReply> {
        let r = request.into_inner();
        let contact = r.contact.ok_or(AuthError::InvalidField("contact"))?;
        let id = self.save_contact(&r.user_id, &r.oper_type, &contact).await?;
        Ok(Response::new(pb::SaveContactReply { id }))
    }

    async fn update_user_flags(&self, request: Request<pb::UpdateUserFlagsRequest>) -> Reply<pb::Empty> {
        let r = request.into_inner();
        self.update_user_flags(&r.mobile, r.blacklisted, r.risk).await?;
        empty()
    }

    async fn get_verification_summary(
        &self,
        request: Request<pb::UserRef>,
    ) -> Reply<pb::VerificationSummary> {
        Ok(Response::new(
            self.verification_summary(&request.into_inner().user_id).await?,
        ))
    }

    async fn get_verified_identity(&self, request: Request<pb::UserRef>) -> Reply<pb::VerifiedIdentity> {
        Ok(Response::new(
            self.verified_identity(&request.into_inner().user_id).await?,
        ))
    }

    async fn get_risk_facts(&self, request: Request<pb::UserRef>) -> Reply<pb::RiskFacts> {
        Ok(Response::new(
            self.risk_facts(&request.into_inner().user_id).await?,
        ))
    }

    async fn get_consents(&self, request: Request<pb::UserRef>) -> Reply<pb::ConsentsReply> {
        let consents = self.consents(&request.into_inner().user_id).await?;
        Ok(Response::new(pb::ConsentsReply { consents }))
    }

    async fn accept_consent(&self, request: Request<pb::AcceptConsentRequest>) -> Reply<pb::Empty> {
        self.accept_consent(request.into_inner()).await?;
        empty()
    }

    async fn withdraw_consent(&self, request: Request<pb::WithdrawConsentRequest>) -> Reply<pb::Empty> {
        self.withdraw_consent(request.into_inner()).await?;
        empty()
    }

    async fn get_consent_text(&self, request: Request<pb::ConsentTextRequest>) -> Reply<pb::ConsentText> {
        let r = request.into_inner();
        crate::consents::consent_text(&r.consent_type, &r.version)
            .map(Response::new)
            .ok_or_else(|| Status::not_found("no such consent text"))
    }

    async fn verify_evidence(&self, _: Request<pb::Empty>) -> Reply<pb::EvidenceReport> {
        Ok(Response::new(self.verify_evidence().await?))
    }

    async fn start_audit(&self, request: Request<pb::AuditStart>) -> Reply<pb::AuditTicket> {
        let id = self.start_audit(request.into_inner()).await?;
        Ok(Response::new(pb::AuditTicket { id }))
    }

    async fn finish_audit(&self, request: Request<pb::AuditFinish>) -> Reply<pb::Empty> {
        self.finish_audit(request.into_inner()).await?;
        empty()
    }

    async fn list_audit(&self, request: Request<pb::ListAuditRequest>) -> Reply<pb::AuditPage> {
        Ok(Response::new(self.list_audit(request.into_inner()).await?))
    }

    async fn reveal_field(&self, request: Request<pb::RevealFieldRequest>) -> Reply<pb::RevealedField> {
        let r = request.into_inner();
        let value = self.reveal(&r.user_id, &r.field).await?;
        Ok(Response::new(pb::RevealedField { value }))
    }

    async fn create_operator(
        &self,
        request: Request<pb::CreateOperatorRequest>,
    ) -> Reply<pb::CreatedOperator> {
        Ok(Response::new(self.create_operator(request.into_inner()).await?))
    }

    async fn update_operator(
        &self,
        request: Request<pb::UpdateOperatorRequest>,
    ) -> Reply<pb::CreatedOperator> {
        Ok(Response::new(self.update_operator(request.into_inner()).await?))
    }

    async fn open_enrolment(&self, request: Request<pb::EnrolmentRef>) -> Reply<pb::Enrolment> {
        Ok(Response::new(
            self.open_enrolment(&request.into_inner().token).await?,
        ))
    }

    async fn complete_enrolment(&self, request: Request<pb::EnrolmentCompletion>) -> Reply<pb::Enrolment> {
        Ok(Response::new(
            self.complete_enrolment(request.into_inner()).await?,
        ))
    }

    async fn list_operators(&self, _: Request<pb::Empty>) -> Reply<pb::OperatorList> {
        Ok(Response::new(self.list_operators().await?))
    }

    async fn operator_login(&self, request: Request<pb::OperatorLoginRequest>) -> Reply<pb::OperatorSession> {
        Ok(Response::new(self.operator_login(request.into_inner()).await?))
    }

    async fn resolve_operator_session(
        &self,
        request: Request<pb::OperatorSessionRef>,
    ) -> Reply<pb::OperatorSession> {
        let token = request.into_inner().token;
        Ok(Response::new(self.resolve_operator_session(&token).await?))
    }

    async fn operator_logout(&self, request: Request<pb::OperatorSessionRef>) -> Reply<pb::Empty> {
        self.end_operator_session(&request.into_inner().token).await?;
        empty()
    }

    async fn propose_approval(&self, request: Request<pb::ApprovalProposal>) -> Reply<pb::ApprovalRef> {
        let id = self.propose_approval(request.into_inner()).await?;
        Ok(Response::new(pb::ApprovalRef { id }))
    }

    async fn get_approval(&self, request: Request<pb::ApprovalRef>) -> Reply<pb::Approval> {
        Ok(Response::new(self.approval(&request.into_inner().id).await?))
    }

    async fn list_approvals(&self, request: Request<pb::ListApprovalsRequest>) -> Reply<pb::ApprovalPage> {
        Ok(Response::new(self.list_approvals(request.into_inner()).await?))
    }

    async fn decide_approval(&self, request: Request<pb::ApprovalDecision>) -> Reply<pb::Approval> {
        Ok(Response::new(self.decide_approval(request.into_inner()).await?))
    }

    async fn finish_approval(&self, request: Request<pb::ApprovalFinish>) -> Reply<pb::Empty> {
        self.finish_approval(request.into_inner()).await?;
        empty()
    }
}
