//! The `h` ABI of the h toy language: a compiled h program imports one
//! call, `h.h(i32)`, which writes one byte to standard output, and exports
//! its entry point as `h`.

use crate::abis::call::{CallContext, CallSpec, Fatal, Kind, Purpose, Ret, p32};
use crate::module::abi::Abi;
use crate::sandbox::stdio::StdStream;

fn h(cx: &mut CallContext<'_>, a: &[u64]) -> Result<u64, Fatal> {
    let byte = [a[0] as u8];
    cx.process.charge_output("h", 1)?;
    let _ = cx.process.std_output(StdStream::Stdout).write(&byte);
    Ok(0)
}

/// The one call of the h ABI.
pub static CALLS: &[CallSpec] = &[CallSpec {
    abi: Abi::H,
    name: "h",
    aliases: &[],
    params: &[p32("byte", Kind::Int).doc("the byte to print: the host keeps its low 8 bits")],
    ret: Ret::Void,
    explain: "Writes one byte (the low 8 bits of its argument) to standard output. It is all an h program can do: `h` prints 104, the letter h, and `'` prints 10, a newline.",
    errors: &[],
    kills: &[
        "it would take the guest's standard output past the run's output limit",
        crate::abis::call::WAIT_TIME_LIMIT,
    ],
    purpose: Some(Purpose::Write),
    config_only: false,
    imp: h,
}];
