//! The tonic service.

use cashloan_proto::loan::v1 as pb;
use cashloan_proto::product::v1::product_client::ProductClient;
use cashloan_proto::product::v1::GetProductRequest;
use rust_decimal::Decimal;
use tonic::transport::Channel;
use tonic::{Code, Request, Response, Status};

use crate::error::LoanError;
use crate::quote::quote;

pub struct LoanApi {
    pub products: ProductClient<Channel>,
    pub apr_cap: Decimal,
}

#[tonic::async_trait]
impl pb::loan_server::Loan for LoanApi {
    async fn quote(&self, request: Request<pb::QuoteRequest>) -> Result<Response<pb::QuoteReply>, Status> {
        let request = request.into_inner();
        let product = match self
            .products
            .clone()
            .get_product(GetProductRequest {
                id: request.product_id.clone(),
            })
            .await
        {
            Ok(reply) => reply.into_inner(),
            Err(status) if status.code() == Code::NotFound => return Err(LoanError::ProductNotFound.into()),
            Err(status) => return Err(LoanError::Downstream(status.message().to_owned()).into()),
        };
        let reply = quote(
            &product,
            &request,
            cashloan_runtime::clock::today_cst(),
            self.apr_cap,
        )?;
        Ok(Response::new(reply))
    }
}
