//! Consents (API.md §6.6, 个人信息保护法): a separate, versioned text for each kind of sensitive
//! collection, served as a page; what a collection needs is the current version accepted and not
//! withdrawn. A new version of a text asks for a new acceptance of what is collected after it.

use cashloan_runtime::evidence::sha256_hex;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConsentType {
    /// ID number and bank card: real-name and bank-card verification.
    Sensitive,
    /// The carrier check of the mobile.
    Carrier,
    /// Emergency contacts and an application's phonebook.
    Contacts,
}

impl ConsentType {
    pub const ALL: [ConsentType; 3] = [Self::Sensitive, Self::Carrier, Self::Contacts];

    pub fn code(self) -> &'static str {
        match self {
            Self::Sensitive => "sensitive",
            Self::Carrier => "carrier",
            Self::Contacts => "contacts",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.code() == code)
    }

    /// The text in force: the last one published of this type.
    pub fn current(self) -> &'static Text {
        TEXTS
            .iter()
            .rev()
            .find(|t| t.kind == self)
            .expect("every consent type has a text")
    }
}

/// One published text. Never edited once published: a change is a new version.
#[derive(Debug, PartialEq, Eq)]
pub struct Text {
    pub kind: ConsentType,
    pub version: &'static str,
    pub title: &'static str,
    pub html: &'static str,
}

impl Text {
    /// The SHA-256 of exactly what the page shows.
    pub fn sha256(&self) -> String {
        sha256_hex(self.html.as_bytes())
    }

    /// How the evidence names it: `sensitive.v1`.
    pub fn name(&self) -> String {
        format!("{}.v{}", self.kind.code(), self.version)
    }
}

/// Every text ever published, oldest first within a type.
pub const TEXTS: &[Text] = &[
    Text {
        kind: ConsentType::Sensitive,
        version: "1",
        title: "敏感个人信息处理授权书",
        html: include_str!("../consents/sensitive.v1.html"),
    },
    Text {
        kind: ConsentType::Carrier,
        version: "1",
        title: "运营商信息核验授权书",
        html: include_str!("../consents/carrier.v1.html"),
    },
    Text {
        kind: ConsentType::Contacts,
        version: "1",
        title: "联系人信息授权书",
        html: include_str!("../consents/contacts.v1.html"),
    },
];

/// A published text by type code and version.
pub fn text(code: &str, version: &str) -> Option<&'static Text> {
    let kind = ConsentType::parse(code)?;
    TEXTS.iter().find(|t| t.kind == kind && t.version == version)
}

/// A user's standing acceptance of one type, as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grant {
    pub version: String,
    pub accepted_at: i64,
    pub withdrawn: bool,
}

/// Whether `grant` covers collection under `current`: that very version, not withdrawn.
pub fn holds(grant: Option<&Grant>, current: &Text) -> bool {
    grant.is_some_and(|g| !g.withdrawn && g.version == current.version)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grant(version: &str, withdrawn: bool) -> Grant {
        Grant {
            version: version.into(),
            accepted_at: 1,
            withdrawn,
        }
    }

    #[test]
    fn only_the_current_version_not_withdrawn_holds() {
        let v2 = Text {
            kind: ConsentType::Contacts,
            version: "2",
            title: "",
            html: "",
        };
        assert!(holds(Some(&grant("2", false)), &v2));
        assert!(
            !holds(Some(&grant("1", false)), &v2),
            "an older version asks again"
        );
        assert!(!holds(Some(&grant("2", true)), &v2), "withdrawn");
        assert!(!holds(None, &v2));
    }

    #[test]
    fn every_type_has_a_current_text_that_says_what_the_law_asks() {
        for kind in ConsentType::ALL {
            let text = kind.current();
            assert_eq!(ConsentType::parse(kind.code()), Some(kind));
            assert_eq!(super::text(kind.code(), text.version), Some(text));
            // What is collected, why, who receives it, for how long, and how to withdraw.
            for heading in ["处理的信息", "目的", "第三方", "保存期限", "撤回"] {
                assert!(text.html.contains(heading), "{} lacks {heading}", text.name());
            }
            assert!(text.html.contains(&format!("<title>{}</title>", text.title)));
        }
        assert!(ConsentType::Contacts
            .current()
            .html
            .contains("绝不会使用联系人或通讯录信息进行催收"));
        assert_eq!(super::text("contacts", "9"), None);
        assert_eq!(super::text("phonebook", "1"), None);
    }
}
