//! Reading a feed file in parallel with bounded memory.
//!
//! The data after the header is cut into byte ranges ("chunks", 32 MiB by default).
//! A chunk owns the lines that *start* inside it: it skips the partial line at its
//! start (the previous chunk finishes it) and reads past its end to finish its last
//! line. Workers take chunks in file order from a shared counter, read them in
//! blocks of 1 MiB into one reused buffer, and add each good row to their own
//! [`Tally`]. Each chunk reports how many lines it holds, so line numbers are
//! known afterwards: a row's line is 1 (the header) + the lines of the chunks
//! before its own + its place in its chunk.
//!
//! Line breaks split rows: a quoted field may hold commas and doubled quotes, but
//! not a line break (such a row is reported as bad, [`FeedProblem::BadQuotes`]).
//! That is what lets a chunk boundary be found without reading from the start.

use super::error::{BadRow, FeedError, FeedProblem};
use super::format::{Field, FieldFault, Format, RowFault, explain, is_blank};
use super::tally::Tally;
use super::text::trim;
use super::{FeedOptions, Progress};
use memchr::{memchr, memchr3_iter, memrchr};
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::Duration;

/// Bytes per chunk, the unit of parallel work.
pub(crate) const DEFAULT_CHUNK_BYTES: u64 = 32 << 20;
/// Bytes read at once.
const BLOCK: usize = 1 << 20;
/// Bytes read at least, to finish a chunk's last line.
const MIN_READ: u64 = 4096;
/// How many bad rows a chunk (and a summary) keeps the reasons of.
pub(crate) const KEPT_BAD_ROWS: usize = 5;
/// How often progress is reported.
const PROGRESS_EVERY: Duration = Duration::from_millis(100);

/// The header of a feed file and where its data starts.
#[derive(Debug)]
pub(crate) struct Header {
    pub names: Vec<String>,
    /// Byte offset of line 2.
    pub data_start: u64,
    pub len: u64,
}

fn read_error(path: &Path) -> impl Fn(io::Error) -> FeedError + '_ {
    move |cause| FeedError::Read { file: path.to_path_buf(), cause }
}

/// Reads line 1: the column names, trimmed, without a byte-order mark.
pub(crate) fn read_header(path: &Path) -> Result<Header, FeedError> {
    let mut file = File::open(path).map_err(read_error(path))?;
    let len = file.metadata().map_err(read_error(path))?.len();
    let mut line = Vec::new();
    let mut piece = [0u8; 8192];
    let end = loop {
        let n = file.read(&mut piece).map_err(read_error(path))?;
        if n == 0 {
            break None;
        }
        let before = line.len();
        line.extend_from_slice(&piece[..n]);
        if let Some(p) = memchr(b'\n', &line[before..]) {
            break Some(before + p);
        }
    };
    let data_start = end.map_or(line.len() as u64, |e| e as u64 + 1);
    line.truncate(end.unwrap_or(line.len()));
    let text = line.strip_prefix("\u{feff}".as_bytes()).unwrap_or(&line);
    let text = text.strip_suffix(b"\r").unwrap_or(text);
    if len == 0 || (text.is_empty() && end.is_none()) {
        return Err(FeedError::BadRow { file: path.to_path_buf(), line: 1, problem: FeedProblem::NoHeader });
    }
    let (mut data, mut fields) = (Vec::new(), Vec::new());
    if split_quoted(text, &mut data, &mut fields).is_err() {
        return Err(FeedError::BadRow { file: path.to_path_buf(), line: 1, problem: FeedProblem::BadQuotes });
    }
    let names =
        fields.iter().map(|&(s, e)| String::from_utf8_lossy(trim(&data[s..e])).into_owned()).collect();
    Ok(Header { names, data_start, len })
}

/// Splits a line holding quotes into unquoted fields, written to `data`. A quote
/// opens a quoted field only at the start of a field (elsewhere it is text); after
/// the closing quote only spaces may come before the comma.
pub(crate) fn split_quoted(line: &[u8], data: &mut Vec<u8>, fields: &mut Vec<Field>) -> Result<(), ()> {
    data.clear();
    fields.clear();
    let len = line.len();
    let mut i = 0;
    loop {
        let start = data.len();
        if line.get(i) == Some(&b'"') {
            i += 1;
            loop {
                let p = memchr(b'"', &line[i..]).ok_or(())?;
                data.extend_from_slice(&line[i..i + p]);
                i += p + 1;
                if line.get(i) == Some(&b'"') {
                    data.push(b'"');
                    i += 1;
                } else {
                    break;
                }
            }
            while matches!(line.get(i), Some(b' ' | b'\t')) {
                i += 1;
            }
            if i < len && line[i] != b',' {
                return Err(());
            }
        } else {
            let end = memchr(b',', &line[i..]).map_or(len, |p| i + p);
            data.extend_from_slice(&line[i..end]);
            i = end;
        }
        fields.push((start, data.len()));
        if i >= len {
            return Ok(());
        }
        i += 1;
    }
}

/// What one chunk found.
#[derive(Debug, Default)]
pub(crate) struct ChunkReport {
    /// Lines starting in the chunk (blank ones included); in strict mode, only up
    /// to the bad row.
    pub lines: u64,
    /// Data rows (blank lines excluded), good or bad.
    pub rows: u64,
    /// Bad rows.
    pub skipped: u64,
    /// The first bad rows: (0-based line within the chunk, reason).
    pub bad: Vec<(u64, FeedProblem)>,
}

/// The result of a scan without a fatal bad row.
pub(crate) struct Scanned<C> {
    pub tallies: Vec<Tally<C>>,
    pub rows: u64,
    pub skipped: u64,
    pub first_bad: Vec<BadRow>,
}

/// What the workers share.
struct Shared<'a, F> {
    path: &'a Path,
    format: &'a F,
    options: &'a FeedOptions,
    data_start: u64,
    len: u64,
    chunk_bytes: u64,
    chunks: usize,
    next: AtomicUsize,
    /// In strict mode, the lowest chunk found with a bad row: later chunks are
    /// not needed.
    first_bad_chunk: AtomicUsize,
    abort: AtomicBool,
    bytes: AtomicU64,
    rows: AtomicU64,
}

impl<F> Shared<'_, F> {
    fn chunk(&self, i: usize) -> (u64, u64) {
        let start = self.data_start + i as u64 * self.chunk_bytes;
        (start, (start + self.chunk_bytes).min(self.len))
    }

    fn stopped(&self, chunk: usize) -> bool {
        self.abort.load(Ordering::Relaxed)
            || (!self.options.skip_bad && chunk > self.first_bad_chunk.load(Ordering::Relaxed))
    }
}

type WorkerResult<C> = io::Result<(Tally<C>, Vec<(usize, ChunkReport)>)>;

/// Scans the data rows of `path` with `threads` workers (0: one per core).
pub(crate) fn scan<F: Format>(
    path: &Path,
    header: &Header,
    format: &F,
    options: &FeedOptions,
    progress: &dyn Progress,
    chunk_bytes: u64,
) -> Result<Scanned<F::Counts>, FeedError> {
    let chunk_bytes = chunk_bytes.max(1);
    let data = header.len.saturating_sub(header.data_start);
    let chunks = data.div_ceil(chunk_bytes) as usize;
    let threads = match options.threads {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    };
    let threads = threads.min(chunks).max(1);
    let shared = Shared {
        path,
        format,
        options,
        data_start: header.data_start,
        len: header.len,
        chunk_bytes,
        chunks,
        next: AtomicUsize::new(0),
        first_bad_chunk: AtomicUsize::new(usize::MAX),
        abort: AtomicBool::new(false),
        bytes: AtomicU64::new(0),
        rows: AtomicU64::new(0),
    };
    let results: Vec<WorkerResult<F::Counts>> = std::thread::scope(|scope| {
        let (done, finished) = mpsc::channel::<()>();
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                let done = done.clone();
                let shared = &shared;
                scope.spawn(move || {
                    let result = work(shared);
                    if result.is_err() {
                        shared.abort.store(true, Ordering::Relaxed);
                    }
                    let _ = done.send(());
                    result
                })
            })
            .collect();
        drop(done);
        loop {
            let wait = finished.recv_timeout(PROGRESS_EVERY);
            progress.advance(
                header.data_start + shared.bytes.load(Ordering::Relaxed),
                shared.rows.load(Ordering::Relaxed),
            );
            if wait == Err(mpsc::RecvTimeoutError::Disconnected) {
                break;
            }
        }
        workers
            .into_iter()
            .map(|w| w.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
            .collect()
    });
    let mut tallies = Vec::with_capacity(results.len());
    let mut reports = Vec::with_capacity(chunks);
    for result in results {
        let (tally, done) = result.map_err(read_error(path))?;
        tallies.push(tally);
        reports.extend(done);
    }
    reports.sort_unstable_by_key(|(i, _)| *i);
    let (rows, skipped, first_bad) = locate_bad_rows(path, &reports, options.skip_bad)?;
    Ok(Scanned { tallies, rows, skipped, first_bad })
}

/// Numbers the bad rows of the chunks (in order): in strict mode the first one is
/// the error; with `skip_bad`, the first few are kept.
fn locate_bad_rows(
    path: &Path,
    reports: &[(usize, ChunkReport)],
    skip_bad: bool,
) -> Result<(u64, u64, Vec<BadRow>), FeedError> {
    let (mut line_offset, mut rows, mut skipped, mut first_bad) = (2, 0, 0, Vec::new());
    for (expected, (index, report)) in reports.iter().enumerate() {
        debug_assert_eq!(expected, *index, "chunks before a bad row are all scanned");
        if let (false, Some((local, problem))) = (skip_bad, report.bad.first()) {
            let line = line_offset + local;
            return Err(FeedError::BadRow { file: path.to_path_buf(), line, problem: problem.clone() });
        }
        for (local, reason) in &report.bad {
            if first_bad.len() < KEPT_BAD_ROWS {
                first_bad.push(BadRow { line: line_offset + local, reason: reason.clone() });
            }
        }
        line_offset += report.lines;
        rows += report.rows;
        skipped += report.skipped;
    }
    Ok((rows, skipped, first_bad))
}

/// One worker: takes chunks until none is left (or none is needed).
fn work<F: Format>(shared: &Shared<'_, F>) -> WorkerResult<F::Counts> {
    let mut file = File::open(shared.path)?;
    let mut tally = Tally::new(shared.options.granularity);
    let mut reader = ChunkReader::new(shared.format, !shared.options.skip_bad);
    let mut reports = Vec::new();
    loop {
        let i = shared.next.fetch_add(1, Ordering::Relaxed);
        if i >= shared.chunks || shared.stopped(i) {
            return Ok((tally, reports));
        }
        let report = reader.chunk(&mut file, shared, i, &mut tally)?;
        if !shared.options.skip_bad && !report.bad.is_empty() {
            shared.first_bad_chunk.fetch_min(i, Ordering::Relaxed);
        }
        reports.push((i, report));
    }
}

/// A worker's buffers, reused from chunk to chunk.
struct ChunkReader<'f, F> {
    format: &'f F,
    strict: bool,
    buf: Vec<u8>,
    fields: Vec<Field>,
    /// A row with quotes, unquoted.
    unquoted: Vec<u8>,
    unquoted_fields: Vec<Field>,
}

impl<'f, F: Format> ChunkReader<'f, F> {
    fn new(format: &'f F, strict: bool) -> Self {
        ChunkReader {
            format,
            strict,
            buf: vec![0; BLOCK],
            fields: Vec::with_capacity(16),
            unquoted: Vec::new(),
            unquoted_fields: Vec::with_capacity(16),
        }
    }

    /// Scans the lines starting in chunk `index`.
    fn chunk(
        &mut self,
        file: &mut File,
        shared: &Shared<'_, F>,
        index: usize,
        tally: &mut Tally<F::Counts>,
    ) -> io::Result<ChunkReport> {
        let (start, end) = shared.chunk(index);
        let mut skipping = start > shared.data_start;
        // `base` is the file offset of buf[0]; a partial first line is skipped by
        // reading from the byte before `start` up to the first line break.
        let mut base = if skipping { start - 1 } else { start };
        file.seek(SeekFrom::Start(base))?;
        let (mut filled, mut consumed) = (0, 0);
        let mut report = ChunkReport::default();
        loop {
            if consumed > 0 {
                self.buf.copy_within(consumed..filled, 0);
                base += consumed as u64;
                filled -= consumed;
                consumed = 0;
            }
            if filled == self.buf.len() {
                self.buf.resize(self.buf.len() * 2, 0);
            }
            // Read what the chunk has left, in blocks; past its end only its last
            // line is left: read a little.
            let left = end.saturating_sub(base + filled as u64).max(MIN_READ);
            let want = usize::try_from(left).unwrap_or(usize::MAX).min(self.buf.len() - filled);
            let got = read_full(file, &mut self.buf[filled..filled + want])?;
            filled += got;
            let eof = got < want;
            if skipping {
                match memchr(b'\n', &self.buf[..filled]) {
                    Some(p) => {
                        consumed = p + 1;
                        skipping = false;
                    }
                    None if eof => return Ok(report),
                    None => {
                        consumed = filled;
                        continue;
                    }
                }
            }
            let complete = if eof {
                filled
            } else {
                match memrchr(b'\n', &self.buf[consumed..filled]) {
                    Some(p) => consumed + p + 1,
                    None => continue,
                }
            };
            let rows_before = report.rows;
            let (stop, upto) = self.lines(complete, consumed, base, end, eof, tally, &mut report);
            shared.bytes.fetch_add((upto - consumed) as u64, Ordering::Relaxed);
            shared.rows.fetch_add(report.rows - rows_before, Ordering::Relaxed);
            consumed = upto;
            if stop || eof || shared.stopped(index) {
                return Ok(report);
            }
        }
    }

    /// Scans the lines of `buf[from..complete]` (whole lines, or the file's end
    /// when `eof`) that start before the chunk's `end`. Returns whether the chunk
    /// is done and how far it got.
    #[allow(clippy::too_many_arguments)]
    fn lines(
        &mut self,
        complete: usize,
        from: usize,
        base: u64,
        end: u64,
        eof: bool,
        tally: &mut Tally<F::Counts>,
        report: &mut ChunkReport,
    ) -> (bool, usize) {
        let data = &self.buf[..complete];
        let mut line_start = from;
        if base + line_start as u64 >= end {
            return (true, line_start);
        }
        let mut field_start = from;
        let mut quoted = false;
        self.fields.clear();
        for pos in memchr3_iter(b',', b'\n', b'"', &data[from..]) {
            let pos = pos + from;
            match data[pos] {
                b',' => {
                    self.fields.push((field_start, pos));
                    field_start = pos + 1;
                }
                b'"' => quoted = true,
                _ => {
                    let line = LineAt { start: line_start, end: pos, last_field: field_start, quoted };
                    let stop = row(
                        self.format,
                        self.strict,
                        data,
                        line,
                        &mut self.fields,
                        &mut self.unquoted,
                        &mut self.unquoted_fields,
                        tally,
                        report,
                    );
                    line_start = pos + 1;
                    if stop {
                        return (true, line_start);
                    }
                    if base + line_start as u64 >= end {
                        return (true, line_start);
                    }
                    field_start = line_start;
                    quoted = false;
                    self.fields.clear();
                }
            }
        }
        if eof && line_start < data.len() {
            let line = LineAt { start: line_start, end: data.len(), last_field: field_start, quoted };
            row(
                self.format,
                self.strict,
                data,
                line,
                &mut self.fields,
                &mut self.unquoted,
                &mut self.unquoted_fields,
                tally,
                report,
            );
            return (true, data.len());
        }
        (eof, line_start)
    }
}

/// A line of the buffer: its bounds (without the line break), the start of its
/// last field, and whether it holds a quote.
#[derive(Clone, Copy)]
struct LineAt {
    start: usize,
    end: usize,
    last_field: usize,
    quoted: bool,
}

/// Takes one line: adds a good row to the tally, records a bad one. Returns true
/// when the chunk must stop (a bad row in strict mode).
#[allow(clippy::too_many_arguments)]
#[inline]
fn row<F: Format>(
    format: &F,
    strict: bool,
    data: &[u8],
    line: LineAt,
    fields: &mut Vec<Field>,
    unquoted: &mut Vec<u8>,
    unquoted_fields: &mut Vec<Field>,
    tally: &mut Tally<F::Counts>,
    report: &mut ChunkReport,
) -> bool {
    let local = report.lines;
    report.lines += 1;
    let mut end = line.end;
    if end > line.start && data[end - 1] == b'\r' {
        end -= 1;
    }
    let (data, fields): (&[u8], &[Field]) = if line.quoted {
        if split_quoted(&data[line.start..end], unquoted, unquoted_fields).is_err() {
            return bad(RowFault::Quotes, strict, local, data, &[], format.width(), report);
        }
        (unquoted, unquoted_fields)
    } else {
        fields.push((line.last_field, end.max(line.last_field)));
        (data, fields)
    };
    let added = format.parse(data, fields).and_then(|row| {
        tally.add(row.unit, row.stamp, &row.counts).map_err(|()| RowFault::Field {
            index: format.unit_index(),
            column: "unit",
            fault: FieldFault::NotUtf8,
        })
    });
    match added {
        Ok(()) => {
            report.rows += 1;
            false
        }
        Err(_) if is_blank(data, fields) => false,
        Err(fault) => bad(fault, strict, local, data, fields, format.width(), report),
    }
}

#[cold]
fn bad(
    fault: RowFault,
    strict: bool,
    local: u64,
    data: &[u8],
    fields: &[Field],
    width: usize,
    report: &mut ChunkReport,
) -> bool {
    report.rows += 1;
    report.skipped += 1;
    if report.bad.len() < KEPT_BAD_ROWS {
        report.bad.push((local, explain(fault, data, fields, width)));
    }
    strict
}

/// Reads until `buf` is full or the file ends; returns the bytes read.
fn read_full(file: &mut File, buf: &mut [u8]) -> io::Result<usize> {
    let mut got = 0;
    while got < buf.len() {
        match file.read(&mut buf[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(got)
}
