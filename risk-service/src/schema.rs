diesel::table! {
    rulesets (version) {
        version -> Integer,
        document -> Text,
        status -> Text,
        share -> Integer,
        created_by -> Text,
        created_at -> BigInt,
    }
}

diesel::table! {
    decisions (application_id) {
        application_id -> Text,
        user_id -> Text,
        ruleset_version -> Integer,
        outcome -> Text,
        reasons -> Text,
        score -> Integer,
        band -> Text,
        approved_amount_fen -> BigInt,
        approved_rate_ppm -> BigInt,
        features -> Text,
        rules -> Text,
        timings -> Text,
        challenger -> Nullable<Text>,
        decided_at -> BigInt,
        decided_day -> Text,
        terms -> Text,
    }
}

diesel::table! {
    velocity (application_id) {
        application_id -> Text,
        user_id -> Text,
        device_hash -> Text,
        ip_hash -> Text,
        id_hash -> Text,
        at -> BigInt,
    }
}
