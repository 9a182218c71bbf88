//! Masks of personal values shown or logged (API.md §6.2: personal-information minimisation).

/// `189****7521`; empty for anything that is not an 11-character number.
pub fn mobile(mobile: &str) -> String {
    if mobile.len() == 11 && mobile.is_ascii() {
        format!("{}****{}", &mobile[..3], &mobile[7..])
    } else {
        String::new()
    }
}

/// `110105********002X`: the region and the last four; empty for anything that is not 18 characters.
pub fn id_card(id: &str) -> String {
    if id.len() == 18 && id.is_ascii() {
        format!("{}********{}", &id[..6], &id[14..])
    } else {
        String::new()
    }
}

/// `l***@lender.example`: enough to recognise an address, not to be read whole off a screen.
pub fn email(address: &str) -> String {
    match address.trim().split_once('@') {
        Some((local, domain)) => format!("{}***@{domain}", local.chars().take(1).collect::<String>()),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn addresses_keep_the_first_letter_and_the_domain() {
        assert_eq!(super::email("li.si@lender.example"), "l***@lender.example");
        assert_eq!(super::email("nobody"), "");
    }

    #[test]
    fn mobiles_keep_the_first_three_and_last_four() {
        assert_eq!(super::mobile("18912347521"), "189****7521");
        assert_eq!(super::mobile("1"), "");
    }
}
