//! The path to where a `serde_json` error happened, read back from the JSON text.
//!
//! Bad params are answered with -32602 naming the field at fault. Tracking the path while
//! deserializing (`serde_path_to_error`) would instantiate every model type's `Deserialize` a
//! second time, about a tenth of this crate's machine code, for an error path. The error's line
//! and column say where the parser stopped; scanning the text up to there gives the same path.

use std::fmt::Write;

/// One level of nesting open at the error's position.
enum Level<'a> {
    /// An object, with the key whose value is being read (none before the first key).
    Object(Option<&'a str>),
    /// An array, with the index of the element being read.
    Array(usize),
}

/// The path (`capabilities.roots`, `messages[1].content`) to the value `error` is about in
/// `text`, or `None` for the top level. For a missing field it is the object that lacks it.
pub(crate) fn error_path(text: &str, error: &serde_json::Error) -> Option<String> {
    let end = offset(text, error.line(), error.column())?;
    let bytes = text.as_bytes();
    let mut levels: Vec<Level<'_>> = Vec::new();
    let mut expect_key = false;
    let mut i = 0;
    while i < end {
        match bytes[i] {
            b'{' => {
                levels.push(Level::Object(None));
                expect_key = true;
            }
            b'[' => levels.push(Level::Array(0)),
            b'}' | b']' => {
                levels.pop();
                expect_key = false;
            }
            b',' => match levels.last_mut() {
                Some(Level::Array(index)) => *index += 1,
                Some(Level::Object(_)) => expect_key = true,
                None => {}
            },
            b'"' => {
                let start = i + 1;
                i = start;
                while i < bytes.len() && bytes[i] != b'"' {
                    // Skip what a backslash escapes (a quote, or the first byte of the rest).
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                if expect_key && let Some(Level::Object(key)) = levels.last_mut() {
                    *key = Some(text.get(start..i.min(bytes.len()))?);
                    expect_key = false;
                }
            }
            _ => {}
        }
        i += 1;
    }
    // A missing field is reported at the end of its object: the path is the object's.
    if error.to_string().starts_with("missing field")
        && let Some(Level::Object(key)) = levels.last_mut()
    {
        *key = None;
    }
    let mut path = String::new();
    for level in &levels {
        match level {
            Level::Object(Some(key)) if path.is_empty() => path.push_str(key),
            Level::Object(Some(key)) => write!(path, ".{key}").expect("writing to a String"),
            Level::Object(None) => break,
            Level::Array(index) => write!(path, "[{index}]").expect("writing to a String"),
        }
    }
    (!path.is_empty()).then_some(path)
}

/// The byte offset of 1-based `line` and `column` in `text` (serde_json's position: just after
/// the last byte it read).
fn offset(text: &str, line: usize, column: usize) -> Option<usize> {
    let start: usize = text.split_inclusive('\n').take(line.checked_sub(1)?).map(str::len).sum();
    Some((start + column).min(text.len()))
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::error_path;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Outer {
        name: String,
        #[serde(default)]
        items: Vec<Item>,
        #[serde(default)]
        inner: Option<Inner>,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Item {
        qty: u32,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Inner {
        #[serde(rename = "deep \"key\"")]
        deep: Item,
    }

    /// The path read back from the text agrees with the path `serde_path_to_error` tracks.
    #[test]
    fn agrees_with_a_tracked_path() {
        for text in [
            r#"{"name": 1}"#,
            r#"{"items": []}"#,
            r#"{"name": "a", "items": [{"qty": 1}, {"qty": "x"}]}"#,
            r#"{"name": "a", "items": [{"qty": 1}, {}]}"#,
            r#"{"name": "a", "inner": {"deep \"key\"": {"qty": -1}}}"#,
            "{\n  \"name\": \"a\",\n  \"items\": [\n    {\"qty\": true}\n  ]\n}",
            r#"{"name": "a, [b]", "items": [{"qty": 1, "extra": {"x": [1, 2]}}, {"qty": 2.5}]}"#,
            r#"[1, 2]"#,
        ] {
            let error = serde_json::from_str::<Outer>(text).unwrap_err();
            let tracked = serde_path_to_error::deserialize::<_, Outer>(&mut serde_json::Deserializer::from_str(text))
                .unwrap_err()
                .path()
                .to_string()
                .replace("\\\"", "\"");
            let read = error_path(text, &error).map_or(".".to_owned(), |p| p.replace("\\\"", "\""));
            assert_eq!(read, tracked, "{text}: {error}");
        }
    }
}
