//! `WWW-Authenticate` challenges (RFC 9110 §11.6.1, RFC 6750 §3): the scheme and its
//! `name=value` parameters, which carry `resource_metadata`, `scope` and `error`.

use std::collections::HashMap;

/// One challenge of a `WWW-Authenticate` header, e.g.
/// `Bearer error="insufficient_scope", scope="files:read", resource_metadata="https://…"`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BearerChallenge {
    /// The scheme (`Bearer`, `DPoP`), as sent.
    pub scheme: String,
    /// The parameters, names lowercased, values unquoted.
    pub params: HashMap<String, String>,
}

impl BearerChallenge {
    /// Parse the first challenge of a header value; `None` when there is none.
    pub fn parse(header: &str) -> Option<Self> {
        let header = header.trim();
        let (scheme, rest) = match header.find(char::is_whitespace) {
            Some(i) => (&header[..i], &header[i..]),
            None => (header, ""),
        };
        if scheme.is_empty() || scheme.contains('=') {
            return None;
        }
        Some(Self { scheme: scheme.to_owned(), params: parse_params(rest) })
    }

    /// The first challenge with `scheme` (case-insensitive) among header values.
    pub fn find<'a>(headers: impl IntoIterator<Item = &'a str>, scheme: &str) -> Option<Self> {
        headers.into_iter().filter_map(Self::parse).find(|c| c.scheme.eq_ignore_ascii_case(scheme))
    }

    /// A parameter's value.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params.get(&name.to_ascii_lowercase()).map(String::as_str)
    }

    /// `error`.
    pub fn error(&self) -> Option<&str> {
        self.param("error")
    }

    /// `resource_metadata`: where the protected resource metadata is (RFC 9728 §5.1).
    pub fn resource_metadata(&self) -> Option<&str> {
        self.param("resource_metadata")
    }

    /// `scope`, split on spaces.
    pub fn scopes(&self) -> Option<Vec<String>> {
        self.param("scope").map(|s| s.split_whitespace().map(str::to_owned).collect())
    }
}

/// Whether a `WWW-Authenticate` value says `error="insufficient_scope"` (a 403 that step-up
/// authorization may fix).
pub fn is_insufficient_scope(header: &str) -> bool {
    BearerChallenge::parse(header).is_some_and(|c| c.error() == Some("insufficient_scope"))
}

/// `name=value, name="quoted \" value"` pairs; tolerant of spaces and stray commas.
fn parse_params(input: &str) -> HashMap<String, String> {
    let mut params = HashMap::new();
    let mut rest = input.trim_start_matches([' ', '\t', ',']);
    while !rest.is_empty() {
        let Some(eq) = rest.find('=') else { break };
        let name = rest[..eq].trim().to_ascii_lowercase();
        rest = rest[eq + 1..].trim_start();
        let value;
        if let Some(quoted) = rest.strip_prefix('"') {
            let mut out = String::new();
            let mut chars = quoted.char_indices();
            let mut end = quoted.len();
            while let Some((i, c)) = chars.next() {
                match c {
                    '\\' => {
                        if let Some((_, next)) = chars.next() {
                            out.push(next);
                        }
                    }
                    '"' => {
                        end = i + 1;
                        break;
                    }
                    c => out.push(c),
                }
            }
            value = out;
            rest = &quoted[end.min(quoted.len())..];
        } else {
            let end = rest.find(',').unwrap_or(rest.len());
            value = rest[..end].trim().to_owned();
            rest = &rest[end..];
        }
        if !name.is_empty() && !name.contains(char::is_whitespace) {
            params.entry(name).or_insert(value);
        }
        rest = rest.trim_start_matches([' ', '\t', ',']);
    }
    params
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_quoted_and_bare_parameters() {
        let c = BearerChallenge::parse(
            r#"Bearer error="insufficient_scope", scope="a b", resource_metadata="https://x/y", realm=mcp"#,
        )
        .unwrap();
        assert_eq!(c.scheme, "Bearer");
        assert_eq!(c.error(), Some("insufficient_scope"));
        assert_eq!(c.scopes().unwrap(), ["a", "b"]);
        assert_eq!(c.resource_metadata(), Some("https://x/y"));
        assert_eq!(c.param("REALM"), Some("mcp"));
    }

    #[test]
    fn parses_escapes_and_a_bare_scheme() {
        let c = BearerChallenge::parse(r#"Bearer error_description="say \"hi\", ok""#).unwrap();
        assert_eq!(c.param("error_description"), Some(r#"say "hi", ok"#));
        assert_eq!(BearerChallenge::parse("Bearer").unwrap().params.len(), 0);
        assert!(is_insufficient_scope(r#"Bearer scope="w", error="insufficient_scope""#));
        assert!(!is_insufficient_scope(r#"Bearer error="invalid_token""#));
    }
}
