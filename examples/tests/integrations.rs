//! The guide's real-world examples as real processes: a SQLite query server, an HTTP API wrapper
//! (against an API this test serves on 127.0.0.1), a stdio<->HTTP bridge, an LLM tool loop with
//! sampling, and a server and client in one process.

mod guide_support;

use std::path::Path;

use axum::extract::{Path as UrlPath, Query};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use guide_support::{call, http_server, run_to_end, stdio_child, text};
use rmcp_core::model::{ReadResourceRequestParams, ResourceContents};
use serde_json::{Value, json};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sqlite_server_answers_read_only_queries() {
    // One file per test process, so that concurrent runs do not share it.
    let db = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("sqlite-server-example-{}.db", std::process::id()));
    let _ = std::fs::remove_file(&db);
    let connection = rusqlite::Connection::open(&db).unwrap();
    connection
        .execute_batch(
            "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL, age INTEGER, score REAL);
             INSERT INTO users (name, age, score) VALUES ('ada', 36, 9.5), ('alan', 41, NULL), ('grace', 85, 7.25);",
        )
        .unwrap();
    drop(connection);

    let db_path = db.to_str().unwrap();
    let (client, _) = stdio_child(env!("CARGO_BIN_EXE_sqlite-server"), &["--db", db_path], ()).await;
    let schema = client.read_resource(ReadResourceRequestParams::new("sqlite://schema")).await.unwrap();
    let [ResourceContents::Text(schema)] = &schema.contents[..] else { panic!("one text: {schema:?}") };
    assert!(schema.text.starts_with("CREATE TABLE users"), "{}", schema.text);

    let query = |sql: &str| client.call_tool(call("query", json!({"sql": sql})));
    let rows = query("SELECT name, age, score FROM users WHERE age > 40 ORDER BY name").await.unwrap();
    assert!(!rows.is_error(), "{rows:?}");
    assert_eq!(
        rows.structured_content.unwrap(),
        json!({"columns": ["name", "age", "score"], "rows": [["alan", 41, null], ["grace", 85, 7.25]], "truncated": false})
    );
    let many = query("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 600) SELECT i FROM n")
        .await
        .unwrap();
    let many = many.structured_content.unwrap();
    assert_eq!((many["rows"].as_array().unwrap().len(), &many["truncated"]), (500, &json!(true)));

    for (sql, expected) in [
        ("DELETE FROM users", "only read-only statements"),
        ("DROP TABLE users", "only read-only statements"),
        ("SELEKT 1", "does not compile"),
    ] {
        let refused = query(sql).await.unwrap();
        assert!(refused.is_error() && text(&refused).contains(expected), "{sql}: {refused:?}");
    }
    let count = query("SELECT count(*) AS n FROM users").await.unwrap();
    assert_eq!(count.structured_content.unwrap()["rows"], json!([[3]]), "nothing was deleted");
    client.cancel().await;
    let _ = std::fs::remove_file(&db);
}

/// The issue tracker the wrapper wraps: two issues, for the bearer token `test-token` only.
async fn tracker_api() -> String {
    fn authorized(headers: &HeaderMap) -> bool {
        headers.get("authorization").and_then(|v| v.to_str().ok()) == Some("Bearer test-token")
    }
    let issues = || {
        json!([{"number": 7, "title": "Crash on start", "state": "open"},
                          {"number": 3, "title": "Typo in README", "state": "closed"}])
    };
    let one = move |headers: HeaderMap, UrlPath(number): UrlPath<u64>| async move {
        if !authorized(&headers) {
            return StatusCode::UNAUTHORIZED.into_response();
        }
        match issues().as_array().unwrap().iter().find(|i| i["number"] == number) {
            Some(issue) => axum::Json(issue.clone()).into_response(),
            None => StatusCode::NOT_FOUND.into_response(),
        }
    };
    let open = move |headers: HeaderMap, Query(q): Query<std::collections::HashMap<String, String>>| async move {
        if !authorized(&headers) {
            return StatusCode::UNAUTHORIZED.into_response();
        }
        let state = q.get("state").cloned().unwrap_or_default();
        let list: Vec<Value> = issues().as_array().unwrap().iter().filter(|i| i["state"] == state).cloned().collect();
        axum::Json(json!({"issues": list})).into_response()
    };
    let app = axum::Router::new().route("/issues/{number}", get(one)).route("/issues", get(open));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_wrapper_sends_its_token_and_turns_failures_into_tool_errors() {
    let api = tracker_api().await;
    let wrapper = env!("CARGO_BIN_EXE_http-api-wrapper");
    let mut command = tokio::process::Command::new(wrapper);
    command.env("API_BASE_URL", &api).env("API_TOKEN", "test-token");
    let child = rmcp_core::transport::ChildProcess::builder(command).discard_stderr().spawn().unwrap();
    let client = rmcp_core::service::ServiceExt::serve((), child).await.unwrap();

    let issue = client.call_tool(call("get_issue", json!({"number": 7}))).await.unwrap();
    assert_eq!(issue.structured_content.unwrap(), json!({"number": 7, "title": "Crash on start", "state": "open"}));
    let open = client.call_tool(call("open_issues", json!({}))).await.unwrap();
    assert_eq!(open.structured_content.unwrap()["issues"].as_array().unwrap().len(), 1);
    let missing = client.call_tool(call("get_issue", json!({"number": 99}))).await.unwrap();
    assert!(missing.is_error() && text(&missing).contains("not found: /issues/99"), "{missing:?}");
    client.cancel().await;

    // A wrong token is the server's problem, said plainly, and the token is not echoed.
    let mut command = tokio::process::Command::new(wrapper);
    command.env("API_BASE_URL", &api).env("API_TOKEN", "stale-token");
    let child = rmcp_core::transport::ChildProcess::builder(command).discard_stderr().spawn().unwrap();
    let client = rmcp_core::service::ServiceExt::serve((), child).await.unwrap();
    let refused = client.call_tool(call("get_issue", json!({"number": 7}))).await.unwrap();
    assert!(refused.is_error() && text(&refused).contains("refused this server's token"), "{refused:?}");
    assert!(!text(&refused).contains("stale-token"));
    client.cancel().await;

    // Without its configuration it does not start.
    let out = tokio::process::Command::new(wrapper).env_remove("API_TOKEN").env("API_BASE_URL", &api).output();
    let out = out.await.unwrap();
    assert!(!out.status.success() && String::from_utf8_lossy(&out.stderr).contains("set API_TOKEN"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bridge_serves_an_http_server_on_stdio() {
    let (_calculator, url, _) = http_server(env!("CARGO_BIN_EXE_calculator"), &[], &[]).await;
    let (client, _) = stdio_child(env!("CARGO_BIN_EXE_stdio-http-bridge"), &["--url", &url], ()).await;
    let info = client.server_info().unwrap();
    assert_eq!(info.server_info.name, "calculator (via stdio-http-bridge)");
    assert!(info.instructions.as_deref().unwrap().contains("add, sub, mul, div"));
    let names: Vec<String> = client.list_all_tools().await.unwrap().into_iter().map(|t| t.name).collect();
    assert_eq!(names, ["add", "sub", "mul", "div"]);
    let calls = (0..50).map(|i| call("add", json!({"a": i, "b": 1})));
    let results = client.call_tools(calls, 16).await;
    for (i, result) in results.iter().enumerate() {
        assert_eq!(text(result.as_ref().unwrap()), (i + 1).to_string());
    }
    let error = client.call_tool(call("div", json!({"a": 1, "b": 0}))).await.unwrap();
    assert!(error.is_error(), "a tool error passes through as one");
    let unknown = client.call_tool(call("pow", json!({}))).await.unwrap_err();
    assert!(unknown.to_string().contains("pow"), "a JSON-RPC error passes through: {unknown}");
    client.cancel().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tool_loop_multiplies_then_summarizes_through_sampling() {
    let out = run_to_end(env!("CARGO_BIN_EXE_tool-loop-client"), &[], &[]).await;
    let expected = "8 tools from 2 servers
user: What is 6 times 7? Summarize the answer for me.
model calls calculator__mul {\"a\":6.0,\"b\":7.0}
  calculator__mul -> 42
model calls assistant__summarize {\"text\":\"Multiplying 6 by 7 gives 42, the answer.\"}
  [sampling] a server asks the model to summarize 8 words
  assistant__summarize -> In short: Multiplying 6 by 7 gives 42,
model: Here it is: In short: Multiplying 6 by 7 gives 42,
";
    assert_eq!(out, expected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_process_runs_the_same_handler_in_both_eras() {
    let out = run_to_end(env!("CARGO_BIN_EXE_in-process"), &[], &[]).await;
    assert_eq!(
        out,
        "2025-11-25: 23:50 + 25 min = 00:15\n2025-11-25: server stopped (Closed)\n\
         2026-07-28: 23:50 + 25 min = 00:15\n2026-07-28: server stopped (Closed)\n"
    );
}
