//! Printing results: aligned tables and plain text for people (colours only on a terminal),
//! JSON for scripts.

use std::io::{IsTerminal, Write};

use console::{Term, measure_text_width, style, truncate_str};
use serde::Serialize;
use serde_json::Value;

use crate::cli::OutputFormat;

/// How results are printed.
#[derive(Debug, Clone, Copy)]
pub struct Output {
    format: OutputFormat,
}

impl Output {
    /// Print in `format`.
    pub fn new(format: OutputFormat) -> Self {
        Self { format }
    }

    /// Whether scripts are reading.
    pub fn is_json(&self) -> bool {
        self.format == OutputFormat::Json
    }

    /// Print `value` as pretty JSON.
    pub fn json(&self, value: &impl Serialize) -> anyhow::Result<()> {
        let text = serde_json::to_string_pretty(value)?;
        line(&text);
        Ok(())
    }
}

/// Print one line to stdout; a closed pipe (`rmcp ... | head`) ends quietly.
pub fn line(text: &str) {
    let mut out = std::io::stdout().lock();
    if writeln!(out, "{text}").is_err() {
        std::process::exit(0);
    }
}

/// A heading, bold on a terminal.
pub fn heading(text: &str) -> String {
    style(text).bold().to_string()
}

/// Less important text, dimmed on a terminal.
pub fn dim(text: &str) -> String {
    style(text).dim().to_string()
}

/// Aligned columns; the last one is cut to the terminal's width (on a terminal only).
pub fn table(headers: &[&str], rows: &[Vec<String>]) {
    if rows.is_empty() {
        line(&dim("(none)"));
        return;
    }
    let columns = headers.len();
    let mut widths: Vec<usize> = headers.iter().map(|h| measure_text_width(h)).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate().take(columns.saturating_sub(1)) {
            widths[i] = widths[i].max(measure_text_width(cell));
        }
    }
    let room = std::io::stdout().is_terminal().then(|| Term::stdout().size().1 as usize);
    let render = |cells: Vec<String>, bold: bool| {
        let mut text = String::new();
        for (i, cell) in cells.iter().enumerate() {
            if i + 1 < columns {
                let pad = widths[i] - measure_text_width(cell);
                text.push_str(cell);
                text.push_str(&" ".repeat(pad + 2));
            } else {
                let used = measure_text_width(&text);
                match room {
                    Some(room) if room > used + 10 => text.push_str(&truncate_str(cell, room - used, "…")),
                    _ => text.push_str(cell),
                }
            }
        }
        let text = text.trim_end().to_owned();
        if bold { heading(&text) } else { text }
    };
    line(&render(headers.iter().map(|h| h.to_string()).collect(), true));
    for row in rows {
        // One line per row: newlines in descriptions would break the columns.
        line(&render(row.iter().map(|c| c.replace('\n', " ")).collect(), false));
    }
}

/// The first line of a description, for tables.
pub fn first_line(text: Option<&str>) -> String {
    text.and_then(|t| t.lines().next()).unwrap_or("").to_owned()
}

/// Content blocks (tool results, prompt messages): text printed as is, the rest summarized.
/// Text that only repeats `structured` (as many servers send it) is left out.
pub fn content(blocks: &[Value], structured: Option<&Value>) {
    for block in blocks {
        let kind = block.get("type").and_then(Value::as_str).unwrap_or("");
        match kind {
            "text" => {
                let text = block.get("text").and_then(Value::as_str).unwrap_or("");
                let repeats = structured.is_some_and(|s| serde_json::from_str::<Value>(text).ok().as_ref() == Some(s));
                if !repeats {
                    line(text);
                }
            }
            "image" | "audio" => {
                let mime = block.get("mimeType").and_then(Value::as_str).unwrap_or("?");
                let bytes = block.get("data").and_then(Value::as_str).map_or(0, |d| d.len() * 3 / 4);
                line(&dim(&format!("[{kind}: {mime}, about {bytes} bytes; --output json shows the data]")));
            }
            "resource_link" => {
                let uri = block.get("uri").and_then(Value::as_str).unwrap_or("");
                let name = block.get("name").and_then(Value::as_str).unwrap_or("");
                line(&format!("{} {uri} {}", dim("[link]"), dim(name)));
            }
            "resource" => resource_contents(block.get("resource").unwrap_or(&Value::Null)),
            _ => line(&serde_json::to_string_pretty(block).unwrap_or_default()),
        }
    }
    if let Some(structured) = structured {
        line(&serde_json::to_string_pretty(structured).unwrap_or_default());
    }
}

/// One resource's contents: its text, or a note about its binary data.
pub fn resource_contents(contents: &Value) {
    if let Some(text) = contents.get("text").and_then(Value::as_str) {
        // Text that ends its last line itself gets no second newline.
        line(text.strip_suffix('\n').unwrap_or(text));
    } else if let Some(blob) = contents.get("blob").and_then(Value::as_str) {
        let mime = contents.get("mimeType").and_then(Value::as_str).unwrap_or("application/octet-stream");
        let uri = contents.get("uri").and_then(Value::as_str).unwrap_or("");
        line(&dim(&format!("[{uri}: {mime}, about {} bytes; --output json shows the data]", blob.len() * 3 / 4)));
    }
}

/// An error for people: red on a terminal, on stderr.
pub fn error(message: &str) {
    let label = console::Style::new().red().bold().for_stderr().apply_to("error:");
    eprintln!("{label} {message}");
}
