//! Where the primary's write-ahead log stands, and how far a replica replayed it.

use super::statements::Prepared;
use super::DbError;
use diesel::dsl::sql;
use diesel::pg::PgConnection;
use diesel::sql_types::{Bool, Text};
use diesel::RunQueryDsl;
use std::fmt;
use std::str::FromStr;

/// A position in the primary's write-ahead log (PostgreSQL's `pg_lsn`, written
/// `16/B374D848`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct WalPosition(pub u64);

impl FromStr for WalPosition {
    type Err = ();

    fn from_str(text: &str) -> Result<Self, ()> {
        let (high, low) = text.trim().split_once('/').ok_or(())?;
        let part = |hex: &str| {
            if (1..=8).contains(&hex.len()) && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                u32::from_str_radix(hex, 16).map_err(|_| ())
            } else {
                Err(())
            }
        };
        Ok(WalPosition((u64::from(part(high)?) << 32) | u64::from(part(low)?)))
    }
}

impl fmt::Display for WalPosition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:X}/{:X}", self.0 >> 32, self.0 & 0xFFFF_FFFF)
    }
}

/// How far the primary has written (at least to the end of every commit made).
pub fn written(conn: &mut PgConnection) -> Result<WalPosition, DbError> {
    let text: String = Prepared(diesel::select(sql::<Text>("pg_current_wal_insert_lsn()::text"))).get_result(conn)?;
    text.parse().map_err(|()| DbError::Other(format!("PostgreSQL gave an unreadable log position {text:?}")))
}

/// Whether the server of `conn` has replayed the log to `position`; a primary
/// (not replaying anything) always has.
pub fn replayed(conn: &mut PgConnection, position: WalPosition) -> Result<bool, DbError> {
    let query = diesel::select(sql::<Bool>("coalesce(pg_last_wal_replay_lsn() >= ").bind::<Text, _>(position.to_string()).sql("::pg_lsn, true)"));
    Ok(Prepared(query).get_result(conn)?)
}

#[cfg(test)]
mod tests {
    use super::WalPosition;

    #[test]
    fn log_positions_read_and_write_as_postgresql_does() {
        let position: WalPosition = "16/B374D848".parse().unwrap();
        assert_eq!(position, WalPosition((0x16 << 32) | 0xB374_D848));
        assert_eq!(position.to_string(), "16/B374D848");
        assert!("0/3000148".parse::<WalPosition>().unwrap() < position);
        for bad in ["", "16", "16/", "/1", "x/1", "123456789/0", "1/2/3", "-1/0", "+1/0"] {
            assert!(bad.parse::<WalPosition>().is_err(), "{bad:?}");
        }
    }
}
