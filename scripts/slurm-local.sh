#!/usr/bin/env bash
# A one-node Slurm cluster on this machine (Debian's slurm-wlm 22.05 with munge), for running
# population sweeps as job arrays (scripts/sweep-slurm.sh) locally and in CI. Idempotent: a second
# run with the cluster up and its configuration unchanged does nothing but check that the node is idle.
#
#   scripts/slurm-local.sh            # install if missing, configure, start, wait for the node
#
# What it does (as root, or through sudo):
#  1. installs slurm-wlm and munge with apt-get when missing;
#  2. creates the munge key (/etc/munge/munge.key, 0400 munge:munge) when missing and starts munged
#     as the munge user unless it answers;
#  3. writes /etc/slurm/slurm.conf for this host as controller and only node, with the CPU count,
#     sockets, cores and memory that `slurmd -C` reports (SlurmUser=root, proctrack/linuxproc,
#     task/none, select/cons_tres by core, no accounting) and /etc/slurm/cgroup.conf;
#  4. starts slurmctld and slurmd directly (no systemd: PID 1 is not systemd in containers; when
#     systemd is PID 1 the units are used instead), restarting them when the configuration changed;
#  5. waits (at most SLURM_LOCAL_TIMEOUT_S, default 60 s) until `sinfo` shows the node idle.
set -euo pipefail

sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
timeout_s="${SLURM_LOCAL_TIMEOUT_S:-60}"

# 1. Packages.
missing=()
for p in slurm-wlm munge; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "slurm-local: installing ${missing[*]}" >&2
  $sudo apt-get update
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y "${missing[@]}"
fi

systemd_pid1=0
[ "$(cat /proc/1/comm 2>/dev/null)" = systemd ] && systemd_pid1=1

# A daemon is running when its pid file names a live process with that command name.
running() { # name pidfile
  local pid
  [ -r "$2" ] || return 1
  pid="$(cat "$2" 2>/dev/null)" || return 1
  [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$1" ]
}

# 2. munge.
if [ ! -s /etc/munge/munge.key ]; then
  echo "slurm-local: creating /etc/munge/munge.key" >&2
  $sudo mungekey --create --keyfile=/etc/munge/munge.key
fi
$sudo chown munge:munge /etc/munge/munge.key
$sudo chmod 0400 /etc/munge/munge.key
$sudo install -d -o munge -g munge -m 0755 /run/munge
$sudo install -d -o munge -g munge -m 0700 /var/lib/munge /var/log/munge
if ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
  if [ "$systemd_pid1" -eq 1 ]; then
    $sudo systemctl start munge
  else
    echo "slurm-local: starting munged" >&2
    $sudo runuser -u munge -- /usr/sbin/munged
  fi
  for _ in $(seq 1 50); do munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && break; sleep 0.1; done
  munge -n | unmunge >/dev/null || { echo "slurm-local: munged does not answer" >&2; exit 1; }
fi

# 3. Configuration from what slurmd detects on this host.
host="$(hostname -s)"
node_line="$(slurmd -C | head -1)"        # NodeName=… CPUs=… Boards=… SocketsPerBoard=… CoresPerSocket=… ThreadsPerCore=… RealMemory=…
hardware="${node_line#NodeName=* }"       # drop NodeName=…, keep the hardware fields
cpus="$(sed -n 's/.*CPUs=\([0-9]*\).*/\1/p' <<<"$node_line")"
memory="$(sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p' <<<"$node_line")"
[ -n "$cpus" ] && [ -n "$memory" ] || { echo "slurm-local: cannot read CPUs and RealMemory from 'slurmd -C': $node_line" >&2; exit 1; }

conf="$(cat <<CONF
# Written by scripts/slurm-local.sh: a one-node cluster on $host ($cpus CPUs, $memory MB).
ClusterName=spinetraction-local
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CryptoType=crypto/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
ReturnToService=2
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
StateSaveLocation=/var/lib/slurm/slurmctld
SlurmdSpoolDir=/var/lib/slurm/slurmd
SlurmctldPidFile=/run/slurm/slurmctld.pid
SlurmdPidFile=/run/slurm/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
SlurmctldTimeout=60
SlurmdTimeout=60
KillWait=30
MaxArraySize=100001
NodeName=$host NodeAddr=127.0.0.1 $hardware State=UNKNOWN
PartitionName=local Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
)"
cgroup_conf="$(cat <<CONF
# Written by scripts/slurm-local.sh: no cgroup plugin is used (ProctrackType=proctrack/linuxproc,
# TaskPlugin=task/none), so no cgroup hierarchy or systemd is needed.
CgroupPlugin=autodetect
CgroupAutomount=no
ConstrainCores=no
ConstrainRAMSpace=no
CONF
)"
$sudo install -d -m 0755 /etc/slurm /run/slurm /var/lib/slurm/slurmctld /var/lib/slurm/slurmd /var/log/slurm
changed=0
if [ "$(cat /etc/slurm/slurm.conf 2>/dev/null)" != "$conf" ]; then
  printf '%s\n' "$conf" | $sudo tee /etc/slurm/slurm.conf >/dev/null
  changed=1
fi
if [ "$(cat /etc/slurm/cgroup.conf 2>/dev/null)" != "$cgroup_conf" ]; then
  printf '%s\n' "$cgroup_conf" | $sudo tee /etc/slurm/cgroup.conf >/dev/null
  changed=1
fi

# 4. Daemons.
stop() { # name pidfile
  local pid
  if running "$1" "$2"; then
    pid="$(cat "$2")"
    echo "slurm-local: stopping $1 (pid $pid): configuration changed" >&2
    $sudo kill "$pid"
    for _ in $(seq 1 100); do [ -d "/proc/$pid" ] || break; sleep 0.1; done
  fi
}
if [ "$systemd_pid1" -eq 1 ]; then
  if [ "$changed" -eq 1 ]; then $sudo systemctl restart slurmctld slurmd; else $sudo systemctl start slurmctld slurmd; fi
else
  if [ "$changed" -eq 1 ]; then
    stop slurmd /run/slurm/slurmd.pid
    stop slurmctld /run/slurm/slurmctld.pid
  fi
  if ! running slurmctld /run/slurm/slurmctld.pid; then
    echo "slurm-local: starting slurmctld" >&2
    $sudo /usr/sbin/slurmctld
  fi
  if ! running slurmd /run/slurm/slurmd.pid; then
    echo "slurm-local: starting slurmd" >&2
    $sudo /usr/sbin/slurmd
  fi
fi

# 5. Wait for the node.
deadline=$((SECONDS + timeout_s))
state=""
while [ $SECONDS -lt $deadline ]; do
  state="$(sinfo -h -N -n "$host" -o '%t' 2>/dev/null | head -1 || true)"
  case "$state" in
    idle|mix|alloc) echo "slurm-local: node $host $state ($cpus CPUs, $memory MB)"; exit 0 ;;
    down*|drain*|drng*) $sudo scontrol update NodeName="$host" State=RESUME 2>/dev/null || true ;;
  esac
  sleep 1
done
echo "slurm-local: node $host not idle after ${timeout_s} s (state '${state:-unknown}'); see /var/log/slurm/slurmctld.log and slurmd.log" >&2
exit 1
