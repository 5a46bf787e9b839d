"""The top layer for operators: /healthz, beat's heartbeat, the demo seed. May import every other layer."""
