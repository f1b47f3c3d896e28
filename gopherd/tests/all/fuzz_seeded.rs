//! A short fixed-seed run of `gopherd::fuzzing`: random request lines,
//! gophermaps and handler menus, plus the demo gopherhole's maps mutated.
//! The `fuzz/` crate runs the same code for as long as one likes.

use crate::common;

use common::repo_root;

/// Request lines and menus looking like the real ones, mutated.
fn seeds() -> Vec<Vec<u8>> {
    let mut seeds = vec![
        b"/wasi/search\tsome words\r\n".to_vec(),
        b"1Docs\t/docs\n0About\tabout.txt\thost\t70\n*\n.\nafter\n".to_vec(),
        b".\n..\n.x\r\ntext\r\n".to_vec(),
    ];
    seeds.push(std::fs::read(repo_root().join("samples/gopherhole/gophermap")).unwrap());
    seeds
}

#[test]
fn request_lines_menus_and_text_survive_arbitrary_bytes() {
    let mut rng = fastrand::Rng::with_seed(0x60_9be7);
    let seeds = seeds();
    let mut buf = Vec::new();
    for i in 0..20_000 {
        buf.clear();
        if i % 2 == 0 {
            let len = rng.usize(0..256);
            buf.extend((0..len).map(|_| match rng.u8(0..8) {
                0 => b'\t',
                1 => b'\n',
                2 => b'\r',
                3 => b'.',
                _ => rng.u8(..),
            }));
        } else {
            buf.extend_from_slice(&seeds[rng.usize(0..seeds.len())]);
            for _ in 0..rng.usize(1..8) {
                if buf.is_empty() {
                    break;
                }
                let at = rng.usize(0..buf.len());
                match rng.u8(0..3) {
                    0 => buf[at] = rng.u8(..),
                    1 => {
                        buf.remove(at);
                    }
                    _ => buf.insert(at, *rng.choice(b"\t\n\r.*".iter()).unwrap()),
                }
            }
        }
        gopherd::fuzzing::feed(&buf);
    }
}
