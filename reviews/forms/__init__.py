"""The reviews app's page forms."""
