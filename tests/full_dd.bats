#!/usr/bin/env bats
# full_dd.bats - Part 2: distrustful decomposition contains the traversal
# (test_full_dd.sh, done for real).
#
# The handout's test_full_dd.sh passes for the wrong reason: `su - garfield`
# moves to garfield's home, so ./litterbox/../secret.txt does not exist
# there (ENOENT), and secret.txt is world-readable anyway. Here cat.py runs
# as garfield from the lab directory itself, the secret is 0600, and the
# only acceptable refusal is EACCES. Two controls show the result means
# something: garfield can read the treasure (cat.py really ran), and the
# secret's owner can read the secret in the very same set-up (it is the
# privilege drop, nothing else, that stops garfield).

load helpers/lab

# The accounts' files; garfield is created only if absent, removed only if
# created here, and these must be byte-identical afterwards.
ACCOUNT_FILES=(/etc/passwd /etc/group /etc/shadow /etc/gshadow /etc/subuid /etc/subgid)

# Without root, every test skips (in setup: bats 1.8 cannot skip in setup_file).
NEEDS_ROOT="needs root to create garfield and hand out files: run 'sudo make test' (see README)"

setup_file() {
	((EUID == 0)) || return 0
	local f
	for f in "${ACCOUNT_FILES[@]}"; do
		[[ -e $f ]] && sha256sum "$f"
	done >"$BATS_FILE_TMPDIR/accounts.sha256"
	if ! id -u garfield >/dev/null 2>&1; then
		# The handout's `adduser garfield --disabled-password`, minus the home
		# directory nobody uses; in the "users" group, as adduser puts it.
		useradd --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin \
			--groups users garfield
		touch "$BATS_FILE_TMPDIR/created-garfield"
	fi
}

teardown_file() {
	if [[ -e $BATS_FILE_TMPDIR/created-garfield ]]; then
		userdel garfield
	fi
	if [[ -s $BATS_FILE_TMPDIR/accounts.sha256 ]]; then
		sha256sum --quiet --check "$BATS_FILE_TMPDIR/accounts.sha256" ||
			fail "the account files changed during the suite"
	fi
}

setup() {
	lab_trace_body
	((EUID == 0)) || skip "$NEEDS_ROOT"
	lab_workspace
	# The handout's set-up: garfield owns the litterbox, through group "users".
	chgrp users "$LAB_WS/litterbox"
	chown garfield "$LAB_WS/litterbox"
	chmod g+rwx "$LAB_WS/litterbox"
}

@test "as garfield, cat.py is denied ../secret.txt: Permission denied, no secret" {
	run -0 lab_cat garfield ../secret.txt
	refute_output --partial "$LAB_SECRET"
	assert_output --regexp '^MEOW '
	assert_output --partial "Permission denied"
}

@test "as garfield, cat.py still prints the treasure (control: cat.py really ran)" {
	run -0 lab_cat garfield treasure.txt
	assert_output "$LAB_TREASURE"
}

@test "in the same set-up the owner reads the secret (control: the drop is what protects it)" {
	run -0 lab_cat "$LAB_OWNER" ../secret.txt
	assert_output "$LAB_SECRET"
}
