use rmcp_core::router::ProgressReporter;
use rmcp_core::{prompt, prompt_router};

struct Writer;

#[prompt_router]
impl Writer {
    /// Write a poem.
    #[prompt]
    async fn poem(&self, topic: String, progress: ProgressReporter) -> String {
        let _ = progress.report(1.0, None, None).await;
        format!("Write a poem about {topic}")
    }
}

fn main() {
    let _ = Writer::prompt_router();
}
