"""A genuine Elasticsearch for the smoke tier (TEST CODE ONLY).

The contract suite drives fedcat's Elasticsearch backend against OpenSearch
behind a compatibility proxy (``opensearch.py``).  This module starts the real
thing, with no proxy: Elasticsearch's *integ-test distribution*, the only
Elasticsearch 8 server Maven Central publishes
(``org.elasticsearch.distribution.integ-test-zip:elasticsearch``).

What it does
------------
* ``ensure_genuine_installed()`` fetches that zip with
  ``mvn dependency:copy`` into the engine cache, unzips it, and installs an
  ``elasticsearch`` Python client of the server's major version
  (``pip install --target``): the 9.x client the project's venv resolves to
  sends ``compatible-with=9`` media types, which an 8.x server refuses.
* ``start_genuine()`` runs ``bin/elasticsearch`` as a single node bound to
  127.0.0.1 on free ports, in its own process group, and waits for its
  cluster health.  Elasticsearch refuses to run as root, so when we are root
  it runs as ``nobody`` (uid 65534) through ``setpriv`` on a copy of the
  distribution it owns.
* ``run_smoke()`` runs ``genuine_smoke.py`` against it in a subprocess whose
  ``sys.path`` starts with that 8.x client.

The distribution carries only the modules ``apm``, ``transport-netty4``,
``x-pack-core`` and ``x-pack-security``: no ``analysis-common`` (elision,
stop, stemmer, asciifolding...), no ``mapper-extras``
(``search_as_you_type``), no ``legacy-geo``/``spatial`` (``geo_shape``), no
``lang-painless`` and no ``reindex`` (``_delete_by_query``).  ``GET /``
answers 405 (no main action), so readiness is read from ``/_cluster/health``.

Environment variables
---------------------
``FEDCAT_GENUINE_ES_VERSION``
    Distribution version (default ``8.19.21``, the newest on Maven Central).
``FEDCAT_GENUINE_ES_CLIENT``
    pip requirement of the client (default ``elasticsearch>=8.12,<9``).
``FEDCAT_GENUINE_ES_URL``
    Use this already-running Elasticsearch instead of starting one.
``FEDCAT_ENGINE_CACHE`` / ``FEDCAT_ENGINE_JAVA``
    As in ``opensearch.py`` (shared cache root and Maven repository).

Nothing here imports pytest: failures raise ``EngineError``, so a fixture
built on it errors (never skips) when the engine cannot start.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional

try:  # imported as tests.engine.genuine (pytest) or as a top-level module (CI script)
    from . import opensearch as _base
except ImportError:  # pragma: no cover - depends on how the module is imported
    import opensearch as _base

EngineError = _base.EngineError

__all__ = [
    "DEFAULT_VERSION",
    "EngineError",
    "GenuineEngine",
    "GenuineInstall",
    "ensure_genuine_distribution",
    "ensure_genuine_installed",
    "genuine_version",
    "run_smoke",
    "start_genuine",
]

DEFAULT_VERSION = "8.19.21"
DEFAULT_CLIENT = "elasticsearch>=8.12,<9"
ARTIFACT = "org.elasticsearch.distribution.integ-test-zip:elasticsearch:{version}:zip"
# the version opensearch.py's pom pins, so an offline run finds it in the shared Maven repository
DEPENDENCY_PLUGIN = "org.apache.maven.plugins:maven-dependency-plugin:3.6.1"
CLUSTER_NAME = "fedcat-genuine"
NOBODY = 65534
MIN_JAVA = 17
REPO_ROOT = Path(__file__).resolve().parents[2]
SMOKE_SCRIPT = Path(__file__).resolve().parent / "genuine_smoke.py"


@dataclass(frozen=True)
class GenuineInstall:
    """An unzipped distribution and the matching Python client, both in the cache."""

    version: str
    home: Path
    client_dir: Path


def genuine_version() -> str:
    """The distribution version to use."""
    return os.environ.get("FEDCAT_GENUINE_ES_VERSION") or DEFAULT_VERSION


def client_requirement() -> str:
    """The pip requirement of the Python client talking to it."""
    return os.environ.get("FEDCAT_GENUINE_ES_CLIENT") or DEFAULT_CLIENT


# --------------------------------------------------------------------------
# installation
# --------------------------------------------------------------------------


def ensure_genuine_installed(
    cache_dir: Optional[os.PathLike] = None,
    *,
    version: Optional[str] = None,
    mvn: Optional[str] = None,
    python: Optional[str] = None,
    timeout: float = 900,
) -> GenuineInstall:
    """Make sure the distribution and the client are in the cache; idempotent, file-locked.

    ``python`` is the interpreter the client is installed for (default: this one);
    the client directory is per Python version.
    """
    cache = _cache(cache_dir)
    version = version or genuine_version()
    python = python or sys.executable
    install = _layout(cache, version, _python_tag(python))
    if _home_complete(install.home) and _client_complete(install.client_dir):
        return install
    ensure_genuine_distribution(cache, version=version, mvn=mvn, timeout=timeout)
    with _base._file_lock(cache / f".genuine-{version}.lock"):
        if not _client_complete(install.client_dir):
            _install_client(python, install.client_dir, timeout)
    return install


def ensure_genuine_distribution(
    cache_dir: Optional[os.PathLike] = None, *, version: Optional[str] = None, mvn: Optional[str] = None, timeout: float = 900
) -> Path:
    """Make sure the unzipped distribution is in the cache (no Python client); returns its home."""
    cache = _cache(cache_dir)
    version = version or genuine_version()
    home = _layout(cache, version, "").home
    if _home_complete(home):
        return home
    with _base._file_lock(cache / f".genuine-{version}.lock"):
        if not _home_complete(home):
            archive = _fetch_zip(cache, version, mvn, timeout)
            _unzip(archive, home)
            archive.unlink()  # the Maven repository keeps a copy for offline re-installs
    return home


def _cache(cache_dir: Optional[os.PathLike]) -> Path:
    return Path(cache_dir).expanduser() if cache_dir else _base.cache_dir_default()


def _layout(cache: Path, version: str, python_tag: str) -> GenuineInstall:
    root = cache / f"elasticsearch-{version}"
    return GenuineInstall(version, root / "home", root / f"client-{python_tag}")


def _python_tag(python: str) -> str:
    if python == sys.executable:
        return f"py{sys.version_info[0]}.{sys.version_info[1]}"
    out = subprocess.run(
        [python, "-c", "import sys; print('py%d.%d' % sys.version_info[:2])"],
        stdout=subprocess.PIPE, text=True, check=True,
    )
    return out.stdout.strip()


def _home_complete(home: Path) -> bool:
    return (home / "bin" / "elasticsearch").is_file() and (home / "lib").is_dir()


def _client_complete(client_dir: Path) -> bool:
    return (client_dir / "installed.json").is_file()


def _fetch_zip(cache: Path, version: str, mvn: Optional[str], timeout: float) -> Path:
    """Copy the distribution zip out of Maven (offline first when the repository exists)."""
    m2 = cache / "m2"
    out_dir = cache / f"elasticsearch-{version}" / "download"
    command = [
        _base.maven_executable(mvn), "-B", "-q", f"-Dmaven.repo.local={m2}", f"{DEPENDENCY_PLUGIN}:copy",
        f"-Dartifact={ARTIFACT.format(version=version)}", f"-DoutputDirectory={out_dir}",
    ]
    errors = []
    for attempt in _base.maven_attempts(command, m2):
        error = _base.run_quietly(attempt, timeout, cwd=cache)
        archive = out_dir / f"elasticsearch-{version}.zip"
        if error is None and archive.is_file():
            return archive
        errors.append(error or f"{archive} missing after {' '.join(attempt)}")
    raise EngineError("could not fetch the Elasticsearch distribution:\n" + "\n".join(errors))


def _unzip(archive: Path, home: Path) -> None:
    """Unzip the distribution's top directory to ``home``, keeping the scripts executable."""
    staging = home.with_name(home.name + ".tmp")
    shutil.rmtree(staging, ignore_errors=True)
    with zipfile.ZipFile(archive) as zipped:
        for member in zipped.infolist():
            _extract(zipped, member, staging)
    (top,) = staging.iterdir()
    shutil.rmtree(home, ignore_errors=True)
    top.rename(home)
    staging.rmdir()


def _extract(zipped: zipfile.ZipFile, member: zipfile.ZipInfo, target: Path) -> None:
    path = Path(zipped.extract(member, target))
    mode = (member.external_attr >> 16) & 0o777
    if mode and not member.is_dir():  # zipfile drops the Unix mode (bin/* must stay executable)
        path.chmod(mode)


def _install_client(python: str, client_dir: Path, timeout: float) -> None:
    staging = client_dir.with_name(client_dir.name + ".tmp")
    shutil.rmtree(staging, ignore_errors=True)
    requirement = client_requirement()
    command = [
        python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
        "--no-input", "--target", str(staging), requirement,
    ]
    error = _base.run_quietly(command, timeout, cwd=client_dir.parent)
    if error:
        raise EngineError(f"could not install the Python client {requirement!r}:\n{error}")
    marker = {"requirement": requirement, "installed": sorted(p.name for p in staging.glob("*.dist-info"))}
    (staging / "installed.json").write_text(json.dumps(marker, indent=1))
    shutil.rmtree(client_dir, ignore_errors=True)
    staging.rename(client_dir)


# --------------------------------------------------------------------------
# running
# --------------------------------------------------------------------------


class GenuineEngine(_base.EngineProcess):
    """A running Elasticsearch (``.url``, ``.stop()``); its working copy goes away on stop."""

    def __init__(self, url: str, proc=None, base_dir=None, log_path=None, version=None, home=None, scratch=None):
        super().__init__(url, proc, base_dir, log_path, version)
        self.home: Optional[Path] = home
        self._scratch: Optional[Path] = scratch

    def server_log_tail(self, max_chars: int = 4000) -> str:
        """The end of Elasticsearch's own log file (stdout holds less on a failed start)."""
        log = self.home / "logs" / f"{CLUSTER_NAME}.log" if self.home else None
        if not log or not log.is_file():
            return ""
        return log.read_text(encoding="utf-8", errors="replace")[-max_chars:]

    def failure_logs(self) -> str:
        """What to show when it did not start: its stdout's tail, then its server log's."""
        return self.log_tail() + "\n--- server log ---\n" + self.server_log_tail()

    def stop(self, timeout: float = 30) -> None:
        """Stop the engine, keep its server log next to ``engine.log``, drop the working copy."""
        super().stop(timeout)
        if self.base_dir and self.home and self.home.is_dir():
            (self.base_dir / "server.log").write_text(self.server_log_tail(200_000))
        if self._scratch is not None:
            shutil.rmtree(self._scratch, ignore_errors=True)
            self._scratch = None


def start_genuine(
    base_dir: os.PathLike,
    *,
    heap: str = "512m",
    timeout: float = 180,
    cache_dir: Optional[os.PathLike] = None,
    version: Optional[str] = None,
    java: Optional[str] = None,
    attempts: int = 3,
) -> GenuineEngine:
    """Start a single-node Elasticsearch under ``base_dir`` and wait until healthy.

    Raises ``EngineError`` with the logs' tails when it cannot be installed or
    started, or is not healthy within ``timeout`` seconds (the download is not
    counted).  With ``FEDCAT_GENUINE_ES_URL`` set, only checks that URL.
    """
    external = os.environ.get("FEDCAT_GENUINE_ES_URL")
    if external:
        return _external(external.rstrip("/"), timeout)
    install = ensure_genuine_installed(cache_dir, version=version)
    java_home = _java_home(java or _base.find_java(MIN_JAVA))
    base = Path(base_dir).expanduser().resolve()
    base.mkdir(parents=True, exist_ok=True)
    return _base.start_with_retries(
        lambda: _launch(install, base, java_home, heap),
        _ready,
        attempts=attempts,
        timeout=timeout,
        failure=f"Elasticsearch {install.version} did not start; base dir {base}",
    )


def _ready(engine: _base.EngineProcess, deadline: float) -> Optional[str]:
    return _base._wait_healthy(engine.url, deadline, engine.proc) or _loopback_only(engine.url)


def _external(url: str, timeout: float) -> GenuineEngine:
    reason = _base._wait_healthy(url, time.monotonic() + timeout)
    if reason:
        raise EngineError(f"FEDCAT_GENUINE_ES_URL={url}: {reason}")
    return GenuineEngine(url)


def _java_home(java: str) -> str:
    # bin/elasticsearch wants a JDK home (ES_JAVA_HOME), not the java executable
    return str(Path(os.path.realpath(java)).parent.parent)


def _launch(install: GenuineInstall, base: Path, java_home: str, heap: str) -> GenuineEngine:
    home, scratch = _working_copy(install.home, base)
    http_port, transport_port = _base._pick_ephemeral_port(), _base._pick_ephemeral_port()
    (home / "config" / "elasticsearch.yml").write_text(_config(http_port, transport_port))
    tmp_dir = home / "tmp"
    tmp_dir.mkdir(exist_ok=True)
    if os.geteuid() == 0:
        _give_to_nobody(scratch)
    return GenuineEngine.spawn(
        _setpriv_prefix() + [str(home / "bin" / "elasticsearch")],
        url=f"http://127.0.0.1:{http_port}",
        cwd=home,
        env=_environment(java_home, heap, tmp_dir),
        log_path=base / "engine.log",
        base_dir=base,
        version=install.version,
        home=home,
        scratch=scratch,
    )


def _working_copy(source: Path, base: Path) -> tuple:
    """A per-run copy of the distribution (it writes its keystore, data and logs into its home).

    As root the copy must be reachable by ``nobody``, which pytest's 0700
    ``/tmp/pytest-of-root`` is not: it then goes to a fresh directory under the
    system temp dir.  Returns ``(home, scratch)``: the directory to remove on stop.
    """
    if os.geteuid() == 0:
        _sweep_orphaned_copies()
        scratch = Path(tempfile.mkdtemp(prefix=_SCRATCH_PREFIX))
        (scratch / "owner.pid").write_text(str(os.getpid()))
        os.chmod(scratch, 0o755)
        home = scratch / "home"
    else:
        scratch = home = base / "home"
        shutil.rmtree(home, ignore_errors=True)
    shutil.copytree(source, home, symlinks=True)
    return home, scratch


_SCRATCH_PREFIX = "fedcat-genuine-es-"


def _sweep_orphaned_copies() -> None:
    """Remove the working copies of test processes that died without stopping their engine (SIGKILL)."""
    for scratch in Path(tempfile.gettempdir()).glob(_SCRATCH_PREFIX + "*"):
        try:
            owner = int((scratch / "owner.pid").read_text())
        except (OSError, ValueError):
            continue  # not ours, or still being set up
        if not _alive(owner):
            shutil.rmtree(scratch, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _give_to_nobody(path: Path) -> None:
    os.chown(path, NOBODY, NOBODY)
    for root, dirs, files in os.walk(path):
        for name in dirs + files:
            os.chown(os.path.join(root, name), NOBODY, NOBODY, follow_symlinks=False)


def _setpriv_prefix() -> List[str]:
    """``setpriv`` (util-linux) options: drop to ``nobody`` when root, die with this process.

    Elasticsearch refuses to run as root.  One ``setpriv`` does both, because a
    change of user clears a parent-death signal set before it (see
    ``opensearch._parent_death_prefix`` for why only from the main thread).
    """
    death = _base._parent_death_prefix()[1:-1]  # ["--pdeathsig", "KILL"] or []
    nobody = [f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"] if os.geteuid() == 0 else []
    if not death and not nobody:
        return []
    setpriv = shutil.which("setpriv")
    if not setpriv:
        raise EngineError("running as root needs setpriv (util-linux) to start Elasticsearch as nobody")
    return [setpriv, *death, *nobody, "--"]


def _environment(java_home: str, heap: str, tmp_dir: Path) -> dict:
    env = _base.java_environment()
    env.pop("ES_PATH_CONF", None)
    env.update(
        ES_JAVA_HOME=java_home,
        ES_JAVA_OPTS=f"-Xms{heap} -Xmx{heap}",
        ES_TMPDIR=str(tmp_dir),
        HOME=str(tmp_dir.parent),  # nobody's own HOME may not exist
    )
    return env


def _config(http_port: int, transport_port: int) -> str:
    return "\n".join(
        [
            "# Written by tests/engine/genuine.py (test engine, single node).",
            f"cluster.name: {CLUSTER_NAME}",
            "network.host: 127.0.0.1",
            f"http.port: {http_port}",
            f"transport.port: {transport_port}",
            "discovery.type: single-node",
            "xpack.security.enabled: false",
            # CI disks may be nearly full: never go read-only because of it
            "cluster.routing.allocation.disk.threshold_enabled: false",
            "",
        ]
    )


def _loopback_only(url: str) -> Optional[str]:
    """None when the HTTP server is bound to loopback addresses only, else why not."""
    try:
        status, body = _base._http_json(url + "/_nodes/_local/http", timeout=10)
    except (OSError, ValueError, urllib.error.URLError) as exc:
        return f"could not read the node's HTTP addresses: {exc}"
    if status != 200:
        return f"_nodes/_local/http answered {status}: {body}"
    bound = [a for node in body.get("nodes", {}).values() for a in node["http"]["bound_address"]]
    outside = [a for a in bound if not (a.startswith("127.") or a.startswith("[::1]"))]
    return f"Elasticsearch bound to non-loopback addresses {outside}" if outside or not bound else None


# --------------------------------------------------------------------------
# the smoke scenario, in a subprocess with the 8.x client first on sys.path
# --------------------------------------------------------------------------


def run_smoke(url: str, *, cache_dir: Optional[os.PathLike] = None, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run ``genuine_smoke.py`` against ``url`` with the server's client; output in ``.stdout``."""
    install = ensure_genuine_installed(cache_dir)
    path = [str(install.client_dir), str(REPO_ROOT)]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(path + [os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep))
    return subprocess.run(
        [sys.executable, str(SMOKE_SCRIPT), url], cwd=str(REPO_ROOT), env=env, stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=timeout,
    )
