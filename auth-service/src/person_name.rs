//! Real names: 2–30 characters of CJK ideographs and `·`, or Latin letters and spaces.

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RealName(String);

fn allowed(c: char) -> bool {
    matches!(c, '\u{4e00}'..='\u{9fff}' | '\u{3400}'..='\u{4dbf}' | '·' | 'A'..='Z' | 'a'..='z' | ' ')
}

impl RealName {
    pub fn parse(text: &str) -> Option<Self> {
        let trimmed = text.trim();
        let length = trimmed.chars().count();
        let ok = (2..=30).contains(&length) && trimmed.chars().all(allowed) && !trimmed.contains("  ");
        ok.then(|| Self(trimmed.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// `张*某`: first and last character kept (`张*` for two characters).
pub fn mask(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    match chars.len() {
        0 => String::new(),
        1 => "*".into(),
        2 => format!("{}*", chars[0]),
        n => format!("{}{}{}", chars[0], "*".repeat(n - 2), chars[n - 1]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_cjk_or_latin_of_2_to_30() {
        for good in ["张三", "欧阳娜娜", "迪丽热巴·迪力木拉提", "John Smith", "Li Lei"] {
            assert!(RealName::parse(good).is_some(), "{good}");
        }
        for bad in ["张", "张3", "John  Smith", "Robert'); DROP", "", &"张".repeat(31)] {
            assert!(RealName::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn masks() {
        assert_eq!(mask("张三某"), "张*某");
        assert_eq!(mask("张三"), "张*");
        assert_eq!(mask("欧阳娜娜"), "欧**娜");
    }
}
