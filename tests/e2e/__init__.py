"""End-to-end tests: the real program in a real X server, with a tray host and a notification
daemon on a private session bus, all started and stopped by the ``desktop`` fixture."""
