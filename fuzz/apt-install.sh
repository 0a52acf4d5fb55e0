#!/bin/sh
# Installs Debian packages for `make fuzz` and `make valgrind` when missing,
# the way `make deps` does (as root, or through password-less sudo; else it
# prints the command to run). Arguments: PROBE:PACKAGE, where PROBE is a
# command name or a file glob that exists once PACKAGE is installed.
missing=""
for arg in "$@"; do
  probe=${arg%%:*} pkg=${arg#*:}
  case $probe in
    /*) set -- $probe; [ -e "$1" ] && continue ;;
    *) command -v "$probe" >/dev/null 2>&1 && continue ;;
  esac
  missing="$missing $pkg"
done
[ -z "$missing" ] && exit 0
echo "mlsmig: missing:$missing; installing them with apt-get"
if [ "$(id -u)" = 0 ]; then SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo"
else echo "mlsmig: cannot install as this user. Run:"
     echo "  sudo apt-get update && sudo apt-get install -y$missing"; exit 1
fi
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null ||
  { echo "mlsmig: apt-get failed. Run: sudo apt-get install -y$missing"; exit 1; }
