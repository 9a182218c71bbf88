//! The tonic service: thin translations to the flows of `LoanCore`.

use cashloan_proto::loan::v1 as pb;
use tonic::{Request, Response, Status};

use crate::LoanCore;

type Reply<T> = Result<Response<T>, Status>;

#[tonic::async_trait]
impl pb::loan_server::Loan for LoanCore {
    async fn quote(&self, request: Request<pb::QuoteRequest>) -> Reply<pb::QuoteReply> {
        let request = request.into_inner();
        let product = self.product(&request.product_id).await?;
        let reply = crate::loan::quote::quote(&product, &request, self.clock.today(), self.apr_cap)?;
        Ok(Response::new(pb::QuoteReply {
            contract_preview_token: self.preview_token(&request),
            ..reply
        }))
    }

    async fn apply(&self, request: Request<pb::ApplyRequest>) -> Reply<pb::ApplyReply> {
        let (application_id, code) = self.apply(&request.into_inner()).await?;
        Ok(Response::new(pb::ApplyReply { application_id, code }))
    }

    async fn list_applications(
        &self,
        request: Request<pb::ListApplicationsRequest>,
    ) -> Reply<pb::ApplicationPage> {
        Ok(Response::new(
            self.list_applications(&request.into_inner()).await?,
        ))
    }

    async fn list_plan(&self, request: Request<pb::ListPlanRequest>) -> Reply<pb::PlanPage> {
        Ok(Response::new(self.plan(&request.into_inner()).await?))
    }

    async fn review(&self, request: Request<pb::ReviewRequest>) -> Reply<pb::Empty> {
        self.review(&request.into_inner()).await?;
        Ok(Response::new(pb::Empty {}))
    }

    async fn confirm_terms(&self, request: Request<pb::ConfirmTermsRequest>) -> Reply<pb::Empty> {
        self.confirm_terms(&request.into_inner()).await?;
        Ok(Response::new(pb::Empty {}))
    }

    async fn disburse(&self, request: Request<pb::DisburseRequest>) -> Reply<pb::DisburseReply> {
        let order_no = self.disburse(&request.into_inner()).await?;
        Ok(Response::new(pb::DisburseReply { order_no }))
    }

    async fn get_loan_decision(&self, request: Request<pb::LoanDecisionRequest>) -> Reply<pb::LoanDecision> {
        Ok(Response::new(self.loan_decision(&request.into_inner()).await?))
    }

    async fn request_manual_review(&self, request: Request<pb::ManualReviewRequest>) -> Reply<pb::Empty> {
        self.request_manual_review(&request.into_inner()).await?;
        Ok(Response::new(pb::Empty {}))
    }

    async fn count_overrides(&self, request: Request<pb::OverrideCountRequest>) -> Reply<pb::OverrideCounts> {
        Ok(Response::new(self.count_overrides(&request.into_inner()).await?))
    }

    async fn set_credit_line(&self, request: Request<pb::SetCreditLineRequest>) -> Reply<pb::Empty> {
        self.set_credit_line(&request.into_inner()).await?;
        Ok(Response::new(pb::Empty {}))
    }

    async fn repay(&self, request: Request<pb::RepayRequest>) -> Reply<pb::Empty> {
        self.repay(&request.into_inner()).await?;
        Ok(Response::new(pb::Empty {}))
    }

    async fn list_repayments(&self, request: Request<pb::ListRepaymentsRequest>) -> Reply<pb::RepaymentPage> {
        Ok(Response::new(self.repayments(&request.into_inner()).await?))
    }

    async fn list_overdue(&self, request: Request<pb::ListOverdueRequest>) -> Reply<pb::OverduePage> {
        Ok(Response::new(self.list_overdue(&request.into_inner()).await?))
    }

    async fn add_collection_note(&self, request: Request<pb::CollectionNote>) -> Reply<pb::Empty> {
        self.add_collection_note(&request.into_inner()).await?;
        Ok(Response::new(pb::Empty {}))
    }

    async fn list_collection_notes(
        &self,
        request: Request<pb::ApplicationRef>,
    ) -> Reply<pb::CollectionNotes> {
        Ok(Response::new(
            self.collection_notes(&request.into_inner().application_id)
                .await?,
        ))
    }

    async fn application_history(&self, request: Request<pb::ApplicationRef>) -> Reply<pb::HistoryList> {
        let rows = self.store.history(&request.into_inner().application_id).await?;
        let items = rows
            .into_iter()
            .map(|(from, to, actor, remark, at)| pb::HistoryEntry {
                from_status: from.unwrap_or(-1),
                to_status: to,
                actor,
                remark,
                at,
            })
            .collect();
        Ok(Response::new(pb::HistoryList { items }))
    }

    async fn user_center(&self, request: Request<pb::UserCenterRequest>) -> Reply<pb::UserCenterReply> {
        Ok(Response::new(
            self.user_center(&request.into_inner().user_id).await?,
        ))
    }

    async fn trial_balance(&self, request: Request<pb::TrialBalanceRequest>) -> Reply<pb::TrialBalanceReply> {
        Ok(Response::new(self.trial_balance(&request.into_inner()).await?))
    }

    async fn fund_channel(&self, request: Request<pb::FundChannelRequest>) -> Reply<pb::Empty> {
        self.fund_channel(&request.into_inner()).await?;
        Ok(Response::new(pb::Empty {}))
    }

    async fn list_payments(&self, request: Request<pb::ListPaymentsRequest>) -> Reply<pb::PaymentPage> {
        Ok(Response::new(self.list_payments(&request.into_inner()).await?))
    }

    async fn settle_payment(&self, request: Request<pb::SettlePaymentRequest>) -> Reply<pb::PaymentOrder> {
        Ok(Response::new(
            self.settle_payment(&request.into_inner().order_no).await?,
        ))
    }

    async fn resolve_payment(
        &self,
        request: Request<pb::ResolvePaymentRequest>,
    ) -> Reply<pb::ResolvePaymentReply> {
        Ok(Response::new(self.resolve_payment(&request.into_inner()).await?))
    }

    async fn notify(&self, request: Request<pb::NotifyRequest>) -> Reply<pb::Empty> {
        self.notify(&request.into_inner().body).await?;
        Ok(Response::new(pb::Empty {}))
    }

    async fn reconcile(&self, request: Request<pb::ReconcileRequest>) -> Reply<pb::ReconcileReply> {
        Ok(Response::new(self.reconcile(&request.into_inner().date).await?))
    }

    async fn list_mismatches(&self, request: Request<pb::ListMismatchesRequest>) -> Reply<pb::MismatchPage> {
        Ok(Response::new(self.mismatches(&request.into_inner()).await?))
    }

    async fn verify_contracts(
        &self,
        request: Request<pb::VerifyContractsRequest>,
    ) -> Reply<pb::VerifyContractsReply> {
        Ok(Response::new(self.verify_contracts(&request.into_inner()).await?))
    }

    async fn get_contract_page(
        &self,
        request: Request<pb::GetContractPageRequest>,
    ) -> Reply<pb::ContractPage> {
        let html = self.contract_page(&request.into_inner().token).await?;
        Ok(Response::new(pb::ContractPage { html }))
    }
}
