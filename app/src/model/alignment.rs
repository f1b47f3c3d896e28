//! Lining up the calls of guests that speak different ABIs: a sequence
//! alignment by purpose (the `Purpose` each call's description declares),
//! so that `fd_write`, Dagger's `write` and Olin's `resource_write` share a
//! row, and a call the other guests have no counterpart for gets a row of
//! its own with gaps beside it. Columns are added one at a time, each
//! aligned against the rows so far by a longest common subsequence of
//! purposes (Myers' diff); a call without a purpose matches nothing.

use std::time::{Duration, Instant};
use wasmhole_runtime::abis::Purpose;

/// How long one column's alignment may search for the longest common
/// subsequence before settling for a good one (very long, very different
/// traces only).
const SEARCH_TIME: Duration = Duration::from_millis(100);

/// One row of the alignment: a purpose, and for each column the index of
/// its call in that row (`None`: a gap).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    /// What the row's calls are for (`None`: a call with no counterpart in
    /// any ABI, alone in its row).
    pub purpose: Option<Purpose>,
    /// Per column, the index of the call in that column's sequence.
    pub cells: Vec<Option<usize>>,
}

/// What rows are compared by: the purpose, or for a call without one, the
/// call itself (which equals nothing else).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Key {
    Purpose(Purpose),
    Alone { column: usize, index: usize },
}

fn key(purpose: Option<Purpose>, column: usize, index: usize) -> Key {
    match purpose {
        Some(p) => Key::Purpose(p),
        None => Key::Alone { column, index },
    }
}

/// Aligns the columns' purpose sequences (one per guest, in call order).
/// Every call appears in exactly one row, each column's calls stay in
/// order, and rows are as few as a longest common subsequence makes them.
pub fn align(columns: &[Vec<Option<Purpose>>]) -> Vec<Row> {
    let width = columns.len();
    let mut rows: Vec<Row> = Vec::new();
    // The key of each row: its purpose, or the first call that made it.
    let mut row_keys: Vec<Key> = Vec::new();
    for (c, column) in columns.iter().enumerate() {
        let keys: Vec<Key> = column
            .iter()
            .enumerate()
            .map(|(i, p)| key(*p, c, i))
            .collect();
        let ops = similar::capture_diff_slices_deadline(
            similar::Algorithm::Myers,
            &row_keys,
            &keys,
            Some(Instant::now() + SEARCH_TIME),
        );
        let mut next_rows = Vec::with_capacity(rows.len() + keys.len());
        let mut next_keys = Vec::with_capacity(rows.len() + keys.len());
        let new_row = |i: usize| {
            let mut cells = vec![None; width];
            cells[c] = Some(i);
            Row {
                purpose: column[i],
                cells,
            }
        };
        for op in ops {
            let (_, old, new) = op.as_tag_tuple();
            if matches!(op, similar::DiffOp::Equal { .. }) {
                for (o, n) in old.zip(new) {
                    let mut row = rows[o].clone();
                    row.cells[c] = Some(n);
                    next_rows.push(row);
                    next_keys.push(row_keys[o]);
                }
                continue;
            }
            // Rows the new column has no call for, then its calls the
            // rows so far have no counterpart for.
            for o in old {
                next_rows.push(rows[o].clone());
                next_keys.push(row_keys[o]);
            }
            for n in new {
                next_rows.push(new_row(n));
                next_keys.push(keys[n]);
            }
        }
        rows = next_rows;
        row_keys = next_keys;
    }
    for row in &mut rows {
        row.cells.resize(width, None);
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;
    use std::sync::{Arc, Mutex};
    use wasmhole_runtime::calls::ring::{Ring, RingSink};
    use wasmhole_runtime::{Program, RunOptions, Runtime};

    /// The calls a program makes when run, by name and purpose.
    fn calls_of(program: Program) -> Vec<(&'static str, Option<Purpose>)> {
        let ring = Arc::new(Mutex::new(Ring::new(1000)));
        let rt = Runtime::new(Default::default()).unwrap();
        rt.run(
            &program,
            RunOptions {
                abi: None,
                config: Default::default(),
                sinks: vec![Box::new(RingSink(ring.clone()))],
            },
        );
        let ring = ring.lock().unwrap();
        ring.iter().map(|r| (r.name, r.spec.purpose)).collect()
    }

    fn sample(path: &str) -> Vec<(&'static str, Option<Purpose>)> {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(path);
        calls_of(Program::from_file(&path).unwrap())
    }

    /// The rows as call names per column (`-` for a gap).
    fn table(columns: &[Vec<(&'static str, Option<Purpose>)>]) -> Vec<Vec<&'static str>> {
        let purposes: Vec<Vec<Option<Purpose>>> = columns
            .iter()
            .map(|c| c.iter().map(|(_, p)| *p).collect())
            .collect();
        align(&purposes)
            .iter()
            .map(|row| {
                row.cells
                    .iter()
                    .enumerate()
                    .map(|(c, cell)| cell.map_or("-", |i| columns[c][i].0))
                    .collect()
            })
            .collect()
    }

    #[test]
    fn the_three_hello_samples_share_their_write() {
        let wasi = sample("samples/wasi/hello.wat");
        let dagger = sample("samples/dagger/hello.wat");
        let olin = sample("samples/olin/hello.wat");
        assert_eq!(
            table(&[wasi, dagger, olin]),
            vec![
                vec!["-", "open", "-"],
                vec!["-", "-", "io_get_stdout"],
                vec!["fd_write", "write", "resource_write"],
                vec!["-", "close", "-"],
            ]
        );
    }

    #[test]
    fn every_call_is_in_one_row_and_columns_keep_their_order() {
        let wasi = sample("samples/wasi/hello.wat");
        let dagger = sample("samples/dagger/hello.wat");
        let olin = sample("samples/olin/hello.wat");
        let purposes: Vec<Vec<Option<Purpose>>> = [&wasi, &dagger, &olin]
            .iter()
            .map(|c| c.iter().map(|(_, p)| *p).collect())
            .collect();
        let rows = align(&purposes);
        for (c, column) in purposes.iter().enumerate() {
            let indices: Vec<usize> = rows.iter().filter_map(|r| r.cells[c]).collect();
            assert_eq!(indices, (0..column.len()).collect::<Vec<_>>());
        }
        for row in &rows {
            for (c, cell) in row.cells.iter().enumerate() {
                if let Some(i) = cell {
                    assert_eq!(purposes[c][*i], row.purpose, "a row holds one purpose");
                }
            }
        }
    }

    #[test]
    fn extra_calls_get_rows_of_their_own() {
        // A WASI guest that reads its arguments, asks about stdout (a call
        // no other ABI has), writes and exits, beside an Olin guest that
        // reads one argument, writes and exits.
        let wasi = calls_of(
            Program::from_wat(
                "extra.wat",
                r#"(module
                  (import "wasi_snapshot_preview1" "args_sizes_get" (func $sizes (param i32 i32) (result i32)))
                  (import "wasi_snapshot_preview1" "fd_fdstat_get" (func $stat (param i32 i32) (result i32)))
                  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
                  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
                  (memory (export "memory") 1)
                  (data (i32.const 100) "hi\n")
                  (func (export "_start")
                    (drop (call $sizes (i32.const 0) (i32.const 4)))
                    (drop (call $stat (i32.const 1) (i32.const 16)))
                    (i32.store (i32.const 40) (i32.const 100))
                    (i32.store (i32.const 44) (i32.const 3))
                    (drop (call $write (i32.const 1) (i32.const 40) (i32.const 1) (i32.const 48)))
                    (call $exit (i32.const 3))))"#,
            )
            .unwrap(),
        );
        let olin = calls_of(
            Program::from_wat(
                "extra.wat",
                r#"(module
                  (import "cwa" "startup_arg_len" (func $len (result i32)))
                  (import "cwa" "io_get_stdout" (func $stdout (result i32)))
                  (import "cwa" "resource_write" (func $write (param i32 i32 i32) (result i32)))
                  (import "cwa" "runtime_exit" (func $exit (param i32)))
                  (memory (export "memory") 1)
                  (data (i32.const 0) "hi\n")
                  (func (export "_start")
                    (drop (call $len))
                    (drop (call $write (call $stdout) (i32.const 0) (i32.const 3)))
                    (call $exit (i32.const 3))))"#,
            )
            .unwrap(),
        );
        assert_eq!(
            table(&[wasi, olin]),
            vec![
                vec!["args_sizes_get", "startup_arg_len"],
                vec!["fd_fdstat_get", "-"],
                vec!["-", "io_get_stdout"],
                vec!["fd_write", "resource_write"],
                vec!["proc_exit", "runtime_exit"],
            ]
        );
    }

    #[test]
    fn calls_without_a_purpose_never_share_a_row() {
        let rows = align(&[
            vec![None, Some(Purpose::Write)],
            vec![None, Some(Purpose::Write)],
        ]);
        assert_eq!(
            rows,
            vec![
                Row {
                    purpose: None,
                    cells: vec![Some(0), None]
                },
                Row {
                    purpose: None,
                    cells: vec![None, Some(0)]
                },
                Row {
                    purpose: Some(Purpose::Write),
                    cells: vec![Some(1), Some(1)]
                },
            ]
        );
    }

    #[test]
    fn repeated_purposes_pair_in_order_and_an_empty_column_is_all_gaps() {
        let w = Some(Purpose::Write);
        let r = Some(Purpose::Read);
        let rows = align(&[vec![r, w, r, w, w], vec![r, w, w], vec![]]);
        let shape: Vec<Vec<Option<usize>>> = rows.iter().map(|r| r.cells.clone()).collect();
        assert_eq!(rows.len(), 5);
        assert!(shape.iter().all(|cells| cells[2].is_none()));
        let paired = shape
            .iter()
            .filter(|cells| cells[0].is_some() && cells[1].is_some())
            .count();
        assert_eq!(
            paired, 3,
            "the longest common subsequence is read, write, write"
        );
    }
}
