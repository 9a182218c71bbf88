//! The tonic service.

use cashloan_proto::product::v1 as pb;
use tonic::{Request, Response, Status};

use crate::ProductCore;

type Reply<T> = Result<Response<T>, Status>;

#[tonic::async_trait]
impl pb::product_server::Product for ProductCore {
    async fn list_products(&self, request: Request<pb::ListProductsRequest>) -> Reply<pb::ProductList> {
        let products = match request.into_inner().include_off_sale {
            true => self.every_product().await?,
            false => self.on_sale().await?,
        };
        Ok(Response::new(pb::ProductList { products }))
    }

    async fn get_product(&self, request: Request<pb::GetProductRequest>) -> Reply<pb::ProductInfo> {
        Ok(Response::new(self.get(&request.into_inner().id).await?))
    }

    async fn upsert_product(&self, request: Request<pb::ProductInfo>) -> Reply<pb::UpsertProductReply> {
        let id = self.upsert(request.into_inner()).await?;
        Ok(Response::new(pb::UpsertProductReply { id }))
    }
}
