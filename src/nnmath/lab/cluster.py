"""Running the lab's grid on a Dask cluster instead of local processes.

joblib, which spreads the vanishing lab's runs over processes, has a ``dask`` backend built in:
inside ``joblib.parallel_config(backend="dask")`` every ``Parallel`` call sends its tasks to the
scheduler the current ``distributed.Client`` is connected to. ``on_scheduler(address, data)``
is that context: it connects, scatters the shared training data to every worker once (so each
task carries only its configuration, not a copy of the arrays), and closes the connection after.

Dask's ``distributed`` is an optional dependency (``pip install 'nnmath[distributed]'``); it is
imported only when a scheduler is asked for. The workers need the same nnmath installed.
"""
from __future__ import annotations

import contextlib
from typing import Any, Iterator, Optional

from nnmath.errors import NNMathError

CONNECT_TIMEOUT = 10.0  # seconds to reach the scheduler before giving up


def _client_class() -> Any:
    try:
        from distributed import Client
    except ImportError:
        raise NNMathError("a Dask scheduler needs Dask's distributed package: "
                          "pip install 'nnmath[distributed]'") from None
    return Client


def check_address(address: Any) -> str:
    """A scheduler address such as tcp://10.0.0.5:8786 (or host:port), checked for its form, and
    Dask's distributed checked to be installed: both before any data is loaded."""
    _client_class()
    if not isinstance(address, str) or not address.strip():
        raise NNMathError(f"the scheduler must be an address such as tcp://127.0.0.1:8786, got {address!r}")
    address = address.strip()
    host_port = address.split("://", 1)[-1]
    host, _, port = host_port.rpartition(":")
    if not host or not port.isdigit():
        raise NNMathError(f"the scheduler address needs a host and a port, like tcp://127.0.0.1:8786; got {address!r}")
    return address


@contextlib.contextmanager
def on_scheduler(address: str, *shared: Any, timeout: Optional[float] = None) -> Iterator[Any]:
    """Within the block, joblib's Parallel runs on the Dask cluster at ``address``; the objects in
    ``shared`` are sent to the workers once and tasks refer to them. Yields the Client.
    ``timeout``: seconds to wait for the scheduler (CONNECT_TIMEOUT)."""
    import joblib

    Client = _client_class()
    address = check_address(address)
    try:
        client = Client(address, timeout=CONNECT_TIMEOUT if timeout is None else timeout, set_as_default=False)
    except (OSError, TimeoutError) as error:
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise NNMathError(f"could not reach the Dask scheduler at {address}: {reason}") from None
    try:
        with client.as_current(), joblib.parallel_config(backend="dask", scatter=list(shared) or None):
            yield client
    finally:
        client.close()
