//! The h ABI: the quine and greeting samples, their traces, and the output
//! limit.

use crate::abi_support;

use abi_support::*;
use wasmhole_runtime::{FailureKind, Limits, ProcessConfig};

#[test]
fn the_quine_prints_its_h_source() {
    let program = sample("h/quine.wat");
    assert!(!program.legacy_renames().is_empty(), "written in old names");
    let out = run_plain(&program);
    assert_eq!(out.exit_code(), 0);
    assert_eq!(out.stdout, "h", "the h program `h` prints itself");
    assert_eq!(out.trace(), ["h(byte=104) = ()"]);
}

#[test]
fn greeting_prints_one_byte_per_call() {
    let out = run_plain(&sample("h/greeting.wat"));
    assert_eq!(out.exit_code(), 0);
    assert_eq!(out.stdout, "hhh\n");
    assert_eq!(
        out.trace(),
        [
            "h(byte=104) = ()",
            "h(byte=104) = ()",
            "h(byte=104) = ()",
            "h(byte=10) = ()"
        ]
    );
}

#[test]
fn output_limit_applies_byte_by_byte() {
    let config = ProcessConfig {
        limits: Limits {
            max_output: Some(2),
            ..Limits::default()
        },
        ..ProcessConfig::default()
    };
    let out = run(&sample("h/greeting.wat"), config);
    assert_eq!(out.stdout, "hh");
    let message = out.failure(FailureKind::OutputLimit);
    assert!(message.contains("killed in call `h`"), "{message}");
}
