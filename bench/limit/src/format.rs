//! Numbers and dates as the policy's explanations write them.
//!
//! These duplicate, by design, the helpers kam gives rules (`money`, `pct`,
//! `num`, and how `${date}` prints): the limit must produce the same text byte
//! for byte. Each is a [`Display`] wrapper that writes its digits from a stack
//! buffer straight into the message being built, so formatting a reason costs
//! no allocation beyond the message itself.
//!
//! - [`Money`] writes `2999999.99` → `2,999,999.99`; `3000000.00` → `3,000,000`;
//!   `0.5` → `0.50` (a single decimal reads as cents).
//! - [`Pct`] writes `0.93` → `93%`; at most 4 decimals of a percent, rounded half to even.
//! - [`Num`] writes `89.50` → `89.5`, `80.0` → `80`.
//! - [`Day`] writes `2026-11-01`.

use std::fmt::{self, Display, Formatter, Write};

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;

/// Longest text a decimal can need here: 29 integer digits with 9 group
/// separators, a sign, a point and 28 decimals fit with room to spare.
const BUF: usize = 80;

/// `10^n` for a decimal scale (0..=28; 10^28 fits a `u128`).
fn pow10(n: u32) -> u128 {
    10u128.pow(n)
}

/// Writes `x` (normalised by the caller) as plain text; `group` puts a comma
/// between thousands, `cents` writes a single decimal as two (`0.5` → `0.50`).
fn write_decimal(f: &mut Formatter<'_>, x: Decimal, group: bool, cents: bool) -> fmt::Result {
    let mut magnitude = x.mantissa().unsigned_abs();
    let mut scale = x.scale();
    if cents && scale == 1 {
        // At most 2^96 · 10: far inside a u128.
        magnitude *= 10;
        scale = 2;
    }
    let unit = pow10(scale);
    let (mut int, mut frac) = (magnitude / unit, magnitude % unit);

    // The integer digits, least significant first, into the end of `digits`.
    let mut digits = [0u8; 40];
    let mut n = 0;
    loop {
        // `int % 10` is one digit: the cast cannot truncate.
        digits[digits.len() - 1 - n] = b'0' + (int % 10) as u8;
        n += 1;
        int /= 10;
        if int == 0 {
            break;
        }
    }
    let int_digits = &digits[digits.len() - n..];

    let mut out = [0u8; BUF];
    let mut len = 0;
    let mut push = |b: u8| {
        out[len] = b;
        len += 1;
    };
    if x.is_sign_negative() && !x.is_zero() {
        push(b'-');
    }
    for (i, &d) in int_digits.iter().enumerate() {
        if group && i > 0 && (n - i) % 3 == 0 {
            push(b',');
        }
        push(d);
    }
    if scale > 0 {
        push(b'.');
        let mut unit = unit / 10;
        while unit > 0 {
            push(b'0' + (frac / unit) as u8);
            frac %= unit;
            unit /= 10;
        }
    }
    // Only ASCII digits, signs and separators were written.
    f.write_str(std::str::from_utf8(&out[..len]).map_err(|_| fmt::Error)?)
}

/// `money(x)`: an amount for explanations, grouped by thousands.
#[derive(Clone, Copy)]
pub(crate) struct Money(pub Decimal);

impl Display for Money {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write_decimal(f, self.0.normalize(), true, true)
    }
}

/// `pct(x)`: a fraction as a percentage, `0.93` → `93%`.
#[derive(Clone, Copy)]
pub(crate) struct Pct(pub Decimal);

impl Display for Pct {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self.0.checked_mul(Decimal::ONE_HUNDRED) {
            Some(p) => {
                write_decimal(f, p.round_dp(4).normalize(), false, false)?;
                f.write_char('%')
            }
            None => write!(f, "{} (as a fraction)", self.0),
        }
    }
}

/// `num(x)`: a number as plain, normalised text.
#[derive(Clone, Copy)]
pub(crate) struct Num(pub Decimal);

impl Display for Num {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write_decimal(f, self.0.normalize(), false, false)
    }
}

/// `${d}` for a date: `YYYY-MM-DD`.
#[derive(Clone, Copy)]
pub(crate) struct Day(pub NaiveDate);

impl Display for Day {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let d = self.0;
        let Ok(year) = u32::try_from(d.year()) else {
            return Display::fmt(&d, f);
        };
        if year > 9999 {
            return Display::fmt(&d, f);
        }
        let (month, day) = (d.month(), d.day());
        // Every value below is a single decimal digit.
        let digit = |n: u32| b'0' + (n % 10) as u8;
        let text = [
            digit(year / 1000),
            digit(year / 100),
            digit(year / 10),
            digit(year),
            b'-',
            digit(month / 10),
            digit(month),
            b'-',
            digit(day / 10),
            digit(day),
        ];
        f.write_str(std::str::from_utf8(&text).map_err(|_| fmt::Error)?)
    }
}

/// Appends to a message being built (writing into a String cannot fail).
pub(crate) fn write(m: &mut String, args: fmt::Arguments<'_>) {
    let _ = m.write_fmt(args);
}

/// Builds one explanation: `text!("...", args)` is `format!` into a buffer
/// sized for a typical reason, so most messages never reallocate.
macro_rules! text {
    ($($arg:tt)*) => {{
        let mut s = String::with_capacity(128);
        $crate::format::write(&mut s, format_args!($($arg)*));
        s
    }};
}
pub(crate) use text;

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn money_matches_the_sandbox() {
        for x in [
            "2999999.99",
            "3000000.00",
            "1250000.5",
            "999",
            "-1000",
            "0",
            "0.00",
            "0.5",
            "0.05",
            "1000",
            "100000",
            "12345678.901",
            "0.0000000000000000000000000001",
            "79228162514264337593543950335",
            "-0.5",
        ] {
            assert_eq!(
                Money(d(x)).to_string(),
                kam::policy::format_money(d(x)),
                "{x}"
            );
        }
    }

    #[test]
    fn pct_matches_the_sandbox() {
        for x in [
            "0.93",
            "1.15",
            "0.950001",
            "1.0333333333333333333333333333",
            "0",
            "0.05",
            "0.00005",
            "0.000050001",
            "-0.25",
            "79228162514264337593543950335",
            "123456789.123456789",
        ] {
            assert_eq!(Pct(d(x)).to_string(), kam::policy::format_pct(d(x)), "{x}");
        }
    }

    #[test]
    fn num_and_day() {
        assert_eq!(Num(d("89.50")).to_string(), "89.5");
        assert_eq!(Num(d("80.0")).to_string(), "80");
        assert_eq!(Num(d("-0.0")).to_string(), "0");
        for s in ["2026-11-01", "0001-01-09", "9999-12-31", "2028-02-29"] {
            let day = NaiveDate::from_str(s).unwrap();
            assert_eq!(Day(day).to_string(), day.to_string());
        }
    }
}
