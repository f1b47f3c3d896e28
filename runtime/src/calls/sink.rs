//! Where a process's syscall records go: the [`Recorder`] numbers them and
//! hands them to its sinks; with no sink, calls are not decoded at all.

use crate::calls::record::SyscallRecord;

/// Something that receives every record of a process.
pub trait RecordSink: Send {
    /// Called once per host call, after it finished.
    fn record(&mut self, record: &SyscallRecord);
    /// Called when the guest ends.
    fn finish(&mut self) {}
    /// Whether it reads a record's arguments and memory ranges; a sink that
    /// only counts (name, outcome, time) gets records without them, and
    /// calls run nearly as fast as unrecorded ones.
    fn wants_details(&self) -> bool {
        true
    }
}

/// Numbers records and hands them to the sinks. With no sinks, calls are not
/// decoded at all.
#[derive(Default)]
pub struct Recorder {
    next_seq: u64,
    sinks: Vec<Box<dyn RecordSink>>,
}

impl Recorder {
    /// A recorder with these sinks.
    pub fn new(sinks: Vec<Box<dyn RecordSink>>) -> Recorder {
        Recorder { next_seq: 0, sinks }
    }

    /// Whether any sink wants records.
    pub fn active(&self) -> bool {
        !self.sinks.is_empty()
    }

    /// Whether any sink reads arguments and memory ranges.
    pub fn detailed(&self) -> bool {
        self.sinks.iter().any(|s| s.wants_details())
    }

    /// Adds a sink.
    pub fn add(&mut self, sink: Box<dyn RecordSink>) {
        self.sinks.push(sink);
    }

    /// The sequence number the next record gets.
    pub fn next_seq(&mut self) -> u64 {
        self.next_seq += 1;
        self.next_seq
    }

    /// Delivers a record to every sink.
    pub fn emit(&mut self, record: &SyscallRecord) {
        for sink in &mut self.sinks {
            sink.record(record);
        }
    }

    /// Tells every sink the guest has ended.
    pub fn finish(&mut self) {
        for sink in &mut self.sinks {
            sink.finish();
        }
    }
}
