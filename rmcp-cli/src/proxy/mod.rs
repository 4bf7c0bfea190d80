//! `rmcp proxy`: stdio to a remote Streamable HTTP server ([`relay`]), and a stdio server
//! command served over Streamable HTTP ([`serve_http`]).

pub mod forwarder;
pub mod relay;
pub mod serve_http;
