#!/usr/bin/env bash
# base-image.sh - make debian:bookworm-slim locally, for machines that reach
# Debian's package mirror but no container registry.
#
# debootstrap a minimal bookworm, trim it as the official slim image is
# trimmed (no package lists or caches, docs, man pages or locales), and import
# it as docker.io/library/debian:bookworm-slim. With --util, also build the
# helper image gitlab-ci-local expects (it copies artifacts out with rsync).
# Does nothing for an image that exists already.
set -eu
engine=${CONTAINER_ENGINE:-podman}
if "$engine" image exists docker.io/library/debian:bookworm-slim 2>/dev/null; then
	echo "base-image: docker.io/library/debian:bookworm-slim is already there"
else
	root=$(mktemp -d "${TMPDIR:-/tmp}/bookworm.XXXXXX")
	trap 'rm -rf -- "$root"' EXIT
	echo "base-image: debootstrap bookworm into $root"
	debootstrap --variant=minbase bookworm "$root" >"$root.log" 2>&1 || {
		tail -20 "$root.log" >&2
		exit 1
	}
	rm -f -- "$root.log"
	rm -rf "$root"/var/cache/apt/* "$root"/var/lib/apt/lists/* \
		"$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/info/*
	find "$root/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name 'locale.alias' -exec rm -rf {} +
	tar -C "$root" -c . | "$engine" import - docker.io/library/debian:bookworm-slim >/dev/null
	echo "base-image: imported docker.io/library/debian:bookworm-slim"
fi
util=docker.io/firecow/gitlab-ci-local-util:latest
if [[ ${1:-} == --util ]] && ! "$engine" image exists "$util" 2>/dev/null; then
	context=$(mktemp -d)
	printf '%s\n' 'FROM docker.io/library/debian:bookworm-slim' \
		'RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends rsync >/dev/null && rm -rf /var/lib/apt/lists/*' |
		"$engine" build -q -t "$util" -f - "$context" >/dev/null
	rmdir -- "$context"
	echo "base-image: built $util (with rsync)"
fi
