//! Pipelined calls: many requests in flight on one connection, results in call order.

use futures::StreamExt;

use crate::model::{CallToolRequestParams, CallToolResult};
use crate::service::{Peer, RequestOptions, RoleClient, ServiceError};

impl Peer<RoleClient> {
    /// Call every tool in `calls` with at most `concurrency` requests in flight on this one
    /// connection, and return the results in the order of `calls`.
    ///
    /// The engine matches answers to requests by id, so the server may answer in any order;
    /// each call fails or succeeds on its own. A `concurrency` of 0 is taken as 1.
    ///
    /// ```no_run
    /// # async fn run(client: rmcp_core::Peer<rmcp_core::RoleClient>) {
    /// use rmcp_core::model::CallToolRequestParams;
    ///
    /// let calls = (0..1000).map(|i| CallToolRequestParams::new("add").with_arguments(
    ///     serde_json::json!({"a": i, "b": 1}).as_object().unwrap().clone(),
    /// ));
    /// let results = client.call_tools(calls, 64).await;
    /// assert_eq!(results.len(), 1000);
    /// # }
    /// ```
    pub async fn call_tools(
        &self,
        calls: impl IntoIterator<Item = CallToolRequestParams>,
        concurrency: usize,
    ) -> Vec<Result<CallToolResult, ServiceError>> {
        self.call_tools_with(calls, concurrency, RequestOptions::new()).await
    }

    /// [`call_tools`](Self::call_tools) with the same options (a timeout, say) for every call.
    pub async fn call_tools_with(
        &self,
        calls: impl IntoIterator<Item = CallToolRequestParams>,
        concurrency: usize,
        options: RequestOptions,
    ) -> Vec<Result<CallToolResult, ServiceError>> {
        futures::stream::iter(calls)
            .map(|call| self.call_tool_with(call, options.clone()))
            .buffered(concurrency.max(1))
            .collect()
            .await
    }
}
