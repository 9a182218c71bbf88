//! Bank card numbers: 15–19 digits passing the Luhn check.

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BankCardNo(String);

/// Whether the digits pass the Luhn (mod 10) check.
pub fn luhn_valid(digits: &str) -> bool {
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                let doubled = d * 2;
                if doubled > 9 {
                    doubled - 9
                } else {
                    doubled
                }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

impl BankCardNo {
    /// Spaces (as apps group the digits) are ignored.
    pub fn parse(text: &str) -> Option<Self> {
        let digits: String = text.chars().filter(|c| *c != ' ').collect();
        let ok = (15..=19).contains(&digits.len())
            && digits.bytes().all(|b| b.is_ascii_digit())
            && luhn_valid(&digits);
        ok.then_some(Self(digits))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// `6217 **** **** 1531`: the first and last four digits.
pub fn mask(card: &str) -> String {
    if card.len() >= 8 && card.is_ascii() {
        format!("{} **** **** {}", &card[..4], &card[card.len() - 4..])
    } else {
        String::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_of_card_numbers() {
        for good in [
            "6217000010001234569",
            "4111111111111111",
            "378282246310005",
            "6217 0000 1000 1234 569",
        ] {
            assert!(BankCardNo::parse(good).is_some(), "{good}");
        }
        for bad in [
            "4111111111111112",     // Luhn
            "41111111111111",       // 14 digits
            "62170000100012345690", // 20 digits
            "4111-1111-1111-1111",
            "411111111111111a",
            "",
        ] {
            assert!(BankCardNo::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn masks_keep_the_first_and_last_four() {
        assert_eq!(mask("6217000010001531"), "6217 **** **** 1531");
        assert_eq!(mask("6217000010001234569"), "6217 **** **** 4569");
    }
}
