//! One verified API call as handlers see it: the body, the key that signed it, the session user.

use cashloan_proto::auth::v1::SessionUser;
use serde_json::{Map, Value};

use crate::codes::{self, Failure};
use crate::envelope::Fields;
use crate::password_transport;

pub struct Call {
    pub body: Map<String, Value>,
    /// The app key the request verified under; passwords decrypt with it.
    pub app_key: String,
    /// The session token the request presented (header, cookie or body), if any.
    pub session_token: Option<String>,
    /// The session's user, resolved before the handler for session and optional-session routes.
    pub user: Option<SessionUser>,
    pub client_ip: String,
}

impl Call {
    pub fn fields(&self) -> Fields<'_> {
        Fields(&self.body)
    }

    /// A DES-encrypted password field, decrypted (API.md §4).
    pub fn password(&self, name: &str) -> Result<String, Failure> {
        let encrypted = self.fields().text(name)?;
        password_transport::decrypt(&self.app_key, encrypted).ok_or_else(|| codes::bad_field(name))
    }

    /// `appType/appVersion` as the app sent them (both optional), for evidence of an acceptance.
    pub fn app(&self) -> Result<String, Failure> {
        let f = self.fields();
        let (kind, version) = (f.optional_text("appType")?, f.optional_text("appVersion")?);
        if kind.chars().count() > 8 {
            return Err(codes::bad_field("appType"));
        }
        if version.chars().count() > 32 {
            return Err(codes::bad_field("appVersion"));
        }
        Ok(match (kind, version) {
            ("", "") => String::new(),
            _ => format!("{kind}/{version}"),
        })
    }

    /// The session user of a session route.
    pub fn user(&self) -> Result<&SessionUser, Failure> {
        self.user.as_ref().ok_or_else(codes::not_logged_in)
    }
}
