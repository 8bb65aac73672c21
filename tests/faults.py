"""A TCP fault proxy for tests: 127.0.0.1 in front of a host:port (PostgreSQL, say), switched at
run time between passing bytes, refusing, resetting, and a silent network partition.

    with FaultProxy.before(database_url) as proxy:
        db = Database.from_url(proxy.url(database_url))
        proxy.mode = Mode.SILENT   # connections are held open; nothing goes through, either way

One thread relays every connection; each wait in it is bounded, and leaving the `with` block
stops it and closes every socket, which also wakes any client still waiting on one.
"""

from __future__ import annotations

import enum
import select
import socket
import struct
import threading
from types import TracebackType

from sqlalchemy.engine import make_url

LOOPBACK = "127.0.0.1"
# How long the relay thread sleeps at most between looks at the mode; also each socket's timeout.
TICK = 0.05
SEND_TIMEOUT = 5.0


class Mode(enum.Enum):
    PASS = "pass"  # forward bytes both ways
    REFUSE = "refuse"  # nothing listens (connections are refused) and open ones are closed
    RESET = "reset"  # open and new connections are reset (RST), as by a crashed host
    SILENT = "silent"  # connections are accepted and held; nothing is forwarded or answered


class FaultProxy:
    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self._mode = Mode.PASS
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        # Each link is [client socket, upstream socket or None while silent].
        self._links: list[list[socket.socket | None]] = []
        self._listener: socket.socket | None = self._listen(0)
        self.port: int = self._listener.getsockname()[1]
        self._thread = threading.Thread(target=self._run, name="fault-proxy", daemon=True)

    @classmethod
    def before(cls, database_url: str) -> FaultProxy:
        """A proxy in front of the server that `database_url` names."""
        url = make_url(database_url)
        return cls((url.host or LOOPBACK, url.port or 5432))

    def url(self, database_url: str) -> str:
        """`database_url` with its host and port pointing at this proxy."""
        proxied = make_url(database_url).set(host=LOOPBACK, port=self.port)
        return proxied.render_as_string(hide_password=False)

    @property
    def mode(self) -> Mode:
        return self._mode

    @mode.setter
    def mode(self, mode: Mode) -> None:
        with self._lock:
            self._mode = mode
            if mode in (Mode.REFUSE, Mode.RESET):
                for link in self._links:
                    for sock in link:
                        if sock is not None:
                            _close(sock, reset=mode is Mode.RESET)
                self._links.clear()
            if mode is Mode.REFUSE and self._listener is not None:
                self._listener.close()
                self._listener = None
            elif mode is not Mode.REFUSE and self._listener is None:
                self._listener = self._listen(self.port)

    def __enter__(self) -> FaultProxy:
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._stopped.set()
        self._thread.join(timeout=5)
        with self._lock:
            if self._listener is not None:
                self._listener.close()
            for link in self._links:
                for sock in link:
                    if sock is not None:
                        _close(sock)
            self._links.clear()

    def _listen(self, port: int) -> socket.socket:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((LOOPBACK, port))
        listener.listen(64)
        return listener

    def _run(self) -> None:
        while not self._stopped.is_set():
            with self._lock:
                listener = self._listener
                relaying = self._mode is Mode.PASS
                if relaying:
                    self._connect_held()
                links = self._links if relaying else []
                watched = [sock for link in links for sock in link if sock is not None]
            if listener is not None:
                watched.append(listener)
            if not watched:
                self._stopped.wait(TICK)
                continue
            try:
                readable, _, _ = select.select(watched, [], [], TICK)
            except (OSError, ValueError):
                continue  # a socket was closed by a mode change meanwhile
            with self._lock:
                for sock in readable:
                    if sock is listener and sock is self._listener:
                        self._accept(sock)
                    elif self._mode is Mode.PASS:
                        self._relay(sock)

    def _accept(self, listener: socket.socket) -> None:
        try:
            client, _ = listener.accept()
        except OSError:
            return
        client.settimeout(SEND_TIMEOUT)
        if self._mode is Mode.RESET:
            _close(client, reset=True)
            return
        self._links.append([client, None])
        if self._mode is Mode.PASS:
            self._connect_held()

    def _connect_held(self) -> None:
        """Give every held connection its upstream; bytes the client sent meanwhile follow."""
        for link in list(self._links):
            if link[1] is None:
                try:
                    link[1] = socket.create_connection(self.target, timeout=SEND_TIMEOUT)
                except OSError:
                    self._drop(link, reset=True)

    def _relay(self, sock: socket.socket) -> None:
        link = next((link for link in self._links if sock in link), None)
        if link is None:
            return
        peer = link[1] if sock is link[0] else link[0]
        try:
            data = sock.recv(65536)
            if data and peer is not None:
                peer.sendall(data)
        except OSError:
            data = b""
        if not data:
            self._drop(link)

    def _drop(self, link: list[socket.socket | None], *, reset: bool = False) -> None:
        for sock in link:
            if sock is not None:
                _close(sock, reset=reset)
        self._links.remove(link)


def _close(sock: socket.socket, *, reset: bool = False) -> None:
    """Close `sock`: with a FIN, or with an RST when `reset` (SO_LINGER on, zero seconds)."""
    try:
        if reset:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.close()
    except OSError:
        pass
