//! An app client: every request signed with a fresh timestamp and nonce (so the replay guard does
//! its real work), sessions presented as the app presents them.

use std::time::Duration;

use cashloan_gateway::{password_transport, signing};
use serde_json::{json, Map, Value};

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("HTTP: {0}")]
    Http(#[from] reqwest::Error),
    #[error("{path} answered {code}")]
    Refused { path: String, code: String },
    #[error("unexpected reply: {0}")]
    Reply(String),
}

#[derive(Clone)]
pub struct App {
    http: reqwest::Client,
    api: String,
    admin: String,
    admin_token: String,
    key: String,
    /// The stack's `log` SMS phones (`<data dir>/sms-spool`): the codes are read there.
    phones: std::path::PathBuf,
}

pub const PASSWORD: &str = "bench1234";

impl App {
    pub fn new(api: &str, admin: &str, admin_token: &str, key: &str, phones: &std::path::Path) -> Self {
        Self {
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(30))
                .pool_max_idle_per_host(1024)
                .build()
                .expect("an HTTP client without TLS settings builds"),
            api: api.trim_end_matches('/').to_owned(),
            admin: admin.trim_end_matches('/').to_owned(),
            admin_token: admin_token.to_owned(),
            key: key.to_owned(),
            phones: phones.to_owned(),
        }
    }

    /// Signs and posts; returns the envelope whatever its code.
    pub async fn call(&self, path: &str, fields: Value, token: Option<&str>) -> Result<Value, ClientError> {
        let mut body: Map<String, Value> = match fields {
            Value::Object(map) => map,
            _ => Map::new(),
        };
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
            .as_millis();
        body.insert("timestamp".into(), json!(now.to_string()));
        body.insert("nonce".into(), json!(format!("{:016x}", rand::random::<u64>())));
        let sign = signing::sign(&self.key, &body);
        body.insert("sign".into(), json!(sign));
        let mut request = self.http.post(format!("{}{path}", self.api)).json(&body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        Ok(request.send().await?.json().await?)
    }

    /// As `call`, requiring one of the success codes.
    pub async fn expect(
        &self,
        path: &str,
        fields: Value,
        token: Option<&str>,
        ok: &[&str],
    ) -> Result<Value, ClientError> {
        let reply = self.call(path, fields, token).await?;
        let code = reply["responseCode"].as_str().unwrap_or_default();
        if ok.contains(&code) {
            Ok(reply)
        } else {
            Err(ClientError::Refused {
                path: path.to_owned(),
                code: code.to_owned(),
            })
        }
    }

    pub async fn admin(&self, path: &str, body: Value) -> Result<Value, ClientError> {
        let response = self
            .http
            .post(format!("{}{path}", self.admin))
            .bearer_auth(&self.admin_token)
            .json(&body)
            .send()
            .await?;
        Ok(response.json().await?)
    }

    pub fn encrypt(&self, password: &str) -> String {
        password_transport::encrypt(&self.key, password)
    }

    /// Registers `mobile` through captcha, SMS code (read off its phone) and check.
    pub async fn register(&self, mobile: &str) -> Result<(), ClientError> {
        let captcha = self
            .expect("/openApi/getCode", json!({}), None, &["0000"])
            .await?;
        let captcha = captcha["resultSet"].as_str().unwrap_or_default().to_owned();
        let sent = self
            .expect(
                "/openApi/getSmsCode",
                json!({"mobile": mobile, "code": captcha}),
                None,
                &["20001000", "10001000"],
            )
            .await?;
        if sent["responseCode"] == "10001000" {
            // Mobiles of two runs can meet (`bench_mobile`); every bench user has one password.
            if sent["responseMessage"] == "该手机号码已注册" {
                return Ok(());
            }
            return Err(ClientError::Refused {
                path: "/openApi/getSmsCode".into(),
                code: "10001000".into(),
            });
        }
        let texts = std::fs::read_to_string(self.phones.join(format!("{mobile}.txt"))).unwrap_or_default();
        let code =
            texts.lines().last().and_then(six_digits).ok_or_else(|| {
                ClientError::Reply(format!("no code on the phone of {mobile} (--sms-spool)"))
            })?;
        self.expect(
            "/openApi/checkSmsCode",
            json!({"mobile": mobile, "smscode": code}),
            None,
            &["20002006"],
        )
        .await?;
        let password = self.encrypt(PASSWORD);
        self.expect(
            "/openApi/userRegister",
            json!({"mobile": mobile, "password": password, "confirmPassword": password}),
            None,
            &["20003000"],
        )
        .await?;
        Ok(())
    }

    /// Logs in; returns the session token.
    pub async fn login(&self, mobile: &str) -> Result<String, ClientError> {
        let reply = self
            .expect(
                "/security/login",
                json!({"username": mobile, "password": self.encrypt(PASSWORD), "appType": "1", "token": ""}),
                None,
                &["90000000"],
            )
            .await?;
        Ok(reply["resultSet"].as_str().unwrap_or_default().to_owned())
    }
}

/// The first run of exactly six digits.
fn six_digits(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_digit() {
            let start = i;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
            if i - start == 6 {
                return Some(text[start..i].to_owned());
            }
        } else {
            i += 1;
        }
    }
    None
}

/// A mobile in a range real users do not hold at this scale: 199 + run tag + index.
pub fn bench_mobile(run: u32, index: usize) -> String {
    format!("199{:03}{:05}", run % 1000, index % 100_000)
}
