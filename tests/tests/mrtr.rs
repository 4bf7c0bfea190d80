//! Asking the client for input from a tool, one API for both eras: on a 2025 session the tool's
//! `elicit` / `create_message` / `list_roots` are requests to the client; on 2026-07-28 they end
//! the call with `input_required`, the client answers with its handler and retries, and the
//! tool resumes. Over an in-process duplex pair, with both engines real.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use rmcp_core::handler::{ClientHandler, ClientInfo, ProtocolPreference, ServerHandler, ServerInfo};
use rmcp_core::model::{
    ClientCapabilities, CreateMessageRequestParams, CreateMessageResult, ElicitRequestParams, ElicitResult, ErrorCode,
    Implementation, InputRequest, InputRequests, InputResponse, ListRootsResult, ProtocolVersion, Role, Root,
    SamplingContent, SamplingMessage, ServerCapabilities,
};
use rmcp_core::router::ToolRouter;
use rmcp_core::service::{Elicitation, McpError, RequestContext, ServiceError, ServiceExt};
use rmcp_core::transport::duplex;
use rmcp_core::{RoleClient, RoleServer, tool, tool_handler, tool_router};
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize, schemars::JsonSchema)]
struct Name {
    /// Your name.
    name: String,
}

#[derive(Deserialize, schemars::JsonSchema)]
struct Colour {
    /// Your favourite colour.
    colour: String,
}

#[derive(Clone)]
struct Server {
    tool_router: ToolRouter<Self>,
    /// How often a tool body ran, to show that 2026 re-runs it per round.
    runs: Arc<AtomicUsize>,
}

#[tool_router]
impl Server {
    fn new() -> Self {
        Self { tool_router: Self::tool_router(), runs: Arc::default() }
    }

    /// Greets the user by the name they give.
    #[tool]
    async fn greet(&self, ctx: RequestContext<RoleServer>) -> Result<String, McpError> {
        self.runs.fetch_add(1, Ordering::SeqCst);
        Ok(match ctx.elicit::<Name>("name", "What is your name?").await? {
            Elicitation::Accepted(n) => format!("Hello, {}!", n.name),
            Elicitation::Declined => "declined".into(),
            Elicitation::Cancelled => "cancelled".into(),
        })
    }

    /// Asks twice, in two rounds.
    #[tool]
    async fn two_step(&self, ctx: RequestContext<RoleServer>) -> Result<String, McpError> {
        let Elicitation::Accepted(name) = ctx.elicit::<Name>("step1", "Name?").await? else {
            return Ok("no name".into());
        };
        let Elicitation::Accepted(colour) = ctx.elicit::<Colour>("step2", "Colour?").await? else {
            return Ok("no colour".into());
        };
        Ok(format!("{} likes {}", name.name, colour.colour))
    }

    /// Asks for three kinds of input at once.
    #[tool]
    async fn ask_all(&self, ctx: RequestContext<RoleServer>) -> Result<String, McpError> {
        let mut asked = InputRequests::new();
        asked.insert("who".into(), InputRequest::from(elicit_name()));
        asked.insert(
            "llm".into(),
            CreateMessageRequestParams::new(
                vec![SamplingMessage::new(Role::User, SamplingContent::text("Say hi"))],
                20,
            )
            .into(),
        );
        asked.insert("roots".into(), InputRequest::list_roots());
        let answers = ctx.inputs(asked).await?;
        let (
            Some(InputResponse::Elicit(who)),
            Some(InputResponse::CreateMessage(llm)),
            Some(InputResponse::ListRoots(r)),
        ) = (answers.get("who"), answers.get("llm"), answers.get("roots"))
        else {
            return Err(McpError::internal_error("answers of the wrong kind"));
        };
        let name = who.content.as_ref().and_then(|c| c.get("name")).and_then(|v| v.as_str()).unwrap_or_default();
        let said = serde_json::to_value(&llm.content).unwrap()["text"].as_str().unwrap_or_default().to_owned();
        Ok(format!("{name}/{said}/{}", r.roots[0].uri))
    }

    /// Asks to confirm before deleting `file`.
    #[tool]
    async fn delete(&self, ctx: RequestContext<RoleServer>, file: String) -> Result<String, McpError> {
        ctx.elicit::<Name>("confirm", format!("Delete {file}?")).await?;
        Ok(format!("deleted {file}"))
    }

    /// Never satisfied: asks a new question every round.
    #[tool]
    async fn endless(&self, ctx: RequestContext<RoleServer>) -> Result<String, McpError> {
        let round = ctx.input_responses()?.len();
        ctx.elicit::<Name>(&format!("q{round}"), "Again?").await?;
        Ok("unreachable".into())
    }
}

fn elicit_name() -> ElicitRequestParams {
    let schema = rmcp_core::schema::elicitation_schema_for::<Name>().unwrap();
    rmcp_core::model::ElicitRequestFormParams::new("Who?", schema).into()
}

#[tool_handler]
impl ServerHandler for Server {
    fn get_info(&self) -> ServerInfo {
        ServerInfo::new(Implementation::new("mrtr", "1"), ServerCapabilities::default())
    }
}

/// A client answering every kind of input; counts the elicitations it answered.
struct Client {
    protocol: ProtocolPreference,
    capabilities: ClientCapabilities,
    elicitations: Arc<AtomicUsize>,
    max_rounds: usize,
}

impl Client {
    fn new(protocol: ProtocolPreference) -> Self {
        Self {
            protocol,
            capabilities: ClientCapabilities::builder().enable_elicitation().enable_sampling().enable_roots().build(),
            elicitations: Arc::default(),
            max_rounds: 8,
        }
    }
}

impl ClientHandler for Client {
    fn get_info(&self) -> ClientInfo {
        ClientInfo::new(Implementation::new("mrtr-client", "1"), self.capabilities.clone())
            .with_protocol(self.protocol.clone())
            .with_max_input_rounds(self.max_rounds)
    }

    async fn create_elicitation(
        &self,
        params: ElicitRequestParams,
        _ctx: RequestContext<RoleClient>,
    ) -> Result<ElicitResult, McpError> {
        self.elicitations.fetch_add(1, Ordering::SeqCst);
        let ElicitRequestParams::Form(form) = params else { return Ok(ElicitResult::decline()) };
        let (field, value) =
            if form.requested_schema.property("colour").is_some() { ("colour", "blue") } else { ("name", "Ada") };
        Ok(ElicitResult::accept([(field.to_owned(), value.into())].into()))
    }

    async fn create_message(
        &self,
        _params: CreateMessageRequestParams,
        _ctx: RequestContext<RoleClient>,
    ) -> Result<CreateMessageResult, McpError> {
        Ok(CreateMessageResult::new(Role::Assistant, SamplingContent::text("hi"), "stand-in"))
    }

    async fn list_roots(&self, _ctx: RequestContext<RoleClient>) -> Result<ListRootsResult, McpError> {
        Ok(ListRootsResult::new(vec![Root::new("file:///work")]))
    }
}

fn stateful() -> ProtocolPreference {
    ProtocolPreference::Stateful(ProtocolVersion::V2025_11_25)
}

async fn connect(client: Client) -> (rmcp_core::RunningService<RoleClient, Client>, Server) {
    let (a, b) = duplex(1 << 16);
    let server = Server::new();
    let running = server.clone().serve(a).await.unwrap();
    // The server runs until the client's side closes the pipe.
    tokio::spawn(running.waiting());
    (client.serve(b).await.unwrap(), server)
}

fn call(name: &str) -> rmcp_core::model::CallToolRequestParams {
    rmcp_core::model::CallToolRequestParams::new(name)
}

fn text(result: &rmcp_core::model::CallToolResult) -> String {
    result.content.iter().filter_map(|c| c.as_text()).collect()
}

#[tokio::test]
async fn one_elicitation_in_both_eras() {
    for protocol in [stateful(), ProtocolPreference::Stateless] {
        let (client, server) = connect(Client::new(protocol.clone())).await;
        let result = client.call_tool(call("greet")).await.unwrap();
        assert_eq!(text(&result), "Hello, Ada!", "{protocol:?}");
        assert_eq!(client.service().elicitations.load(Ordering::SeqCst), 1, "{protocol:?}");
        // 2025 runs the tool once and waits for the answer; 2026 runs it again on the retry.
        let expected_runs = if protocol == ProtocolPreference::Stateless { 2 } else { 1 };
        assert_eq!(server.runs.load(Ordering::SeqCst), expected_runs, "{protocol:?}");
    }
}

#[tokio::test]
async fn answers_of_earlier_rounds_travel_in_the_signed_state() {
    for protocol in [stateful(), ProtocolPreference::Stateless] {
        let (client, _server) = connect(Client::new(protocol.clone())).await;
        let result = client.call_tool(call("two_step")).await.unwrap();
        assert_eq!(text(&result), "Ada likes blue", "{protocol:?}");
        // Each question was answered exactly once, although 2026 ran the tool three times.
        assert_eq!(client.service().elicitations.load(Ordering::SeqCst), 2, "{protocol:?}");
    }
}

#[tokio::test]
async fn several_kinds_of_input_at_once() {
    for protocol in [stateful(), ProtocolPreference::Stateless] {
        let (client, _server) = connect(Client::new(protocol.clone())).await;
        let result = client.call_tool(call("ask_all")).await.unwrap();
        assert_eq!(text(&result), "Ada/hi/file:///work", "{protocol:?}");
    }
}

#[tokio::test]
async fn the_client_gives_up_after_its_round_limit() {
    let mut client = Client::new(ProtocolPreference::Stateless);
    client.max_rounds = 3;
    let (client, _server) = connect(client).await;
    let err = client.call_tool(call("endless")).await.unwrap_err();
    assert!(matches!(err, ServiceError::TooManyInputRounds { rounds: 3 }), "{err:?}");
    assert_eq!(client.service().elicitations.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn a_tampered_or_foreign_state_is_invalid_params() {
    let (client, _server) = connect(Client::new(ProtocolPreference::Stateless)).await;
    // Send the raw request, bypassing the retry driver, to get the first round's state.
    let first: serde_json::Value = client.send_request("tools/call", &call("greet"), Default::default()).await.unwrap();
    assert_eq!(first["resultType"], "input_required");
    let state = first["requestState"].as_str().unwrap().to_owned();
    let answer = json!({"name": {"action": "accept", "content": {"name": "Eve"}}});
    let answers = answer.as_object().unwrap().clone();

    let tampered = call("greet").with_input_responses(answers.clone()).with_request_state(format!("{state}-TAMPERED"));
    let moved = call("two_step").with_input_responses(answers.clone()).with_request_state(state.clone());
    for params in [tampered, moved] {
        let err =
            client.send_request::<serde_json::Value>("tools/call", &params, Default::default()).await.unwrap_err();
        assert_eq!(err.as_error_response().map(|e| e.code), Some(ErrorCode::INVALID_PARAMS), "{err:?}");
    }
    // The genuine state with an answer completes.
    let genuine = call("greet").with_input_responses(answers).with_request_state(state);
    let done: serde_json::Value = client.send_request("tools/call", &genuine, Default::default()).await.unwrap();
    assert_eq!(done["resultType"], "complete");
    assert_eq!(done["content"][0]["text"], "Hello, Eve!");
}

#[tokio::test]
async fn a_state_is_bound_to_the_arguments_it_was_issued_for() {
    let (client, _server) = connect(Client::new(ProtocolPreference::Stateless)).await;
    let args = |file: &str| json!({"file": file}).as_object().unwrap().clone();
    let first: serde_json::Value = client
        .send_request("tools/call", &call("delete").with_arguments(args("a.txt")), Default::default())
        .await
        .unwrap();
    let state = first["requestState"].as_str().unwrap().to_owned();
    let answer = json!({"confirm": {"action": "accept", "content": {"name": "yes"}}}).as_object().unwrap().clone();
    // The confirmation given for a.txt does not delete b.txt.
    let other = call("delete").with_arguments(args("b.txt")).with_input_responses(answer.clone());
    let err = client
        .send_request::<serde_json::Value>("tools/call", &other.with_request_state(state.clone()), Default::default())
        .await
        .unwrap_err();
    assert_eq!(err.as_error_response().map(|e| e.code), Some(ErrorCode::INVALID_PARAMS), "{err:?}");
    let same = call("delete").with_arguments(args("a.txt")).with_input_responses(answer).with_request_state(state);
    let done: serde_json::Value = client.send_request("tools/call", &same, Default::default()).await.unwrap();
    assert_eq!(done["content"][0]["text"], "deleted a.txt");
}

#[tokio::test]
async fn an_answer_of_the_wrong_shape_is_refused_not_completed() {
    let (client, _server) = connect(Client::new(ProtocolPreference::Stateless)).await;
    let bad = call("greet").with_input_responses(json!({"name": 12345}).as_object().unwrap().clone());
    let err = client.send_request::<serde_json::Value>("tools/call", &bad, Default::default()).await.unwrap_err();
    assert_eq!(err.as_error_response().map(|e| e.code), Some(ErrorCode::INVALID_PARAMS), "{err:?}");
    // Only unrelated keys: asked again.
    let wrong = call("greet").with_input_responses(json!({"wrong_key": {}}).as_object().unwrap().clone());
    let again: serde_json::Value = client.send_request("tools/call", &wrong, Default::default()).await.unwrap();
    assert_eq!(again["resultType"], "input_required");
    assert!(again["inputRequests"]["name"].is_object());
}

#[tokio::test]
async fn asking_for_an_undeclared_capability_is_32021_in_both_eras() {
    for protocol in [stateful(), ProtocolPreference::Stateless] {
        let mut client = Client::new(protocol.clone());
        client.capabilities = ClientCapabilities::builder().enable_elicitation().build();
        let (client, _server) = connect(client).await;
        let err = client.call_tool(call("ask_all")).await.unwrap_err();
        let e = err.as_error_response().unwrap_or_else(|| panic!("{protocol:?}: {err:?}"));
        assert_eq!(e.code, ErrorCode::MISSING_REQUIRED_CLIENT_CAPABILITY, "{protocol:?}");
        assert_eq!(e.data.as_ref().unwrap()["requiredCapabilities"], json!({"sampling": {}}));
        // Nothing was asked: the check comes before any question.
        assert_eq!(client.service().elicitations.load(Ordering::SeqCst), 0);
    }
}
