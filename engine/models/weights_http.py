"""Fetching a weights file over HTTP(S): bounded waits, streamed hashing, all-or-nothing writes.

Transport only: which digest to expect and what to pin afterwards is decided by
:mod:`engine.models.weights`.
"""

from __future__ import annotations

import hashlib
import http.client
import socket
import threading
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import IO

from engine.atomic import atomic_writer
from engine.errors import WeightsError
from engine.progress import Progress

CONNECT_TIMEOUT_S = 10.0
CHUNK_BYTES = 1 << 20  # read and hash files in blocks of this size


def fetch_verified(
    url: str,
    target: Path,
    sha256: str | None,
    prefix: str | None,
    progress: Progress | None,
    offline_choices: str,
) -> str:
    """Stream ``url`` into ``target`` (atomically) and return its SHA-256.

    Args:
        url: HTTP(S) address of the file.
        target: Final path; nothing is left there unless every check passed.
        sha256: The full digest the file must have, if known.
        prefix: Otherwise, the digest prefix the file name promises.
        progress: Reports bytes received of the total (0 when unknown).
        offline_choices: What to tell the user to do instead when there is no network.

    Raises:
        WeightsError: No network, an HTTP error, a short or interrupted transfer, a wrong digest,
            or a file that cannot be written.
    """
    response = _open(url, target, offline_choices)
    try:
        with response:
            total = int(response.headers.get("Content-Length") or 0)
            with atomic_writer(target, "wb") as handle:
                digest, done = _stream(response, handle, total, progress, url)
                _check_download(url, digest, done, total, sha256, prefix)
    except OSError as exc:
        raise WeightsError(f"Cannot write the weights file {target}: {exc}") from exc
    return digest


def _open(url: str, dest: Path, offline_choices: str) -> http.client.HTTPResponse:
    """Open the connection with a short timeout; failures become the offline WeightsError."""
    try:
        _resolve(urllib.parse.urlparse(url).hostname)
        return urllib.request.urlopen(url, timeout=CONNECT_TIMEOUT_S)
    except urllib.error.HTTPError as exc:
        reason = f"the server answered HTTP {exc.code} for {url}"
    except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
        reason = f"no network: {getattr(exc, 'reason', exc)}"
    raise WeightsError(
        f"Pretrained weights file {dest} is not in the cache and cannot be downloaded ({reason}). "
        + offline_choices
    )


def _resolve(host: str | None) -> None:
    """Resolve ``host`` within the timeout: a broken resolver must not hang the app.

    ``urlopen``'s timeout covers the connection and each read, but not the DNS lookup.
    """
    if not host:
        return
    failure: list[BaseException] = []

    def lookup() -> None:
        try:
            socket.getaddrinfo(host, None)
        except OSError as exc:
            failure.append(exc)

    worker = threading.Thread(target=lookup, name="weights-dns", daemon=True)
    worker.start()
    worker.join(CONNECT_TIMEOUT_S)
    if worker.is_alive():
        raise TimeoutError(f"looking up {host} took more than {CONNECT_TIMEOUT_S:g} s")
    if failure:
        raise failure[0]


def _stream(
    response: IO[bytes], handle: IO[bytes], total: int, progress: Progress | None, url: str
) -> tuple[str, int]:
    """Copy the body to ``handle`` in chunks, hashing and reporting progress; return digest, size."""
    digest = hashlib.sha256()
    done = 0
    message = f"Downloading {url.rsplit('/', 1)[-1]}"
    if progress is not None:
        progress(0, total, message)
    try:
        for block in iter(lambda: response.read(CHUNK_BYTES), b""):
            handle.write(block)
            digest.update(block)
            done += len(block)
            if progress is not None:
                progress(done, total, message)
    except (http.client.HTTPException, ConnectionError, TimeoutError) as exc:
        raise WeightsError(f"Download of {url} was interrupted after {done} bytes: {exc}") from exc
    return digest.hexdigest(), done


def _check_download(
    url: str, digest: str, done: int, total: int, sha256: str | None, prefix: str | None
) -> None:
    """Reject a short transfer or a hash mismatch (the temp file is then discarded)."""
    if total and done != total:
        raise WeightsError(f"Download of {url} was cut short: {done} of {total} bytes arrived.")
    if sha256 is not None:
        if digest != sha256.lower():
            raise WeightsError(
                f"Download of {url} has SHA-256 {digest[:16]}…, expected {sha256[:16]}…; "
                "the file was discarded."
            )
        return
    if not digest.startswith(prefix or ""):
        raise WeightsError(
            f"Download of {url} has SHA-256 {digest[:16]}…, which does not start with the "
            f"{prefix} in its name; the file was discarded."
        )
