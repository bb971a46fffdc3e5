//! IMAP INTERNALDATE ("17-Jul-1996 02:44:25 -0700") <-> Unix seconds.

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Parse an INTERNALDATE into seconds since the Unix epoch (UTC).
pub fn parse_internaldate(text: &str) -> Option<i64> {
    let text = text.trim();
    let (date, rest) = text.split_once(' ')?;
    let (time, zone) = rest.trim().split_once(' ')?;
    let mut d = date.trim().split('-');
    let day: i64 = d.next()?.trim().parse().ok()?;
    let month_name = d.next()?;
    let month = MONTHS
        .iter()
        .position(|m| m.eq_ignore_ascii_case(month_name))? as i64
        + 1;
    let year: i64 = d.next()?.parse().ok()?;
    let mut t = time.split(':');
    let h: i64 = t.next()?.parse().ok()?;
    let mi: i64 = t.next()?.parse().ok()?;
    let s: i64 = t.next()?.parse().ok()?;
    let zone = zone.trim();
    if zone.len() != 5 {
        return None;
    }
    let sign = match &zone[..1] {
        "+" => 1,
        "-" => -1,
        _ => return None,
    };
    let zh: i64 = zone[1..3].parse().ok()?;
    let zm: i64 = zone[3..5].parse().ok()?;
    let local = days_from_civil(year, month, day) * 86400 + h * 3600 + mi * 60 + s;
    Some(local - sign * (zh * 3600 + zm * 60))
}

/// Format Unix seconds as an INTERNALDATE in the given offset (minutes east of UTC).
pub fn format_internaldate(unix: i64, offset_minutes: i32) -> String {
    let local = unix + i64::from(offset_minutes) * 60;
    let days = local.div_euclid(86400);
    let secs = local.rem_euclid(86400);
    let (y, m, d) = civil_from_days(days);
    let sign = if offset_minutes < 0 { '-' } else { '+' };
    let off = offset_minutes.abs();
    format!(
        "{:02}-{}-{:04} {:02}:{:02}:{:02} {}{:02}{:02}",
        d,
        MONTHS[(m - 1) as usize],
        y,
        secs / 3600,
        secs % 3600 / 60,
        secs % 60,
        sign,
        off / 60,
        off % 60
    )
}

/// RFC 5322 Date header text for the same instant.
pub fn format_rfc5322(unix: i64, offset_minutes: i32) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    let local = unix + i64::from(offset_minutes) * 60;
    let weekday = DAYS[local.div_euclid(86400).rem_euclid(7) as usize];
    let idate = format_internaldate(unix, offset_minutes);
    let day = idate[..2].trim_start_matches('0');
    format!("{weekday}, {day} {}", idate[3..].replacen('-', " ", 1))
}

fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719468;
    let era = z.div_euclid(146097);
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_with_offsets() {
        assert_eq!(parse_internaldate("01-Jan-1970 00:00:00 +0000"), Some(0));
        assert_eq!(
            parse_internaldate("17-Jul-1996 02:44:25 -0700"),
            parse_internaldate("17-Jul-1996 09:44:25 +0000")
        );
        assert_eq!(
            parse_internaldate(" 1-Mar-2024 12:00:00 +0100"),
            Some(1_709_290_800)
        );
        assert_eq!(parse_internaldate("garbage"), None);
    }

    #[test]
    fn format_round_trips() {
        for (t, off) in [
            (0, 0),
            (1_709_290_800, 60),
            (951_782_400, -330),
            (1_234_567_890, 120),
        ] {
            let s = format_internaldate(t, off);
            assert_eq!(parse_internaldate(&s), Some(t), "{s}");
        }
        assert_eq!(format_internaldate(0, 0), "01-Jan-1970 00:00:00 +0000");
    }

    #[test]
    fn rfc5322_date_has_weekday() {
        assert_eq!(format_rfc5322(0, 0), "Thu, 1 Jan 1970 00:00:00 +0000");
        assert_eq!(
            format_rfc5322(1_709_290_800, 60),
            "Fri, 1 Mar 2024 12:00:00 +0100"
        );
    }
}
