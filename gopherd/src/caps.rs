//! `caps.txt`: the server capabilities file modern clients ask for
//! (Floodgap's format: `CAPS`, then `Key=Value` lines), generated unless
//! the hole has its own.

use crate::config::About;

/// The selector clients ask for it with (with or without the leading `/`).
pub fn is_caps_selector(selector: &str) -> bool {
    matches!(selector, "caps.txt" | "/caps.txt")
}

/// The generated file.
pub fn caps_txt(about: &About) -> Vec<u8> {
    let mut lines = vec![
        "CAPS".to_string(),
        String::new(),
        "# This server's capabilities, for Gopher clients.".to_string(),
        "CapsVersion=1".to_string(),
        "ExpireCapsAfter=3600".to_string(),
        String::new(),
        // Selectors are paths: `/` between folders, `.` and `..` as usual
        // (a selector with `..` is refused rather than resolved).
        "PathDelimeter=/".to_string(),
        "PathIdentity=.".to_string(),
        "PathParent=..".to_string(),
        "PathParentDouble=FALSE".to_string(),
        "PathKeepPreDelimeter=FALSE".to_string(),
        String::new(),
        "ServerSoftware=gopherd".to_string(),
        format!("ServerSoftwareVersion={}", env!("CARGO_PKG_VERSION")),
        format!(
            "ServerArchitecture={} {}",
            std::env::consts::OS,
            std::env::consts::ARCH
        ),
        "ServerDefaultEncoding=UTF-8".to_string(),
    ];
    for (key, value) in [
        ("ServerDescription", &about.description),
        ("ServerGeolocationString", &about.location),
        ("ServerAdmin", &about.admin),
    ] {
        if let Some(value) = value {
            lines.push(format!("{key}={}", value.replace(['\r', '\n'], " ")));
        }
    }
    let mut out = lines.join("\r\n").into_bytes();
    out.extend_from_slice(b"\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caps_start_with_caps_and_say_what_is_set() {
        let text = String::from_utf8(caps_txt(&About::default())).unwrap();
        assert!(text.starts_with("CAPS\r\n"));
        assert!(text.contains("\r\nPathDelimeter=/\r\n"));
        assert!(text.contains(&format!(
            "\r\nServerSoftwareVersion={}\r\n",
            env!("CARGO_PKG_VERSION")
        )));
        assert!(!text.contains("ServerAdmin"));
        let about = About {
            admin: Some("Ann <ann@example.org>".into()),
            description: Some("A hole\nabout holes".into()),
            location: None,
        };
        let text = String::from_utf8(caps_txt(&about)).unwrap();
        assert!(text.contains("\r\nServerAdmin=Ann <ann@example.org>\r\n"));
        assert!(text.contains("\r\nServerDescription=A hole about holes\r\n"));
        assert!(is_caps_selector("caps.txt") && is_caps_selector("/caps.txt"));
        assert!(!is_caps_selector("/docs/caps.txt"));
    }
}
