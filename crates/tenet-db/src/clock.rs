//! What `today` is when no date is given (`--as-of`): the date in UTC, the same for every
//! runner whatever its time zone, so that CI and a laptop agree on what is overdue; and
//! when that date next turns, for the long-lived runners (`tenet watch`, the language
//! server) that move their results to the new day.

use std::time::Duration;

use salsa::Setter;

use crate::{Database, RunSettings};

/// The date in UTC now.
pub fn today_utc() -> jiff::civil::Date {
    jiff::tz::TimeZone::UTC.to_datetime(jiff::Timestamp::now()).date()
}

/// How long until the date in UTC turns, and a second more, so that it has turned by then
/// (an hour, should the calendar end).
pub fn until_tomorrow_utc() -> Duration {
    let now = jiff::Timestamp::now();
    let utc = jiff::tz::TimeZone::UTC;
    let midnight = utc.to_datetime(now).date().tomorrow().and_then(|d| utc.to_timestamp(d.at(0, 0, 0, 0)));
    midnight
        .ok()
        .and_then(|m| Duration::try_from(m.duration_since(now)).ok())
        .map_or(Duration::from_secs(3600), |left| left + Duration::from_secs(1))
}

/// Has `settings` evaluate as of `today` from now on; true when that is another day than
/// they said (a write, so every result that reads the date is evaluated again).
pub fn move_to_date(db: &mut Database, settings: RunSettings, today: jiff::civil::Date) -> bool {
    let moved = settings.today(db) != today;
    if moved {
        settings.set_today(db).to(today);
    }
    moved
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use crate::{Database, RunSettings};

    #[test]
    fn moving_to_another_day_sets_the_date_and_says_so() {
        let mut db = Database::default();
        let settings = RunSettings::new(&db, jiff::civil::date(2026, 11, 27), 1_000);
        assert!(!super::move_to_date(&mut db, settings, jiff::civil::date(2026, 11, 27)));
        let next = jiff::civil::date(2026, 11, 28);
        assert!(super::move_to_date(&mut db, settings, next));
        assert_eq!(settings.today(&db), next);
        assert!(!super::move_to_date(&mut db, settings, next));
    }

    #[test]
    fn the_wait_for_a_new_day_ends_just_after_midnight_utc() {
        let utc = jiff::tz::TimeZone::UTC;
        let now = jiff::Timestamp::now();
        let left = super::until_tomorrow_utc();
        assert!(left > Duration::from_secs(1) && left <= Duration::from_secs(86_401), "{left:?}");
        let at = |d: Duration| {
            let d = jiff::SignedDuration::try_from(d).expect("a day at most");
            utc.to_datetime(now.checked_add(d).expect("in range")).date()
        };
        let today = super::today_utc();
        assert_eq!(at(left), today.tomorrow().expect("a tomorrow"));
        assert_eq!(at(left - Duration::from_secs(2)), today);
    }
}
