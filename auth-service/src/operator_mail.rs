//! Mail to operators — their enrolment links — behind one interface: the company's mail relay in
//! production. The `spool` relay keeps each message as a file (mode 0600) in a folder only the
//! host reads, as a relay's queue does; like a real relay it refuses addresses it cannot deliver
//! to (any domain ending `.invalid`, RFC 2606) and fails when its folder cannot be written.

use std::path::PathBuf;
use std::sync::Arc;

use crate::providers::ProviderError;

/// A message to one operator.
pub struct Letter<'a> {
    pub to: &'a str,
    pub subject: &'a str,
    pub body: &'a str,
}

#[tonic::async_trait]
pub trait OperatorMail: Send + Sync {
    async fn send(&self, letter: &Letter<'_>) -> Result<(), ProviderError>;
}

/// The folder relay.
pub struct Spool {
    dir: PathBuf,
}

impl Spool {
    pub fn relay(dir: PathBuf) -> Arc<dyn OperatorMail> {
        Arc::new(Self { dir })
    }
}

#[tonic::async_trait]
impl OperatorMail for Spool {
    async fn send(&self, letter: &Letter<'_>) -> Result<(), ProviderError> {
        if letter.to.ends_with(".invalid") {
            return Err(ProviderError::Unavailable("mail relay: no such domain".into()));
        }
        let name = format!(
            "{}-{}.eml",
            chrono::Utc::now().format("%Y%m%dT%H%M%S%.6f"),
            uuid::Uuid::new_v4()
        );
        let text = format!(
            "To: {}\r\nSubject: {}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{}\r\n",
            letter.to, letter.subject, letter.body
        );
        let dir = self.dir.clone();
        tokio::task::spawn_blocking(move || cashloan_runtime::private_file::write_new(&dir, &name, &text))
            .await
            .map_err(|e| ProviderError::Unavailable(e.to_string()))?
            .map_err(|e| ProviderError::Unavailable(format!("mail spool: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn letters_are_private_files_and_undeliverable_domains_fail() {
        let dir = tempfile::tempdir().unwrap();
        let relay = Spool::relay(dir.path().join("mail"));
        let letter = Letter {
            to: "li@lender.example",
            subject: "s",
            body: "link",
        };
        relay.send(&letter).await.unwrap();
        let file = std::fs::read_dir(dir.path().join("mail"))
            .unwrap()
            .next()
            .unwrap()
            .unwrap();
        let text = std::fs::read_to_string(file.path()).unwrap();
        assert!(
            text.starts_with("To: li@lender.example\r\n") && text.contains("link"),
            "{text}"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(file.metadata().unwrap().permissions().mode() & 0o777, 0o600);
        }
        let nowhere = Letter {
            to: "li@lender.invalid",
            ..letter
        };
        assert!(relay.send(&nowhere).await.is_err());
    }
}
