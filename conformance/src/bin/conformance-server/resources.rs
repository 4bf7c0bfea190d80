//! Resources and the resource template (CONTRACT A.8). Unknown URIs are answered by the router
//! with -32602 and `data.uri`.

use rmcp_core::model::{BlobResourceContents, ResourceContents, TextResourceContents};
use rmcp_core::{resource, resource_router, resource_template};

use crate::Everything;
use crate::media::{PNG, RED_PIXEL_PNG};

/// Text contents of `uri` with a MIME type.
fn text(uri: impl Into<String>, mime_type: &str, text: impl Into<String>) -> ResourceContents {
    TextResourceContents::new(uri, text).with_mime_type(mime_type).into()
}

/// Listed in this order: the first must be readable (`caching` reads it).
#[resource_router(router = resources)]
impl Everything {
    /// A static text resource.
    #[resource(uri = "test://static-text", name = "static-text", mime_type = "text/plain")]
    fn static_text(&self) -> ResourceContents {
        text("test://static-text", "text/plain", "This is the content of the static text resource.")
    }

    /// A static binary resource (a 1x1 red PNG).
    #[resource(uri = "test://static-binary", name = "static-binary", mime_type = "image/png")]
    fn static_binary(&self) -> ResourceContents {
        BlobResourceContents::new("test://static-binary", RED_PIXEL_PNG).with_mime_type(PNG).into()
    }

    /// A resource clients may subscribe to.
    #[resource(uri = "test://watched-resource", name = "watched-resource", mime_type = "text/plain")]
    fn watched_resource(&self) -> ResourceContents {
        text("test://watched-resource", "text/plain", "This is a watched resource.")
    }

    /// JSON data for any `id`.
    #[resource_template(
        uri_template = "test://template/{id}/data",
        name = "template-data",
        mime_type = "application/json"
    )]
    fn template_data(&self, id: String) -> ResourceContents {
        let body = serde_json::json!({"id": id, "templateTest": true, "data": format!("Data for ID: {id}")});
        text(format!("test://template/{id}/data"), "application/json", body.to_string())
    }
}
