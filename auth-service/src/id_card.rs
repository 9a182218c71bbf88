//! Resident ID numbers, GB 11643: 17 digits and an ISO 7064 MOD 11-2 check character, with a real
//! birth date; borrowers must be 18–65 years old on today's date (UTC+8).

use chrono::{Datelike, NaiveDate};

/// A well-formed ID number (upper-case `X`); only ever built by `parse`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdCardNo(String);

#[derive(Debug, PartialEq, Eq)]
pub enum IdCardError {
    /// Length, characters, region, check character or birth date.
    Format,
    /// A valid number of someone younger than 18 or older than 65.
    Age,
}

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK: &[u8; 11] = b"10X98765432";
/// Province-level codes of GB/T 2260 (plus 71 Taiwan, 81 Hong Kong, 82 Macao).
const PROVINCES: [&str; 34] = [
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41", "42",
    "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71", "81", "82",
];

/// The check character of the first 17 digits.
pub fn check_char(first17: &[u8]) -> char {
    let sum: u32 = first17
        .iter()
        .zip(WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    CHECK[(sum % 11) as usize] as char
}

impl IdCardNo {
    pub fn parse(text: &str, today: NaiveDate) -> Result<Self, IdCardError> {
        let upper = text.trim().to_ascii_uppercase();
        let b = upper.as_bytes();
        if b.len() != 18 || !b[..17].iter().all(u8::is_ascii_digit) {
            return Err(IdCardError::Format);
        }
        if !PROVINCES.contains(&&upper[..2]) || check_char(&b[..17]) != b[17] as char {
            return Err(IdCardError::Format);
        }
        let birth = NaiveDate::parse_from_str(&upper[6..14], "%Y%m%d").map_err(|_| IdCardError::Format)?;
        if birth > today {
            return Err(IdCardError::Format);
        }
        if !(18..=65).contains(&age_on(birth, today)) {
            return Err(IdCardError::Age);
        }
        Ok(Self(upper))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `110105********002X`: the region and the last four.
    pub fn masked(&self) -> String {
        mask(&self.0)
    }
}

pub fn mask(id: &str) -> String {
    cashloan_runtime::mask::id_card(id)
}

/// Full years between the birth date and today.
pub fn age_on(birth: NaiveDate, today: NaiveDate) -> i32 {
    let mut age = today.year() - birth.year();
    if (today.month(), today.day()) < (birth.month(), birth.day()) {
        age -= 1;
    }
    age
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 28).unwrap()
    }

    /// A valid number for a birth date and sequence, check character computed.
    fn id(region: &str, birth: &str, seq: &str) -> String {
        let first17 = format!("{region}{birth}{seq}");
        format!("{first17}{}", check_char(first17.as_bytes()))
    }

    #[test]
    fn a_table_of_valid_and_invalid_numbers() {
        let cases: Vec<(String, Result<(), IdCardError>)> = vec![
            (id("110105", "19900307", "002"), Ok(())),
            (id("110105", "19900307", "002").to_lowercase(), Ok(())),
            (id("440305", "20000229", "123"), Ok(())),
            // The §3 signing vector's number is valid, but its holder is 76.
            ("11010519491231002X".into(), Err(IdCardError::Age)),
            // Wrong check character.
            ("110105199003070021".into(), Err(IdCardError::Format)),
            // Impossible dates, with a correct check character.
            (id("110105", "19900230", "002"), Err(IdCardError::Format)),
            (id("110105", "19901301", "002"), Err(IdCardError::Format)),
            (id("110105", "19010229", "002"), Err(IdCardError::Format)),
            // Born in the future.
            (id("110105", "20300101", "002"), Err(IdCardError::Format)),
            // Unknown province.
            (id("990105", "19900307", "002"), Err(IdCardError::Format)),
            ("11010519900307002".into(), Err(IdCardError::Format)),
            ("1101051990030700211".into(), Err(IdCardError::Format)),
            ("11010519900307002Y".into(), Err(IdCardError::Format)),
            (String::new(), Err(IdCardError::Format)),
        ];
        for (number, expected) in cases {
            assert_eq!(
                IdCardNo::parse(&number, today()).map(|_| ()),
                expected,
                "{number}"
            );
        }
    }

    #[test]
    fn age_boundaries_are_18_and_65_inclusive() {
        let accept = |birth: &str| IdCardNo::parse(&id("110105", birth, "002"), today()).map(|_| ());
        assert_eq!(accept("20081128"), Ok(()), "18 today");
        assert_eq!(accept("20081129"), Err(IdCardError::Age), "18 tomorrow");
        assert_eq!(accept("19601129"), Ok(()), "65, 66 tomorrow");
        assert_eq!(accept("19601128"), Err(IdCardError::Age), "66 today");
    }

    #[test]
    fn masks_keep_region_and_last_four() {
        let number = IdCardNo::parse(&id("110105", "19900307", "002"), today()).unwrap();
        let masked = number.masked();
        assert_eq!(masked.len(), 18);
        assert!(masked.starts_with("110105********"));
        assert_eq!(&masked[14..], &number.as_str()[14..]);
    }
}
