//! URI templates checked at compile time, by the same rules as the runtime's
//! `rmcp_core::router::UriTemplate::parse` (`{var}` and `{+var}`; names of letters, digits and
//! `_`; something between two variables), so a template the macro accepts never fails when the
//! router is built.

/// The template's variable names in order, or what is wrong with it and how to fix it.
pub(crate) fn variables(source: &str) -> Result<Vec<String>, (String, String)> {
    let mut vars = Vec::new();
    let mut rest = source;
    let mut last_was_var = false;
    while let Some(i) = rest.find(['{', '}']) {
        if rest.as_bytes()[i] == b'}' {
            return Err((
                format!("malformed URI template `{source}`: `}}` without a matching `{{`"),
                "variables are written `{name}` (one path segment) or `{+name}` (may contain `/`)".to_owned(),
            ));
        }
        if i > 0 {
            last_was_var = false;
        }
        let after = &rest[i + 1..];
        let Some(end) = after.find('}') else {
            return Err((
                format!("malformed URI template `{source}`: `{{` is never closed"),
                "close the variable: `{name}`".to_owned(),
            ));
        };
        let body = &after[..end];
        let name = body.strip_prefix('+').unwrap_or(body);
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            let hint = if name.contains(['/', '?', '#', '&', ';', '.', '*', ':', ',']) {
                "only the simple `{name}` and reserved `{+name}` forms of RFC 6570 are supported".to_owned()
            } else {
                "variable names are letters, digits and `_`, matching a Rust argument name".to_owned()
            };
            return Err((format!("malformed URI template `{source}`: invalid variable `{{{body}}}`"), hint));
        }
        if last_was_var {
            return Err((
                format!("malformed URI template `{source}`: variable `{name}` directly follows another"),
                "put a literal separator such as `/` between the variables, so a URI splits unambiguously".to_owned(),
            ));
        }
        vars.push(name.to_owned());
        last_was_var = true;
        rest = &after[end + 1..];
    }
    Ok(vars)
}

#[cfg(test)]
mod tests {
    use super::variables;

    #[test]
    fn accepts_what_the_runtime_accepts() {
        assert_eq!(variables("file:///{+path}").unwrap(), ["path"]);
        assert_eq!(variables("users://{id}/posts/{post}").unwrap(), ["id", "post"]);
        assert_eq!(variables("plain://x").unwrap(), Vec::<String>::new());
    }

    #[test]
    fn rejects_malformed_templates() {
        for bad in ["file:///{path", "file:///path}", "file:///{}", "file:///{a b}", "file:///{a}{b}", "x://{/p}"] {
            assert!(variables(bad).is_err(), "{bad}");
        }
    }
}
