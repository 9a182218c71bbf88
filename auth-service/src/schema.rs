diesel::table! {
    users (id) {
        id -> Text,
        mobile -> Text,
        password_hash -> Text,
        app_type -> Text,
        device_token -> Text,
        created_at -> BigInt,
        updated_at -> BigInt,
        last_login_at -> Nullable<BigInt>,
    }
}
