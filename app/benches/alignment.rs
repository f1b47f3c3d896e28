//! Prints how long side by side takes to line up its guests' calls by
//! purpose at its limit (three columns of `ALIGNED_CALLS` calls each): when
//! the guests make the same calls, when one makes an extra call every few
//! calls, when they share no purpose, and when they make the same calls in
//! a scrambled order (where the search may stop at its time bound and
//! settle for a good alignment rather than the best).
//!
//! `cargo bench -p wasmhole --bench alignment`

use std::time::{Duration, Instant};
use wasmhole::model::alignment::align;
use wasmhole::model::side_by_side::ALIGNED_CALLS;
use wasmhole_runtime::abis::Purpose;

const RUNS: usize = 5;

fn time(label: &str, columns: &[Vec<Option<Purpose>>]) {
    let mut times: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            let rows = align(columns);
            let took = start.elapsed();
            std::hint::black_box(rows);
            took
        })
        .collect();
    times.sort();
    let rows = align(columns).len();
    let label = format!("3 x {}, {label}", columns[0].len());
    println!(
        "{label:<40} {rows:>6} rows  median {:>8.1} ms  max {:>8.1} ms",
        times[RUNS / 2].as_secs_f64() * 1000.0,
        times[RUNS - 1].as_secs_f64() * 1000.0
    );
}

fn main() {
    use Purpose::*;
    let n = ALIGNED_CALLS;
    let cycle = [Some(Open), Some(Read), Some(Write), Some(Close)];
    let same: Vec<Option<Purpose>> = (0..n).map(|i| cycle[i % 4]).collect();
    time(
        "the same calls",
        &[same.clone(), same.clone(), same.clone()],
    );
    // After every four calls, one no other ABI has.
    let extra: Vec<Option<Purpose>> = same
        .chunks(4)
        .flat_map(|c| c.iter().copied().chain([None]))
        .take(n)
        .collect();
    time(
        "one with an extra call in 5",
        &[same.clone(), extra, same.clone()],
    );
    let reads: Vec<Option<Purpose>> = vec![Some(Read); n];
    let writes: Vec<Option<Purpose>> = vec![Some(Write); n];
    let clocks: Vec<Option<Purpose>> = vec![Some(Clock); n];
    time("nothing in common", &[reads, writes, clocks]);
    let shifted: Vec<Option<Purpose>> = (0..n).map(|i| cycle[(i * 7 / 3) % 4]).collect();
    time("scrambled", &[same.clone(), shifted, same]);
}
