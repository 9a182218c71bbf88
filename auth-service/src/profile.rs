//! The customer profile (API.md §6.2, #34): every field checked, the failing one named by its wire
//! name; enumerations normalised (`"01"` = `"1"`; residenceLength and workingHours keep two digits).

use cashloan_proto::auth::v1 as pb;

/// A field that failed, by its name on the wire.
#[derive(Debug, PartialEq, Eq)]
pub struct BadField(pub &'static str);

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Profile {
    pub education: String,
    pub martial_status: String,
    pub registry_province: String,
    pub registry_city: String,
    pub registry_detail: String,
    pub house_address_province: String,
    pub house_address_city: String,
    pub house_address_county: String,
    pub house_address_detail: String,
    pub residence_length: String,
    pub industry_type: String,
    pub work_address_province: String,
    pub work_address_city: String,
    pub work_address_county: String,
    pub work_address_detail: String,
    pub working_hours: String,
    pub current_work_info: String,
    pub current_position: String,
    pub month_income: i64,
    pub payroll_day: Option<i32>,
}

/// An enumeration code in `1..=max`, leading zeros allowed; written with `width` digits.
fn code(text: &str, max: u32, width: usize, field: &'static str) -> Result<String, BadField> {
    let digits = text.trim_start_matches('0');
    let valid = !text.is_empty() && text.len() <= 3 && text.bytes().all(|b| b.is_ascii_digit());
    match digits.parse::<u32>() {
        Ok(n) if valid && (1..=max).contains(&n) => Ok(format!("{n:0width$}")),
        _ => Err(BadField(field)),
    }
}

/// A six-digit administrative region code.
fn region(text: &str, field: &'static str) -> Result<String, BadField> {
    let b = text.as_bytes();
    let ok = b.len() == 6 && b[0] != b'0' && b.iter().all(u8::is_ascii_digit);
    if ok {
        Ok(text.to_owned())
    } else {
        Err(BadField(field))
    }
}

/// Free text of 1–100 characters, without control characters.
fn text(value: &str, field: &'static str) -> Result<String, BadField> {
    let trimmed = value.trim();
    let length = trimmed.chars().count();
    if (1..=100).contains(&length) && !trimmed.chars().any(char::is_control) {
        Ok(trimmed.to_owned())
    } else {
        Err(BadField(field))
    }
}

fn digits_value(value: &str, max_len: usize) -> Option<i64> {
    let ok = !value.is_empty() && value.len() <= max_len && value.bytes().all(|b| b.is_ascii_digit());
    if ok {
        value.parse().ok()
    } else {
        None
    }
}

impl Profile {
    pub fn parse(p: &pb::Profile) -> Result<Self, BadField> {
        let payroll_day = match p.payroll_day.as_str() {
            "" => None,
            day => match digits_value(day, 2) {
                Some(d @ 1..=31) => Some(d as i32),
                _ => return Err(BadField("payrollDay")),
            },
        };
        Ok(Self {
            education: code(&p.education, 7, 1, "education")?,
            martial_status: code(&p.martial_status, 4, 1, "martialStatus")?,
            registry_province: region(&p.registry_province, "registry_province")?,
            registry_city: region(&p.registry_city, "registry_city")?,
            registry_detail: text(&p.registry_detail, "registry_detail")?,
            house_address_province: region(&p.house_address_province, "house_address_province")?,
            house_address_city: region(&p.house_address_city, "house_address_city")?,
            house_address_county: region(&p.house_address_county, "house_address_county")?,
            house_address_detail: text(&p.house_address_detail, "house_address_detail")?,
            residence_length: code(&p.residence_length, 5, 2, "residenceLength")?,
            industry_type: code(&p.industry_type, 14, 1, "industryType")?,
            work_address_province: region(&p.work_address_province, "work_address_province")?,
            work_address_city: region(&p.work_address_city, "work_address_city")?,
            work_address_county: region(&p.work_address_county, "work_address_county")?,
            work_address_detail: text(&p.work_address_detail, "work_address_detail")?,
            working_hours: code(&p.working_hours, 5, 2, "workingHours")?,
            current_work_info: text(&p.current_work_info, "currentWorkInfo")?,
            current_position: text(&p.current_position, "currentPosition")?,
            month_income: digits_value(&p.month_income, 12).ok_or(BadField("monthIncome"))?,
            payroll_day,
        })
    }

    pub fn to_proto(&self) -> pb::Profile {
        pb::Profile {
            education: self.education.clone(),
            martial_status: self.martial_status.clone(),
            registry_province: self.registry_province.clone(),
            registry_city: self.registry_city.clone(),
            registry_detail: self.registry_detail.clone(),
            house_address_province: self.house_address_province.clone(),
            house_address_city: self.house_address_city.clone(),
            house_address_county: self.house_address_county.clone(),
            house_address_detail: self.house_address_detail.clone(),
            residence_length: self.residence_length.clone(),
            industry_type: self.industry_type.clone(),
            work_address_province: self.work_address_province.clone(),
            work_address_city: self.work_address_city.clone(),
            work_address_county: self.work_address_county.clone(),
            work_address_detail: self.work_address_detail.clone(),
            working_hours: self.working_hours.clone(),
            current_work_info: self.current_work_info.clone(),
            current_position: self.current_position.clone(),
            month_income: self.month_income.to_string(),
            payroll_day: self.payroll_day.map(|d| d.to_string()).unwrap_or_default(),
        }
    }
}

/// Contact relations: 1 父母, 2 子女, 3 兄弟姐妹, 4 同事, 6 朋友, 7 配偶, 8 其他亲属, 9 祖父母.
pub fn relation(text: &str) -> Result<String, BadField> {
    let normalized = code(text, 9, 1, "relType")?;
    if normalized == "5" {
        return Err(BadField("relType"));
    }
    Ok(normalized)
}

/// A contact's name: 2–30 characters without control characters.
pub fn contact_name(value: &str) -> Result<String, BadField> {
    let trimmed = value.trim();
    let length = trimmed.chars().count();
    if (2..=30).contains(&length) && !trimmed.chars().any(char::is_control) {
        Ok(trimmed.to_owned())
    } else {
        Err(BadField("realName"))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub fn sample() -> pb::Profile {
        pb::Profile {
            education: "3".into(),
            martial_status: "02".into(),
            registry_province: "110000".into(),
            registry_city: "110100".into(),
            registry_detail: "朝阳区某街道1号".into(),
            house_address_province: "310000".into(),
            house_address_city: "310100".into(),
            house_address_county: "310115".into(),
            house_address_detail: "浦东新区某路2号".into(),
            residence_length: "3".into(),
            industry_type: "14".into(),
            work_address_province: "310000".into(),
            work_address_city: "310100".into(),
            work_address_county: "310104".into(),
            work_address_detail: "徐汇区某大厦10层".into(),
            working_hours: "05".into(),
            current_work_info: "某某科技有限公司".into(),
            current_position: "工程师".into(),
            month_income: "12000".into(),
            payroll_day: String::new(),
        }
    }

    #[test]
    fn a_valid_profile_is_normalised() {
        let p = Profile::parse(&sample()).unwrap();
        assert_eq!(p.martial_status, "2");
        assert_eq!(p.residence_length, "03");
        assert_eq!(p.working_hours, "05");
        assert_eq!(p.month_income, 12000);
        assert_eq!(p.payroll_day, None);
    }

    #[test]
    fn each_bad_field_is_named() {
        type Breaker = fn(&mut pb::Profile);
        let cases: Vec<(Breaker, &str)> = vec![
            (|p| p.education = "8".into(), "education"),
            (|p| p.education = "0".into(), "education"),
            (|p| p.martial_status = "5".into(), "martialStatus"),
            (|p| p.registry_province = "11000".into(), "registry_province"),
            (|p| p.registry_city = "01a000".into(), "registry_city"),
            (|p| p.registry_detail = String::new(), "registry_detail"),
            (|p| p.house_address_county = String::new(), "house_address_county"),
            (
                |p| p.house_address_detail = "字".repeat(101),
                "house_address_detail",
            ),
            (|p| p.residence_length = "06".into(), "residenceLength"),
            (|p| p.industry_type = "15".into(), "industryType"),
            (
                |p| p.work_address_province = "9999999".into(),
                "work_address_province",
            ),
            (|p| p.work_address_detail = "  ".into(), "work_address_detail"),
            (|p| p.working_hours = "x".into(), "workingHours"),
            (|p| p.current_work_info = String::new(), "currentWorkInfo"),
            (|p| p.current_position = "a\u{0}b".into(), "currentPosition"),
            (|p| p.month_income = "-1".into(), "monthIncome"),
            (|p| p.month_income = "1.5".into(), "monthIncome"),
            (|p| p.payroll_day = "32".into(), "payrollDay"),
            (|p| p.payroll_day = "0".into(), "payrollDay"),
        ];
        for (breaker, field) in cases {
            let mut p = sample();
            breaker(&mut p);
            assert_eq!(Profile::parse(&p), Err(BadField(field)), "{field}");
        }
    }

    #[test]
    fn relations_skip_five() {
        assert_eq!(relation("01").unwrap(), "1");
        assert_eq!(relation("8").unwrap(), "8");
        assert!(relation("5").is_err());
        assert!(relation("10").is_err());
    }
}
