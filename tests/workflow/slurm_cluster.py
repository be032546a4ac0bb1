"""A throw-away one-node SLURM cluster for the workflow test (Debian's slurm-wlm + munge).

Installs the packages when missing (root only), writes a slurm.conf for this machine
with accounting off into a temporary folder, starts munged, slurmctld and slurmd, and
stops exactly the daemons it started (by pid) afterwards.
"""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

PACKAGES = ("slurm-wlm", "munge")
#: Job steps run by the Snakemake plugin do not inherit SLURM_CONF (the plugin clears
#: SLURM_* variables), so srun inside a job reads the default path.
DEFAULT_CONF = Path("/etc/slurm/slurm.conf")
CLUSTER_LINE = "ClusterName=genoseqtest"  # first line of the config this helper writes; how it knows its own


class ClusterUnavailable(Exception):
    """Why the cluster cannot run here (the test skips with this message)."""


def ensure_packages() -> None:
    if all(shutil.which(tool) for tool in ("slurmctld", "slurmd", "sbatch", "squeue", "munged")):
        return
    if os.geteuid() != 0:
        raise ClusterUnavailable("SLURM is not installed and installing it needs root")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    for cmd in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", *PACKAGES]):
        if subprocess.run(cmd, capture_output=True, env=env, timeout=900).returncode != 0:
            raise ClusterUnavailable(f"could not install {' '.join(PACKAGES)} with apt-get")


def _slurm_conf(folder: Path, node: str, cpus: int, memory_mb: int) -> str:
    return "\n".join([
        CLUSTER_LINE,
        f"SlurmctldHost={node}",
        "SlurmUser=root",
        "SlurmdUser=root",
        "AuthType=auth/munge",
        f"AuthInfo=socket={folder}/munge.socket",
        f"StateSaveLocation={folder}/state",
        f"SlurmdSpoolDir={folder}/spool",
        f"SlurmctldPidFile={folder}/slurmctld.pid",
        f"SlurmdPidFile={folder}/slurmd.pid",
        f"SlurmctldLogFile={folder}/slurmctld.log",
        f"SlurmdLogFile={folder}/slurmd.log",
        "SlurmctldPort=16817",
        "SlurmdPort=16818",
        "ProctrackType=proctrack/linuxproc",
        "TaskPlugin=task/none",
        "ReturnToService=2",
        "SchedulerType=sched/backfill",
        "SelectType=select/cons_tres",
        "SelectTypeParameters=CR_Core_Memory",
        "AccountingStorageType=accounting_storage/none",
        "JobAcctGatherType=jobacct_gather/none",
        "JobCompType=jobcomp/none",
        "MpiDefault=none",
        f"NodeName={node} CPUs={cpus} RealMemory={memory_mb} State=UNKNOWN",
        f"PartitionName=main Nodes={node} Default=YES MaxTime=INFINITE State=UP",
        "",
    ])


def _left_by_a_killed_run(link: Path) -> bool:
    """Whether ``link`` is this helper's link to a test cluster's slurm.conf whose run was killed
    before :meth:`OneNodeCluster.stop` could remove it (its slurmctld is gone). Without this, one
    interrupted run would make every later run on the machine skip the SLURM test."""
    if not link.is_symlink():
        return False
    target = Path(os.readlink(link))
    if not target.exists():
        return "pytest-" in str(target)  # a link into a deleted pytest folder
    if target.read_text().splitlines()[:1] != [CLUSTER_LINE]:
        return False
    try:
        os.kill(int((target.parent / "slurmctld.pid").read_text().split()[0]), 0)
    except (OSError, ValueError, IndexError):  # no pid file, or no such process
        return True
    return False


class OneNodeCluster:
    """Start with :meth:`start`, stop with :meth:`stop`; ``env`` points clients at it."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.pids: list[int] = []
        self.env = dict(os.environ)
        self._linked_default = False

    def start(self) -> "OneNodeCluster":
        if os.geteuid() != 0:
            raise ClusterUnavailable("starting slurmctld/slurmd needs root")
        ensure_packages()
        folder = self.folder
        for sub in ("state", "spool"):
            (folder / sub).mkdir(parents=True, exist_ok=True)
        node = socket.gethostname().split(".")[0]
        cpus = len(os.sched_getaffinity(0))
        memory_mb = int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**20 * 0.8)
        conf = folder / "slurm.conf"
        conf.write_text(_slurm_conf(folder, node, cpus, memory_mb))
        self.env["SLURM_CONF"] = str(conf)
        if _left_by_a_killed_run(DEFAULT_CONF):
            DEFAULT_CONF.unlink()
        if DEFAULT_CONF.exists() or DEFAULT_CONF.is_symlink():
            raise ClusterUnavailable(f"{DEFAULT_CONF} exists: this machine has its own SLURM setup; not touching it")
        DEFAULT_CONF.parent.mkdir(parents=True, exist_ok=True)
        DEFAULT_CONF.symlink_to(conf)
        self._linked_default = True
        key = Path("/etc/munge/munge.key")
        if not key.exists():
            raise ClusterUnavailable("no munge key at /etc/munge/munge.key")
        self._daemon(["munged", "--force", f"--socket={folder}/munge.socket", f"--pid-file={folder}/munged.pid",
                      f"--log-file={folder}/munged.log", f"--seed-file={folder}/munged.seed"], folder / "munged.pid")
        self._daemon(["slurmctld", "-f", str(conf), "-i"], folder / "slurmctld.pid")
        self._daemon(["slurmd", "-f", str(conf), "-N", node], folder / "slurmd.pid")
        deadline = time.time() + 60
        while time.time() < deadline:
            state = subprocess.run(["sinfo", "-h", "-o", "%T"], capture_output=True, text=True, env=self.env)
            if state.returncode == 0 and state.stdout.strip() in ("idle", "mixed", "allocated"):
                return self
            time.sleep(1)
        self.stop()
        raise ClusterUnavailable(f"the SLURM node did not come up (see {folder}/slurmctld.log)")

    def _daemon(self, cmd: list[str], pid_file: Path) -> None:
        result = subprocess.run(cmd, capture_output=True, text=True, env=self.env, timeout=60)
        if result.returncode != 0:
            self.stop()
            raise ClusterUnavailable(f"{cmd[0]} did not start: {result.stderr.strip()[:300]}")
        for _ in range(50):
            if pid_file.exists() and pid_file.read_text().strip():
                self.pids.append(int(pid_file.read_text().split()[0]))
                return
            time.sleep(0.2)
        self.stop()
        raise ClusterUnavailable(f"{cmd[0]} wrote no pid file")

    def stop(self) -> None:
        for pid in reversed(self.pids):
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                continue
            for _ in range(50):
                try:
                    os.kill(pid, 0)
                except ProcessLookupError:
                    break
                time.sleep(0.2)
        self.pids.clear()
        if self._linked_default:
            DEFAULT_CONF.unlink(missing_ok=True)
            self._linked_default = False
