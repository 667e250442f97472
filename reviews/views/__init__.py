"""The reviews app's pages."""
