//! dossiers.csv read fast: the file that holds millions of rows.
//!
//! The data after the header is read in blocks of about 1 MiB cut at a line end.
//! While no `"` has been met, every line end ends a row and every comma ends a
//! field, so a block is parsed without the CSV state machine (one SIMD pass for the
//! separators), and the blocks are parsed by several threads, each counting into
//! its own [`Tally`] (merged at the end: the counts are sums, exact in any order).
//! The line of each block is known when it is cut (its line ends are counted), so
//! messages keep their `FILE:LINE`. At the first block holding a `"`, the blocks
//! before it are finished and the rest of the file (from that block on) is read by
//! the CSV reader, whatever its quoting.
//!
//! What a row is, and what is refused and how it is said, is exactly what the CSV
//! reader does (`super::rows`): a line that is not UTF-8 is refused naming the field
//! where it breaks, a blank row is skipped, a row with another number of fields is
//! refused, and the fields are parsed by the same code (`super::files`). Without
//! `skip_bad`, the first bad row in the file stops the run: a thread that meets one
//! stops its block, the blocks after it are not read, and those before it are
//! finished (one of them may hold an earlier one).

use super::codes::Codes;
use super::error::{BadRow, ServiceError, ServiceProblem};
use super::fields::{FieldError, Fields};
use super::files::{DOSSIER_COLUMNS, RowCount, parse_dossier, read_dossier_rows};
use super::rows::{BadRows, KEPT_BAD_ROWS, Refusal, Rest, Row, Rows, trim};
use crate::feed::Progress;
use chiso_core::service_index::Tally;
use memchr::{memchr, memchr_iter, memchr2_iter, memrchr};
use std::io::{Cursor, Read};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, mpsc};
use std::time::{Duration, Instant};

/// Bytes per block, the unit of work of a thread.
const BLOCK: usize = 1 << 20;
/// At most this many threads parse.
const MAX_THREADS: usize = 8;

/// Reads the dossier rows of `rest` into `tally`.
pub(crate) fn read_dossiers(
    rest: Rest<'_>,
    index: &[Option<usize>],
    tally: &mut Tally,
    bad: &mut BadRows,
    progress: &dyn Progress,
) -> Result<RowCount, ServiceError> {
    let Rest { file, names, width, line, offset, ahead, mut reader } = rest;
    let mut input = Input { ahead: Cursor::new(ahead), reader: &mut *reader, offset, line };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, MAX_THREADS);
    let context = Context {
        file: &file,
        names: &names,
        width,
        index,
        skip: bad.skips(),
        stop: AtomicU64::new(u64::MAX),
    };
    let first =
        input.next_block(Vec::new()).map_err(|cause| ServiceError::Read { file: file.clone(), cause })?;
    let mut results = Vec::new();
    let mut quoted = None;
    match first {
        // Small: no thread.
        Some(block) if block.last && !block.quoted => {
            let codes = Codes::new(tally.catalogue());
            let mut counted = tally.split();
            results.push(Scanner::new(&context, &codes).scan(&block, &mut counted));
            drop(codes);
            tally.merge(counted);
            progress.advance(input.offset, block.lines);
        }
        Some(block) if block.quoted => quoted = Some(block),
        Some(block) => {
            let codes = Codes::new(tally.catalogue());
            let parts: Vec<Tally> = (0..threads).map(|_| tally.split()).collect();
            let (counted, read, stopped_at) =
                in_parallel(&context, &codes, parts, block, &mut input, &mut results, progress);
            drop(codes);
            for part in counted {
                tally.merge(part);
            }
            read.map_err(|cause| ServiceError::Read { file: file.clone(), cause })?;
            quoted = stopped_at;
        }
        None => {}
    }
    results.sort_by_key(|r| r.seq);
    let mut count = RowCount::default();
    for result in results {
        count.rows += result.rows;
        for row in result.bad {
            bad.refuse(Refusal::Bad(row))?;
        }
        bad.count += result.more_bad;
    }
    if let Some(block) = quoted {
        // From the first block with a quote on, the CSV reader.
        let before = count.rows;
        let bytes = Cursor::new(block.data).chain(input.ahead).chain(input.reader);
        let rows = Rows::resume(file, names, Box::new(bytes), block.line, block.offset);
        count.rows += read_dossier_rows(rows, index, tally, bad, progress, before)?.rows;
    }
    Ok(count)
}

/// The data being cut into blocks.
struct Input<'r, 'a> {
    ahead: Cursor<Vec<u8>>,
    reader: &'r mut (dyn Read + 'a),
    /// Bytes of the file before the next block.
    offset: u64,
    /// The line the next block starts on.
    line: u64,
}

/// A run of whole lines of the file.
#[derive(Debug)]
struct Block {
    seq: u64,
    data: Vec<u8>,
    /// The line it starts on, its byte offset in the file, and its line ends.
    line: u64,
    offset: u64,
    lines: u64,
    /// It holds a `"`: the CSV reader must read it.
    quoted: bool,
    /// The end of the file.
    last: bool,
}

impl Input<'_, '_> {
    /// The next block (in `buffer`, a used one or a new one), None at the end. A
    /// block ends at a line end, after about [`BLOCK`] bytes, unless the file ends
    /// first; the part of a line after it is carried to the next one.
    fn next_block(&mut self, mut buffer: Vec<u8>) -> std::io::Result<Option<Block>> {
        buffer.clear();
        let buffer = &mut buffer;
        let mut last = false;
        // Read until a block's worth holds a line end, or the end.
        loop {
            let want = BLOCK.max(buffer.len() + BLOCK / 4);
            let start = buffer.len();
            buffer.resize(want, 0);
            let mut filled = start;
            while filled < want {
                let n = match self.ahead.read(&mut buffer[filled..want])? {
                    0 => self.read_more(&mut buffer[filled..want])?,
                    n => n,
                };
                if n == 0 {
                    last = true;
                    break;
                }
                filled += n;
            }
            buffer.truncate(filled);
            if last || memrchr(b'\n', &buffer[start..]).is_some() {
                break;
            }
        }
        if buffer.is_empty() {
            return Ok(None);
        }
        let cut = if last { buffer.len() } else { memrchr(b'\n', buffer).map_or(buffer.len(), |p| p + 1) };
        let carry = buffer.split_off(cut);
        // The carried bytes are read again first.
        let rest = std::mem::take(self.ahead.get_mut());
        let position = self.ahead.position() as usize;
        let mut ahead = carry;
        ahead.extend_from_slice(rest.get(position..).unwrap_or_default());
        self.ahead = Cursor::new(ahead);
        let last = last && self.ahead.get_ref().is_empty();
        let lines = memchr_iter(b'\n', buffer).count() as u64;
        let block = Block {
            seq: 0,
            quoted: memchr(b'"', buffer).is_some(),
            line: self.line,
            offset: self.offset,
            lines,
            last,
            data: std::mem::take(buffer),
        };
        self.offset += block.data.len() as u64;
        self.line += lines;
        Ok(Some(block))
    }

    fn read_more(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        loop {
            match self.reader.read(buf) {
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                other => return other,
            }
        }
    }
}

/// What every thread shares.
struct Context<'c> {
    file: &'c Path,
    names: &'c [String],
    width: usize,
    index: &'c [Option<usize>],
    skip: bool,
    /// Without `skip`: the first block with a bad row (later ones are not read).
    stop: AtomicU64,
}

/// What parsing a block gave.
#[derive(Debug, Default)]
struct Scanned {
    seq: u64,
    /// Data rows (blank ones excluded), bad ones included.
    rows: u64,
    /// The first bad rows, in file order (at most [`KEPT_BAD_ROWS`]).
    bad: Vec<BadRow>,
    /// The block's buffer, to be used again.
    buffer: Vec<u8>,
    /// Bad rows beyond those.
    more_bad: u64,
}

/// Parses blocks into a tally.
struct Scanner<'s> {
    context: &'s Context<'s>,
    codes: &'s Codes<'s>,
    /// Where each field of the current line ends.
    ends: Vec<usize>,
}

/// One line of a block, split at its commas.
struct Line<'b> {
    text: &'b str,
    ends: &'b [usize],
    line: u64,
}

impl Row for Line<'_> {
    fn get(&self, index: usize) -> &str {
        let Some(&end) = self.ends.get(index) else { return "" };
        let start = if index == 0 { 0 } else { self.ends[index - 1] + 1 };
        // Commas are ASCII: the cuts are on character boundaries.
        self.text.get(start..end).map_or("", trim)
    }

    fn line(&self) -> u64 {
        self.line
    }
}

impl<'s> Scanner<'s> {
    fn new(context: &'s Context<'s>, codes: &'s Codes<'s>) -> Self {
        Scanner { context, codes, ends: Vec::with_capacity(context.width + 1) }
    }

    fn scan(&mut self, block: &Block, tally: &mut Tally) -> Scanned {
        let mut out = Scanned { seq: block.seq, ..Scanned::default() };
        let data = &block.data;
        let mut line = block.line;
        if let Ok(text) = std::str::from_utf8(data) {
            // One pass over the separators of the whole block.
            let mut start = 0;
            self.ends.clear();
            for at in memchr2_iter(b',', b'\n', data) {
                if data[at] == b',' {
                    self.ends.push(at - start);
                    continue;
                }
                self.ends.push(at - start);
                if !self.row(&text[start..at], line, tally, &mut out) {
                    return out;
                }
                self.ends.clear();
                start = at + 1;
                line += 1;
            }
            if start < data.len() {
                self.ends.push(data.len() - start);
                self.row(&text[start..], line, tally, &mut out);
            }
            return out;
        }
        // Some line is not UTF-8: line by line.
        let mut start = 0;
        while start < data.len() {
            let end = memchr(b'\n', &data[start..]).map_or(data.len(), |p| start + p);
            let bytes = &data[start..end];
            let go_on = match std::str::from_utf8(bytes) {
                Ok(text) => {
                    self.ends.clear();
                    self.ends.extend(memchr_iter(b',', bytes));
                    self.ends.push(bytes.len());
                    self.row(text, line, tally, &mut out)
                }
                Err(e) => {
                    out.rows += 1;
                    let field = memchr_iter(b',', &bytes[..e.valid_up_to()]).count();
                    let name = self.context.names.get(field).map(String::as_str);
                    self.bad(&mut out, line, name, ServiceProblem::NotUtf8)
                }
            };
            if !go_on {
                return out;
            }
            start = end + 1;
            line += 1;
        }
        out
    }

    /// One line, its field ends in `self.ends`; false to stop the block.
    fn row(&mut self, text: &str, line: u64, tally: &mut Tally, out: &mut Scanned) -> bool {
        if text.is_empty() {
            return true;
        }
        let row = Line { text, ends: &self.ends, line };
        if (0..self.ends.len()).all(|i| row.get(i).is_empty()) {
            return true;
        }
        out.rows += 1;
        let width = self.context.width;
        if self.ends.len() != width {
            let problem = ServiceProblem::WrongFieldCount { expected: width, found: self.ends.len() };
            return self.bad(out, line, None, problem);
        }
        let fields = Fields { rows: &row, index: self.context.index, columns: DOSSIER_COLUMNS };
        let counted = parse_dossier(&fields, self.codes)
            .and_then(|dossier| tally.add_dossier(&dossier).map_err(FieldError::from));
        match counted {
            Ok(()) => true,
            Err(error) => self.bad(out, line, Some(error.column), error.problem),
        }
    }

    /// A bad row; false to stop the block (without `skip_bad`).
    fn bad(&self, out: &mut Scanned, line: u64, field: Option<&str>, problem: ServiceProblem) -> bool {
        if out.bad.len() < KEPT_BAD_ROWS {
            let file = self.context.file.to_path_buf();
            out.bad.push(BadRow { file, line, field: field.map(str::to_string), problem });
        } else {
            out.more_bad += 1;
        }
        if self.context.skip {
            return true;
        }
        self.context.stop.fetch_min(out.seq, Ordering::Relaxed);
        false
    }
}

/// Blocks parsed by `parts.len()` threads while this one reads the next ones.
/// Returns the threads' tallies, how reading ended, and the first block with a
/// quote (not parsed) if one was met.
fn in_parallel(
    context: &Context<'_>,
    codes: &Codes<'_>,
    parts: Vec<Tally>,
    first: Block,
    input: &mut Input<'_, '_>,
    results: &mut Vec<Scanned>,
    progress: &dyn Progress,
) -> (Vec<Tally>, std::io::Result<()>, Option<Block>) {
    let threads = parts.len();
    let (work, queue) = mpsc::sync_channel::<Block>(threads * 2);
    let queue = Mutex::new(queue);
    let (done, finished) = mpsc::channel::<Scanned>();
    std::thread::scope(|scope| {
        let workers: Vec<_> = parts
            .into_iter()
            .map(|mut tally| {
                let (queue, done) = (&queue, done.clone());
                scope.spawn(move || {
                    let mut scanner = Scanner::new(context, codes);
                    loop {
                        let next = match queue.lock() {
                            Ok(receiver) => receiver.recv(),
                            Err(_) => break,
                        };
                        let Ok(block) = next else { break };
                        let mut result = if block.seq > context.stop.load(Ordering::Relaxed) {
                            Scanned { seq: block.seq, ..Scanned::default() }
                        } else {
                            scanner.scan(&block, &mut tally)
                        };
                        result.buffer = block.data;
                        if done.send(result).is_err() {
                            break;
                        }
                    }
                    tally
                })
            })
            .collect();
        drop(done);
        let mut last_progress = Instant::now();
        let mut quoted = None;
        let mut read = Ok(());
        let mut lines = 0;
        let mut next = Some(first);
        let mut seq = 0;
        let mut spare: Vec<Vec<u8>> = Vec::new();
        while let Some(mut block) = next.take() {
            if context.stop.load(Ordering::Relaxed) != u64::MAX {
                break;
            }
            if block.quoted {
                quoted = Some(block);
                break;
            }
            block.seq = seq;
            seq += 1;
            lines += block.lines;
            let last = block.last;
            if work.send(block).is_err() {
                break;
            }
            for mut result in finished.try_iter() {
                spare.push(std::mem::take(&mut result.buffer));
                results.push(result);
            }
            if last_progress.elapsed() >= Duration::from_millis(100) {
                progress.advance(input.offset, lines);
                last_progress = Instant::now();
            }
            if last {
                break;
            }
            match input.next_block(spare.pop().unwrap_or_default()) {
                Ok(block) => next = block,
                Err(e) => read = Err(e),
            }
        }
        drop(work);
        let tallies = workers
            .into_iter()
            .map(|worker| worker.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
            .collect();
        results.extend(finished.try_iter().map(|mut r| {
            r.buffer = Vec::new();
            r
        }));
        progress.advance(input.offset, lines);
        (tallies, read, quoted)
    })
}

#[cfg(test)]
#[path = "scan_tests.rs"]
mod tests;
