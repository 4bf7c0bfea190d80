use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

#[derive(Deserialize, Serialize, JsonSchema)]
struct AddRequest {
    a: i64,
    b: i64,
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let schema = serde_json::to_string(&schemars::schema_for!(AddRequest))?;
    let mut lines = BufReader::new(tokio::io::stdin()).lines();
    let mut out = tokio::io::stdout();
    while let Some(line) = lines.next_line().await? {
        let answer = match serde_json::from_str::<AddRequest>(&line) {
            Ok(r) => serde_json::json!({ "sum": r.a + r.b }).to_string(),
            Err(e) => serde_json::json!({ "error": e.to_string(), "schema": schema }).to_string(),
        };
        out.write_all(answer.as_bytes()).await?;
        out.write_all(b"\n").await?;
    }
    Ok(())
}
