//! Reading records from JSON Lines or CSV, in chunks, one item per input line/row.
//!
//! Nothing here stops at a bad line: a line that cannot be read becomes a
//! `RecordError` in its place, so the output keeps one line per input line.
//! Input is streamed, so a million-line export needs memory for one chunk only.

use std::io::{BufRead, BufReader, Read, Write};

use kam::error::RecordError;
use serde_json::{Map, Value};

/// One input record: its line number and its raw content.
pub struct Item {
    pub line: usize,
    raw: Raw,
}

enum Raw {
    /// A JSON line, parsed later (in parallel) by [`Item::record`].
    Json(Vec<u8>),
    /// A CSV row, already turned into a JSON object (or an error).
    Row(Result<Value, RecordError>),
}

impl Item {
    /// The line's text when it is a non-blank UTF-8 JSON line: what
    /// `from_json_str` reads straight into a record. `None` for CSV rows and
    /// lines that [`Item::record`] reports.
    pub fn json_text(&self) -> Option<&str> {
        let Raw::Json(bytes) = &self.raw else {
            return None;
        };
        let bytes = bytes.strip_suffix(b"\r").unwrap_or(bytes);
        std::str::from_utf8(bytes)
            .ok()
            .filter(|text| !text.trim().is_empty())
    }

    /// The record as JSON, or why it cannot be read; errors carry the line.
    pub fn record(&self) -> Result<Value, RecordError> {
        match &self.raw {
            Raw::Row(row) => row.clone(),
            Raw::Json(bytes) => {
                let bytes = bytes.strip_suffix(b"\r").unwrap_or(bytes);
                match std::str::from_utf8(bytes) {
                    Err(e) => Err(malformed(
                        self.line,
                        format!("line is not valid UTF-8 ({e})"),
                    )),
                    Ok(text) if text.trim().is_empty() => Err(malformed(
                        self.line,
                        "empty line: expected a JSON object".into(),
                    )),
                    Ok(text) => match kam::model::parse_json(text) {
                        Ok(Value::Array(_)) => Err(malformed(
                            self.line,
                            format!("a JSON array, not an object: {JSON_LINES}"),
                        )),
                        Ok(v) => Ok(v),
                        Err(mut e) => {
                            e.line = Some(self.line);
                            // Not an object a line: CSV, an array of records, a
                            // pretty-printed file read line by line.
                            let t = text.trim();
                            let arrayish = !t.starts_with('{') || t == "{" || t.ends_with(',');
                            if let kam::RecordErrorKind::Malformed(m) = &mut e.kind {
                                if arrayish {
                                    m.push_str(" (");
                                    m.push_str(JSON_LINES);
                                    m.push(')');
                                }
                            }
                            Err(e)
                        }
                    },
                }
            }
        }
    }
}

/// What a JSON-lines input must look like, for the errors of a file that is not.
const JSON_LINES: &str = "kam reads JSON Lines: one whole JSON object per line, with no \
     enclosing [ ] and no commas between records (`jq -c '.[]' FILE` turns an array into \
     JSON Lines); CSV is read from a FILE ending in .csv, or with --input csv";

fn malformed(line: usize, message: String) -> RecordError {
    let mut e = RecordError::from(kam::RecordErrorKind::Malformed(message));
    e.line = Some(line);
    e
}

/// A source of items: JSON Lines or CSV, from a file or stdin.
pub enum Records {
    JsonLines {
        input: Box<dyn BufRead>,
        line: usize,
    },
    Csv {
        rows: csv::Reader<Box<dyn BufRead>>,
        headers: Vec<String>,
        row: usize,
        /// Old Mac line ends: the csv crate counts only '\n', so rows are counted.
        cr_only: bool,
    },
}

/// A file (`-`: stdin) and whether it is CSV (else JSON Lines).
pub struct Source {
    pub path: String,
    pub csv: bool,
}

impl Records {
    /// Opens the source.
    pub fn open(source: &Source) -> Result<Records, String> {
        let path = source.path.as_str();
        let raw: Box<dyn Read> = if path == "-" {
            if std::io::IsTerminal::is_terminal(&std::io::stdin()) {
                // Otherwise kam would seem to hang, waiting for typed records.
                let what = if source.csv {
                    "CSV, a header row first"
                } else {
                    "one JSON object per line"
                };
                let _ = writeln!(
                    std::io::stderr(),
                    "kam: reading records from standard input, {what} (end with Ctrl-D); \
                     or name a FILE (`kam customers data/customers.jsonl`)"
                );
            }
            Box::new(std::io::stdin())
        } else {
            Box::new(std::fs::File::open(path).map_err(|e| format!("cannot read {path}: {e}"))?)
        };
        let mut input: Box<dyn BufRead> = Box::new(BufReader::with_capacity(1 << 16, raw));
        // A UTF-8 byte-order mark is an editor's artefact, not data.
        let has_bom = input
            .fill_buf()
            .map_err(|e| format!("cannot read {path}: {e}"))?
            .starts_with(b"\xEF\xBB\xBF");
        if has_bom {
            input.consume(3);
        }
        if !source.csv {
            return Ok(Records::JsonLines { input, line: 0 });
        }
        // Rows end at '\n' only, and a '\r' before it is stripped from the last
        // cell: with the csv crate's CRLF terminator, every row of a Windows
        // (CRLF) file was reported one line too early. A file with no '\n' in
        // its first 64 KiB has old Mac line ends ('\r' alone): those keep the
        // csv crate's terminator, which accepts them.
        let has_lf = input
            .fill_buf()
            .map_err(|e| format!("cannot read {path}: {e}"))?
            .contains(&b'\n');
        let terminator = if has_lf {
            csv::Terminator::Any(b'\n')
        } else {
            csv::Terminator::CRLF
        };
        let mut rows = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(true)
            .terminator(terminator)
            .from_reader(input);
        let headers: Vec<String> = rows
            .byte_headers()
            .map_err(|e| format!("{path}: cannot read the CSV header: {e}"))?
            .iter()
            .map(|h| String::from_utf8_lossy(h).trim().to_string())
            .collect();
        // A repeated column would silently overwrite the first one. (A set:
        // comparing each name with all before it took minutes on 100,000 columns.)
        let mut seen = std::collections::HashSet::new();
        let repeated = headers
            .iter()
            .enumerate()
            .find(|(_, h)| !seen.insert(h.as_str()));
        if let Some((i, h)) = repeated {
            return Err(format!(
                "{path}: the CSV header names column `{h}` twice (column {})",
                i + 1
            ));
        }
        Ok(Records::Csv {
            rows,
            headers,
            row: 0,
            cr_only: !has_lf,
        })
    }

    /// Up to `max` next items; empty at the end of input.
    pub fn next_chunk(&mut self, max: usize) -> std::io::Result<Vec<Item>> {
        let mut items = Vec::with_capacity(max.min(1024));
        match self {
            Records::JsonLines { input, line } => {
                while items.len() < max {
                    let mut bytes = Vec::new();
                    if input.read_until(b'\n', &mut bytes)? == 0 {
                        break;
                    }
                    if bytes.last() == Some(&b'\n') {
                        bytes.pop();
                    }
                    *line += 1;
                    items.push(Item {
                        line: *line,
                        raw: Raw::Json(bytes),
                    });
                }
            }
            Records::Csv {
                rows,
                headers,
                row,
                cr_only,
            } => {
                let mut record = csv::ByteRecord::new();
                while items.len() < max {
                    // The header is line 1; count rows when the reader gives no position.
                    let fallback = *row + 2;
                    let item = match rows.read_byte_record(&mut record) {
                        Ok(false) => break,
                        // A blank CRLF line, skipped as the csv crate skips a blank LF line.
                        Ok(true) if record.len() == 1 && &record[0] == b"\r" => continue,
                        Ok(true) => {
                            let line = match record.position() {
                                Some(p) if !*cr_only => p.line() as usize,
                                _ => fallback,
                            };
                            Item {
                                line,
                                raw: Raw::Row(csv_record(headers, &record, line)),
                            }
                        }
                        Err(e) => {
                            let line = match e.position() {
                                Some(p) if !*cr_only => p.line() as usize,
                                _ => fallback,
                            };
                            let error = malformed(line, format!("unreadable CSV row: {e}"));
                            Item {
                                line,
                                raw: Raw::Row(Err(error)),
                            }
                        }
                    };
                    *row += 1;
                    items.push(item);
                }
            }
        }
        Ok(items)
    }
}

fn csv_record(
    headers: &[String],
    row: &csv::ByteRecord,
    line: usize,
) -> Result<Value, RecordError> {
    // The '\r' of a CRLF line end is left on the last cell (see `open`).
    let last = row.len().saturating_sub(1);
    let row: Vec<&[u8]> = row
        .iter()
        .enumerate()
        .map(|(i, cell)| match cell.strip_suffix(b"\r") {
            Some(cell) if i == last => cell,
            _ => cell,
        })
        .collect();
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
    for (name, cell) in headers.iter().zip(row) {
        let cell = std::str::from_utf8(cell).map_err(|_| {
            let mut e = malformed(line, "cell is not valid UTF-8".into());
            e.field = Some(name.clone());
            e
        })?;
        // docs/policy.md §Records: in a table, an empty cell or a NaN (how
        // pandas writes a missing number) counts as missing.
        if !kam::model::is_missing_cell(cell) {
            obj.insert(name.clone(), Value::String(cell.to_string()));
        }
    }
    Ok(Value::Object(obj))
}
