//! Helpers above the engine for applications that drive tools: many calls in flight on one
//! connection ([`Peer::call_tools`](crate::Peer::call_tools)), one tool surface over many
//! servers ([`ClientGroup`]), and the server's change notifications as a stream that reconnects
//! by itself ([`Peer::listen`](crate::Peer::listen), [`ListenStream`]).

mod group;
mod listen;

pub use group::{ClientGroup, GroupError};
pub use listen::{ListenEvent, ListenOptions, ListenStream};
