//! Byte sizes for people. Decimal units throughout (1 GB = 10^9 bytes), the
//! way the provider sells quotas ("5 GB"), with one decimal, trailing ".0" cut.

/// One decimal gigabyte (10^9 bytes), the unit quotas are sold in.
pub const GB: u64 = 1_000_000_000;

/// `6_200_000_000` -> "6.2 GB", `5 * GB` -> "5 GB", `1_500_000` -> "1.5 MB",
/// `512` -> "512 B". Rounds to the nearest tenth of the largest unit that
/// keeps the value at least 1.
pub fn format_bytes(bytes: u64) -> String {
    const UNITS: [(u64, &str); 4] = [
        (GB * 1000, "TB"),
        (GB, "GB"),
        (1_000_000, "MB"),
        (1_000, "kB"),
    ];
    for (i, (unit, name)) in UNITS.iter().enumerate() {
        if bytes < *unit {
            continue;
        }
        // tenths, rounded half up, in integers to stay exact
        let tenths = (u128::from(bytes) * 10 + u128::from(*unit) / 2) / u128::from(*unit);
        if tenths >= 10_000 && i > 0 {
            // 999.96 MB rounds to 1000.0 MB: say 1 GB instead
            let (up, up_name) = UNITS[i - 1];
            let t = (u128::from(bytes) * 10 + u128::from(up) / 2) / u128::from(up);
            return tenths_text(t, up_name);
        }
        return tenths_text(tenths, name);
    }
    format!("{bytes} B")
}

fn tenths_text(tenths: u128, unit: &str) -> String {
    if tenths.is_multiple_of(10) {
        format!("{} {unit}", tenths / 10)
    } else {
        format!("{}.{} {unit}", tenths / 10, tenths % 10)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_decimal_units_with_one_decimal() {
        assert_eq!(format_bytes(0), "0 B");
        assert_eq!(format_bytes(999), "999 B");
        assert_eq!(format_bytes(1_000), "1 kB");
        assert_eq!(format_bytes(1_500_000), "1.5 MB");
        assert_eq!(format_bytes(5 * GB), "5 GB");
        assert_eq!(format_bytes(6_200_000_000), "6.2 GB");
        assert_eq!(format_bytes(6_249_999_999), "6.2 GB");
        assert_eq!(format_bytes(6_250_000_000), "6.3 GB");
        assert_eq!(format_bytes(50 * GB), "50 GB");
        assert_eq!(format_bytes(999_960_000), "1 GB");
        assert_eq!(format_bytes(2_000 * GB), "2 TB");
    }
}
