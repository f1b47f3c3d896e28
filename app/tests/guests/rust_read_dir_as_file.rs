// What a Rust program sees when it reads a directory as if it were a file.
// std::fs::read opens the path (path_open succeeds: a directory may be
// opened), then reads: the read fails. The error it prints is the WASI
// errno the host returned for fd_read on a directory descriptor
// ("Bad file descriptor (os error 8)" is EBADF, what wasmtime answers).
// Then the same by hand: File::open, then read on the handle.
//
// Run (PATH defaults to /dir/subdir):
//   mkdir -p /tmp/rdf/subdir
//   wasmhole run --dir /tmp/rdf::/dir rust_read_dir_as_file.wasm [PATH]
//
// Build (Debian's rustc 1.63 and its wasm32-wasi standard library:
// apt-get install rustc libstd-rust-dev-wasm32; run in this folder):
//   /usr/bin/rustc --edition 2021 --target wasm32-wasi -O -C strip=debuginfo -o rust_read_dir_as_file.wasm rust_read_dir_as_file.rs
use std::fs::File;
use std::io::Read;

fn main() {
    let path = std::env::args().nth(1).unwrap_or_else(|| "/dir/subdir".to_string());
    match std::fs::read(&path) {
        Ok(bytes) => println!("fs::read({path}): read {} bytes", bytes.len()),
        Err(e) => println!("fs::read({path}): {e}"),
    }
    match File::open(&path) {
        Ok(mut f) => {
            println!("File::open({path}): ok");
            let mut buf = [0u8; 16];
            match f.read(&mut buf) {
                Ok(n) => println!("read: {n} bytes"),
                Err(e) => println!("read: {e}"),
            }
        }
        Err(e) => println!("File::open({path}): {e}"),
    }
}
