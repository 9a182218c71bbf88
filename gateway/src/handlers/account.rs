//! API.md §6.1, auth-service's endpoints.

use actix_web::web::Data;
use cashloan_proto::auth::v1 as pb;
use cashloan_proto::Reason;
use serde_json::Value;

use crate::call::Call;
use crate::codes::{from_status, Failures};
use crate::envelope::{Outcome, Success};
use crate::state::Gateway;

const APP_TYPES: &[&str] = &["1", "2", "3"];

pub(crate) const LOGIN: Failures = Failures {
    specific: &[
        (Reason::AccountNotFound, "90001000", "账号不存在"),
        (Reason::WrongPassword, "90002000", "密码错误"),
        (Reason::AccountLocked, "90003000", "多次密码错误,账号被锁"),
    ],
    fallback: ("90009000", "登陆授权失败"),
};

/// #4: a session token in resultSet and the `JSESSIONID` cookie.
pub async fn login(gw: Data<Gateway>, call: Call) -> Outcome {
    let f = call.fields();
    let request = pb::LoginRequest {
        mobile: f.text("username")?.to_owned(),
        password: call.password("password")?,
        app_type: f.code("appType", APP_TYPES)?.to_owned(),
        device_token: f.optional_text("token")?.to_owned(),
        client_ip: call.client_ip.clone(),
    };
    let reply = gw
        .auth
        .clone()
        .login(request)
        .await
        .map_err(|s| from_status(&s, &LOGIN))?;
    let token = reply.into_inner().session_token;
    let mut success = Success::new("90000000", "登陆授权成功", Value::String(token.clone()));
    success.session_cookie = Some(token);
    Ok(success)
}

pub(crate) const PLAIN: Failures = Failures {
    specific: &[],
    fallback: ("99999999", "系统错误"),
};

/// #7: a new captcha text.
pub async fn get_captcha(gw: Data<Gateway>, _call: Call) -> Outcome {
    let reply = gw
        .auth
        .clone()
        .issue_captcha(pb::IssueCaptchaRequest {})
        .await
        .map_err(|s| from_status(&s, &PLAIN))?;
    Ok(Success::new(
        "0000",
        "获取验证码成功",
        Value::String(reply.into_inner().captcha),
    ))
}

pub(crate) const SEND_SMS: Failures = Failures {
    specific: &[],
    fallback: ("20001001", "短信发送失败"),
};

async fn send_sms_code(gw: Data<Gateway>, call: Call, purpose: pb::SmsPurpose) -> Outcome {
    let f = call.fields();
    let request = pb::SendSmsCodeRequest {
        purpose: purpose.into(),
        mobile: f.text("mobile")?.to_owned(),
        captcha: f.text("code")?.to_owned(),
        client_ip: call.client_ip.clone(),
    };
    gw.auth
        .clone()
        .send_sms_code(request)
        .await
        .map_err(|s| from_status(&s, &SEND_SMS))?;
    Ok(Success::empty("20001000", "短信发送成功"))
}

/// #8
pub async fn get_register_sms_code(gw: Data<Gateway>, call: Call) -> Outcome {
    send_sms_code(gw, call, pb::SmsPurpose::Register).await
}

/// #11
pub async fn get_reset_sms_code(gw: Data<Gateway>, call: Call) -> Outcome {
    send_sms_code(gw, call, pb::SmsPurpose::ResetPassword).await
}

pub(crate) const CHECK_SMS: Failures = Failures {
    specific: &[],
    fallback: ("20002005", "手机短信验证码错误"),
};

async fn check_sms_code(gw: Data<Gateway>, call: Call, purpose: pb::SmsPurpose) -> Outcome {
    let f = call.fields();
    let request = pb::CheckSmsCodeRequest {
        purpose: purpose.into(),
        mobile: f.text("mobile")?.to_owned(),
        code: f.text("smscode")?.to_owned(),
    };
    gw.auth
        .clone()
        .check_sms_code(request)
        .await
        .map_err(|s| from_status(&s, &CHECK_SMS))?;
    Ok(Success::empty("20002006", "手机短信校验成功"))
}

/// #9
pub async fn check_register_sms_code(gw: Data<Gateway>, call: Call) -> Outcome {
    check_sms_code(gw, call, pb::SmsPurpose::Register).await
}

/// #12
pub async fn check_reset_sms_code(gw: Data<Gateway>, call: Call) -> Outcome {
    check_sms_code(gw, call, pb::SmsPurpose::ResetPassword).await
}

pub(crate) const REGISTER: Failures = Failures {
    specific: &[
        (Reason::PasswordMismatch, "20003001", "两次输入的密码不一致"),
        (Reason::PasswordLength, "20003001", "密码须为6-20位字符"),
        (Reason::FlowNotVerified, "20003001", "请先完成手机短信验证"),
    ],
    fallback: ("20003001", "密码设置失败"),
};

/// #10
pub async fn register(gw: Data<Gateway>, call: Call) -> Outcome {
    let request = pb::RegisterRequest {
        mobile: call.fields().text("mobile")?.to_owned(),
        password: call.password("password")?,
        confirm_password: call.password("confirmPassword")?,
    };
    gw.auth
        .clone()
        .register(request)
        .await
        .map_err(|s| from_status(&s, &REGISTER))?;
    Ok(Success::empty("20003000", "密码设置成功"))
}

pub(crate) const RESET_IDENTITY: Failures = Failures {
    specific: &[
        (Reason::FlowNotVerified, "20004001", "请先完成手机短信验证"),
        (Reason::IdentityMismatch, "20004001", "身份认证失败"),
    ],
    fallback: ("20004001", "身份认证失败"),
};

/// #13
pub async fn verify_reset_identity(gw: Data<Gateway>, call: Call) -> Outcome {
    let f = call.fields();
    let request = pb::VerifyResetIdentityRequest {
        mobile: f.text("mobile")?.to_owned(),
        real_name: f.text("realname")?.to_owned(),
        id_card_no: f.text("identitycode")?.to_owned(),
    };
    gw.auth
        .clone()
        .verify_reset_identity(request)
        .await
        .map_err(|s| from_status(&s, &RESET_IDENTITY))?;
    Ok(Success::empty("20004000", "身份认证成功"))
}

pub(crate) const RESET: Failures = Failures {
    specific: &[
        (Reason::PasswordMismatch, "20003003", "两次输入的密码不一致"),
        (Reason::PasswordLength, "20003003", "密码须为6-20位字符"),
        (
            Reason::FlowNotVerified,
            "20003003",
            "请先完成手机短信验证和身份认证",
        ),
    ],
    fallback: ("20003003", "密码重置失败"),
};

/// #14
pub async fn reset_password(gw: Data<Gateway>, call: Call) -> Outcome {
    let request = pb::ResetPasswordRequest {
        mobile: call.fields().text("mobile")?.to_owned(),
        password: call.password("password")?,
        confirm_password: call.password("confirmPassword")?,
    };
    gw.auth
        .clone()
        .reset_password(request)
        .await
        .map_err(|s| from_status(&s, &RESET))?;
    Ok(Success::empty("20003002", "密码重置成功"))
}

pub(crate) const MODIFY: Failures = Failures {
    specific: &[
        (Reason::WrongPassword, "20003015", "当前密码错误"),
        (Reason::AccountLocked, "20003005", "多次密码错误,账号被锁"),
        (Reason::SessionMismatch, "20003005", "登录账号与手机号码不一致"),
        (Reason::PasswordLength, "20003005", "密码须为6-20位字符"),
    ],
    fallback: ("20003005", "密码修改失败"),
};

/// #15: open, but a session sent along must belong to `mobile`.
pub async fn modify_password(gw: Data<Gateway>, call: Call) -> Outcome {
    let request = pb::ChangePasswordRequest {
        mobile: call.fields().text("mobile")?.to_owned(),
        old_password: call.password("oldPassword")?,
        new_password: call.password("newPassword")?,
        session_user_id: call.user.as_ref().map(|u| u.user_id.clone()).unwrap_or_default(),
    };
    gw.auth
        .clone()
        .change_password(request)
        .await
        .map_err(|s| from_status(&s, &MODIFY))?;
    Ok(Success::empty("20003004", "密码修改成功"))
}

/// #18: ends the session; succeeds for an unknown or already-ended one too.
pub async fn logout(gw: Data<Gateway>, call: Call) -> Outcome {
    if let Some(token) = call.session_token.clone() {
        let request = pb::LogoutRequest { session_token: token };
        gw.auth
            .clone()
            .logout(request)
            .await
            .map_err(|s| from_status(&s, &PLAIN))?;
    }
    Ok(Success::empty("20003010", "退出登录成功"))
}
