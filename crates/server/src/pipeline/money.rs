//! Amounts as the board shows them: the currency code, thousands grouped,
//! the decimal places of the `currency_display` setting.

use rust_decimal::{Decimal, RoundingStrategy};

/// `USD 1,250,000.00` with `places` decimals.
pub fn full(amount: Decimal, currency: &str, places: u32) -> String {
    let rounded = amount.round_dp_with_strategy(places, RoundingStrategy::MidpointAwayFromZero);
    let text = format!("{:.*}", places as usize, rounded.abs());
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let mut out = String::with_capacity(text.len() + whole.len() / 3 + currency.len() + 2);
    out.push_str(currency);
    out.push(' ');
    if rounded.is_sign_negative() && !rounded.is_zero() {
        out.push('-');
    }
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if !fraction.is_empty() {
        out.push('.');
        out.push_str(fraction);
    }
    out
}

/// `USD 12.5M`: a column's total where a narrow header has room for little;
/// the page puts [`full`] beside it for hover and screen readers.
pub fn compact(amount: Decimal, currency: &str) -> String {
    let steps = [
        (Decimal::from(1_000_000_000), "B"),
        (Decimal::from(1_000_000), "M"),
        (Decimal::from(1_000), "k"),
    ];
    for (size, suffix) in steps {
        if amount.abs() >= size {
            let scaled = (amount / size)
                .round_dp_with_strategy(1, RoundingStrategy::MidpointAwayFromZero)
                .normalize();
            return format!("{currency} {scaled}{suffix}");
        }
    }
    let whole = amount.round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero);
    format!("{currency} {}", whole.normalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_group_thousands_and_keep_the_places() {
        assert_eq!(
            full(Decimal::new(125_000_000, 2), "USD", 2),
            "USD 1,250,000.00"
        );
        assert_eq!(full(Decimal::new(9995, 1), "EUR", 0), "EUR 1,000");
        assert_eq!(full(Decimal::new(-12345, 0), "GBP", 1), "GBP -12,345.0");
        assert_eq!(full(Decimal::ZERO, "USD", 2), "USD 0.00");
    }

    #[test]
    fn compact_amounts_use_one_decimal_and_a_suffix() {
        assert_eq!(compact(Decimal::from(12_450_000), "USD"), "USD 12.5M");
        assert_eq!(compact(Decimal::from(3_000_000), "USD"), "USD 3M");
        assert_eq!(compact(Decimal::from(420_000), "EUR"), "EUR 420k");
        assert_eq!(compact(Decimal::from(950), "EUR"), "EUR 950");
        assert_eq!(compact(Decimal::from(2_100_000_000i64), "USD"), "USD 2.1B");
    }
}
