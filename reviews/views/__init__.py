"""The reviews app's pages, by what they show."""
