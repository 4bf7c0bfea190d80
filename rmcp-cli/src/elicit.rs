//! Answering `elicitation/create`: a prompt per field of the requested schema on a terminal
//! (enums as a selection, booleans as yes/no, defaults shown), or a fixed answer elsewhere.

use anyhow::anyhow;
use dialoguer::theme::ColorfulTheme;
use dialoguer::{Confirm, Input, MultiSelect, Select};
use rmcp_core::model::{ElicitRequestParams, ElicitResult};
use serde_json::{Map, Value, json};

use crate::cli::ElicitMode;

/// One field of a form: its name and its schema.
struct Field<'a> {
    name: &'a str,
    schema: &'a Value,
    required: bool,
}

impl Field<'_> {
    fn label(&self) -> String {
        let title = self.schema.get("title").and_then(Value::as_str).unwrap_or(self.name);
        match self.schema.get("description").and_then(Value::as_str) {
            Some(d) if d != title => format!("{title} ({d})"),
            _ => title.to_owned(),
        }
    }

    fn kind(&self) -> &str {
        self.schema.get("type").and_then(Value::as_str).unwrap_or("string")
    }

    /// The choices of an enum field: (value, label) pairs, from `enum` (+ `enumNames`) or
    /// `oneOf`/`anyOf` of `{const, title}`.
    fn choices(&self) -> Option<Vec<(String, String)>> {
        if let Some(values) = self.schema.get("enum").and_then(Value::as_array) {
            let names = self.schema.get("enumNames").and_then(Value::as_array);
            return Some(
                values
                    .iter()
                    .enumerate()
                    .filter_map(|(i, v)| {
                        let v = v.as_str()?.to_owned();
                        let label = names.and_then(|n| n.get(i)).and_then(Value::as_str).unwrap_or(&v).to_owned();
                        Some((v, label))
                    })
                    .collect(),
            );
        }
        let options = self.schema.get("oneOf").or_else(|| self.schema.get("anyOf"))?.as_array()?;
        Some(
            options
                .iter()
                .filter_map(|o| {
                    let v = o.get("const")?.as_str()?.to_owned();
                    let label = o.get("title").and_then(Value::as_str).unwrap_or(&v).to_owned();
                    Some((v, label))
                })
                .collect(),
        )
    }

    fn default(&self) -> Option<&Value> {
        self.schema.get("default")
    }
}

/// The form's fields in the order the schema lists them.
fn fields(schema: &Value) -> Vec<Field<'_>> {
    let required: Vec<&str> =
        schema.get("required").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).collect();
    let Some(properties) = schema.get("properties").and_then(Value::as_object) else { return Vec::new() };
    properties
        .iter()
        .map(|(name, schema)| Field { name, schema, required: required.contains(&name.as_str()) })
        .collect()
}

fn result(value: Value) -> ElicitResult {
    // The JSON below is always a valid result; a failure here would be a bug in this file.
    serde_json::from_value(value).expect("a well-formed elicitation result")
}

fn declined() -> ElicitResult {
    result(json!({"action": "decline"}))
}

/// Answer one elicitation request as `mode` says; `interactive` tells whether a person is there.
pub async fn answer(params: ElicitRequestParams, mode: ElicitMode, interactive: bool) -> ElicitResult {
    let request = serde_json::to_value(&params).unwrap_or(Value::Null);
    let message = params.message().to_owned();
    match (mode, interactive) {
        (ElicitMode::Decline, _) => {
            eprintln!("rmcp: declined the server's request for input (--elicit decline): {message}");
            declined()
        }
        (ElicitMode::Accept, _) => match defaults(&request) {
            Ok(content) => result(json!({"action": "accept", "content": content})),
            Err(e) => {
                eprintln!("rmcp: declined the server's request for input: {e}");
                declined()
            }
        },
        (ElicitMode::Ask, false) => {
            eprintln!(
                "rmcp: declined the server's request for input, as no terminal is attached: {message}\n      \
                 (run in a terminal to answer it, or pass --elicit accept to send the defaults)"
            );
            declined()
        }
        (ElicitMode::Ask, true) => {
            let answered = tokio::task::spawn_blocking(move || ask(&request)).await;
            match answered {
                Ok(Ok(r)) => r,
                Ok(Err(e)) => {
                    eprintln!("rmcp: the input request was cancelled: {e}");
                    result(json!({"action": "cancel"}))
                }
                Err(_) => result(json!({"action": "cancel"})),
            }
        }
    }
}

/// `--elicit accept`: every field's default; a required field without one cannot be answered.
fn defaults(request: &Value) -> anyhow::Result<Map<String, Value>> {
    let schema = request.get("requestedSchema").unwrap_or(&Value::Null);
    let mut content = Map::new();
    for field in fields(schema) {
        match field.default() {
            Some(v) => {
                content.insert(field.name.to_owned(), v.clone());
            }
            None if field.required => {
                return Err(anyhow!(
                    "the required field `{}` has no default to accept (answer in a terminal instead)",
                    field.name
                ));
            }
            None => {}
        }
    }
    Ok(content)
}

/// Ask on the terminal (blocking: run on a blocking thread).
fn ask(request: &Value) -> anyhow::Result<ElicitResult> {
    let theme = ColorfulTheme::default();
    let message = request.get("message").and_then(Value::as_str).unwrap_or("");
    eprintln!("\nThe server asks: {message}");
    if let Some(url) = request.get("url").and_then(Value::as_str) {
        eprintln!("  URL: {url}");
        let go = Confirm::with_theme(&theme).with_prompt("Open it and continue?").default(false).interact_opt()?;
        return Ok(match go {
            Some(true) => result(json!({"action": "accept"})),
            Some(false) => declined(),
            None => result(json!({"action": "cancel"})),
        });
    }
    let schema = request.get("requestedSchema").unwrap_or(&Value::Null);
    let mut content = Map::new();
    for field in fields(schema) {
        if let Some(value) = ask_field(&theme, &field)? {
            content.insert(field.name.to_owned(), value);
        }
    }
    let send = Confirm::with_theme(&theme).with_prompt("Send these answers?").default(true).interact_opt()?;
    Ok(match send {
        Some(true) => result(json!({"action": "accept", "content": content})),
        Some(false) => declined(),
        None => result(json!({"action": "cancel"})),
    })
}

/// One field's prompt; `None` for an optional field left empty.
fn ask_field(theme: &ColorfulTheme, field: &Field<'_>) -> anyhow::Result<Option<Value>> {
    let label = if field.required { field.label() } else { format!("{} [optional]", field.label()) };
    if let Some(choices) = field.choices().filter(|c| !c.is_empty()) {
        let default = field.default().and_then(Value::as_str);
        let mut labels: Vec<&str> = choices.iter().map(|(_, l)| l.as_str()).collect();
        // An optional field without a default may stay unanswered: the first entry says so.
        let skippable = !field.required && default.is_none();
        if skippable {
            labels.insert(0, "(no answer)");
        }
        let index =
            choices.iter().position(|(v, _)| Some(v.as_str()) == default).map_or(0, |i| i + usize::from(skippable));
        let picked = Select::with_theme(theme).with_prompt(label).items(&labels).default(index).interact()?;
        return Ok(picked.checked_sub(usize::from(skippable)).map(|i| Value::String(choices[i].0.clone())));
    }
    if field.kind() == "array" {
        let items =
            Field { name: field.name, schema: field.schema.get("items").unwrap_or(&Value::Null), required: true };
        if let Some(choices) = items.choices().filter(|c| !c.is_empty()) {
            let chosen: Vec<&str> = field
                .default()
                .and_then(Value::as_array)
                .map(|d| d.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let labels: Vec<&str> = choices.iter().map(|(_, l)| l.as_str()).collect();
            let defaults: Vec<bool> = choices.iter().map(|(v, _)| chosen.contains(&v.as_str())).collect();
            let picked = MultiSelect::with_theme(theme)
                .with_prompt(format!("{label} (space to pick, enter when done)"))
                .items(&labels)
                .defaults(&defaults)
                .interact()?;
            let values: Vec<Value> = picked.into_iter().map(|i| Value::String(choices[i].0.clone())).collect();
            return Ok((field.required || !values.is_empty()).then_some(Value::Array(values)));
        }
    }
    match field.kind() {
        "boolean" => {
            let default = field.default().and_then(Value::as_bool).unwrap_or(false);
            Ok(Some(Value::Bool(Confirm::with_theme(theme).with_prompt(label).default(default).interact()?)))
        }
        kind @ ("number" | "integer") => {
            let integer = kind == "integer";
            let mut input = Input::<String>::with_theme(theme).with_prompt(label).allow_empty(!field.required);
            if let Some(d) = field.default() {
                input = input.default(d.to_string());
            }
            let text = input
                .validate_with(move |t: &String| -> Result<(), String> {
                    if t.is_empty() || parse_number(t, integer).is_some() {
                        Ok(())
                    } else {
                        Err(format!("enter {}", if integer { "a whole number" } else { "a number" }))
                    }
                })
                .interact_text()?;
            Ok(parse_number(&text, integer))
        }
        _ => {
            let mut input = Input::<String>::with_theme(theme).with_prompt(label).allow_empty(!field.required);
            if let Some(d) = field.default().and_then(Value::as_str) {
                input = input.default(d.to_owned());
            }
            let text = input.interact_text()?;
            Ok((!text.is_empty()).then_some(Value::String(text)))
        }
    }
}

fn parse_number(text: &str, integer: bool) -> Option<Value> {
    if integer {
        text.trim().parse::<i64>().ok().map(Value::from)
    } else {
        text.trim().parse::<f64>().ok().and_then(|n| serde_json::Number::from_f64(n).map(Value::Number))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_sends_the_defaults_and_refuses_a_required_field_without_one() {
        let request = json!({"message": "m", "requestedSchema": {"type": "object",
            "properties": {"n": {"type": "integer", "default": 3}, "s": {"type": "string"}}, "required": ["n"]}});
        assert_eq!(defaults(&request).unwrap(), json!({"n": 3}).as_object().unwrap().clone());
        let request = json!({"message": "m", "requestedSchema": {"type": "object",
            "properties": {"s": {"type": "string"}}, "required": ["s"]}});
        assert!(defaults(&request).unwrap_err().to_string().contains("`s` has no default"));
    }

    #[test]
    fn enum_choices_come_from_enum_or_one_of() {
        let schema = json!({"type": "string", "enum": ["a", "b"], "enumNames": ["Apple", "Banana"]});
        let field = Field { name: "f", schema: &schema, required: true };
        assert_eq!(field.choices().unwrap(), vec![("a".into(), "Apple".into()), ("b".into(), "Banana".into())]);
        let schema = json!({"type": "string", "oneOf": [{"const": "x", "title": "Ex"}]});
        let field = Field { name: "f", schema: &schema, required: true };
        assert_eq!(field.choices().unwrap(), vec![("x".into(), "Ex".into())]);
    }
}
