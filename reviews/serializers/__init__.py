"""The reviews app's API shapes, one module a part."""
