//! The rules of operator accounts (API.md §7), as plain functions: roles, separation of duties,
//! usernames and passwords.

use crate::error::AuthError;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    Reviewer,
    Finance,
    Admin,
    Auditor,
    Risk,
}

impl Role {
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "reviewer" => Some(Self::Reviewer),
            "finance" => Some(Self::Finance),
            "admin" => Some(Self::Admin),
            "auditor" => Some(Self::Auditor),
            "risk" => Some(Self::Risk),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Reviewer => "reviewer",
            Self::Finance => "finance",
            Self::Admin => "admin",
            Self::Auditor => "auditor",
            Self::Risk => "risk",
        }
    }
}

/// The roles as given, checked: at least one, all known, and never reviewer or risk with finance
/// (whoever decides a loan, or writes the rules that do, is not who pays it out). Sorted and
/// without repeats.
pub fn roles(given: &[String]) -> Result<Vec<Role>, AuthError> {
    let mut roles = given
        .iter()
        .map(|r| Role::parse(r.trim()).ok_or(AuthError::InvalidField("roles")))
        .collect::<Result<Vec<_>, _>>()?;
    roles.sort();
    roles.dedup();
    if roles.is_empty() {
        return Err(AuthError::InvalidField("roles"));
    }
    if roles.contains(&Role::Finance) && (roles.contains(&Role::Reviewer) || roles.contains(&Role::Risk)) {
        return Err(AuthError::RolesNotAllowed);
    }
    Ok(roles)
}

/// Roles that move money or manage operators log in with a second factor too.
pub fn needs_second_factor(roles: &[Role]) -> bool {
    roles.iter().any(|r| matches!(r, Role::Admin | Role::Finance))
}

pub fn joined(roles: &[Role]) -> String {
    roles.iter().map(|r| r.name()).collect::<Vec<_>>().join(",")
}

pub fn split(stored: &str) -> Vec<String> {
    stored
        .split(',')
        .filter(|r| !r.is_empty())
        .map(str::to_owned)
        .collect()
}

/// 3–32 letters, digits, `.`, `_` or `-`, starting with a letter; kept lower-case, so `Li.Si` and
/// `li.si` are one account.
pub fn username(given: &str) -> Result<String, AuthError> {
    let name = given.trim().to_ascii_lowercase();
    let ok = (3..=32).contains(&name.len())
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'));
    if !ok {
        return Err(AuthError::InvalidField("username"));
    }
    Ok(name)
}

/// Staff passwords guard every customer's data: 10–64 characters, not all of one kind.
pub fn password(given: &str) -> Result<(), AuthError> {
    let length = given.chars().count();
    let kinds = [
        given.chars().any(|c| c.is_ascii_lowercase()),
        given.chars().any(|c| c.is_ascii_uppercase()),
        given.chars().any(|c| c.is_ascii_digit()),
        given.chars().any(|c| !c.is_ascii_alphanumeric()),
    ]
    .iter()
    .filter(|k| **k)
    .count();
    if !(10..=64).contains(&length) || kinds < 2 || given.chars().any(char::is_control) {
        return Err(AuthError::OperatorPasswordWeak);
    }
    Ok(())
}

/// A work address for the enrolment link: `local@domain`, at most 100 characters, one `@`, a dot
/// in the domain, nothing a mail header could be split on. Kept lower-case.
pub fn email(given: &str) -> Result<String, AuthError> {
    let address = given.trim().to_ascii_lowercase();
    let ok = address.len() <= 100
        && address.split('@').count() == 2
        && address.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.')
        })
        && address
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '@' | '.' | '_' | '-' | '+'));
    if !ok {
        return Err(AuthError::InvalidField("email"));
    }
    Ok(address)
}

/// 1–32 characters shown in the console and the audit log; the username when not given.
pub fn display_name(given: &str, username: &str) -> Result<String, AuthError> {
    let name = given.trim();
    if name.is_empty() {
        return Ok(username.to_owned());
    }
    if name.chars().count() > 32 || name.chars().any(char::is_control) {
        return Err(AuthError::InvalidField("displayName"));
    }
    Ok(name.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(names: &[&str]) -> Vec<String> {
        names.iter().map(std::string::ToString::to_string).collect()
    }

    #[test]
    fn reviewer_and_finance_never_together() {
        assert!(matches!(
            roles(&strings(&["reviewer", "finance"])),
            Err(AuthError::RolesNotAllowed)
        ));
        assert!(matches!(
            roles(&strings(&["finance", "auditor", "reviewer"])),
            Err(AuthError::RolesNotAllowed)
        ));
        assert_eq!(
            roles(&strings(&["auditor", "reviewer", "reviewer"])).unwrap(),
            vec![Role::Reviewer, Role::Auditor]
        );
        assert!(matches!(
            roles(&strings(&["risk", "finance"])),
            Err(AuthError::RolesNotAllowed)
        ));
        assert_eq!(
            roles(&strings(&["risk", "reviewer"])).unwrap(),
            vec![Role::Reviewer, Role::Risk]
        );
        assert_eq!(
            roles(&strings(&["admin", "finance"])).unwrap(),
            vec![Role::Finance, Role::Admin]
        );
    }

    #[test]
    fn unknown_or_no_roles_are_refused() {
        assert!(roles(&[]).is_err());
        assert!(roles(&strings(&["root"])).is_err());
        assert!(roles(&strings(&[""])).is_err());
    }

    #[test]
    fn usernames() {
        assert_eq!(username(" Li.Si ").unwrap(), "li.si");
        for bad in ["ab", "1abc", "li si", "李四", &"a".repeat(33)] {
            assert!(username(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn work_addresses() {
        assert_eq!(email(" Li.Si@Lender.Example ").unwrap(), "li.si@lender.example");
        for bad in [
            "",
            "li.si",
            "@lender.example",
            "li@si@lender.example",
            "li@lender",
            "li@lender.example\r\nBcc: x@y.z",
            "li si@lender.example",
        ] {
            assert!(email(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn money_and_operators_need_a_second_factor() {
        assert!(needs_second_factor(&[Role::Finance]) && needs_second_factor(&[Role::Auditor, Role::Admin]));
        assert!(!needs_second_factor(&[Role::Reviewer, Role::Auditor]));
    }

    #[test]
    fn staff_passwords() {
        assert!(password("Reviewer2026").is_ok());
        assert!(password("correct horse battery").is_ok(), "letters and spaces");
        for bad in ["Short1", "alllowercaseletters", "12345678901", &"aB1".repeat(22)] {
            assert!(password(bad).is_err(), "{bad}");
        }
    }
}
