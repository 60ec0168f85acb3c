#!/bin/sh
# prom.sh install — make sure the prometheus and prometheus-alertmanager
# binaries the sources integration tests start are installed. The tests
# start their own instances on free 127.0.0.1 ports with temp data dirs;
# a service the Debian package may start on 9090/9093 does not matter.
set -eu
case "${1:-}" in
install)
	if command -v prometheus >/dev/null 2>&1 && command -v prometheus-alertmanager >/dev/null 2>&1; then
		exit 0
	fi
	SUDO=
	[ "$(id -u)" = 0 ] || SUDO=sudo
	$SUDO apt-get update
	# Debian's postinst may start the services where an init system runs
	# (RUNLEVEL=1 asks invoke-rc.d not to); harmless either way, since the
	# tests run their own instances on free ports.
	DEBIAN_FRONTEND=noninteractive RUNLEVEL=1 $SUDO apt-get install -y --no-install-recommends prometheus prometheus-alertmanager
	;;
*)
	echo "usage: $0 install" >&2
	exit 2
	;;
esac
