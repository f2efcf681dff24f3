"""Staff screens inside the admin: one URL per action, one lookup per object kind."""
