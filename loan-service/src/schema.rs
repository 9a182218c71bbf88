diesel::table! {
    credit_lines (user_id) {
        user_id -> Text,
        total_fen -> BigInt,
        updated_at -> BigInt,
    }
}

diesel::table! {
    application_mobiles (application_id) {
        application_id -> Text,
        mobile_hash -> Text,
    }
}

diesel::table! {
    applications (id) {
        id -> Text,
        code -> Text,
        user_id -> Text,
        mobile -> Text,
        product_id -> Text,
        product_name -> Text,
        amount_fen -> BigInt,
        rate_ppm -> BigInt,
        penalty_rate_ppm -> BigInt,
        fee_rate_ppm -> BigInt,
        term_count -> Integer,
        term_unit -> Integer,
        repay_term_count -> Integer,
        repay_term_unit -> Integer,
        repay_type -> Integer,
        purpose -> Text,
        other_channels -> Text,
        longitude -> Text,
        latitude -> Text,
        order_id -> Text,
        remark -> Text,
        phonebook -> Text,
        status -> Integer,
        reply_amount_fen -> Nullable<BigInt>,
        auth_term_count -> Nullable<Integer>,
        auth_term_unit -> Nullable<Integer>,
        release_date -> Nullable<Text>,
        released_at -> Nullable<BigInt>,
        applied_at -> BigInt,
        updated_at -> BigInt,
        open_slot -> Nullable<Text>,
        frozen -> Bool,
    }
}

diesel::table! {
    application_history (id) {
        id -> Text,
        application_id -> Text,
        from_status -> Nullable<Integer>,
        to_status -> Integer,
        actor -> Text,
        remark -> Text,
        at -> BigInt,
    }
}

diesel::table! {
    repayment_periods (id) {
        id -> Text,
        application_id -> Text,
        user_id -> Text,
        period_num -> Integer,
        due_date -> Text,
        principal_fen -> BigInt,
        interest_fen -> BigInt,
        fee_fen -> BigInt,
        status -> Integer,
        paid_at -> Nullable<BigInt>,
        paid_date -> Nullable<Text>,
        paid_principal_fen -> Nullable<BigInt>,
        paid_interest_fen -> Nullable<BigInt>,
        paid_fee_fen -> Nullable<BigInt>,
        paid_penalty_fen -> Nullable<BigInt>,
        repayment_id -> Nullable<Text>,
        reminder_sent -> Bool,
        overdue_sent -> Bool,
        waived_penalty_days -> Integer,
    }
}

diesel::table! {
    repayments (id) {
        id -> Text,
        application_id -> Text,
        user_id -> Text,
        kind -> Text,
        principal_fen -> BigInt,
        interest_fen -> BigInt,
        fee_fen -> BigInt,
        penalty_fen -> BigInt,
        total_fen -> BigInt,
        channel_reference -> Text,
        created_at -> BigInt,
    }
}

diesel::table! {
    outbox (id) {
        id -> Text,
        user_id -> Text,
        mobile -> Text,
        kind -> Integer,
        product_name -> Text,
        application_code -> Text,
        amount -> Text,
        event_date -> Text,
        occurred_at -> BigInt,
        delivered_at -> Nullable<BigInt>,
        attempts -> Integer,
        next_attempt_at -> BigInt,
        traceparent -> Nullable<Text>,
    }
}

diesel::joinable!(repayment_periods -> applications (application_id));
diesel::table! {
    application_counters (day) {
        day -> Text,
        last -> BigInt,
    }
}

diesel::allow_tables_to_appear_in_same_query!(applications, repayment_periods);
diesel::allow_tables_to_appear_in_same_query!(applications, application_mobiles);

diesel::table! {
    ledger_entries (id) {
        id -> Text,
        kind -> Text,
        reference -> Text,
        memo -> Text,
        posted_at -> BigInt,
        posted_date -> Text,
    }
}

diesel::table! {
    ledger_lines (id) {
        id -> Text,
        entry_id -> Text,
        account -> Integer,
        debit_fen -> BigInt,
        credit_fen -> BigInt,
    }
}

diesel::joinable!(ledger_lines -> ledger_entries (entry_id));
diesel::allow_tables_to_appear_in_same_query!(ledger_entries, ledger_lines);

diesel::table! {
    payment_orders (order_no) {
        order_no -> Text,
        kind -> Text,
        application_id -> Text,
        user_id -> Text,
        status -> Text,
        amount_fen -> BigInt,
        principal_fen -> BigInt,
        interest_fen -> BigInt,
        fee_fen -> BigInt,
        penalty_fen -> BigInt,
        periods -> Text,
        repay_kind -> Text,
        card -> Text,
        release_date -> Nullable<Text>,
        channel_order_no -> Nullable<Text>,
        reason -> Nullable<Text>,
        customer_waiting -> Bool,
        created_at -> BigInt,
        submitted_at -> Nullable<BigInt>,
        settled_at -> Nullable<BigInt>,
        finished_at -> Nullable<Text>,
        attempts -> Integer,
        next_check_at -> BigInt,
        refund_of -> Nullable<Text>,
    }
}

diesel::table! {
    payment_order_periods (order_no, period_id) {
        order_no -> Text,
        period_id -> Text,
        principal_fen -> BigInt,
        interest_fen -> BigInt,
        fee_fen -> BigInt,
        penalty_fen -> BigInt,
    }
}

diesel::table! {
    payment_reservations (resource) {
        resource -> Text,
        order_no -> Text,
    }
}

diesel::table! {
    payment_mismatches (id) {
        id -> Text,
        order_no -> Text,
        day -> Text,
        channel_says -> Text,
        ledger_says -> Text,
        resolution -> Nullable<Text>,
        created_at -> BigInt,
    }
}

diesel::allow_tables_to_appear_in_same_query!(payment_orders, payment_reservations);
diesel::allow_tables_to_appear_in_same_query!(payment_orders, applications);
diesel::allow_tables_to_appear_in_same_query!(repayment_periods, payment_reservations);

diesel::table! {
    reconciliations (day) {
        day -> Text,
        matched -> Integer,
        mismatched -> Integer,
        ran_at -> BigInt,
    }
}
diesel::allow_tables_to_appear_in_same_query!(payment_order_periods, repayment_periods);

diesel::table! {
    contract_documents (id) {
        id -> Text,
        application_id -> Text,
        user_id -> Text,
        kind -> Text,
        template_version -> Text,
        body -> Text,
        sha256 -> Text,
        created_at -> BigInt,
        edition -> Integer,
        signer -> Text,
        signature -> Text,
    }
}

diesel::table! {
    terms_confirmations (application_id) {
        application_id -> Text,
        approved_at -> BigInt,
    }
}

diesel::table! {
    collection_notes (id) {
        id -> Text,
        application_id -> Text,
        operator -> Text,
        note -> Text,
        at -> BigInt,
    }
}

diesel::table! {
    decision_tasks (application_id) {
        application_id -> Text,
        product_code -> Text,
        product_min_rate_ppm -> BigInt,
        product_max_rate_ppm -> BigInt,
        automatic -> Bool,
        auto_payout_limit_fen -> Nullable<BigInt>,
        phonebook_size -> Integer,
        gps_present -> Bool,
        client_ip -> Text,
        app_type -> Text,
        state -> Integer,
        attempts -> Integer,
        next_attempt_at -> BigInt,
        created_at -> BigInt,
        outcome -> Text,
        reasons -> Text,
        decided_by -> Text,
        decided_at -> Nullable<BigInt>,
        payout_state -> Integer,
        payout_order_no -> Nullable<Text>,
        override_outcome -> Nullable<Text>,
        override_remark -> Nullable<Text>,
        review_requested_at -> Nullable<BigInt>,
        review_reason -> Nullable<Text>,
    }
}
diesel::allow_tables_to_appear_in_same_query!(decision_tasks, applications, terms_confirmations);
