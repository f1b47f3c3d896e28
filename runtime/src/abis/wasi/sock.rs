//! WASI socket calls. wasmhole grants no sockets, so these can only ever see
//! descriptors that are not sockets: they say so with the errno the
//! specification gives (EBADF for a closed number, ENOTSOCK otherwise).

use super::types::Errno;
use super::{Cx, WasiResult};

fn not_a_socket(cx: Cx, fd: u64) -> WasiResult {
    match cx.process.fds.get(fd as u32) {
        None => Err(Errno::BADF.into()),
        Some(_) => Err(Errno::NOTSOCK.into()),
    }
}

pub(crate) fn sock_accept(cx: Cx, a: &[u64]) -> WasiResult {
    not_a_socket(cx, a[0])
}

pub(crate) fn sock_recv(cx: Cx, a: &[u64]) -> WasiResult {
    not_a_socket(cx, a[0])
}

pub(crate) fn sock_send(cx: Cx, a: &[u64]) -> WasiResult {
    not_a_socket(cx, a[0])
}

pub(crate) fn sock_shutdown(cx: Cx, a: &[u64]) -> WasiResult {
    not_a_socket(cx, a[0])
}
