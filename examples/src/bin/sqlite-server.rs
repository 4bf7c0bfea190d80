//! A database query server on SQLite.
//!
//! Demonstrates a server in front of a database: the tool `query` runs one read-only SQL
//! statement and returns the rows as structured output (`Json<Rows>`, columns and rows, at most
//! 500); the resource `sqlite://schema` gives the `CREATE` statements, so a model can learn the
//! tables before it writes a query. The database is opened read-only, and a statement that
//! would write is refused before it runs, so no prompt injection can change the data. SQLite
//! calls block, so they run on tokio's blocking pool, one at a time.
//!
//! Run it with `cargo run -p examples --bin sqlite-server -- --db PATH` (stdio), or add
//! `--http 127.0.0.1:0`.

use std::sync::{Arc, Mutex, PoisonError};

use rmcp_core::handler::{ServerHandler, ServerInfo};
use rmcp_core::model::{Implementation, ServerCapabilities};
use rmcp_core::router::{Json, ResourceRouter, ToolRouter};
use rmcp_core::service::McpError;
use rmcp_core::{resource, resource_handler, resource_router, tool, tool_handler, tool_router};
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags};
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value;

/// The most rows one query returns.
const MAX_ROWS: usize = 500;

/// A query's result.
#[derive(Serialize, JsonSchema)]
struct Rows {
    /// The column names, in order.
    columns: Vec<String>,
    /// The rows, each a list of values in column order.
    rows: Vec<Vec<Value>>,
    /// Whether rows were left out past the limit.
    truncated: bool,
}

#[derive(Clone)]
struct Database {
    /// One connection, used by one blocking task at a time.
    connection: Arc<Mutex<Connection>>,
    tool_router: ToolRouter<Self>,
    resource_router: ResourceRouter<Self>,
}

/// A column value as JSON; blobs are described, not sent.
fn json_of(value: ValueRef<'_>) -> Value {
    match value {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => i.into(),
        ValueRef::Real(f) => f.into(),
        ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned().into(),
        ValueRef::Blob(b) => format!("<{} bytes>", b.len()).into(),
    }
}

/// Run `sql` (one read-only statement) on `connection`.
fn run_query(connection: &Connection, sql: &str) -> Result<Rows, String> {
    let mut statement = connection.prepare(sql).map_err(|e| format!("the query does not compile: {e}"))?;
    if !statement.readonly() {
        return Err("only read-only statements (SELECT, ...) are allowed".to_owned());
    }
    let columns: Vec<String> = statement.column_names().into_iter().map(str::to_owned).collect();
    let mut rows = Vec::new();
    let mut cursor = statement.query([]).map_err(|e| e.to_string())?;
    while let Some(row) = cursor.next().map_err(|e| e.to_string())? {
        if rows.len() == MAX_ROWS {
            return Ok(Rows { columns, rows, truncated: true });
        }
        let values = (0..columns.len()).map(|i| row.get_ref(i).map(json_of)).collect::<Result<Vec<_>, _>>();
        rows.push(values.map_err(|e| e.to_string())?);
    }
    Ok(Rows { columns, rows, truncated: false })
}

impl Database {
    /// Run `f` on the connection on the blocking pool.
    async fn with_connection<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Connection) -> T + Send + 'static,
    ) -> Result<T, McpError> {
        let connection = self.connection.clone();
        tokio::task::spawn_blocking(move || f(&connection.lock().unwrap_or_else(PoisonError::into_inner)))
            .await
            .map_err(|e| McpError::internal_error(format!("the query task failed: {e}")))
    }
}

#[tool_router]
impl Database {
    /// Run one read-only SQL statement (SQLite dialect) and return its rows (at most 500).
    /// Read sqlite://schema first for the tables and their columns.
    #[tool(annotations(read_only_hint = true, idempotent_hint = true))]
    async fn query(
        &self,
        /// The SQL statement, such as `SELECT name FROM users WHERE age > 30`.
        sql: String,
    ) -> Result<Json<Rows>, McpError> {
        match self.with_connection(move |c| run_query(c, &sql)).await? {
            Ok(rows) => Ok(Json(rows)),
            // The model wrote bad SQL: a tool error it can read and fix.
            Err(problem) => Err(McpError::InvalidArguments(problem)),
        }
    }
}

#[resource_router]
impl Database {
    /// The database's schema: the CREATE statement of every table and view.
    #[resource(uri = "sqlite://schema", name = "schema", mime_type = "application/sql")]
    async fn schema(&self) -> Result<String, McpError> {
        let sql = "SELECT sql FROM sqlite_schema WHERE type IN ('table', 'view') AND sql IS NOT NULL ORDER BY name";
        let rows = self.with_connection(move |c| run_query(c, sql)).await?.map_err(McpError::internal_error)?;
        Ok(rows.rows.iter().filter_map(|r| r[0].as_str()).map(|s| format!("{s};\n")).collect())
    }
}

#[tool_handler]
#[resource_handler]
impl ServerHandler for Database {
    fn get_info(&self) -> ServerInfo {
        ServerInfo::new(Implementation::new("sqlite-server", env!("CARGO_PKG_VERSION")), ServerCapabilities::default())
            .with_instructions("A read-only SQLite database: read sqlite://schema, then use the query tool.")
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let path =
        examples::flag("--db")?.ok_or_else(|| anyhow::anyhow!("usage: sqlite-server --db PATH [--http ADDR]"))?;
    // Read-only at the connection: even a statement that slipped past `readonly()` cannot write.
    let connection = Connection::open_with_flags(&path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let database = Database {
        connection: Arc::new(Mutex::new(connection)),
        tool_router: Database::tool_router(),
        resource_router: Database::resource_router(),
    };
    examples::run("sqlite-server", move || database.clone()).await
}
