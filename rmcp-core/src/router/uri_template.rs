//! URI templates (RFC 6570, the forms resource templates use): `{var}` matches one path segment,
//! `{+var}` matches the rest including `/`.

use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Literal(String),
    /// A variable; `reserved` (`{+var}`) may contain `/`.
    Variable {
        name: String,
        reserved: bool,
    },
}

/// A parsed URI template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UriTemplate {
    source: String,
    parts: Vec<Part>,
}

impl UriTemplate {
    /// Parse; errors name what is wrong (unbalanced braces, an empty or invalid variable name,
    /// two variables with nothing between them).
    pub fn parse(source: &str) -> Result<Self, String> {
        let mut parts = Vec::new();
        let mut rest = source;
        while !rest.is_empty() {
            match rest.find(['{', '}']) {
                Some(i) if rest.as_bytes()[i] == b'}' => {
                    return Err(format!("unmatched `}}` at byte {}", source.len() - rest.len() + i));
                }
                Some(i) => {
                    if i > 0 {
                        parts.push(Part::Literal(rest[..i].to_owned()));
                    }
                    let after = &rest[i + 1..];
                    let end = after.find('}').ok_or_else(|| "unclosed `{`".to_owned())?;
                    let body = &after[..end];
                    let (reserved, name) = match body.strip_prefix('+') {
                        Some(n) => (true, n),
                        None => (false, body),
                    };
                    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                        return Err(format!("invalid variable name `{body}`: use letters, digits and `_`"));
                    }
                    if matches!(parts.last(), Some(Part::Variable { .. })) {
                        return Err(format!("variable `{name}` directly follows another: nothing separates them"));
                    }
                    parts.push(Part::Variable { name: name.to_owned(), reserved });
                    rest = &after[end + 1..];
                }
                None => {
                    parts.push(Part::Literal(rest.to_owned()));
                    rest = "";
                }
            }
        }
        Ok(Self { source: source.to_owned(), parts })
    }

    /// The template as written.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// The names of its variables, in order.
    pub fn variables(&self) -> impl Iterator<Item = &str> {
        self.parts.iter().filter_map(|p| match p {
            Part::Variable { name, .. } => Some(name.as_str()),
            Part::Literal(_) => None,
        })
    }

    /// If `uri` is an instance of this template, the (percent-decoded) variable values.
    ///
    /// A value with a `.` or `..` segment, a backslash or a control character does not match,
    /// so a handler may join a value onto a directory or key prefix without climbing out of it.
    ///
    /// ```
    /// use rmcp_core::router::UriTemplate;
    ///
    /// let template = UriTemplate::parse("file:///{+path}").unwrap();
    /// assert_eq!(template.matches("file:///notes/a%20b.md").unwrap()["path"], "notes/a b.md");
    /// assert!(template.matches("file:///notes/../../etc/passwd").is_none());
    /// ```
    pub fn matches(&self, uri: &str) -> Option<BTreeMap<String, String>> {
        let mut values = BTreeMap::new();
        let mut rest = uri;
        let mut parts = self.parts.iter().peekable();
        while let Some(part) = parts.next() {
            match part {
                Part::Literal(lit) => rest = rest.strip_prefix(lit.as_str())?,
                Part::Variable { name, reserved } => {
                    let end = match parts.peek() {
                        Some(Part::Literal(next)) => rest.find(next.as_str())?,
                        _ => rest.len(),
                    };
                    let value = &rest[..end];
                    let decoded = percent_encoding::percent_decode_str(value).decode_utf8_lossy().into_owned();
                    // Judged after decoding, so `%2F` cannot smuggle a `/` into one segment.
                    if value.is_empty() || (!reserved && decoded.contains('/')) || !is_safe_value(&decoded) {
                        return None;
                    }
                    values.insert(name.clone(), decoded);
                    rest = &rest[end..];
                }
            }
        }
        rest.is_empty().then_some(values)
    }
}

/// Whether a decoded variable value is safe to hand to a handler that maps it onto a path or a
/// key: no `.` or `..` segment to climb out of where it is joined, no backslash (a separator on
/// Windows), and no control character (`%00` ends a C string early).
fn is_safe_value(value: &str) -> bool {
    !value.split('/').any(|segment| segment == "." || segment == "..")
        && !value.chars().any(|c| c == '\\' || c.is_control())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_matches() {
        let t = UriTemplate::parse("file:///{+path}").unwrap();
        assert_eq!(t.variables().collect::<Vec<_>>(), ["path"]);
        assert_eq!(t.matches("file:///a/b%20c.txt").unwrap()["path"], "a/b c.txt");
        let t = UriTemplate::parse("users://{id}/posts/{post}").unwrap();
        let m = t.matches("users://42/posts/7").unwrap();
        assert_eq!((m["id"].as_str(), m["post"].as_str()), ("42", "7"));
        assert!(t.matches("users://42/x/posts/7").is_none(), "a simple variable is one segment");
        assert!(t.matches("users://42/posts/").is_none());
        let t = UriTemplate::parse("file:///{name}").unwrap();
        assert!(t.matches("file:///..%2F..%2Fetc%2Fpasswd").is_none(), "an encoded slash is still a slash");
    }

    #[test]
    fn values_that_climb_out_or_hide_characters_do_not_match() {
        let name = UriTemplate::parse("file:///{name}").unwrap();
        let path = UriTemplate::parse("file:///{+path}").unwrap();
        for uri in ["file:///..", "file:///%2E%2E", "file:///.", "file:///a%00b", "file:///a%5Cb", "file:///a%0Ab"] {
            assert!(name.matches(uri).is_none(), "{uri}");
        }
        for uri in
            ["file:///a/../etc/passwd", "file:///a/%2e%2e/b", "file:///../x", "file:///a/./b", "file:///a%5C..%5Cb"]
        {
            assert!(path.matches(uri).is_none(), "{uri}");
        }
        assert_eq!(
            path.matches("file:///a/b..c/.d.txt").unwrap()["path"],
            "a/b..c/.d.txt",
            "dots inside names are fine"
        );
        assert_eq!(name.matches("file:///%C3%A9t%C3%A9").unwrap()["name"], "été");
    }

    #[test]
    fn rejects_malformed_templates() {
        assert!(UriTemplate::parse("file:///{path").is_err());
        assert!(UriTemplate::parse("file:///path}").is_err());
        assert!(UriTemplate::parse("file:///{}").is_err());
        assert!(UriTemplate::parse("file:///{a b}").is_err());
        assert!(UriTemplate::parse("file:///{a}{b}").is_err());
    }
}
