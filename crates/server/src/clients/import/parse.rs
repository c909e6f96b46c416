//! Reading an uploaded CSV: its encoding, its delimiter, and its records, each
//! with the line it starts on so every problem can name that line.
//!
//! The parser is our own, strict RFC 4180 reader rather than a lenient one: a
//! stray quote or a row with the wrong number of fields must be reported as a
//! bad row, never silently read as something else.

use serde::Serialize;

/// Why a file cannot be read at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FileError {
    #[error("the file is empty")]
    Empty,
    #[error("{0}")]
    NotUtf8(String),
    #[error("line {0}: the header row has an empty column name")]
    EmptyHeader(usize),
    #[error("line {line}: {message}")]
    BadHeader { line: usize, message: String },
}

/// One data record as read, or why its line could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// The line of the file the record starts on (the header is line 1).
    pub line: usize,
    pub fields: Result<Vec<String>, String>,
}

/// A file read into a header and records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// Column names as shown: trimmed, and repeated names made unique ("Email (2)").
    pub headers: Vec<String>,
    pub delimiter: char,
    pub records: Vec<Record>,
}

/// A preview of an upload, as the API answers it.
#[derive(Debug, Clone, Serialize)]
pub struct Preview {
    pub headers: Vec<String>,
    pub delimiter: String,
    pub total_rows: usize,
    /// The first rows, as many values as headers (a bad row shows empty values).
    pub sample_rows: Vec<Vec<String>>,
}

pub const SAMPLE_ROWS: usize = 5;

impl Table {
    pub fn preview(&self) -> Preview {
        let width = self.headers.len();
        Preview {
            headers: self.headers.clone(),
            delimiter: match self.delimiter {
                '\t' => "tab".to_owned(),
                c => c.to_string(),
            },
            total_rows: self.records.len(),
            sample_rows: self
                .records
                .iter()
                .filter_map(|r| r.fields.as_ref().ok())
                .take(SAMPLE_ROWS)
                .map(|f| {
                    let mut row = f.clone();
                    row.resize(width, String::new());
                    row
                })
                .collect(),
        }
    }

    /// The values of the column at `index` in the first good rows.
    pub fn samples(&self, index: usize) -> Vec<String> {
        self.records
            .iter()
            .filter_map(|r| r.fields.as_ref().ok())
            .filter_map(|f| f.get(index))
            .filter(|v| !v.trim().is_empty())
            .take(3)
            .cloned()
            .collect()
    }
}

/// The text of an upload: UTF-8, with or without a byte-order mark. Anything
/// else is refused with the lines that are not UTF-8 and how to fix it.
pub fn decode(bytes: &[u8]) -> Result<&str, FileError> {
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(body) {
        Ok(text) => Ok(text),
        Err(_) => Err(FileError::NotUtf8(not_utf8_message(body))),
    }
}

fn not_utf8_message(body: &[u8]) -> String {
    let bad: Vec<usize> = body
        .split(|b| *b == b'\n')
        .enumerate()
        .filter(|(_, line)| std::str::from_utf8(line).is_err())
        .map(|(i, _)| i + 1)
        .collect();
    let shown: Vec<String> = bad.iter().take(5).map(ToString::to_string).collect();
    let lines = match bad.len() {
        1 => format!("line {} is", shown[0]),
        n if n <= 5 => format!("lines {} are", shown.join(", ")),
        n => format!("lines {} and {} more are", shown.join(", "), n - 5),
    };
    // Windows-1252 maps every byte but five; a file without those five reads as
    // it, which is what spreadsheets on Windows save as "CSV".
    let cp1252 = !body
        .iter()
        .any(|b| matches!(b, 0x81 | 0x8D | 0x8F | 0x90 | 0x9D));
    let guess = if cp1252 {
        " The file looks like Windows-1252 (what spreadsheets on Windows save as plain \"CSV\")."
    } else {
        ""
    };
    format!(
        "The file is not UTF-8: {lines} not UTF-8.{guess} Re-save it as \"CSV UTF-8\" and upload it again."
    )
}

/// Reads `text` as CSV: the first record is the header.
pub fn read(text: &str) -> Result<Table, FileError> {
    if text.trim().is_empty() {
        return Err(FileError::Empty);
    }
    let delimiter = detect_delimiter(text);
    let mut reader = Reader::new(text, delimiter);
    let header = loop {
        match reader.next_record() {
            None => return Err(FileError::Empty),
            Some(r) => match r.fields {
                Ok(f) if f.iter().all(|v| v.trim().is_empty()) => continue,
                Ok(f) => break (r.line, f),
                Err(message) => {
                    return Err(FileError::BadHeader {
                        line: r.line,
                        message,
                    });
                }
            },
        }
    };
    let (header_line, names) = header;
    let mut headers: Vec<String> = Vec::with_capacity(names.len());
    for name in names {
        let name = name.trim().to_owned();
        if name.is_empty() {
            return Err(FileError::EmptyHeader(header_line));
        }
        let mut shown = name.clone();
        let mut n = 2;
        while headers.contains(&shown) {
            shown = format!("{name} ({n})");
            n += 1;
        }
        headers.push(shown);
    }
    let width = headers.len();
    let mut records = Vec::new();
    while let Some(mut record) = reader.next_record() {
        if let Ok(f) = &record.fields {
            // Blank lines (a trailing newline, spacing rows) are not records.
            if f.len() == 1 && f[0].is_empty() {
                continue;
            }
            if f.len() != width {
                record.fields = Err(format!(
                    "has {} fields where the header has {width}",
                    f.len()
                ));
            }
        }
        records.push(record);
    }
    Ok(Table {
        headers,
        delimiter,
        records,
    })
}

/// Comma, semicolon (spreadsheets in much of Europe) or tab: whichever the
/// header line has most of, outside quotes.
fn detect_delimiter(text: &str) -> char {
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let mut counts = [(',', 0usize), (';', 0), ('\t', 0)];
    let mut quoted = false;
    for c in first.chars() {
        if c == '"' {
            quoted = !quoted;
        } else if !quoted {
            for (d, n) in counts.iter_mut() {
                if *d == c {
                    *n += 1;
                }
            }
        }
    }
    counts
        .iter()
        .max_by_key(|(_, n)| *n)
        .filter(|(_, n)| *n > 0)
        .map_or(',', |(d, _)| *d)
}

/// A strict RFC 4180 reader over the whole text.
struct Reader<'a> {
    text: &'a str,
    pos: usize,
    line: usize,
    delimiter: char,
}

impl<'a> Reader<'a> {
    fn new(text: &'a str, delimiter: char) -> Reader<'a> {
        Reader {
            text,
            pos: 0,
            line: 1,
            delimiter,
        }
    }

    /// Skips to the start of the next line after a bad record.
    fn skip_line(&mut self) {
        let rest = &self.text[self.pos..];
        match rest.find('\n') {
            Some(i) => {
                self.pos += i + 1;
                self.line += 1;
            }
            None => self.pos = self.text.len(),
        }
    }

    fn next_record(&mut self) -> Option<Record> {
        if self.pos >= self.text.len() {
            return None;
        }
        let line = self.line;
        let mut fields = Vec::new();
        let mut field = String::new();
        let bytes = self.text.as_bytes();
        let d = self.delimiter as u8;
        loop {
            // At the start of a field.
            if self.pos < bytes.len() && bytes[self.pos] == b'"' {
                self.pos += 1;
                loop {
                    let rest = &self.text[self.pos..];
                    let Some(q) = rest.find('"') else {
                        self.line += rest.matches('\n').count();
                        self.pos = self.text.len();
                        return Some(Record {
                            line,
                            fields: Err("a quoted field is never closed (a missing \")".into()),
                        });
                    };
                    let chunk = &rest[..q];
                    self.line += chunk.matches('\n').count();
                    field.push_str(chunk);
                    self.pos += q + 1;
                    if self.pos < bytes.len() && bytes[self.pos] == b'"' {
                        field.push('"');
                        self.pos += 1;
                    } else {
                        break;
                    }
                }
                // After a closing quote: a delimiter, the end of the line, or the end.
                match bytes.get(self.pos) {
                    None => {
                        fields.push(std::mem::take(&mut field));
                        return Some(Record {
                            line,
                            fields: Ok(fields),
                        });
                    }
                    Some(&b) if b == d => {
                        self.pos += 1;
                        fields.push(std::mem::take(&mut field));
                        continue;
                    }
                    Some(b'\r') if bytes.get(self.pos + 1) == Some(&b'\n') => {
                        self.pos += 2;
                        self.line += 1;
                        fields.push(std::mem::take(&mut field));
                        return Some(Record {
                            line,
                            fields: Ok(fields),
                        });
                    }
                    Some(b'\n') => {
                        self.pos += 1;
                        self.line += 1;
                        fields.push(std::mem::take(&mut field));
                        return Some(Record {
                            line,
                            fields: Ok(fields),
                        });
                    }
                    Some(_) => {
                        self.skip_line();
                        return Some(Record {
                            line,
                            fields: Err(
                                "has text after the closing quote of a field (quote the whole field and double any quote inside it)".into(),
                            ),
                        });
                    }
                }
            }
            // An unquoted field runs to the delimiter or the end of the line.
            let start = self.pos;
            let mut end = start;
            while end < bytes.len() && bytes[end] != d && bytes[end] != b'\n' {
                end += 1;
            }
            let raw = &self.text[start..end];
            let raw = raw.strip_suffix('\r').unwrap_or(raw);
            if raw.contains('"') {
                self.pos = end;
                self.skip_line();
                return Some(Record {
                    line,
                    fields: Err(
                        "has a quote (\") inside a field that does not start with one (quote the whole field and double the quote)".into(),
                    ),
                });
            }
            fields.push(raw.to_owned());
            match bytes.get(end) {
                Some(&b) if b == d => {
                    self.pos = end + 1;
                }
                Some(b'\n') => {
                    self.pos = end + 1;
                    self.line += 1;
                    return Some(Record {
                        line,
                        fields: Ok(fields),
                    });
                }
                _ => {
                    self.pos = bytes.len();
                    return Some(Record {
                        line,
                        fields: Ok(fields),
                    });
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_fields_span_lines_and_lines_are_counted() {
        let t = read("Name,Notes\r\nAnn,\"two\nlines\"\r\n\"Bo \"\"B\"\"\",x\n").unwrap();
        assert_eq!(t.headers, ["Name", "Notes"]);
        assert_eq!(t.records[0].line, 2);
        assert_eq!(
            t.records[0].fields,
            Ok(vec!["Ann".into(), "two\nlines".into()])
        );
        assert_eq!(t.records[1].line, 4);
        assert_eq!(t.records[1].fields, Ok(vec!["Bo \"B\"".into(), "x".into()]));
    }

    #[test]
    fn bad_rows_name_their_line_and_reading_goes_on() {
        let t = read("a,b\n1,2,3\nx\"y,2\n\"p\"q,2\n5,6\n\"open,7\n8,9\n").unwrap();
        let lines: Vec<(usize, bool)> = t
            .records
            .iter()
            .map(|r| (r.line, r.fields.is_ok()))
            .collect();
        assert_eq!(
            lines,
            [(2, false), (3, false), (4, false), (5, true), (6, false)]
        );
        assert!(
            t.records[0]
                .fields
                .as_ref()
                .unwrap_err()
                .contains("3 fields")
        );
        assert!(
            t.records[4]
                .fields
                .as_ref()
                .unwrap_err()
                .contains("never closed")
        );
    }

    #[test]
    fn semicolons_tabs_bom_and_repeated_headers() {
        let bytes = b"\xEF\xBB\xBFName;Email;Email\nAnn;a@x.io;b@x.io\n";
        let t = read(decode(bytes).unwrap()).unwrap();
        assert_eq!(t.delimiter, ';');
        assert_eq!(t.headers, ["Name", "Email", "Email (2)"]);
        assert_eq!(read("a\tb\n1\t2").unwrap().delimiter, '\t');
    }

    #[test]
    fn not_utf8_names_the_line_and_the_likely_encoding() {
        let e = decode(b"Name\nAnn\nRen\xe9e\n").unwrap_err().to_string();
        assert!(e.contains("line 3 is not UTF-8"), "{e}");
        assert!(e.contains("Windows-1252"), "{e}");
        assert!(e.contains("UTF-8"), "{e}");
    }
}
