diesel::table! {
    sms_outbox (id) {
        id -> Text,
        mobile -> Text,
        content -> Text,
        sent_at -> BigInt,
    }
}

diesel::table! {
    feedback (id) {
        id -> Text,
        user_id -> Text,
        mobile -> Text,
        suggestion -> Text,
        source -> Text,
        created_at -> BigInt,
    }
}

diesel::table! {
    app_versions (id) {
        id -> Text,
        app_type -> Text,
        latest_version -> Text,
        min_supported_version -> Text,
        download_url -> Text,
        release_notes -> Text,
        published_at -> BigInt,
    }
}

diesel::table! {
    customer_messages (id) {
        id -> Text,
        event_id -> Text,
        user_id -> Text,
        title -> Text,
        content -> Text,
        message_type -> Text,
        sent_at -> BigInt,
    }
}

diesel::table! {
    system_messages (id) {
        id -> Text,
        title -> Text,
        content -> Text,
        message_type -> Text,
        event_url -> Text,
        sent_at -> BigInt,
    }
}
