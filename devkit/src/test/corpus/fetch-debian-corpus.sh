#!/usr/bin/env bash
# Fetches the real-world VCF corpus of RealWorldConformanceTest: the VCFs that Debian ships in two
# packages nobody here wrote, at pinned versions, unpacked (not installed) with dpkg -x.
#
#   fetch-debian-corpus.sh CACHE_DIR
#
# Leaves CACHE_DIR/<package>/ (the package's file tree) and a marker CACHE_DIR/.complete-<package>_<version>
# per package; a package whose marker exists is not fetched again, so running it twice is cheap.
# Needs apt-get and dpkg (Debian/Ubuntu with bookworm's versions in its sources); `apt-get update` runs
# only when a download fails (a fresh machine or container has no package lists). Exits non-zero, saying
# why, when a package cannot be had: the test then fails with that message.
set -euo pipefail

# Pinned: the test's table of expected outcomes is written against exactly these files.
PACKAGES=(
  "r-bioc-variantannotation=1.44.1-1"
  "vcfanno-examples=0.3.5+ds-1"
)

if [[ $# -ne 1 || -z "$1" ]]; then
  echo "usage: $0 CACHE_DIR" >&2
  exit 2
fi
cache=$1
mkdir -p "$cache"
cache=$(cd "$cache" && pwd)

for tool in apt-get dpkg; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "fetch-debian-corpus: $tool not found: the corpus comes from Debian packages (bookworm)" >&2
    exit 3
  fi
done

updated=no
download() { # pkg=version, into the current directory
  if apt-get download -q "$1"; then return 0; fi
  if [[ $updated == no ]]; then
    updated=yes
    echo "fetch-debian-corpus: apt-get download $1 failed; running apt-get update -qq and retrying"
    if [[ $(id -u) -eq 0 ]]; then apt-get update -qq; else sudo -n apt-get update -qq; fi
    apt-get download -q "$1"
  else
    return 1
  fi
}

for spec in "${PACKAGES[@]}"; do
  pkg=${spec%%=*}
  version=${spec#*=}
  marker="$cache/.complete-${pkg}_${version}"
  if [[ -e $marker ]]; then
    echo "fetch-debian-corpus: $pkg $version already in $cache/$pkg"
    continue
  fi
  tmp=$(mktemp -d)
  # apt's download sandbox user must be able to write here, or apt warns and downloads as root anyway
  if [[ $(id -u) -eq 0 ]] && id _apt >/dev/null 2>&1; then chown _apt "$tmp"; fi
  cd "$tmp"
  if ! download "$spec"; then
    cd /
    rm -rf "$tmp"
    echo "fetch-debian-corpus: cannot download $spec (is bookworm in the apt sources, and the network up?)" >&2
    exit 4
  fi
  cd /
  deb=$(ls "$tmp"/*.deb)
  rm -rf "${cache:?}/$pkg"
  mkdir -p "$cache/$pkg"
  dpkg -x "$deb" "$cache/$pkg"
  rm -rf "$tmp"
  # only a complete extraction is marked, so an interrupted run starts that package over
  rm -f "$cache/.complete-${pkg}_"*
  touch "$marker"
  echo "fetch-debian-corpus: $pkg $version unpacked into $cache/$pkg ($(find "$cache/$pkg" -type f | wc -l) files)"
done
