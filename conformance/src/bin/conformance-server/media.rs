//! The binary payloads the fixtures hand out: a 1×1 red PNG and a short silent WAV, base64.

/// A 1×1 red pixel, PNG, base64.
pub const RED_PIXEL_PNG: &str =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC";

/// 32 samples of silence (8 kHz, 8-bit mono), WAV, base64.
pub const SILENT_WAV: &str =
    "UklGRkQAAABXQVZFZm10IBAAAAABAAEAQB8AAEAfAAABAAgAZGF0YSAAAACAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgA==";

/// The MIME type of [`RED_PIXEL_PNG`].
pub const PNG: &str = "image/png";

/// The MIME type of [`SILENT_WAV`] (the suite wants exactly `audio/wav`).
pub const WAV: &str = "audio/wav";
