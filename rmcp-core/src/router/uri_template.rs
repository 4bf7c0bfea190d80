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
                    let decoded = percent_decode(value);
                    // Judged after decoding, so `%2F` cannot smuggle a `/` into one segment.
                    if value.is_empty() || (!reserved && decoded.contains('/')) {
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

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(h) = bytes.get(i + 1..i + 3)
            && let Ok(b) = u8::from_str_radix(std::str::from_utf8(h).unwrap_or("zz"), 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
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
    fn rejects_malformed_templates() {
        assert!(UriTemplate::parse("file:///{path").is_err());
        assert!(UriTemplate::parse("file:///path}").is_err());
        assert!(UriTemplate::parse("file:///{}").is_err());
        assert!(UriTemplate::parse("file:///{a b}").is_err());
        assert!(UriTemplate::parse("file:///{a}{b}").is_err());
    }
}
