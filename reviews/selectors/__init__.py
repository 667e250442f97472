"""Every read of the reviews app, by what it reads."""
