-- A product's definition is its protobuf encoding (cashloan.product.v1.ProductInfo): the proto is
-- the versioned contract, and the columns beside it are what queries and constraints need.
CREATE TABLE products (
    id TEXT PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    on_sale BOOLEAN NOT NULL,
    sort_order INTEGER NOT NULL,
    definition BLOB NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
