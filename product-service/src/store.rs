//! product-service's queries.

use cashloan_proto::product::v1::ProductInfo;
use cashloan_runtime::clock::Clock;
use cashloan_runtime::db::{self, DbError, DbPool};
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use prost::Message;

use crate::error::ProductError;
use crate::schema::products;

#[derive(Clone)]
pub struct Store {
    pool: DbPool,
    clock: Clock,
}

impl Store {
    pub fn new(pool: DbPool, clock: Clock) -> Self {
        Self { pool, clock }
    }

    /// Every product, on sale or not.
    pub async fn load_all(&self) -> Result<Vec<ProductInfo>, ProductError> {
        let rows: Vec<(String, Vec<u8>)> = db::run(&self.pool, |conn| {
            Ok(products::table
                .select((products::id, products::definition))
                .load(conn)?)
        })
        .await?;
        rows.into_iter()
            .map(|(id, bytes)| {
                let mut product = ProductInfo::decode(bytes.as_slice()).map_err(|_| ProductError::Corrupt)?;
                product.id = id;
                Ok(product)
            })
            .collect()
    }

    /// Updates the product with `product.id`, or else the one with its code, or creates it.
    pub async fn upsert(&self, mut product: ProductInfo) -> Result<String, ProductError> {
        let requested_id = std::mem::take(&mut product.id);
        let (code, on_sale, sort_order) = (product.code.clone(), product.on_sale, product.sort_order);
        let definition = product.encode_to_vec();
        let now = self.clock.now_ms();
        let outcome = db::run(&self.pool, move |conn| {
            conn.transaction(|conn| {
                let target = if requested_id.is_empty() {
                    products::table
                        .filter(products::code.eq(code.clone()))
                        .select(products::id)
                        .first::<String>(conn)
                        .optional()?
                } else {
                    let found = products::table
                        .find(requested_id.clone())
                        .select(products::id)
                        .first::<String>(conn)
                        .optional()?;
                    match found {
                        Some(id) => Some(id),
                        None => return Ok(Err(ProductError::NotFound)),
                    }
                };
                let id = match target {
                    Some(id) => {
                        diesel::update(products::table.find(id.clone()))
                            .set((
                                products::code.eq(code),
                                products::on_sale.eq(on_sale),
                                products::sort_order.eq(sort_order),
                                products::definition.eq(definition),
                                products::updated_at.eq(now),
                            ))
                            .execute(conn)?;
                        id
                    }
                    None => insert(conn, code, on_sale, sort_order, definition, now)?,
                };
                Ok::<_, DieselError>(Ok(id))
            })
            .map_err(DbError::Query)
        })
        .await;
        match outcome {
            Ok(result) => result,
            // Another product already has this code.
            Err(DbError::Query(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _))) => {
                Err(ProductError::Invalid("code"))
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Adds the product unless one with its code exists (a seed: never overwrites, and replicas
    /// seeding at the same moment leave one of each); true when this call added it.
    pub async fn insert_if_absent(&self, product: ProductInfo) -> Result<bool, ProductError> {
        let (code, on_sale, sort_order) = (product.code.clone(), product.on_sale, product.sort_order);
        let definition = product.encode_to_vec();
        let now = self.clock.now_ms();
        // One statement on its own: a unique violation leaves nothing behind to roll back.
        let added = db::run(&self.pool, move |conn| {
            Ok(insert(conn, code, on_sale, sort_order, definition, now)?)
        })
        .await;
        match added {
            Ok(_) => Ok(true),
            Err(DbError::Query(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _))) => {
                Ok(false)
            }
            Err(e) => Err(e.into()),
        }
    }

    pub async fn is_empty(&self) -> Result<bool, ProductError> {
        let count: i64 = db::run(&self.pool, |conn| Ok(products::table.count().get_result(conn)?)).await?;
        Ok(count == 0)
    }
}

/// A new product row under a fresh id; returns the id.
fn insert(
    conn: &mut db::DbConn,
    code: String,
    on_sale: bool,
    sort_order: i32,
    definition: Vec<u8>,
    now: i64,
) -> Result<String, DieselError> {
    let id = uuid::Uuid::new_v4().to_string();
    diesel::insert_into(products::table)
        .values((
            products::id.eq(id.clone()),
            products::code.eq(code),
            products::on_sale.eq(on_sale),
            products::sort_order.eq(sort_order),
            products::definition.eq(definition),
            products::created_at.eq(now),
            products::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(id)
}
