#!/usr/bin/env bash
# Installs the Debian 12 packages PlaneLab needs, only those missing. Safe to run again.
set -euo pipefail
PACKAGES=(
  cmake g++ make pkg-config ccache sqlite3
  libns3-dev ns3 libgsl-dev
  libboost-graph-dev nlohmann-json3-dev libvalijson-dev libcli11-dev libsqlite3-dev
  libgtest-dev libgmock-dev libbenchmark-dev libmimalloc-dev
  qt6-base-dev qt6-charts-dev libqt6opengl6-dev libgl-dev fonts-dejavu-core
  libsnmp-dev tshark libreadline-dev
  clang libclang-rt-14-dev
  python3-pandas python3-matplotlib jupyter-nbconvert python3-nbclient python3-ipykernel
  slurm-wlm munge parallel
)
missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "planelab: all build dependencies are installed"
  exit 0
fi
echo "planelab: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
