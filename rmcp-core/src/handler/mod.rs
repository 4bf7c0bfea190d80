//! What users implement: [`ServerHandler`] for servers, [`ClientHandler`] for clients.
//!
//! Each has one method per request and notification of its peer, every one with a sensible
//! default, so a handler implements only what it offers.

#[cfg(feature = "client")]
mod client;
#[cfg(feature = "server")]
pub mod middleware;
#[cfg(feature = "server")]
mod server;
#[cfg(feature = "server")]
mod shared;
#[cfg(feature = "server")]
mod subscriptions;
#[cfg(feature = "server")]
pub mod tasks;

pub use crate::service::{ClientInfo, ProtocolPreference, ServerInfo};
#[cfg(feature = "client")]
pub use client::ClientHandler;
#[cfg(feature = "server")]
pub use server::ServerHandler;
#[cfg(feature = "server")]
pub use subscriptions::ResourceSubscriptions;
