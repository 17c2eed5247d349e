//! Reading records from JSON Lines or CSV, one item per input line/row.
//!
//! Nothing here stops at a bad line: a line that cannot be read becomes a
//! `RecordError` in its place, so the output keeps one line per input line.

use std::io::Read;

use kam::error::RecordError;
use serde_json::{Map, Value};

/// One input record: its line number and its JSON, or why it could not be read.
pub struct Item {
    pub line: usize,
    pub record: Result<Value, RecordError>,
}

/// Reads all of `path` (`-` = stdin).
pub fn read_all(path: &str) -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    if path == "-" {
        std::io::stdin().lock().read_to_end(&mut bytes)?;
    } else {
        bytes = std::fs::read(path)?;
    }
    // A UTF-8 byte-order mark is an editor's artefact, not data.
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        bytes.drain(..3);
    }
    Ok(bytes)
}

fn malformed(line: usize, message: String) -> RecordError {
    let mut e = RecordError::from(kam::RecordErrorKind::Malformed(message));
    e.line = Some(line);
    e
}

/// JSON Lines: every line (CRLF or LF) is one record; a final newline ends the file.
pub fn json_lines(bytes: &[u8]) -> Vec<Item> {
    let mut lines: Vec<&[u8]> = bytes.split(|b| *b == b'\n').collect();
    if lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    lines
        .into_iter()
        .enumerate()
        .map(|(i, raw)| {
            let line = i + 1;
            let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
            let record = match std::str::from_utf8(raw) {
                Err(e) => Err(malformed(line, format!("line is not valid UTF-8 ({e})"))),
                Ok(text) if text.trim().is_empty() => {
                    Err(malformed(line, "empty line: expected a JSON object".into()))
                }
                Ok(text) => serde_json::from_str::<Value>(text)
                    .map_err(|e| malformed(line, format!("not valid JSON: {e}"))),
            };
            Item { line, record }
        })
        .collect()
}

/// CSV with a header row: an empty cell is a missing value; each row is one record.
pub fn csv_rows(bytes: &[u8]) -> Result<Vec<Item>, String> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(bytes);
    let headers: Vec<String> = reader
        .byte_headers()
        .map_err(|e| format!("cannot read the CSV header: {e}"))?
        .iter()
        .map(|h| String::from_utf8_lossy(h).trim().to_string())
        .collect();
    let mut items = Vec::new();
    for (i, row) in reader.byte_records().enumerate() {
        // Header is line 1; fall back to counting when the reader has no position.
        let fallback = i + 2;
        let item = match row {
            Err(e) => {
                let line = e.position().map_or(fallback, |p| p.line() as usize);
                Item {
                    line,
                    record: Err(malformed(line, format!("unreadable CSV row: {e}"))),
                }
            }
            Ok(row) => {
                let line = row.position().map_or(fallback, |p| p.line() as usize);
                Item {
                    line,
                    record: csv_record(&headers, &row, line),
                }
            }
        };
        items.push(item);
    }
    Ok(items)
}

fn csv_record(
    headers: &[String],
    row: &csv::ByteRecord,
    line: usize,
) -> Result<Value, RecordError> {
    if row.len() != headers.len() {
        let mut e = malformed(
            line,
            format!(
                "row has {} cells but the header has {} columns",
                row.len(),
                headers.len()
            ),
        );
        e.id = headers
            .iter()
            .position(|h| h == "id")
            .and_then(|i| row.get(i))
            .and_then(|id| std::str::from_utf8(id).ok())
            .filter(|id| !id.trim().is_empty())
            .map(str::to_owned);
        return Err(e);
    }
    let mut obj = Map::new();
    for (name, cell) in headers.iter().zip(row.iter()) {
        let cell = std::str::from_utf8(cell).map_err(|_| {
            let mut e = malformed(line, "cell is not valid UTF-8".into());
            e.field = Some(name.clone());
            e
        })?;
        if !cell.trim().is_empty() {
            obj.insert(name.clone(), Value::String(cell.to_string()));
        }
    }
    Ok(Value::Object(obj))
}
