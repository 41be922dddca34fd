"""GDB Remote Serial Protocol servers, one per core, with all-stop run control.

packets.py (framing) -> connection.py (one socket, acks) -> server.py (one core's server)
-> commands.py (one handler per packet) -> target.py (registers, memory, break/watchpoints
through the Core interface) and tdesc.py (target descriptions). hub.py runs the servers of a
machine from the runner's loop; launch.py turns ``--gdb`` options into servers.
"""

from .hub import GdbHub
from .launch import parse_gdb_options, start_servers

__all__ = ["GdbHub", "parse_gdb_options", "start_servers"]
