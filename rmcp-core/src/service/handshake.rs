//! A client's handshake: `server/discover` for the 2026-07-28 protocol, `initialize` for the
//! 2025 session, or the dual-era probe that tries the first and falls back to the second.

use serde_json::Value;

use super::info::{ClientInfo, ProtocolPreference};
use super::lifecycle::stateless_request_meta;
use super::{Peer, RequestOptions, RoleClient, ServeError, ServiceError};
use crate::model::{
    DiscoverResult, EmptyParams, ErrorCode, InitializeRequestParams, InitializeResult, ProtocolVersion, methods,
};

pub(crate) async fn client_handshake(peer: Peer<RoleClient>, info: ClientInfo) -> Result<(), ServeError> {
    match &info.protocol {
        ProtocolPreference::Stateless => discover(&peer, &info, handshake_options(&info)).await,
        ProtocolPreference::Stateful(v) => initialize(&peer, &info, v.clone()).await,
        ProtocolPreference::Auto => {
            // The dual-era probe: `server/discover` first. A modern error names the versions the
            // server speaks; any other error, or silence, means a legacy server.
            let probe = RequestOptions::new().with_timeout(info.probe_timeout);
            match discover(&peer, &info, probe).await {
                Ok(()) => Ok(()),
                Err(ServeError::Handshake(ServiceError::ErrorResponse(e)))
                    if e.code == ErrorCode::UNSUPPORTED_PROTOCOL_VERSION =>
                {
                    match newest_stateful(e.data.as_ref()) {
                        Some(v) => initialize(&peer, &info, v).await,
                        None => Err(ServeError::UnsupportedProtocolVersion(
                            e.data.map(|d| d.to_string()).unwrap_or_default(),
                        )),
                    }
                }
                // Other modern errors identify a modern server that refused us: no fallback.
                Err(ServeError::Handshake(ServiceError::ErrorResponse(e)))
                    if e.code == ErrorCode::HEADER_MISMATCH
                        || e.code == ErrorCode::MISSING_REQUIRED_CLIENT_CAPABILITY =>
                {
                    Err(ServeError::Handshake(ServiceError::ErrorResponse(e)))
                }
                Err(ServeError::Handshake(ServiceError::ErrorResponse(_) | ServiceError::Timeout { .. })) => {
                    initialize(&peer, &info, ProtocolVersion::LATEST_STATEFUL).await
                }
                Err(e) => Err(e),
            }
        }
    }
}

/// The newest handshake version in an `UnsupportedProtocolVersion` error's `supported` list.
fn newest_stateful(data: Option<&Value>) -> Option<ProtocolVersion> {
    data?
        .get("supported")?
        .as_array()?
        .iter()
        .filter_map(|v| v.as_str().map(ProtocolVersion::parse))
        .filter(|v| v.is_known() && !v.is_stateless())
        .max()
}

async fn discover(peer: &Peer<RoleClient>, info: &ClientInfo, options: RequestOptions) -> Result<(), ServeError> {
    let meta = stateless_request_meta(info);
    let result: DiscoverResult = peer
        .send_request(methods::SERVER_DISCOVER, &EmptyParams::with_meta(meta.clone()), options)
        .await
        .map_err(ServeError::Handshake)?;
    if !result.supported_versions.iter().any(|v| v.is_stateless()) {
        let offered: Vec<String> = result.supported_versions.iter().map(|v| v.to_string()).collect();
        return Err(ServeError::UnsupportedProtocolVersion(offered.join(", ")));
    }
    let server_info = result.server_info().unwrap_or_default();
    let mut as_init = InitializeResult::new(ProtocolVersion::V2026_07_28, result.capabilities.clone(), server_info);
    as_init.instructions = result.instructions.clone();
    peer.set_peer_info(as_init, ProtocolVersion::V2026_07_28);
    peer.set_request_meta(meta);
    Ok(())
}

async fn initialize(peer: &Peer<RoleClient>, info: &ClientInfo, version: ProtocolVersion) -> Result<(), ServeError> {
    let params = InitializeRequestParams::new(version, info.capabilities.clone(), info.client_info.clone());
    let result: InitializeResult = peer
        .send_request(methods::INITIALIZE, &params, handshake_options(info))
        .await
        .map_err(ServeError::Handshake)?;
    let negotiated = result.protocol_version.clone();
    if !negotiated.is_known() || negotiated.is_stateless() {
        return Err(ServeError::UnsupportedProtocolVersion(negotiated.to_string()));
    }
    peer.set_peer_info(result, negotiated);
    peer.send_notification(methods::NOTIFICATION_INITIALIZED, &EmptyParams::default())
        .await
        .map_err(ServeError::Handshake)?;
    Ok(())
}

fn handshake_options(info: &ClientInfo) -> RequestOptions {
    match info.handshake_timeout {
        Some(t) => RequestOptions::new().with_timeout(t),
        None => RequestOptions::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newest_stateful_version_from_an_unsupported_version_error() {
        let data = serde_json::json!({"supported": ["2026-07-28", "2025-06-18", "2025-11-25", "1999-01-01"]});
        assert_eq!(newest_stateful(Some(&data)), Some(ProtocolVersion::V2025_11_25));
        assert_eq!(newest_stateful(Some(&serde_json::json!({"supported": ["2026-07-28"]}))), None);
    }
}
