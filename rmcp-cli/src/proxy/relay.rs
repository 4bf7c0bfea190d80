//! stdio -> Streamable HTTP, message by message.
//!
//! The host on our stdin/stdout speaks to the remote server as if directly: every message is
//! passed on unchanged (requests, answers, notifications, the server's own requests), so both
//! eras, the handshake and capabilities are the two ends' business. rmcp-core's HTTP client
//! transport does the HTTP part: the session id from `initialize`, the version headers, the
//! GET stream for server messages, resumption, cancellation by closing a stream, and the
//! session's DELETE when the host goes.

use futures::{SinkExt, StreamExt};
use rmcp_core::model::{ErrorData, JsonRpcError, JsonRpcMessage};
use rmcp_core::transport::{Frame, Outbound, Transport};
use tokio::sync::mpsc;

/// How many messages may wait for a slow side before the other side waits.
const QUEUE: usize = 256;

/// Pass messages between `host` (our stdio) and `server` until the host closes its input
/// (a normal end) or the server's connection fails (an error).
pub async fn relay(host: impl Transport, server: impl Transport) -> anyhow::Result<()> {
    let (mut host_sink, mut host_stream) = host.split();
    let (mut server_sink, mut server_stream) = server.split();
    // Each sink has one writer task; both readers may write to the host (errors for malformed
    // input and lost answers go back to where the request came from).
    let (to_host, mut host_queue) = mpsc::channel::<Outbound>(QUEUE);
    let (to_server, mut server_queue) = mpsc::channel::<Outbound>(QUEUE);
    let host_writer = tokio::spawn(async move {
        while let Some(out) = host_queue.recv().await {
            if host_sink.send(out).await.is_err() {
                break;
            }
        }
        let _ = host_sink.close().await;
    });
    let server_writer = tokio::spawn(async move {
        while let Some(out) = server_queue.recv().await {
            if let Err(e) = server_sink.send(out).await {
                eprintln!("rmcp proxy: could not send to the server: {e}");
            }
        }
        // Closing the HTTP sink deletes the session.
        let _ = server_sink.close().await;
    });

    let from_host = {
        let to_host = to_host.clone();
        async move {
            while let Some(frame) = host_stream.next().await {
                match frame {
                    Ok(Frame::Message(message, _)) => {
                        if to_server.send(Outbound::new(message)).await.is_err() {
                            break;
                        }
                    }
                    Ok(Frame::Malformed(error)) => {
                        let _ = to_host.send(Outbound::new(JsonRpcMessage::Error(error))).await;
                    }
                    Ok(_) => {}
                    Err(e) => {
                        eprintln!("rmcp proxy: reading stdin failed: {e}");
                        break;
                    }
                }
            }
            // `to_server` drops here: the server writer closes the session.
        }
    };
    let from_server = async move {
        while let Some(frame) = server_stream.next().await {
            match frame {
                Ok(Frame::Message(message, _)) => {
                    if to_host.send(Outbound::new(message)).await.is_err() {
                        return Ok(());
                    }
                }
                Ok(Frame::AnswerLost { id, reason }) => {
                    let error = ErrorData::internal_error(format!("the answer was lost: {reason}"));
                    let _ =
                        to_host.send(Outbound::new(JsonRpcMessage::Error(JsonRpcError { id: Some(id), error }))).await;
                }
                Ok(_) => {}
                Err(e) => anyhow::bail!("lost the server: {e}"),
            }
        }
        anyhow::bail!("the server ended the connection")
    };
    let result = tokio::select! {
        () = from_host => Ok(()),
        result = from_server => result,
    };
    let _ = server_writer.await;
    host_writer.abort();
    result
}
