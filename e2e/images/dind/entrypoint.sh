#!/bin/sh
# swarmgen-node-entrypoint: entrypoint of the swarmgen-e2e/dind:bookworm node image.
#
# Behaves like the official docker:dind entrypoint for its arguments:
#   - no arguments, or a first argument starting with "-": run
#     "dockerd --host=unix:///var/run/docker.sock <args>";
#   - first argument "dockerd": remove stale pid files first;
#   - anything else is exec'ed as is.
#
# Before dockerd starts, it makes the cgroup hierarchies writable. A node
# runs without --privileged (cap_add ALL, cap_drop SYS_RESOURCE, seccomp and
# apparmor unconfined, device_cgroup_rules 'a *:* rwm'), so Docker mounts the
# cgroup v1 hierarchies read-only and the inner dockerd cannot create
# containers. Each read-only hierarchy is unmounted and mounted again
# read-write. Writable hierarchies (privileged node, cgroup v2 host with a
# writable cgroupfs) are left alone.
#
# Environment:
#   SWARMGEN_NODE_IPTABLES=nft|legacy  force the iptables backend (default: nft
#                                      if it works, else legacy)
set -eu

log() { echo "swarmgen-node-entrypoint: $*" >&2; }

# mount_opts PATH: per-mount options (field 6 of /proc/self/mountinfo) of the
# mount point PATH (last mount wins); empty when PATH is not a mount point.
mount_opts() {
	awk -v p="$1" '$5 == p { o = $6 } END { print o }' /proc/self/mountinfo
}

is_ro() {
	case ",$(mount_opts "$1")," in
	*,ro,*) return 0 ;;
	*) return 1 ;;
	esac
}

fix_cgroups() {
	[ -d /sys/fs/cgroup ] || return 0

	# cgroup v2 only (/sys/fs/cgroup is itself cgroup2).
	if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
		if is_ro /sys/fs/cgroup; then
			log "remounting /sys/fs/cgroup (cgroup2) read-write"
			mount -o remount,rw /sys/fs/cgroup
		fi
		# Same nesting setup as docker:dind: move our processes to /init
		# so that controllers can be enabled for the children.
		mkdir -p /sys/fs/cgroup/init
		xargs -rn1 </sys/fs/cgroup/cgroup.procs >/sys/fs/cgroup/init/cgroup.procs 2>/dev/null || :
		sed -e 's/ / +/g' -e 's/^/+/' </sys/fs/cgroup/cgroup.controllers \
			>/sys/fs/cgroup/cgroup.subtree_control 2>/dev/null || :
		return 0
	fi

	# cgroup v1: /sys/fs/cgroup is a tmpfs holding one mount per hierarchy.
	ro_list=$(awk '$5 ~ "^/sys/fs/cgroup/[^/]+$" { print $5, $6 }' /proc/self/mountinfo |
		awk '(","$2",") ~ /,ro,/ { print $1 }' | sort -u)
	if [ -z "$ro_list" ]; then
		return 0
	fi
	if is_ro /sys/fs/cgroup; then
		log "remounting /sys/fs/cgroup (tmpfs) read-write"
		mount -o remount,rw /sys/fs/cgroup
	fi
	for dir in $ro_list; do
		sub=${dir##*/}
		if ! umount "$dir"; then
			log "error: cannot unmount $dir (is CAP_SYS_ADMIN missing?)"
			exit 1
		fi
		case "$sub" in
		unified)
			mount -t cgroup2 cgroup2 "$dir"
			;;
		systemd)
			mount -t cgroup -o none,name=systemd cgroup "$dir"
			;;
		*)
			# Comma-joined controllers such as cpu,cpuacct are fine as -o.
			mount -t cgroup -o "$sub" cgroup "$dir"
			;;
		esac
	done
	log "remounted read-write: $(echo "$ro_list" | sed 's|/sys/fs/cgroup/||' | tr '\n' ' ')"
}

# iptables backend: Debian bookworm defaults to iptables-nft. Keep it when it
# works in this node, otherwise switch to iptables-legacy (like docker:dind).
pick_iptables() {
	command -v update-alternatives >/dev/null 2>&1 || return 0
	want=${SWARMGEN_NODE_IPTABLES:-}
	if [ -z "$want" ]; then
		if iptables-nft -t nat -nL >/dev/null 2>&1; then
			want=nft
		elif iptables-legacy -t nat -nL >/dev/null 2>&1; then
			want=legacy
		else
			log "warning: neither iptables-nft nor iptables-legacy works here"
			return 0
		fi
	fi
	for t in iptables ip6tables; do
		if [ -x "/usr/sbin/$t-$want" ]; then
			update-alternatives --set "$t" "/usr/sbin/$t-$want" >/dev/null 2>&1 || :
		fi
	done
}

if [ "$#" -eq 0 ] || [ "${1#-}" != "$1" ]; then
	set -- dockerd --host=unix:///var/run/docker.sock "$@"
fi

if [ "$1" = dockerd ]; then
	# Remove pid files left over by an unclean stop (docker compose stop +
	# start keeps the container filesystem).
	find /run /var/run -iname 'docker*.pid' -delete 2>/dev/null || :
	rm -f /run/docker/containerd/containerd.pid

	fix_cgroups
	pick_iptables

	# securityfs, as the docker:dind "dind" script does (for AppArmor).
	if [ -d /sys/kernel/security ] && ! mountpoint -q /sys/kernel/security; then
		mount -t securityfs none /sys/kernel/security 2>/dev/null || :
	fi

	# docker-init (tini) as PID 1 reaps zombies of the inner containers.
	if command -v docker-init >/dev/null 2>&1; then
		set -- docker-init -- "$@"
	fi
fi

exec "$@"
