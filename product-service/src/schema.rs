diesel::table! {
    products (id) {
        id -> Text,
        code -> Text,
        on_sale -> Bool,
        sort_order -> Integer,
        definition -> Binary,
        created_at -> BigInt,
        updated_at -> BigInt,
    }
}
