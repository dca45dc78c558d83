"""The pull API of the national platform: a signed, versioned change feed (docs/national-api.md)."""
