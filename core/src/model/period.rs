//! A calendar month (`YYYY-MM`), the unit staff are scored in.

use std::fmt;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// One calendar month, written `YYYY-MM`.
///
/// ```
/// let p: kam::model::Period = "2028-02".parse().unwrap();
/// assert_eq!(p.days(), 29);
/// assert_eq!(p.quarter(), 1);
/// assert!("2026-13".parse::<kam::model::Period>().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Period {
    first: NaiveDate,
}

impl Period {
    /// The month containing `date`.
    pub fn of(date: NaiveDate) -> Period {
        Period {
            first: date.with_day(1).unwrap_or(date),
        }
    }

    /// The year.
    pub fn year(self) -> i32 {
        self.first.year()
    }

    /// The month, 1-12.
    pub fn month(self) -> u32 {
        self.first.month()
    }

    /// The quarter, 1-4.
    pub fn quarter(self) -> u32 {
        (self.month() - 1) / 3 + 1
    }

    /// Days in the month (February 2028 has 29).
    pub fn days(self) -> u32 {
        let next = self.first.checked_add_months(chrono::Months::new(1));
        next.map_or(31, |n| (n - self.first).num_days() as u32)
    }
}

impl std::str::FromStr for Period {
    type Err = ();
    fn from_str(s: &str) -> Result<Period, ()> {
        let b = s.as_bytes();
        let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
        if b.len() != 7 || b[4] != b'-' || !digits(0..4) || !digits(5..7) {
            return Err(());
        }
        let year: i32 = s[..4].parse().map_err(|_| ())?;
        if year < 1 {
            return Err(()); // year 0000 does not exist in YYYY-MM-DD either
        }
        let month: u32 = s[5..].parse().map_err(|_| ())?;
        NaiveDate::from_ymd_opt(year, month, 1)
            .map(|first| Period { first })
            .ok_or(())
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year(), self.month())
    }
}

impl Serialize for Period {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Period {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Period, D::Error> {
        let text = String::deserialize(d)?;
        text.parse()
            .map_err(|_| serde::de::Error::custom(format!("not a month YYYY-MM: {text:?}")))
    }
}
