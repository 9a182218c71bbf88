//! Product reads from an in-memory copy of the table. An upsert through this replica clears it at
//! once; other replicas see the change within the TTL (default 5 s).

use std::sync::Arc;
use std::time::Instant;

use cashloan_proto::product::v1::ProductInfo;

use crate::error::ProductError;
use crate::product;
use crate::ProductCore;

impl ProductCore {
    /// Every product, sorted by configured order (then code).
    async fn all(&self) -> Result<Arc<Vec<ProductInfo>>, ProductError> {
        if let Some((at, products)) = self
            .cached
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .as_ref()
        {
            if at.elapsed() < self.ttl {
                return Ok(products.clone());
            }
        }
        let mut products = self.store.load_all().await?;
        products.sort_by(|a, b| (a.sort_order, &a.code).cmp(&(b.sort_order, &b.code)));
        let products = Arc::new(products);
        *self
            .cached
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some((Instant::now(), products.clone()));
        Ok(products)
    }

    fn invalidate(&self) {
        *self
            .cached
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = None;
    }

    /// Every product, on sale or not, in their configured order.
    pub async fn every_product(&self) -> Result<Vec<ProductInfo>, ProductError> {
        Ok(self.all().await?.as_ref().clone())
    }

    pub async fn on_sale(&self) -> Result<Vec<ProductInfo>, ProductError> {
        Ok(self.all().await?.iter().filter(|p| p.on_sale).cloned().collect())
    }

    /// A product on sale; an unknown or off-sale id is not found.
    pub async fn get(&self, id: &str) -> Result<ProductInfo, ProductError> {
        self.all()
            .await?
            .iter()
            .find(|p| p.id == id && p.on_sale)
            .cloned()
            .ok_or(ProductError::NotFound)
    }

    pub async fn upsert(&self, product: ProductInfo) -> Result<String, ProductError> {
        product::validate(&product, self.rate_cap_ppm).map_err(|f| ProductError::Invalid(f.0))?;
        let id = self.store.upsert(product).await?;
        self.invalidate();
        Ok(id)
    }

    /// A fresh installation gets the three sample products.
    pub async fn seed_if_empty(&self) -> Result<(), ProductError> {
        if !self.store.is_empty().await? {
            return Ok(());
        }
        for seed in product::seeds(self.sample_review_mode) {
            product::validate(&seed, self.rate_cap_ppm).map_err(|f| ProductError::Invalid(f.0))?;
            // A replica starting at the same moment may seed too: one of each stays.
            self.store.insert_if_absent(seed).await?;
        }
        self.invalidate();
        tracing::info!("seeded the sample products");
        Ok(())
    }
}
