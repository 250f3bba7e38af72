"""Every scoped read of the support app, one module a part (the same parts as the services)."""
