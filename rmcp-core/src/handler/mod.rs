//! What users implement: [`ServerHandler`] for servers, [`ClientHandler`] for clients.
//!
//! Each has one method per request and notification of its peer, every one with a sensible
//! default, so a handler implements only what it offers.

mod client;
mod server;
mod subscriptions;
pub mod tasks;

pub use client::{ClientHandler, ClientInfo, ProtocolPreference};
pub use server::{ServerHandler, ServerInfo, effective_info};
pub use subscriptions::ResourceSubscriptions;
