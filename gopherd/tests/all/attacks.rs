//! Clients that try to hold the server: idle and slow connections from one
//! address or many, slow readers of big files, many slow readers at once.
//! Each must leave everyone else answered, and the server's memory and
//! descriptors bounded.

use crate::common;

use common::{Gopherd, read_all};
use std::io::{Read, Write};
use std::net::{IpAddr, SocketAddr, TcpStream};
use std::time::{Duration, Instant};

/// A connection to `server` from the loopback address `from` (any of
/// 127.0.0.0/8 is this machine).
fn connect_from(from: &str, server: SocketAddr) -> TcpStream {
    use socket2::{Domain, Socket, Type};
    let socket = Socket::new(Domain::IPV4, Type::STREAM, None).unwrap();
    let local = SocketAddr::new(from.parse::<IpAddr>().unwrap(), 0);
    socket.bind(&local.into()).unwrap();
    socket.connect(&server.into()).unwrap();
    let stream: TcpStream = socket.into();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    stream
}

/// Requests `selector` from `from` and reads the whole answer.
fn get_from(from: &str, server: SocketAddr, selector: &str) -> String {
    let mut s = connect_from(from, server);
    s.write_all(format!("{selector}\r\n").as_bytes()).unwrap();
    String::from_utf8_lossy(&read_all(&mut s)).into_owned()
}

/// Whether the server has closed `s` (it answered, or dropped it).
fn closed_by_server(s: &mut TcpStream) -> bool {
    s.set_nonblocking(true).unwrap();
    let mut buf = [0u8; 256];
    let closed = loop {
        match s.read(&mut buf) {
            Ok(0) => break true,
            Ok(_) => continue,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break false,
            Err(_) => break true,
        }
    };
    s.set_nonblocking(false).unwrap();
    closed
}

fn hole(limits: &str) -> Gopherd {
    Gopherd::with_setup(
        &format!("root = \"{{tmp}}/root\"\n[limits]\nread_timeout = \"20s\"\n{limits}\n"),
        |dir| {
            std::fs::create_dir_all(dir.join("root")).unwrap();
            std::fs::write(dir.join("root/hello.txt"), "Hello!\n").unwrap();
        },
    )
}

#[test]
fn idle_connections_from_one_address_do_not_lock_out_anyone() {
    let hole = hole("max_connections = 4\nmax_pending = 64\nmax_per_client = 8");
    let addr = hole.addr();
    // 300 connections that send one byte and then nothing, as slowloris does.
    let mut idle: Vec<TcpStream> = (0..300)
        .map(|_| {
            let mut s = connect_from("127.0.0.2", addr);
            s.write_all(b"/").unwrap();
            s
        })
        .collect();
    for _ in 0..20 {
        assert_eq!(get_from("127.0.0.1", addr, "/hello.txt"), "Hello!\n");
    }
    // Even from the same address: its own oldest idle connection gives way.
    assert_eq!(get_from("127.0.0.2", addr, "/hello.txt"), "Hello!\n");
    let t0 = Instant::now();
    let mut dropped = 0;
    while t0.elapsed() < Duration::from_secs(10) {
        dropped = idle.iter_mut().map(closed_by_server).filter(|c| *c).count();
        if dropped >= 300 - 8 {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(
        dropped >= 300 - 8,
        "only {dropped} idle connections were dropped"
    );
    hole.wait_for_access(&["127.0.0.2:", "outcome=evicted"]);
}

#[test]
fn when_every_place_is_taken_the_longest_waiting_gives_way() {
    let hole = hole("max_pending = 4\nmax_per_client = 0");
    let addr = hole.addr();
    let mut waiting: Vec<TcpStream> = (2..6)
        .map(|i| {
            let mut s = connect_from(&format!("127.0.0.{i}"), addr);
            s.write_all(b"/hel").unwrap();
            s
        })
        .collect();
    // One listener accepts in the order the connections were made.
    assert_eq!(get_from("127.0.0.9", addr, "/hello.txt"), "Hello!\n");
    let first = read_all(&mut waiting[0]);
    assert_eq!(
        String::from_utf8_lossy(&first),
        "3server busy, try again later\t\terror.host\t1\r\n.\r\n"
    );
    for s in &mut waiting[1..] {
        s.write_all(b"lo.txt\r\n").unwrap();
        assert_eq!(read_all(s), b"Hello!\n");
    }
}

#[test]
fn one_client_cannot_take_every_answering_slot() {
    let hole =
        hole("max_connections = 8\nmax_per_client = 2\nwrite_timeout = \"20s\"\nmin_send_rate = 0");
    std::fs::write(hole.dir.path().join("root/big.bin"), vec![1u8; 32 << 20]).unwrap();
    let addr = hole.addr();
    let mut readers: Vec<TcpStream> = (0..2)
        .map(|_| {
            let mut s = connect_from("127.0.0.2", addr);
            s.write_all(b"/big.bin\r\n").unwrap();
            let mut first = [0u8; 1];
            s.read_exact(&mut first).unwrap();
            s
        })
        .collect();
    assert_eq!(
        get_from("127.0.0.2", addr, "/hello.txt"),
        "3too many connections from your address, try again later\t\terror.host\t1\r\n.\r\n"
    );
    assert_eq!(get_from("127.0.0.3", addr, "/hello.txt"), "Hello!\n");
    hole.wait_for_access(&["127.0.0.2:", "outcome=client-busy"]);
    readers.clear();
    hole.wait_for_access(&["\"/big.bin\"", "outcome=client-gone"]);
    assert_eq!(get_from("127.0.0.2", addr, "/hello.txt"), "Hello!\n");
}

/// The resident memory of a process, in bytes.
fn rss(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let kb: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap();
    kb * 1024
}

#[test]
fn slow_readers_of_a_big_text_file_do_not_grow_the_server() {
    let hole = Gopherd::with_setup(
        "root = \"{tmp}/root\"\ntext_framing = \"rfc1436\"\n[limits]\nwrite_timeout = \"20s\"\nmin_send_rate = 0\n",
        |dir| {
            std::fs::create_dir_all(dir.join("root")).unwrap();
            let line = ".a line of text that starts with a dot, to be stuffed\n";
            std::fs::write(
                dir.join("root/big.txt"),
                line.repeat((16 << 20) / line.len()),
            )
            .unwrap();
        },
    );
    assert!(hole.get("/hello").starts_with('3'), "warm up");
    let before = rss(hole.pid());
    let readers: Vec<TcpStream> = (0..16)
        .map(|_| {
            let mut s = hole.connect();
            s.write_all(b"/big.txt\r\n").unwrap();
            let mut first = [0u8; 2];
            s.read_exact(&mut first).unwrap();
            assert_eq!(&first, b"..");
            s
        })
        .collect();
    // Every reader has started; give the server time to fill what it can.
    std::thread::sleep(Duration::from_millis(500));
    let grown = rss(hole.pid()).saturating_sub(before);
    assert!(
        grown < 48 << 20,
        "16 readers of a 16 MiB text file grew the server by {} MiB",
        grown >> 20
    );
    drop(readers);
}

#[test]
fn a_reader_slower_than_the_minimum_rate_is_cut_off() {
    let hole = Gopherd::with_setup(
        "root = \"{tmp}/root\"\n[limits]\nwrite_timeout = \"2s\"\nmin_send_rate = \"8M\"\n",
        |dir| {
            std::fs::create_dir_all(dir.join("root")).unwrap();
            std::fs::write(dir.join("root/big.bin"), vec![3u8; 256 << 20]).unwrap();
        },
    );
    let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
    socket.set_recv_buffer_size(16 * 1024).unwrap();
    socket.connect(&hole.addr().into()).unwrap();
    let mut s: TcpStream = socket.into();
    s.write_all(b"/big.bin\r\n").unwrap();
    let t0 = Instant::now();
    let mut buf = [0u8; 16 * 1024];
    let mut total = 0usize;
    // 16 KiB every 15 ms is about 1 MiB/s, well below 8 MiB/s, yet never
    // a stall of 2 s: only the rate can stop it.
    loop {
        match s.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => total += n,
        }
        std::thread::sleep(Duration::from_millis(15));
        assert!(t0.elapsed() < Duration::from_secs(60), "never cut off");
    }
    assert!(total < 256 << 20, "the whole file arrived");
    hole.wait_for_access(&["\"/big.bin\"", "outcome=too-slow"]);
}
