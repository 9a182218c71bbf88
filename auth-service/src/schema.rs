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
        is_blacklisted -> Bool,
        is_risk -> Bool,
        mobile_verified_at -> Nullable<BigInt>,
        mobile_hash -> Nullable<Text>,
    }
}

diesel::table! {
    identities (user_id) {
        user_id -> Text,
        real_name -> Text,
        id_card_cipher -> Text,
        id_card_hash -> Text,
        verified_at -> BigInt,
    }
}

diesel::table! {
    bank_cards (user_id) {
        user_id -> Text,
        card_cipher -> Text,
        reserved_mobile_cipher -> Text,
        verified_at -> BigInt,
    }
}

diesel::table! {
    profiles (user_id) {
        user_id -> Text,
        education -> Text,
        martial_status -> Text,
        registry_province -> Text,
        registry_city -> Text,
        registry_detail -> Text,
        house_address_province -> Text,
        house_address_city -> Text,
        house_address_county -> Text,
        house_address_detail -> Text,
        residence_length -> Text,
        industry_type -> Text,
        work_address_province -> Text,
        work_address_city -> Text,
        work_address_county -> Text,
        work_address_detail -> Text,
        working_hours -> Text,
        current_work_info -> Text,
        current_position -> Text,
        month_income -> BigInt,
        payroll_day -> Nullable<Integer>,
        updated_at -> BigInt,
    }
}

diesel::table! {
    contacts (id) {
        id -> Text,
        user_id -> Text,
        rel_type -> Text,
        real_name -> Text,
        phone_cipher -> Text,
        created_at -> BigInt,
        updated_at -> BigInt,
    }
}

diesel::table! {
    consents (user_id, consent_type) {
        user_id -> Text,
        consent_type -> Text,
        version -> Text,
        accepted_at -> BigInt,
        withdrawn_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    audit_entries (n) {
        n -> BigInt,
        id -> Text,
        operator -> Text,
        role -> Text,
        action -> Text,
        target -> Text,
        request -> Text,
        client_ip -> Text,
        trace_id -> Text,
        started_at -> BigInt,
        outcome -> Nullable<Text>,
        customers -> Nullable<Text>,
        finished_at -> Nullable<BigInt>,
        sealed_seq -> Nullable<BigInt>,
        changes -> Nullable<Text>,
    }
}

diesel::joinable!(identities -> users (user_id));
diesel::joinable!(bank_cards -> users (user_id));
diesel::joinable!(profiles -> users (user_id));
diesel::joinable!(contacts -> users (user_id));
diesel::allow_tables_to_appear_in_same_query!(users, identities, bank_cards, profiles, contacts, consents);

diesel::table! {
    operators (id) {
        id -> Text,
        username -> Text,
        display_name -> Text,
        password_hash -> Text,
        roles -> Text,
        totp_secret -> Nullable<Text>,
        totp_last_step -> BigInt,
        disabled -> Bool,
        session_epoch -> BigInt,
        created_by -> Text,
        created_at -> BigInt,
        updated_at -> BigInt,
        email -> Text,
        changed_by -> Text,
        totp_required -> Bool,
        enrolment_hash -> Nullable<Text>,
        enrolment_expires_at -> Nullable<BigInt>,
        enrolment_totp -> Nullable<Text>,
    }
}

diesel::table! {
    approvals (id) {
        id -> Text,
        action -> Text,
        target -> Text,
        request -> Text,
        summary -> Text,
        made_by -> Text,
        made_by_id -> Text,
        made_at -> BigInt,
        status -> Text,
        decided_by -> Nullable<Text>,
        decided_at -> Nullable<BigInt>,
        outcome -> Nullable<Text>,
    }
}
