"""Round trips to a PostgreSQL server, counted on the wire by a TCP proxy.

Counting statements undercounts what a caller waits for: psycopg sends BEGIN and COMMIT by
itself, the pool pings a connection on every checkout, and a pipeline sends many statements
in one flight. The proxy sees the bytes, so it counts what the client really waited for.

What is counted: a *flight* is everything the client sends between two answers of the
server. The proxy counts one round trip for a connection each time bytes come from the client
and the server has sent something on that connection since the client last sent (the
connection's first bytes count too). A client that sends and then waits for the answer before
sending again is counted once per wait; statements sent back to back without reading in
between (a pipeline) are counted once.

Never under, sometimes over: the server's bytes are noted before they are passed on, so a
client cannot have read them before the proxy knows of them. Anything the server sends
without being asked (a NOTIFY, a notice, a parameter change) or an answer that starts while
the client is still sending (a long pipeline the server works through as it arrives) splits
a flight in two, and a last message nobody waits for (the Terminate of a closing
connection) counts as one: each of those is counted as a round trip although nobody waited.
A new connection counts its opening exchanges (SSL request, startup) like any other. A flight
is counted when it reaches the proxy: one nobody waits for may arrive after a ``counted``
block ended and be counted in the next. psycopg's own prepared statements are real waits:
the fifth time a connection runs a statement, it prepares it first (one round trip more).

One exception, psycopg's: leaving a pipeline it sends a Sync and then, in a write of its own,
a Flush; when the Sync's answer reaches the proxy in between, the lone Flush would look like
a new flight. A Flush right after a Sync asks the server for nothing the Sync did not (the
Sync's answer is flushed anyway), so nobody waits for it: a flight of nothing but Flush
messages right after a Sync is not counted, unless more follows in the same flight.

One thread per proxy forwards every connection (a selector: no thread per connection), so
a process can run its own proxy at little cost. Nothing here is a test.
"""

from __future__ import annotations

import contextlib
import selectors
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

from sqlalchemy import URL

CHUNK = 65536
# The protocol's Sync and Flush messages: a type byte and their length, 4, with no body.
SYNC = b"S\x00\x00\x00\x04"
FLUSH = b"H\x00\x00\x00\x04"


@dataclass
class _Side:
    sock: socket.socket
    pending: bytearray = field(default_factory=bytearray)  # received, not yet passed on


@dataclass
class _Link:
    """One client's connection and the proxy's own connection to the server for it."""

    number: int
    client: _Side
    server: _Side
    # The server has sent something since the client last sent: the client's next bytes
    # start a new flight. True at first: the opening message is a flight too.
    answered: bool = True
    # The flight so far is nothing but Flush messages after a Sync: not counted (yet).
    flushes_only: bool = False
    last_sent: bytes = b""  # the client's last bytes, for a Sync just before
    round_trips: int = 0

    def peer(self, side: _Side) -> _Side:
        return self.server if side is self.client else self.client


@dataclass
class RoundTrips:
    """Round trips counted while a ``RoundTripCounter.counted`` block ran (set at its end)."""

    total: int = 0
    by_connection: dict[int, int] = field(default_factory=dict)  # connection number -> trips


class RoundTripCounter:
    """A TCP proxy to ``target_host:target_port`` on a free port of 127.0.0.1 that counts
    round trips (see the module's docstring for what exactly is counted).

        with RoundTripCounter(server.host, server.port) as counter:
            db = connect(counter.via(url))
            with counter.counted() as trips:
                ...  # work on db
            trips.total  # round trips of every connection through the proxy

    ``total`` and ``by_connection()`` (connection number, in the order they were accepted ->
    round trips) count from the start; they may be read from any thread at any time.
    """

    def __init__(self, target_host: str, target_port: int, host: str = "127.0.0.1") -> None:
        self.target = (target_host, target_port)
        self._listener = socket.create_server((host, 0))
        self._listener.setblocking(False)
        self.host, self.port = self._listener.getsockname()[:2]
        self._selector = selectors.DefaultSelector()
        self._selector.register(self._listener, selectors.EVENT_READ, None)
        self._wake_reader, self._wake_writer = socket.socketpair()
        self._selector.register(self._wake_reader, selectors.EVENT_READ, "wake")
        self._lock = threading.Lock()
        self._links: list[_Link] = []
        self._total = 0
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="round trips", daemon=True)
        self._thread.start()

    def __enter__(self) -> RoundTripCounter:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def via(self, url: URL) -> URL:
        """``url`` reaching its server through this proxy."""
        return url.set(host=self.host, port=self.port)

    @property
    def total(self) -> int:
        with self._lock:
            return self._total

    def by_connection(self) -> dict[int, int]:
        with self._lock:
            return {link.number: link.round_trips for link in self._links}

    @contextlib.contextmanager
    def counted(self) -> Iterator[RoundTrips]:
        """The round trips made while the block runs. Read ``total`` only after the block:
        a flight is counted when it reaches the proxy, so every flight whose answer the
        block waited for is in."""
        before, before_links = self.total, self.by_connection()
        trips = RoundTrips()
        try:
            yield trips
        finally:
            trips.total = self.total - before
            trips.by_connection = {
                number: count - before_links.get(number, 0)
                for number, count in self.by_connection().items()
                if count != before_links.get(number, 0)
            }

    def close(self) -> None:
        """Every connection dropped and the proxy stopped."""
        self._stopping = True
        with contextlib.suppress(OSError):
            self._wake_writer.send(b"x")
        self._thread.join(timeout=10)

    # -- the proxy's thread ----------------------------------------------------------------

    def _run(self) -> None:
        try:
            while not self._stopping:
                for key, mask in self._selector.select():
                    if key.data is None:
                        self._accept()
                    elif key.data != "wake":
                        link, side = key.data
                        self._serve(link, side, mask)
        finally:
            for key in list(self._selector.get_map().values()):
                _close(key.fileobj)  # type: ignore[arg-type]
            self._selector.close()
            _close(self._wake_writer)

    def _accept(self) -> None:
        try:
            client, _ = self._listener.accept()
        except BlockingIOError:
            return
        try:
            server = socket.create_connection(self.target)
        except OSError:
            _close(client)
            return
        for sock in (client, server):
            sock.setblocking(False)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self._lock:
            link = _Link(len(self._links), _Side(client), _Side(server))
            self._links.append(link)
        for side in (link.client, link.server):
            self._selector.register(side.sock, selectors.EVENT_READ, (link, side))

    def _serve(self, link: _Link, side: _Side, mask: int) -> None:
        if mask & selectors.EVENT_WRITE:
            self._flush(link, side)
        if not mask & selectors.EVENT_READ:
            return
        try:
            data = side.sock.recv(CHUNK)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data:
            self._drop(link, passing_on=link.peer(side))
            return
        if side is link.client:
            only_flushes = data == FLUSH * (len(data) // len(FLUSH))
            if link.answered:
                link.answered = False
                link.flushes_only = only_flushes and link.last_sent == SYNC
                if not link.flushes_only:
                    self._count(link)
            elif link.flushes_only and not only_flushes:
                link.flushes_only = False
                self._count(link)
            link.last_sent = (link.last_sent + data)[-len(SYNC) :]
        else:
            # Noted before it is passed on: the client cannot answer it unseen.
            link.answered = True
            link.flushes_only = False
        peer = link.peer(side)
        peer.pending += data
        self._flush(link, peer)

    def _count(self, link: _Link) -> None:
        with self._lock:
            link.round_trips += 1
            self._total += 1

    def _flush(self, link: _Link, side: _Side) -> None:
        """Pass on what ``side`` is owed; wait for it to take the rest."""
        try:
            sent = side.sock.send(side.pending) if side.pending else 0
        except BlockingIOError:
            sent = 0
        except OSError:
            self._drop(link)
            return
        del side.pending[:sent]
        events = selectors.EVENT_READ | (selectors.EVENT_WRITE if side.pending else 0)
        with contextlib.suppress(KeyError, ValueError):
            self._selector.modify(side.sock, events, (link, side))

    def _drop(self, link: _Link, passing_on: _Side | None = None) -> None:
        """Both ends closed; what one end is still owed (a closing server's last error
        message) first handed over, if it takes it at once."""
        if passing_on is not None and passing_on.pending:
            with contextlib.suppress(OSError):
                passing_on.sock.send(passing_on.pending)
        for side in (link.client, link.server):
            with contextlib.suppress(KeyError, ValueError):
                self._selector.unregister(side.sock)
            _close(side.sock)


def _close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):  # not connected, or already shut
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()
