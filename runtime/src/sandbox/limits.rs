//! Limits on one run (memory, fuel, time, output, open files) and byte
//! counts as they are written (`64K`, `2M`).

use std::time::Duration;

/// Parses a byte count with an optional binary suffix: `4096`, `64K`,
/// `2M`, `1G` (also `KB`, `KiB`…), as limits are written on command lines
/// and in configuration files.
pub fn parse_bytes(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let digits_end = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (num, suffix) = t.split_at(digits_end);
    let bad = || format!("`{text}` is not a byte count (use a number with K, M or G)");
    let mult: u64 = match suffix.trim().to_ascii_uppercase().as_str() {
        "" | "B" => 1,
        "K" | "KB" | "KIB" => 1 << 10,
        "M" | "MB" | "MIB" => 1 << 20,
        "G" | "GB" | "GIB" => 1 << 30,
        _ => return Err(bad()),
    };
    num.parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(mult))
        .ok_or_else(bad)
}

/// Limits on one run. `None` means unlimited.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Limits {
    /// Most memory the guest may use, in bytes: its linear memories, tables
    /// and the buffers the host holds for it, together (`None`: 4 GiB).
    pub max_memory: Option<u64>,
    /// Instructions budget (wasmtime fuel units).
    pub fuel: Option<u64>,
    /// Wall-clock deadline for the whole run.
    pub timeout: Option<Duration>,
    /// Most bytes the guest may write to stdout and stderr together.
    pub max_output: Option<u64>,
    /// Most of the host's files and directories (preopened directories
    /// included) the guest may hold open at once; opening one more fails
    /// with "descriptor limit of N open files reached".
    pub max_open_files: Option<u32>,
}

#[cfg(test)]
mod tests {
    use super::parse_bytes;

    #[test]
    fn byte_counts_take_suffixes() {
        assert_eq!(parse_bytes("4096"), Ok(4096));
        assert_eq!(parse_bytes("64K"), Ok(65536));
        assert_eq!(parse_bytes("2M"), Ok(2 << 20));
        assert_eq!(parse_bytes("1GiB"), Ok(1 << 30));
        assert!(parse_bytes("lots").is_err());
        assert!(parse_bytes("3X").is_err());
        assert!(parse_bytes("99999999999G").is_err(), "overflow is refused");
    }
}
