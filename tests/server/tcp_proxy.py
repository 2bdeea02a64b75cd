"""A small TCP proxy a test can cut and restore: the network between a store PC and its server.

It listens on a free port of 127.0.0.1 and forwards every connection to the target. ``cut``
drops every connection at once and refuses new ones, as a network that goes away does;
``restore`` listens again on the same port. ``cut_after_commit`` lets the next COMMIT reach
the server, holds back the server's answer and cuts once that answer comes, so the server has
committed and the client never hears it: the case where the client cannot know whether its
write was saved.

Only the test's own connections pass through it, so cutting it disturbs no other test using
the session's server. Nothing here is a test.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from dataclasses import dataclass, field

CHUNK = 65536
# psycopg sends COMMIT as a simple query: the message holds the statement's text.
COMMIT = b"COMMIT"


@dataclass
class TcpProxy:
    target_host: str
    target_port: int
    host: str = "127.0.0.1"
    port: int = 0
    _listener: socket.socket | None = field(default=None, init=False)
    _sockets: set[socket.socket] = field(default_factory=set, init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False)
    _cut_after_commit: bool = field(default=False, init=False)
    # The server side of the connection whose COMMIT answer is held back, once one is.
    _answer_held_from: socket.socket | None = field(default=None, init=False)
    commits_cut: int = field(default=0, init=False)

    def __enter__(self) -> TcpProxy:
        self.restore()
        return self

    def __exit__(self, *_: object) -> None:
        self.cut()

    def restore(self) -> None:
        """Listen (again, on the same port): new connections reach the server."""
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((self.host, self.port))
        listener.listen(64)
        self.port = listener.getsockname()[1]
        with self._lock:
            self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        """Every connection dropped, and new ones refused, until ``restore``."""
        with self._lock:
            listener, self._listener = self._listener, None
            open_sockets, self._sockets = self._sockets, set()
            self._cut_after_commit = False
            self._answer_held_from = None
        for sock in ([listener] if listener else []) + list(open_sockets):
            _close(sock)

    def cut_after_commit(self) -> None:
        """The next COMMIT is passed on to the server, then the network goes."""
        with self._lock:
            self._cut_after_commit = True

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # cut
            try:
                server = socket.create_connection((self.target_host, self.target_port))
            except OSError:
                _close(client)
                continue
            with self._lock:
                if self._listener is not listener:  # cut meanwhile
                    _close(client)
                    _close(server)
                    return
                self._sockets.update((client, server))
            threading.Thread(target=self._pump, args=(client, server, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client, False), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket, to_server: bool) -> None:
        while True:
            try:
                data = source.recv(CHUNK)
            except OSError:
                data = b""
            if not data:
                _close(sink)
                return
            if not to_server:
                with self._lock:
                    held = self._answer_held_from is source
                if held:  # the COMMIT's answer: the server has committed; the client never hears
                    self.commits_cut += 1
                    self.cut()
                    return
            elif COMMIT in data:
                with self._lock:
                    if self._cut_after_commit:
                        # Held before the COMMIT leaves, so no answer can slip through first.
                        self._cut_after_commit = False
                        self._answer_held_from = sink
            try:
                sink.sendall(data)
            except OSError:
                _close(source)
                return


def _close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):  # not connected, or already shut
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()
