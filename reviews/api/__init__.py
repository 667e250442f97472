"""The reviews app's REST endpoints, one module a part: notifications, the pulse, the
monthly review pack, webhooks."""
