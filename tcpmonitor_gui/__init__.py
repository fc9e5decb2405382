"""TCP Monitor: watches TCP connections and names the cause when one drops."""

__version__ = "0.1.0"
APP_ID = "io.github.tcpmonitor.TcpMonitor"
