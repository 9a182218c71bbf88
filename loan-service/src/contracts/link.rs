//! Links to contract documents (API.md §6.6): `<document id>.<expiry ms>.<mac>`, the MAC an
//! HMAC-SHA-256 under a key derived from the personal-data hash key (every replica has it) over
//! the document, its owner and the expiry. The owner is bound but not shown. A link that does not
//! parse, was altered, names another document or has expired is simply not found.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use cashloan_proto::loan::v1 as pb;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// How long a link works after the response that carried it.
pub const LINK_TTL_MS: i64 = 10 * 60 * 1000;

/// Bytes of the MAC kept in the link (128 bits).
const MAC_BYTES: usize = 16;

pub struct LinkKey(Vec<u8>);

impl LinkKey {
    /// The key, derived from the vault's hash key so that replicas agree without another secret.
    pub fn from_vault(vault: &cashloan_runtime::pii::Vault) -> Self {
        Self(vault.keyed_hash("contract links v1").into_bytes())
    }

    fn mac(&self, document_id: &str, user_id: &str, expires_ms: i64) -> Hmac<Sha256> {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.0).expect("HMAC takes any key length");
        mac.update(format!("contract|{document_id}|{user_id}|{expires_ms}").as_bytes());
        mac
    }

    /// A link token for `user_id`'s document, working until `expires_ms`.
    pub fn issue(&self, document_id: &str, user_id: &str, expires_ms: i64) -> String {
        let tag = self.mac(document_id, user_id, expires_ms).finalize().into_bytes();
        format!("{document_id}.{expires_ms}.{}", hex::encode(&tag[..MAC_BYTES]))
    }

    /// The document a token names, when it names one at all; whether it is genuine is `check`'s.
    pub fn document_of(token: &str) -> Option<&str> {
        let (document_id, _) = token.split_once('.')?;
        Some(document_id).filter(|id| !id.is_empty() && id.len() <= 400)
    }

    /// Whether `token` was issued by this key for `owner`'s document and is still valid at `now_ms`.
    pub fn check(&self, token: &str, owner: &str, now_ms: i64) -> bool {
        let mut parts = token.split('.');
        let (Some(document_id), Some(expires), Some(tag), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return false;
        };
        let (Ok(expires_ms), Ok(tag)) = (expires.parse::<i64>(), hex::decode(tag)) else {
            return false;
        };
        // Constant-time comparison of the truncated MAC.
        let genuine = tag.len() == MAC_BYTES
            && self
                .mac(document_id, owner, expires_ms)
                .verify_truncated_left(&tag)
                .is_ok();
        genuine && now_ms < expires_ms
    }
}

/// The "document" of a preview (the quote's `contractPreviewUrl`): nothing stored, the quoted terms
/// and their user carried in the link (and covered by its MAC), rendered when opened.
pub fn preview_document(request: &pb::QuoteRequest) -> String {
    let terms = [
        &request.product_id,
        &request.amount,
        &request.term_count,
        &request.term_unit,
        &request.repay_term_count,
        &request.repay_term_unit,
        &request.repay_type,
        &request.interest_rate,
    ]
    .map(String::as_str)
    .join("|");
    format!("{PREVIEW}{}~{}", request.user_id, URL_SAFE_NO_PAD.encode(terms))
}

const PREVIEW: &str = "preview~";

/// The quote a preview document stands for, with its user.
pub fn parse_preview(document: &str) -> Option<pb::QuoteRequest> {
    let (user_id, terms) = document.strip_prefix(PREVIEW)?.split_once('~')?;
    let terms = String::from_utf8(URL_SAFE_NO_PAD.decode(terms).ok()?).ok()?;
    let fields: Vec<&str> = terms.split('|').collect();
    let [product_id, amount, term_count, term_unit, repay_term_count, repay_term_unit, repay_type, interest_rate] =
        fields[..]
    else {
        return None;
    };
    Some(pb::QuoteRequest {
        user_id: user_id.to_owned(),
        product_id: product_id.to_owned(),
        amount: amount.to_owned(),
        term_count: term_count.to_owned(),
        term_unit: term_unit.to_owned(),
        repay_term_count: repay_term_count.to_owned(),
        repay_term_unit: repay_term_unit.to_owned(),
        repay_type: repay_type.to_owned(),
        interest_rate: interest_rate.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(k: &str) -> LinkKey {
        LinkKey(k.as_bytes().to_vec())
    }

    #[test]
    fn a_link_works_for_its_document_and_owner_until_it_expires() {
        let k = key("k1");
        let token = k.issue("doc-1", "user-a", 1_000);
        assert_eq!(LinkKey::document_of(&token), Some("doc-1"));
        assert!(k.check(&token, "user-a", 999));
        assert!(!k.check(&token, "user-a", 1_000), "expired");
        assert!(!k.check(&token, "user-b", 999), "someone else's document");
        assert!(!key("k2").check(&token, "user-a", 999), "another key");
    }

    #[test]
    fn an_altered_or_malformed_link_fails() {
        let k = key("k1");
        let token = k.issue("doc-1", "user-a", 1_000);
        let later = token.replacen(".1000.", ".9999999.", 1);
        assert!(!k.check(&later, "user-a", 999), "a longer life");
        let other = token.replacen("doc-1", "doc-2", 1);
        assert!(!k.check(&other, "user-a", 999), "another document");
        let mut flipped = token.clone();
        let last = flipped.pop().unwrap();
        flipped.push(if last == '0' { '1' } else { '0' });
        assert!(!k.check(&flipped, "user-a", 999), "a changed MAC");
        for bad in [
            "",
            "doc-1",
            "doc-1.1000",
            "doc-1.x.00",
            "doc-1.1000.zz",
            "doc-1.1000.00.extra",
        ] {
            assert!(!k.check(bad, "user-a", 0), "{bad:?}");
        }
        assert_eq!(LinkKey::document_of(""), None);
    }

    #[test]
    fn a_preview_carries_its_quote() {
        let request = pb::QuoteRequest {
            user_id: "u-1".into(),
            product_id: "p-1".into(),
            amount: "500.00".into(),
            term_count: "14".into(),
            term_unit: "1".into(),
            repay_term_count: "1".into(),
            repay_term_unit: "1".into(),
            repay_type: "1".into(),
            interest_rate: "0.36".into(),
        };
        let document = preview_document(&request);
        assert!(!document.contains('.') && !document.contains('/'), "{document}");
        assert_eq!(parse_preview(&document), Some(request));
        assert_eq!(parse_preview("preview~u-1~!!"), None);
        assert_eq!(parse_preview("doc-1"), None);
    }
}
