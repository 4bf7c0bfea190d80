//! Response bodies and the responses built from them: JSON, SSE, 202, and rejections.

use std::convert::Infallible;
use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_util::Stream;
use http::{HeaderName, HeaderValue, Response, StatusCode, header};
use http_body::{Body, Frame, SizeHint};

use crate::model::{ErrorData, JsonRpcMessage, RequestId};

/// The body of every response the Streamable HTTP service gives: empty, one buffer, or a stream
/// of SSE events written as they come.
pub struct ResponseBody {
    inner: Inner,
}

enum Inner {
    Empty,
    Full(Option<Bytes>),
    Stream(Pin<Box<dyn Stream<Item = Bytes> + Send>>),
}

impl fmt::Debug for ResponseBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match &self.inner {
            Inner::Empty => "empty",
            Inner::Full(_) => "full",
            Inner::Stream(_) => "stream",
        };
        f.debug_struct("ResponseBody").field("kind", &kind).finish()
    }
}

impl ResponseBody {
    /// No body.
    pub fn empty() -> Self {
        Self { inner: Inner::Empty }
    }
    /// One buffer.
    pub fn full(bytes: impl Into<Bytes>) -> Self {
        Self { inner: Inner::Full(Some(bytes.into())) }
    }
    /// A stream of chunks, each written as soon as it is produced.
    pub fn stream(stream: impl Stream<Item = Bytes> + Send + 'static) -> Self {
        Self { inner: Inner::Stream(Box::pin(stream)) }
    }
}

impl From<Bytes> for ResponseBody {
    fn from(bytes: Bytes) -> Self {
        Self::full(bytes)
    }
}

impl Body for ResponseBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        match &mut self.inner {
            Inner::Empty => Poll::Ready(None),
            Inner::Full(bytes) => Poll::Ready(bytes.take().map(|b| Ok(Frame::data(b)))),
            Inner::Stream(s) => s.as_mut().poll_next(cx).map(|chunk| chunk.map(|b| Ok(Frame::data(b)))),
        }
    }

    fn is_end_stream(&self) -> bool {
        match &self.inner {
            Inner::Empty => true,
            Inner::Full(bytes) => bytes.is_none(),
            Inner::Stream(_) => false,
        }
    }

    fn size_hint(&self) -> SizeHint {
        match &self.inner {
            Inner::Empty | Inner::Full(None) => SizeHint::with_exact(0),
            Inner::Full(Some(b)) => SizeHint::with_exact(b.len() as u64),
            Inner::Stream(_) => SizeHint::default(),
        }
    }
}

/// A response the service gives.
pub(crate) type HttpResponse = Response<ResponseBody>;

/// A refused request: an HTTP status and the JSON-RPC error that explains it.
#[derive(Debug)]
pub(crate) struct Rejection {
    status: StatusCode,
    error: ErrorData,
    id: Option<RequestId>,
    headers: Vec<(HeaderName, HeaderValue)>,
}

impl Rejection {
    /// Refuse with `status`, explained by `error`.
    pub(crate) fn new(status: StatusCode, error: ErrorData) -> Self {
        Self { status, error, id: None, headers: Vec::new() }
    }
    /// 429 Too Many Requests, with `Retry-After: 1`: the client already holds its share of one
    /// of the service's pools (a per-principal or per-session limit); its own requests ending
    /// make room.
    pub(crate) fn too_many(message: String) -> Self {
        Self::new(StatusCode::TOO_MANY_REQUESTS, ErrorData::internal_error(message))
            .with_header(header::RETRY_AFTER, "1")
    }
    /// 503 with `Retry-After: 1`: the service is shutting down and takes no new work (another
    /// instance, or this one restarted, will).
    pub(crate) fn shutting_down() -> Self {
        Self::new(StatusCode::SERVICE_UNAVAILABLE, shutting_down_error()).with_header(header::RETRY_AFTER, "1")
    }
    /// Echo the request's id in the error body.
    pub(crate) fn with_id(mut self, id: Option<RequestId>) -> Self {
        self.id = id;
        self
    }
    /// Add a header to the response.
    pub(crate) fn with_header(mut self, name: HeaderName, value: &'static str) -> Self {
        self.headers.push((name, HeaderValue::from_static(value)));
        self
    }
    /// The response: the status, the headers, and the JSON-RPC error as its body.
    pub(crate) fn into_response(self) -> HttpResponse {
        let body = JsonRpcMessage::error(self.id, self.error).to_json();
        let mut response = json(self.status, body);
        for (name, value) in self.headers {
            response.headers_mut().insert(name, value);
        }
        response
    }
}

/// The error answering a request the service will not serve, or not finish, as it shuts down.
pub(crate) fn shutting_down_error() -> ErrorData {
    ErrorData::internal_error("the server is shutting down; retry later")
}

/// A JSON response.
pub(crate) fn json(status: StatusCode, body: impl Into<Bytes>) -> HttpResponse {
    let mut response = Response::new(ResponseBody::full(body));
    *response.status_mut() = status;
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

/// `202 Accepted`, no body: the answer to notifications and responses.
pub(crate) fn accepted() -> HttpResponse {
    let mut response = Response::new(ResponseBody::empty());
    *response.status_mut() = StatusCode::ACCEPTED;
    response
}

/// `200 OK` with an SSE stream.
pub(crate) fn sse(stream: impl Stream<Item = Bytes> + Send + 'static) -> HttpResponse {
    let mut response = Response::new(ResponseBody::stream(stream));
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/event-stream"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    // Reverse proxies (nginx) would otherwise buffer the stream and delay every event.
    headers.insert(HeaderName::from_static("x-accel-buffering"), HeaderValue::from_static("no"));
    response
}

/// The HTTP status a JSON-RPC error answered as JSON gets on the 2026-07-28 path: the transport
/// rules give 404 to unknown methods and 400 to header, version and capability errors.
pub(crate) fn status_of_error(error: &ErrorData) -> StatusCode {
    use crate::model::ErrorCode;
    match error.code {
        ErrorCode::METHOD_NOT_FOUND => StatusCode::NOT_FOUND,
        ErrorCode::HEADER_MISMATCH
        | ErrorCode::MISSING_REQUIRED_CLIENT_CAPABILITY
        | ErrorCode::UNSUPPORTED_PROTOCOL_VERSION => StatusCode::BAD_REQUEST,
        _ => StatusCode::OK,
    }
}
