//! Writing a response to the client, in bounded memory and bounded time:
//! files are streamed in chunks (text framed as it goes), no single write
//! may stall longer than the write timeout, and the whole response must
//! keep to a minimum average rate, so a slow reader cannot hold a
//! connection (and its file) for hours.

use crate::framing::Body;
use crate::framing::TextFramer;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::time::Instant;

/// Bytes read from a file at a time.
const CHUNK: usize = 64 * 1024;

/// How fast a response must go out.
#[derive(Clone, Copy, Debug)]
pub struct Pace {
    /// Longest stall of one write, and the head start of the rate.
    pub stall: Duration,
    /// Slowest average rate, in bytes per second; 0 for none.
    pub min_rate: u64,
}

impl Pace {
    /// When the first `bytes` bytes of a response that started at
    /// `started` must have gone out.
    fn deadline(&self, started: Instant, bytes: u64) -> Option<Instant> {
        if self.min_rate == 0 {
            return None;
        }
        let allowed = self.stall + Duration::from_secs_f64(bytes as f64 / self.min_rate as f64);
        started.checked_add(allowed)
    }
}

/// Why sending stopped, and how many bytes had gone out.
#[derive(Debug, PartialEq, Eq)]
pub enum SendError {
    /// The client took no data for longer than the write timeout.
    Stalled(u64),
    /// The client took the data more slowly than the minimum rate.
    TooSlow(u64),
    /// The connection (or the file) failed.
    Failed(u64),
}

impl SendError {
    /// The word the access log shows.
    pub fn outcome(&self) -> &'static str {
        match self {
            SendError::Stalled(_) => "write-timeout",
            SendError::TooSlow(_) => "too-slow",
            SendError::Failed(_) => "client-gone",
        }
    }

    /// Bytes sent before it stopped.
    pub fn sent(&self) -> u64 {
        match self {
            SendError::Stalled(n) | SendError::TooSlow(n) | SendError::Failed(n) => *n,
        }
    }
}

struct Sender<'a, W> {
    out: &'a mut W,
    pace: Pace,
    started: Instant,
    sent: u64,
}

impl<W: AsyncWrite + Unpin> Sender<'_, W> {
    async fn write(&mut self, data: &[u8]) -> Result<(), SendError> {
        let stall_deadline = Instant::now() + self.pace.stall;
        let (deadline, too_slow) = match self
            .pace
            .deadline(self.started, self.sent + data.len() as u64)
        {
            Some(rate_deadline) if rate_deadline < stall_deadline => (rate_deadline, true),
            _ => (stall_deadline, false),
        };
        match tokio::time::timeout_at(deadline, self.out.write_all(data)).await {
            Ok(Ok(())) => {
                self.sent += data.len() as u64;
                Ok(())
            }
            Ok(Err(_)) => Err(SendError::Failed(self.sent)),
            Err(_) if too_slow => Err(SendError::TooSlow(self.sent)),
            Err(_) => Err(SendError::Stalled(self.sent)),
        }
    }
}

/// Sends `body` to `out` at `pace`; returns the bytes sent. [`finish`]
/// ends the response.
pub async fn send<W: AsyncWrite + Unpin>(
    out: &mut W,
    body: Body,
    pace: Pace,
) -> Result<u64, SendError> {
    let mut sender = Sender {
        out,
        pace,
        started: Instant::now(),
        sent: 0,
    };
    let body = match body {
        Body::Enveloped(header, body) => {
            sender.write(header).await?;
            *body
        }
        body => body,
    };
    match body {
        // Never nested: an envelope holds a plain body.
        Body::Enveloped(..) => {}
        Body::Bytes(bytes) => {
            for chunk in bytes.chunks(CHUNK) {
                sender.write(chunk).await?;
            }
        }
        Body::File { file, .. } => {
            let mut file = tokio::fs::File::from_std(file);
            let mut buf = vec![0u8; CHUNK];
            while let Some(n) = read_chunk(&mut file, &mut buf, &sender).await? {
                sender.write(&buf[..n]).await?;
            }
        }
        Body::Text { file, .. } => {
            let mut file = tokio::fs::File::from_std(file);
            let mut buf = vec![0u8; CHUNK];
            let mut framed = Vec::with_capacity(CHUNK + CHUNK / 8);
            let mut framer = TextFramer::new();
            while let Some(n) = read_chunk(&mut file, &mut buf, &sender).await? {
                framed.clear();
                framer.push(&buf[..n], &mut framed);
                sender.write(&framed).await?;
            }
            framed.clear();
            framer.finish(&mut framed);
            sender.write(&framed).await?;
        }
    }
    Ok(sender.sent)
}

/// Half-closes after a response: the client sees its end. `sent` bytes
/// went out before.
pub async fn finish<W: AsyncWrite + Unpin>(
    out: &mut W,
    sent: u64,
    stall: Duration,
) -> Result<u64, SendError> {
    match tokio::time::timeout(stall, out.shutdown()).await {
        Ok(Ok(())) => Ok(sent),
        Ok(Err(_)) => Err(SendError::Failed(sent)),
        Err(_) => Err(SendError::Stalled(sent)),
    }
}

/// Reads the next chunk of a file being sent (`None` at its end); a read
/// that does not finish within the stall time (a hung mount) fails.
async fn read_chunk<R: AsyncRead + Unpin, W>(
    file: &mut R,
    buf: &mut [u8],
    sender: &Sender<'_, W>,
) -> Result<Option<usize>, SendError> {
    match tokio::time::timeout(sender.pace.stall, file.read(buf)).await {
        Ok(Ok(0)) => Ok(None),
        Ok(Ok(n)) => Ok(Some(n)),
        Ok(Err(e)) => {
            crate::throttle::warn(format_args!(
                "reading a static file failed while sending it: {e}"
            ));
            Err(SendError::Failed(sender.sent))
        }
        Err(_) => {
            crate::throttle::warn(format_args!(
                "reading a static file stalled for {:?} while sending it",
                sender.pace.stall
            ));
            Err(SendError::Failed(sender.sent))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
    }

    const PACE: Pace = Pace {
        stall: Duration::from_secs(5),
        min_rate: 0,
    };

    #[test]
    fn text_files_are_framed_while_they_stream() {
        let mut file = tempfile::tempfile().unwrap();
        let mut text = Vec::new();
        for i in 0..20_000 {
            text.extend_from_slice(format!(".line {i}\n").as_bytes());
        }
        file.write_all(&text).unwrap();
        std::io::Seek::rewind(&mut file).unwrap();
        let mut out = Vec::new();
        let len = text.len() as u64;
        let sent = runtime()
            .block_on(send(&mut out, Body::Text { file, len }, PACE))
            .unwrap();
        assert_eq!(out, crate::framing::text(&text));
        assert_eq!(sent, out.len() as u64);
    }

    #[test]
    fn a_reader_below_the_minimum_rate_is_cut_off() {
        let rt = runtime();
        rt.block_on(async {
            tokio::time::pause();
            // A client reading 4 KiB a second, half the minimum rate; no
            // single 64 KiB write stalls for the 20 s allowed.
            let (mut server, mut client) = tokio::io::duplex(4096);
            let reader = tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                while client.read_exact(&mut buf).await.is_ok() {
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            });
            let pace = Pace {
                stall: Duration::from_secs(20),
                min_rate: 8192,
            };
            let t0 = Instant::now();
            let result = send(&mut server, Body::Bytes(vec![b'x'; 5 * 65536]), pace).await;
            assert_eq!(result, Err(SendError::TooSlow(2 * 65536)));
            assert_eq!(
                t0.elapsed().as_secs(),
                20 + 3 * 8,
                "at the third chunk's deadline"
            );
            drop(server);
            reader.await.unwrap();
        });
    }

    #[test]
    fn a_stalled_reader_is_cut_off_after_the_write_timeout() {
        let rt = runtime();
        rt.block_on(async {
            let (mut server, _client) = tokio::io::duplex(16);
            tokio::time::pause();
            let pace = Pace {
                stall: Duration::from_secs(2),
                min_rate: 0,
            };
            let result = send(&mut server, Body::Bytes(vec![0; 100]), pace).await;
            assert_eq!(result, Err(SendError::Stalled(0)));
        });
    }
}
