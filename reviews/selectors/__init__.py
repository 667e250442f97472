"""The reviews app's reads, each scoped to one organisation."""
