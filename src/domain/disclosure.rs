//! Statistical disclosure control: how a count of people is published to a
//! reader who does not own the data.
//!
//! The method is the cell-key method of the UK 2021 census tables (ONS) and the
//! Australian Bureau of Statistics' TableBuilder, with controlled rounding as its
//! perturbation table:
//!
//! - every participant carries a **record key**, drawn once at random from
//!   0..=255 when the record is created and never changed or shown
//!   (`participants.record_key`, migration 000012);
//! - a cell's **key** is the sum of its persons' record keys modulo 256, so the
//!   same persons always make the same key, however the cell was asked for;
//! - a count `n = q·b + m` (`b` the base, `0 ≤ m < b`) is published as `q·b`
//!   or `(q+1)·b`: rounded up when `key·b < m·256`, which happens for a share
//!   `m/b` of the keys, so a published count is on average the true one.
//!
//! Hence every published count is a multiple of the base, a true 1 or 2 is never
//! published as such, a difference between two published counts (a margin minus
//! its cells, a region minus a project, two overlapping filters) is a multiple of
//! the base too, and asking again gives the same figure: repetition averages
//! nothing away. A published count is within `b - 1` of the true one.
//!
//! The rule itself is the SQL function `protected_count` (migration 000013): the
//! indicator roll-ups the database maintains add up published values, so the
//! database must apply it, and every other count is published by the same function.

/// The base counts are rounded to unless configured otherwise.
pub const DEFAULT_BASE: i64 = 5;

/// The base of the rounding applied to counts a reader does not own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rounding {
    base: i64,
}

impl Default for Rounding {
    fn default() -> Rounding {
        Rounding { base: DEFAULT_BASE }
    }
}

impl Rounding {
    /// A base below 3 would publish a 1 or a 2 (or the difference of two counts
    /// as one); above 100 every small area would read as 0 or 100.
    pub fn new(base: i64) -> Result<Rounding, String> {
        if (3..=100).contains(&base) {
            Ok(Rounding { base })
        } else {
            Err(format!("the rounding base of protected counts must be between 3 and 100, not {base}"))
        }
    }

    pub fn base(&self) -> i64 {
        self.base
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_base_is_between_three_and_a_hundred() {
        assert!(Rounding::new(2).is_err());
        assert!(Rounding::new(101).is_err());
        assert_eq!(Rounding::new(3).map(|r| r.base()), Ok(3));
        assert_eq!(Rounding::default().base(), 5);
    }
}
