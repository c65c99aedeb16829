#!/usr/bin/env bats
# grader.bats - self-tests of ./grade on the sample submissions in checks/samples/.
#
# checks/samples/handout/ is a submission written exactly as the handout
# instructs; the others are overlays on it (checks/samples/assemble).
# checks/samples/expected lists the tests each sample must fail; it must pass
# all others.
#
# GRADER_SAMPLES="NAME..." grades only those samples (the mutants use it;
# their Env: lines separate the names with commas).

load ../tests/helpers/lab

ROOT=${LAB_TESTS%/*}
GRADER_SAMPLES=${GRADER_SAMPLES//,/ }
# A test that runs two graders of its own gets more than a test's usual bound
# (lab.bash): in a container, the second waits for the first.
# shellcheck disable=SC2034 # bats reads it
case ${BATS_TEST_NAME:-} in test_two_graders*) BATS_TEST_TIMEOUT=300 ;; esac
SAMPLES=$LAB_TESTS/samples
# shellcheck source=grader/lab.conf
source "$ROOT/grader/lab.conf"

# make_sample NAME DEST: assemble sample NAME as a submission in DEST/NAME.
make_sample() {
	"$SAMPLES/assemble" "$1" "$2"
}

setup() {
	((EUID == 0)) || skip "the grader needs root: run 'sudo make test'"
}

# processes still running under the grader's test accounts' user IDs
grader_processes() {
	ps -eo uid=,pid=,comm= | awk -v lo="$GRADE_UID_BASE" -v hi="$((GRADE_UID_BASE + GRADE_UID_SPAN))" '$1 >= lo && $1 < hi'
}

# no_new_grader_processes BEFORE: no process runs under the test accounts'
# user IDs that was not in BEFORE (grader_processes' output, taken before the
# grading). Another grader on the machine (a container's) may have had some
# then, ended since: that is no leftover of ours.
no_new_grader_processes() {
	local new
	new=$(grader_processes | grep -vxF -f "$1" || true)
	[[ -z $new ]] || fail "$(printf 'processes left under the test accounts'"'"' user IDs:\n%s' "$new")"
}

# grader_files: the files under the test accounts' user IDs in the scratch
# directories, where the hostile samples write whatever they can. Another
# grader on the machine may have had some there before (or one killed
# outright, that never cleaned up): compare with a list taken before.
grader_files() {
	local dirs=(/tmp /var/tmp /dev/shm)
	[[ -d /run/lock ]] && dirs+=(/run/lock)
	find "${dirs[@]}" -xdev -uid +$((GRADE_UID_BASE - 1)) -uid -$((GRADE_UID_BASE + GRADE_UID_SPAN)) 2>/dev/null || true
}

# namespaces_work: the grader can give each submission its namespaces here
# (natively, or in a privileged container); otherwise the container is the
# sandbox.
namespaces_work() {
	# shellcheck disable=SC2086 # the flags are words
	unshare $GRADE_UNSHARE true 2>/dev/null
}

# grader_ipc_objects: the IPC objects of the grader's test accounts' user IDs
# in this IPC namespace (natively the machine's, in a container the
# container's): SysV objects whose owner or creator is one, and POSIX message
# queues. (Files in /dev/shm are files: see the test for files left behind.)
grader_ipc_objects() {
	local lo=$GRADE_UID_BASE hi=$((GRADE_UID_BASE + GRADE_UID_SPAN)) kind
	for kind in shm sem msg; do
		# A header, then an object a line; sem has one column (nsems) between
		# perms and uid, shm and msg four.
		awk -v kind="$kind" -v lo="$lo" -v hi="$hi" 'NR > 1 {
			u = kind == "sem" ? $5 : $8; c = kind == "sem" ? $7 : $10
			if ((u >= lo && u < hi) || (c >= lo && c < hi)) print kind, $2, "uid", u, "creator", c
		}' "/proc/sysvipc/$kind"
	done
	# An mqueue mount shows the queues of the IPC namespace that mounted it,
	# whoever reads it: a fresh one, in a mount namespace of its own where
	# that is allowed, else the container's /dev/mqueue.
	local mq=$BATS_TEST_TMPDIR/mqueue
	mkdir "$mq"
	# shellcheck disable=SC2016 # expanded by the inner shell
	unshare --mount --propagation private sh -c 'mount -t mqueue mqueue "$1" && find "$1" -mindepth 1 -uid +"$2" -uid -"$3"' \
		sh "$mq" $((lo - 1)) "$hi" 2>/dev/null ||
		find /dev/mqueue -mindepth 1 -uid +$((lo - 1)) -uid -"$hi" 2>/dev/null
	rmdir "$mq"
}

# plant_ipc_objects DIR: where submissions get namespaces, IPC objects of
# root's in this (the machine's) IPC namespace, which no submission must see:
# a SysV shared memory segment, semaphore set and message queue, a POSIX
# message queue and a file in /dev/shm. What to remove is written to DIR.
# In a container the container is the sandbox, and its objects are in sight.
plant_ipc_objects() {
	local d=$1
	namespaces_work || return 0
	{
		ipcmk --shmem 4096 --mode 0600
		ipcmk --semaphore 1 --mode 0600
		ipcmk --queue --mode 0600
	} | sed -n -e 's/^Shared memory id: /-m /p' -e 's/^Semaphore id: /-s /p' \
		-e 's/^Message queue id: /-q /p' >"$d/planted"
	echo "/ipc-lab-planted-$$" >"$d/planted-mqueue"
	python3 - "$(<"$d/planted-mqueue")" <<-'PY'
		import ctypes, os, sys
		libc = ctypes.CDLL(None, use_errno=True)
		libc.mq_open.argtypes = [ctypes.c_char_p, ctypes.c_int, ctypes.c_int, ctypes.c_void_p]
		fd = libc.mq_open(sys.argv[1].encode(), os.O_CREAT | os.O_RDWR, 0o600, None)
		if fd == -1:
		    sys.exit(f"mq_open {sys.argv[1]}: {os.strerror(ctypes.get_errno())}")
		os.close(fd)
	PY
	mktemp /dev/shm/ipc-lab-planted.XXXXXX >"$d/planted-file"
}

# unplant_ipc_objects DIR: remove what plant_ipc_objects DIR made.
unplant_ipc_objects() {
	local d=$1
	if [[ -s $d/planted ]]; then
		# shellcheck disable=SC2046 # "-m ID" lines: options and their IDs
		ipcrm $(<"$d/planted")
	fi
	if [[ -s $d/planted-mqueue ]]; then
		python3 -c 'import ctypes, sys; ctypes.CDLL(None).mq_unlink(sys.argv[1].encode())' "$(<"$d/planted-mqueue")"
	fi
	if [[ -s $d/planted-file ]]; then
		rm -f -- "$(<"$d/planted-file")"
	fi
}

# overlay_within NAME DIR: every file that sample NAME replaces, patches or
# removes is under DIR/ (checks/samples/assemble).
overlay_within() {
	local f top=$SAMPLES/$1
	while IFS= read -r -d '' f; do
		case ${f#"$top/"} in
		.patch) sed -n 's/^+++ //p; s/^--- //p' "$f" | grep -qv -e "^[ab]/$2/" -e '^/dev/null' && return 1 ;;
		.remove) grep -qv "^$2/" "$f" && return 1 ;;
		"$2"/*) ;;
		*) return 1 ;;
		esac
	done < <(find "$top" -type f -print0)
	return 0
}

# The class, laid out as a class pipeline's checkout (submissions/ in the
# directory the grader runs in), outside the scratch directories that a
# namespace makes anew: in a container, with the modes of a GitLab docker
# job's clone (umask 0000: every file anyone's to read and write); natively,
# as a course's files often are, anyone's to read. BATS_FILE_TMPDIR/samples
# leads to its submissions.
CLASS_DIR=/var/ipc-lab-class-${BATS_RUN_TMPDIR##*/}

# Second clones of the lab, where an instructor's or a machine's may be: in
# root's home, and, where submissions get namespaces, world-readable under
# /srv, /opt, /home and /var/lib, and in a directory of / under a name of
# the machine's own (as a CI machine's checkouts are); and another class's
# submissions there too (in a container, the container holds nothing but
# the image and what it grades).
second_clones() {
	echo /root/ipc-lab-second-clone
	namespaces_work && echo /srv/ipc-lab-second-clone /opt/ipc-lab-second-clone \
		/home/ipc-lab-second-clone /var/lib/ipc-lab-second-clone /ipc-lab-second-clone \
		/ipc-lab-other-class/submissions/sibling
}

# The clones' paths are the sample's, fixed: self-checks that run side by
# side (the mutants' copies of this file) share them. Each run registers in
# CLONE_USERS under CLONE_LOCK, beside the clones in the same file system
# (not in /run/lock/ipc-lab, which containers on one host may share while
# each has a /root of its own); a clone is planted where nothing is (and
# where the machine has the directory to hold it), and the outermost
# directory made for it listed in CLONE_USERS/planted; the last
# run to leave (runs whose BATS_RUN_TMPDIR is gone are gone) removes what is
# listed there.
CLONE_LOCK=/run/lock/ipc-lab-second-clones.lock
CLONE_USERS=/run/lock/ipc-lab-second-clones.users

plant_second_clones() {
	mkdir -p "${CLONE_LOCK%/*}" || return 1
	(
		flock -x 9 || exit 1
		mkdir -p "$CLONE_USERS" && echo "$BATS_RUN_TMPDIR" >"$CLONE_USERS/${BATS_RUN_TMPDIR##*/}" || exit 1
		for clone in $(second_clones); do
			[[ ! -e $clone ]] || continue
			# The outermost directory made for it: one of the lab's names,
			# never a machine's (a missing /srv stays missing).
			top=$clone
			while [[ -n ${top%/*} && ! -e ${top%/*} ]]; do top=${top%/*}; done
			[[ ${top##*/} == ipc-lab-* ]] || continue
			echo "$top" >>"$CLONE_USERS/planted" && (umask 022 && mkdir -p "$clone") &&
				cp "$SAMPLES/handout/listener.c" "$clone/" && chmod 0644 "$clone/listener.c" || exit 1
		done
	) 9>"$CLONE_LOCK"
}

unplant_second_clones() {
	mkdir -p "${CLONE_LOCK%/*}" || return 1
	(
		flock -x 9 || exit 1
		rm -f -- "$CLONE_USERS/${BATS_RUN_TMPDIR##*/}"
		for user in "$CLONE_USERS"/bats-run-*; do
			[[ -f $user && ! -d $(<"$user") ]] && rm -f -- "$user"
		done
		compgen -G "$CLONE_USERS/bats-run-*" >/dev/null && exit 0
		if [[ -f $CLONE_USERS/planted ]]; then
			while read -r clone; do rm -rf -- "$clone"; done <"$CLONE_USERS/planted"
		fi
		rm -rf -- "$CLONE_USERS"
	) 9>"$CLONE_LOCK"
}

# class_state: what the class's files are (names, modes, owners, contents):
# grading must leave it as it found it.
class_state() {
	(cd "$CLASS_DIR" && find . -printf '%M %u %g %p\n' | LC_ALL=C sort &&
		find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum)
}

# Without root, every test skips (in setup: bats 1.8 cannot skip in setup_file).
setup_file() {
	((EUID == 0)) || return 0
	local dir=$BATS_FILE_TMPDIR/samples name
	mkdir -p "$CLASS_DIR/submissions"
	ln -s "$CLASS_DIR/submissions" "$dir"
	plant_second_clones
	while IFS= read -r name; do
		[[ -z $name || $name == [#$'\t']* ]] && continue
		# Graded with a short time bound, or by two graders at once, in a test of their own.
		[[ $name == timeout-* || $name == hostile-mq-filler ]] && continue
		[[ -z ${GRADER_SAMPLES:-} || " $GRADER_SAMPLES " == *" $name "* ]] || continue
		# An optional part's sample that changes nothing outside its part is
		# the handout on the default parts: graded in its part's class only.
		[[ $name == @(keeper|shm|fifo)-* ]] && overlay_within "$name" "${name%%-*}" && continue
		make_sample "$name" "$dir"
	done <"$SAMPLES/expected"
	if namespaces_work; then
		chmod -R u=rwX,go=rX "$CLASS_DIR"
	else
		chmod -R a+rwX "$CLASS_DIR"
	fi
	class_state >"$BATS_FILE_TMPDIR/class.before"
	sha256sum /etc/passwd /etc/group >"$BATS_FILE_TMPDIR/accounts.sha256"
	grader_processes >"$BATS_FILE_TMPDIR/before.ps"
	grader_files >"$BATS_FILE_TMPDIR/before.files"
	plant_ipc_objects "$BATS_FILE_TMPDIR"
	plant_host_services "$BATS_FILE_TMPDIR"
	# One class, graded in parallel, with every output the grader writes,
	# from the class's directory.
	(cd "$CLASS_DIR" && "$ROOT/grade" --jobs 2 --csv "$BATS_FILE_TMPDIR/class.csv" \
		--results "$BATS_FILE_TMPDIR/results" --junit "$BATS_FILE_TMPDIR/junit.xml" \
		"$dir"/*) >"$BATS_FILE_TMPDIR/report" 2>"$BATS_FILE_TMPDIR/stderr" &&
		echo 0 >"$BATS_FILE_TMPDIR/status" || echo $? >"$BATS_FILE_TMPDIR/status"
	class_state >"$BATS_FILE_TMPDIR/class.after"
	# The optional parts' classes, here rather than in their tests: in a
	# container the grader takes one submission at a time, longer than a
	# test's time bound. One grader at a time: the machine's two cores are
	# busy enough with one, and a grade must never depend on the load.
	grade_part_samples keeper "$BATS_FILE_TMPDIR/keeper"
	grade_part_samples shm "$BATS_FILE_TMPDIR/shm"
	grade_part_samples fifo "$BATS_FILE_TMPDIR/fifo"
}

teardown_file() {
	unplant_ipc_objects "$BATS_FILE_TMPDIR"
	unplant_host_services "$BATS_FILE_TMPDIR"
	unplant_second_clones
	rm -rf -- "$CLASS_DIR"
}

# The machine's services a probe must not reach, and where it must not
# write: stand-ins, made where nothing is there yet (and only those removed
# after), each a UNIX socket any user may connect to, served by one Python
# process that logs every connection in DIR/services.log, with the user ID
# of the process that made it (the machine's own programs log to /dev/log
# too); and directories any user may write to, sticky as /var/crash is and
# not, each holding a file of "another submission's". Some are in a tree
# student code sees (/dev, /run), some in one a namespace hides whole
# (/var/lib). The names outside /run are this run's own (graders'
# self-checks may run side by side).
HOST_TAG=${BATS_RUN_TMPDIR##*/}
HOST_SOCKET=/dev/ipc-lab-probe-$HOST_TAG.sock
HOST_HIDDEN_SOCKET=/var/lib/ipc-lab-probe-$HOST_TAG/service.sock
HOST_SERVICES=(/run/dbus/system_bus_socket /dev/log /run/systemd/resolve/io.systemd.Resolve
	"$HOST_SOCKET" "$HOST_HIDDEN_SOCKET")
HOST_DROPS=("/dev/ipc-lab-drop-$HOST_TAG" "/dev/ipc-lab-share-$HOST_TAG")
HOST_HIDDEN_DROPS=("/var/lib/ipc-lab-share-$HOST_TAG")

# plant_host_services DIR: where submissions get namespaces (in a container
# the container is the sandbox), start the stand-ins; what to remove goes to
# DIR/planted-services and DIR/planted-dirs, the server's PID to DIR/services.pid.
plant_host_services() {
	local d=$1 path dir
	namespaces_work || return 0
	: >"$d/planted-services" && : >"$d/planted-dirs" && : >"$d/services.log"
	for path in "${HOST_SERVICES[@]}"; do
		[[ -e $path || -L $path ]] && continue
		dir=${path%/*}
		while [[ ! -d $dir ]]; do
			echo "$dir" >>"$d/planted-dirs"
			dir=${dir%/*}
		done
		mkdir -p "${path%/*}"
		echo "$path" >>"$d/planted-services"
	done
	local mode=1777
	for dir in "${HOST_DROPS[@]}" "${HOST_HIDDEN_DROPS[@]}"; do
		mkdir -m "$mode" "$dir" && echo "$dir" >>"$d/planted-dirs" &&
			echo "a file of another submission's" >"$dir/left-by-another-submission"
		mode=0777
	done
	# Bound and listening before it returns; then it serves in the background.
	local -a planted
	mapfile -t planted <"$d/planted-services"
	python3 - "$d/services.log" "${planted[@]}" >"$d/services.pid" 3>&- <<-'PY'
		import os, selectors, socket, sys
		log, paths = sys.argv[1], sys.argv[2:]
		sel = selectors.DefaultSelector()
		for p in paths:
		    s = socket.socket(socket.AF_UNIX)
		    s.bind(p)
		    os.chmod(p, 0o666)
		    s.listen(16)
		    sel.register(s, selectors.EVENT_READ, p)
		pid = os.fork()
		if pid:
		    print(pid)
		    sys.exit(0)
		os.setsid()
		null = os.open(os.devnull, os.O_RDWR)
		for fd in (0, 1, 2):
		    os.dup2(null, fd)
		while True:
		    for key, _ in sel.select():
		        conn, _ = key.fileobj.accept()
		        cred = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12)
		        uid = int.from_bytes(cred[4:8], sys.byteorder)
		        with open(log, "a") as f:
		            f.write(f"connection to {key.data} from uid {uid}\n")
		        # Closed once logged: a client that reads to the end knows its line is there.
		        conn.close()
	PY
}

# unplant_host_services DIR: stop the stand-ins, remove what plant_host_services made.
unplant_host_services() {
	local d=$1 path
	[[ -s $d/services.pid ]] && kill "$(<"$d/services.pid")" 2>/dev/null
	if [[ -s $d/planted-services ]]; then
		while read -r path; do rm -f -- "$path"; done <"$d/planted-services"
	fi
	if [[ -s $d/planted-dirs ]]; then
		while read -r path; do rm -rf -- "$path"; done <"$d/planted-dirs"
	fi
	return 0
}

class_size() {
	find "$BATS_FILE_TMPDIR/samples/" -mindepth 1 -maxdepth 1 | wc -l
}

# expect_scores GLOB...: each graded sample whose name matches a GLOB failed
# exactly the tests checks/samples/expected lists for it, among the tests it
# was graded on, and passed all others (per test, from its results.json); its
# CSV row agrees. The class graded in setup_file; expect_scores_in DIR GLOB...
# reads the class graded in DIR (samples/, class.csv, results, report).
expect_scores() {
	expect_scores_in "$BATS_FILE_TMPDIR" "$@"
}

expect_scores_in() {
	local dir=$1
	shift
	run python3 - "$SAMPLES/expected" "$dir" "$@" <<'PY'
import csv, fnmatch, json, os, sys
expected_file, tmp, globs = sys.argv[1], sys.argv[2], sys.argv[3:]
expected, name = {}, None
for line in open(expected_file, encoding="utf-8"):
    line = line.rstrip("\n")
    if not line or line.startswith("#"):
        continue
    if line.startswith("\t"):
        expected[name].add(line[1:])
    else:
        name = line
        expected[name] = set()
rows = {os.path.basename(r["submission"]): r
        for r in csv.DictReader(open(os.path.join(tmp, "class.csv"), encoding="utf-8"))}
wrong, n = [], 0
for name, fails in expected.items():
    if not any(fnmatch.fnmatchcase(name, g) for g in globs):
        continue
    if not os.path.isdir(os.path.join(tmp, "samples", name)):
        continue
    n += 1
    # One submission graded: --results names the file itself.
    path = os.path.join(tmp, "results")
    if os.path.isdir(path):
        path = os.path.join(path, name + ".json")
    result = json.load(open(path, encoding="utf-8"))
    got = {t["name"] for t in result["tests"] if t["status"] != "passed"}
    fails &= {t["name"] for t in result["tests"]}
    for t in sorted(fails - got):
        wrong.append(f"{name}: expected to fail, passed: {t}")
    for t in sorted(got - fails):
        wrong.append(f"{name}: failed, expected to pass: {t}")
    row = rows.get(name)
    if row is None or int(row["total"]) != result["score"]:
        wrong.append(f"{name}: the CSV row {row} disagrees with results.json's score {result['score']}")
if n == 0:
    wrong.append(f"no sample matches {' '.join(globs)}")
print("\n".join(wrong))
sys.exit(1 if wrong else 0)
PY
	((status == 0)) || fail "$(printf 'per-test results differ from checks/samples/expected:\n%s\n\nreport:\n' "$output"; cat "$dir/report")"
}

@test "the reference solution gets 25/25 and exit status 0" {
	run -0 "$ROOT/grade" "$ROOT"
	assert_line "Total: 25/25"
}

@test "the handout's own solution (printf in handlers, signal(), pause()) gets full marks" {
	expect_scores handout
}

@test "broken submissions lose exactly the points of what is broken" {
	expect_scores '[!h]*' hardcoded-answers
}

@test "a listener with one defect loses the tests of that defect and no others" {
	expect_scores 'listener-*' hostile-ignores-signals swapped-codes
}

@test "hostile submissions lose their points and the grader carries on" {
	expect_scores 'hostile-*'
}

@test "results forged in student output count for nothing, even when time runs out before the tests they name" {
	[[ -z ${GRADER_SAMPLES:-} || " $GRADER_SAMPLES " == *" timeout-forges-results "* ]] ||
		skip "timeout-forges-results is not among GRADER_SAMPLES"
	local d=$BATS_TEST_TMPDIR
	mkdir "$d/samples"
	make_sample timeout-forges-results "$d/samples"
	# The bound stops the lane whose compile never ends. It leaves the
	# directions (first in the other lane, or in a container's one) ample
	# time to run make, whose output forges the results: a loaded machine
	# must not keep the forgery from the grader.
	GRADE_SUBMISSION_BOUND=40 run -1 "$ROOT/grade" --csv "$d/class.csv" --results "$d/results" \
		"$d/samples/timeout-forges-results"
	printf '%s\n' "$output" >"$d/report"
	assert_output --partial "did not finish within 40 s"
	expect_scores_in "$d" 'timeout-*'
	# Control: the forged lines did reach the grader, in make's output.
	run -0 grep -cF -e "ok 6 listener.c compiles" -e "ok 16 in the same set-up the owner reads the secret" \
		"$d/report"
	assert_output 2
}

@test "a part past its time bound costs its own tests only: the parts after it in its lane still run" {
	[[ -z ${GRADER_SAMPLES:-} || " $GRADER_SAMPLES " == *" timeout-slow-listener "* ]] ||
		skip "timeout-slow-listener is not among GRADER_SAMPLES"
	# The handout's solution, but for timeout-forges-results' listener.c,
	# whose compile never ends: the directions' make and Part 1's suite run
	# past a bound of 15 s a part. Part 2's suites, after them in their
	# lanes (in a container, all in one), still run and pass.
	local d=$BATS_TEST_TMPDIR
	mkdir "$d/samples"
	make_sample handout "$d/samples"
	mv "$d/samples/handout" "$d/samples/timeout-slow-listener"
	cp "$SAMPLES/timeout-forges-results/listener.c" "$d/samples/timeout-slow-listener/"
	GRADE_PART_BOUND=15 run -1 "$ROOT/grade" --csv "$d/class.csv" --results "$d/results" \
		"$d/samples/timeout-slow-listener"
	printf '%s\n' "$output" >"$d/report"
	assert_output --partial "no result was reported for this test: Part 1: signal listener did not finish within 15 s and was stopped"
	refute_output --partial "the submission did not finish"
	expect_scores_in "$d" 'timeout-slow-*'
}

@test "an untouched starter earns nothing in Part 1, Part 2 or any optional part" {
	[[ -z ${GRADER_SAMPLES:-} || " $GRADER_SAMPLES " == *" starter "* ]] ||
		skip "starter is not among GRADER_SAMPLES"
	local d=$BATS_TEST_TMPDIR all
	all=$(python3 -c 'import json, sys; print(",".join(json.load(open(sys.argv[1]))["parts"]))' "$ROOT/grader/rubric.json")
	"$ROOT/platforms/ship" starter "$d/starter" --parts "$all" >/dev/null
	run -1 "$ROOT/grade" --parts "$all" --results "$d/results.json" "$d/starter"
	run -0 python3 -c 'import json, sys
for t in json.load(open(sys.argv[1]))["tests"]:
    if t["status"] == "passed":
        print(t["name"])' "$d/results.json"
	# What the starter itself did: Part 0's layout, which a course grades
	# only when it names the directions (docs/instructors.md).
	assert_output "$(printf '%s\n' "the required files are present" ".gitignore ignores the build outputs" \
		"the CI config runs every test, none commented out" "secret.txt and litterbox/treasure.txt hold the handout's text")"
}

@test "student code runs under the grader's unprivileged accounts, never as root" {
	expect_scores probe-identity
	# The probe prints its identity; the report quotes it for the failed tests.
	run -0 grep -o 'probe: uid=[0-9]*' "$BATS_FILE_TMPDIR/report"
	refute_line "probe: uid=0"
	local uid
	uid=$(sed -n 's/^probe: uid=//p' <<<"$output" | head -1)
	((uid >= GRADE_UID_BASE && uid < GRADE_UID_BASE + GRADE_UID_SPAN)) ||
		fail "expected: the probe to run under a test account's user ID; actual: uid=$uid"
}

@test "student code can read neither the grader's tests nor its rubric" {
	expect_scores probe-identity
	# The probe lists every suite or rubric it can read, wherever it is. The
	# grader's own: its tree (ROOT) and the copy it runs (ipc-grade.*/tests).
	# In a namespace the tree is hidden whole; in a container, closed to
	# other users while the grader runs (a checkout of the lab there, as in
	# the pipeline's test job, is anyone's to read otherwise).
	run -0 grep -o 'probe: [a-z]* .*' "$BATS_FILE_TMPDIR/report"
	assert_line --regexp '^probe: searched [1-9][0-9]* directories'
	refute_line --regexp '^probe: read .*/ipc-grade\.[^/]*/'
	refute_line --partial "probe: read $ROOT/"
}

@test "student code reads no other submission of its class or of another, and changes nothing in the class" {
	expect_scores hostile-borrows-sibling hostile-plants-artifacts
	# One sample looks for another's listener.c wherever it may read, to
	# build it as its own and to rewrite it; the other plants forged
	# results in every directory that looks like the class's checkout or
	# the grader's. The class (CLASS_DIR, the directory the grader ran in)
	# is anyone's to read, and in a container anyone's to write: natively,
	# a namespace hides it, and with it every directory of the machine's
	# own (another class's submissions, second_clones); in a container, the
	# grader closes it to other users while it grades, and gives its modes
	# back after.
	run -0 grep -o 'probe: .*' "$BATS_FILE_TMPDIR/report"
	assert_line --regexp '^probe: searched [1-9][0-9]* directories, borrowed 0, rewrote 0$'
	refute_line --partial "probe: borrowed "
	refute_line --partial "probe: planted "
	run -0 diff "$BATS_FILE_TMPDIR/class.before" "$BATS_FILE_TMPDIR/class.after"
	# Control: outside the sandbox, an unprivileged account reads a sibling,
	# and another class's submission where there is one.
	local sub
	for sub in "$CLASS_DIR/submissions/handout" $(second_clones | grep /submissions/); do
		run -0 setpriv --reuid=65534 --regid=65534 --clear-groups head -c 64 "$sub/listener.c"
		assert_output --partial "#include"
	done
}

@test "student code reaches no other clone of the lab on the machine" {
	expect_scores hostile-second-clone
	# Its listener.c includes the reference of a second clone, from root's
	# home or, natively, from /srv, /opt, /home, /var/lib or a directory of
	# / (second_clones: planted there, anyone's to read); none is in its
	# reach, so it does not compile: hidden, or (root's home, in a
	# container) not to be opened.
	run -0 grep -cE "no other clone of the lab in reach|ipc-lab-second-clone/listener.c: Permission denied" \
		"$BATS_FILE_TMPDIR/report"
	# Control: outside the sandbox, an unprivileged account reads the
	# world-readable ones (those the machine had room for).
	local clone
	for clone in $(second_clones); do
		[[ $clone == /root/* || ! -d $clone ]] && continue
		run -0 setpriv --reuid=65534 --regid=65534 --clear-groups head -c 64 "$clone/listener.c"
	done
}

@test "student code can open no network socket, only AF_UNIX ones, and the report says so" {
	expect_scores hostile-network
	# The probe, asked for the treasure, prints what its socket() calls got
	# (the report quotes it for the failed treasure tests). Natively there is
	# a fresh network namespace as well; in a container the filter is alone
	# (.ci/run proves it there, with a listener on the container's loopback).
	run -0 grep -o 'probe: .*' "$BATS_FILE_TMPDIR/report"
	assert_line "probe: socket(AF_INET) for an outside address: [Errno 13] Permission denied"
	assert_line "probe: socket(AF_INET6) for an outside address: [Errno 13] Permission denied"
	assert_line "probe: socketpair(AF_UNIX): works"
	refute_line --partial "probe: connected"
	refute_line --partial "created"
}

@test "student code reaches no service of the machine and leaves nothing in its world-writable directories" {
	expect_scores hostile-host-services
	# The probe, asked for the treasure, connects to the machine's services
	# by their sockets and writes into every world-writable directory it
	# finds (the report quotes it for the failed treasure tests). Natively,
	# stand-ins listen where the machine has none (plant_host_services): the
	# probe is refused, while an unprivileged account outside the sandbox
	# reaches each of them (the control below); /run is an empty tmpfs in
	# the sandbox, other sockets and world-writable directories in the trees
	# it sees are hidden, and the trees of the machine's own (/var/lib) are
	# out of its sight whole. In a container, the container is the sandbox.
	run -0 grep -o 'probe: .*' "$BATS_FILE_TMPDIR/report"
	assert_line "probe: own socket: works"
	refute_line --regexp '^probe: connect .*: connected$'
	refute_line --partial "probe: saw "
	namespaces_work || return 0
	assert_line "probe: connect /run/dbus/system_bus_socket: [Errno 2] No such file or directory"
	assert_line "probe: connect /run/systemd/resolve/io.systemd.Resolve: [Errno 2] No such file or directory"
	assert_line --regexp '^probe: connect /dev/log: \[Errno (2|111)\] '
	assert_line "probe: connect $HOST_SOCKET: [Errno 111] Connection refused"
	# No test account reached the stand-ins, and nothing was left on the machine.
	local reached
	reached=$(awk -v lo="$GRADE_UID_BASE" -v hi="$((GRADE_UID_BASE + GRADE_UID_SPAN))" \
		'$NF >= lo && $NF < hi' "$BATS_FILE_TMPDIR/services.log")
	[[ -z $reached ]] || fail "expected: no connection to the machine's services; actual: $reached"
	local dir
	refute_line --partial "$HOST_HIDDEN_SOCKET"
	for dir in "${HOST_DROPS[@]}"; do
		assert_line "probe: wrote into $dir"
	done
	for dir in "${HOST_HIDDEN_DROPS[@]}"; do
		refute_line --partial "$dir"
	done
	for dir in "${HOST_DROPS[@]}" "${HOST_HIDDEN_DROPS[@]}"; do
		run -0 ls -A "$dir"
		assert_output "left-by-another-submission"
	done
	# Control: outside the sandbox, an unprivileged account reaches each
	# stand-in, and waits (bounded) for it to close: its line is logged by then.
	local path
	[[ -s $BATS_FILE_TMPDIR/planted-services ]] || fail "our set-up planted no stand-in service"
	while read -r path; do
		setpriv --reuid=65534 --regid=65534 --clear-groups /usr/bin/python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.settimeout(30)
s.connect(sys.argv[1])
s.recv(1)' "$path" || fail "the control could not reach $path, or was not let go"
	done <"$BATS_FILE_TMPDIR/planted-services"
	run -0 grep -c ' from uid 65534$' "$BATS_FILE_TMPDIR/services.log"
	assert_output "$(wc -l <"$BATS_FILE_TMPDIR/planted-services")"
}

@test "a submission's memory is bounded whole: a hog loses its points, the machine and the others nothing" {
	[[ -d $BATS_FILE_TMPDIR/samples/hostile-memory-hog ]] || skip "hostile-memory-hog is not among GRADER_SAMPLES"
	expect_scores hostile-memory-hog
	# The hog takes 4.4 GiB in five processes: where the grader can make a
	# control group, the kernel ends them within the submission's, and its
	# report says so; where it cannot, the grader said that once. Every
	# other sample of the class scored as expected beside it (the class tests).
	if grep -q "no control group can be made here" "$BATS_FILE_TMPDIR/stderr"; then
		run grep -c "reached its memory bound" "$BATS_FILE_TMPDIR/report"
		assert_output 0
	else
		run -0 sed -n '/^== .*\/hostile-memory-hog$/,/^== /p' "$BATS_FILE_TMPDIR/report"
		assert_line --regexp '^  note: the submission reached its memory bound of 2048 MiB: the kernel ended [1-9][0-9]* of its processes$'
	fi
}

@test "a submission's disk is bounded whole: a filler loses its points, the machine and the others nothing" {
	[[ -d $BATS_FILE_TMPDIR/samples/hostile-disk-filler ]] || skip "hostile-disk-filler is not among GRADER_SAMPLES"
	expect_scores hostile-disk-filler
	# The filler writes files until 10 GB or a million (1 GB where make
	# builds): natively every place it may write is a tmpfs of the
	# submission's, bounded, and full in moments.
	# In a container the per-process file size limit and the time bounds
	# are all there is (docs/instructors.md).
	namespaces_work || return 0
	run -0 grep -o 'probe: .*' "$BATS_FILE_TMPDIR/report"
	refute_line --regexp '^probe: .* took [0-9]+ files'
	local place
	for place in . /tmp /var/tmp /dev/shm; do
		assert_line --regexp "^probe: $place full after [0-9]+ files, [0-9]+ MiB: No space left on device\$"
	done
}

@test "student code sees no IPC object of another test, another submission or the machine" {
	expect_scores hostile-ipc-litter
	# Each run of the probe leaves one IPC object of each kind, and names
	# every one it sees that it did not make; asked for the missing file, it
	# says what it made (the report quotes it for that failed test). It runs
	# as each test account, in test after test: what one test left, the next
	# would see. Where submissions get namespaces, root's objects planted in
	# the machine's IPC namespace (plant_ipc_objects) are out of its sight
	# too; in a container, the container is the sandbox.
	run -0 grep -o 'probe: .*' "$BATS_FILE_TMPDIR/report"
	assert_line --regexp '^probe: made shm [0-9]+ \(handed to uid 0\), sem [0-9]+, msg [0-9]+, mqueue /litter-[0-9]+, /dev/shm/litter-[0-9]+$'
	assert_line "probe: sees no IPC object it did not make"
	refute_line --partial "which it did not make"
	if namespaces_work; then
		[[ -s $BATS_FILE_TMPDIR/planted ]] || fail "expected: IPC objects planted for the probe to miss; actual: none"
	fi
}

@test "grading leaves no IPC object of the test accounts behind" {
	# The probe's objects: SysV ones (one handed over to root, still with a
	# test account as its creator) and POSIX message queues. Natively each
	# namespace took its own along; in a container, the clean-up after each
	# test removed them.
	run -0 grader_ipc_objects
	assert_output ""
}

@test "a submission's accounts stay in place while the machine replaces its account files" {
	[[ -z ${GRADER_SAMPLES:-} || " $GRADER_SAMPLES " == *" handout "* ]] ||
		skip "handout is not among GRADER_SAMPLES"
	namespaces_work || skip "no namespaces here: the container's /etc is the sandbox's"
	local d=$BATS_TEST_TMPDIR
	make_sample handout "$d"
	# In a mount namespace of our own, on a copy of /etc: the grader runs
	# there while a loop renames fresh copies of the account files over
	# /etc's, as useradd and passwd do, until the grading ends.
	# shellcheck disable=SC2016 # expanded by the inner shell
	run unshare --mount --propagation private bash -c '
		etc=$(mktemp -d) && mount -t tmpfs tmpfs "$etc" && cp -a /etc/. "$etc/" &&
			mount --bind "$etc" /etc && umount "$etc" && rmdir "$etc" || exit 3
		"$1" --parts part2 "$2" >"$3" 2>&1 &
		grader=$!
		renames=0
		while kill -0 "$grader" 2>/dev/null; do
			for f in passwd group shadow gshadow; do
				cp -p "/etc/$f" "/etc/$f.ipc-lab" && mv -f "/etc/$f.ipc-lab" "/etc/$f"
			done
			renames=$((renames + 1))
			sleep 0.02 # ok-sleep: the pace of the renames, not synchronisation
		done
		wait "$grader"
		status=$?
		echo "renames: $renames"
		exit "$status"' _ "$ROOT/grade" "$d/handout" "$d/report"
	((status == 0)) || fail "$(printf 'expected: 10/10 while the account files were replaced; actual: status %s, %s\n%s' "$status" "$output" "$(grep -v PASS "$d/report")")"
	[[ $output =~ renames:\ ([0-9]+) ]] && ((BASH_REMATCH[1] >= 10)) ||
		fail "expected: the account files replaced again and again while grading; actual: $output"
}

@test "a class with points lost exits 1 and reports every submission" {
	[[ $(<"$BATS_FILE_TMPDIR/status") == 1 ]] || fail "expected exit status 1, got $(<"$BATS_FILE_TMPDIR/status"): $(cat "$BATS_FILE_TMPDIR/stderr")"
	run -0 grep -c '^Total: ' "$BATS_FILE_TMPDIR/report"
	assert_output "$(class_size)"
	run -0 cat "$BATS_FILE_TMPDIR/report" "$BATS_FILE_TMPDIR/stderr"
	refute_output --partial Traceback
}

@test "grading leaves no process, no file and no account behind" {
	no_new_grader_processes "$BATS_FILE_TMPDIR/before.ps"
	sha256sum --quiet --check "$BATS_FILE_TMPDIR/accounts.sha256"
	local new
	new=$(grader_files | grep -vxF -f "$BATS_FILE_TMPDIR/before.files" || true)
	[[ -z $new ]] || fail "$(printf 'files left under the test accounts'"'"' user IDs:\n%s' "$new")"
}

@test "results.json follows Gradescope's schema and stays well under 1 MB" {
	run -0 python3 - "$ROOT/grader/rubric.json" "$BATS_FILE_TMPDIR"/results/*.json <<'PY'
import json, os, sys
rubric = json.load(open(sys.argv[1]))
# The class is graded on the default parts.
graded = [t for t in rubric["tests"] if t["part"] in rubric["default_parts"]]
for path in sys.argv[2:]:
    assert os.path.getsize(path) < 256 * 1024, f"{path}: {os.path.getsize(path)} bytes"
    r = json.load(open(path))
    assert isinstance(r["score"], int) and isinstance(r["execution_time"], float), path
    assert isinstance(r["output"], str), path
    assert sum(t["score"] for t in r["tests"]) == r["score"], path
    assert len(r["tests"]) == len(graded), path
    for t in r["tests"]:
        assert set(t) == {"name", "score", "max_score", "status", "output", "tags"}, t
        assert t["status"] in ("passed", "failed"), t
        assert len(t["tags"]) == 1 and t["tags"][0] in rubric["parts"], t
print(len(sys.argv) - 2)
PY
	assert_output "$(class_size)"
}

@test "the JUnit report is well-formed, with a test case per rubric test graded" {
	run -0 python3 -c '
import json, sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
rubric = json.load(open(sys.argv[2]))
graded = [t for t in rubric["tests"] if t["part"] in rubric["default_parts"]]
suites = root.findall("testsuite")
assert root.tag == "testsuites" and suites
for s in suites:
    assert len(s.findall("testcase")) == len(graded)
    assert int(s.get("failures")) == len(s.findall("testcase/failure"))
print(len(suites))' "$BATS_FILE_TMPDIR/junit.xml" "$ROOT/grader/rubric.json"
	assert_output "$(class_size)"
}

@test "bad input gets a clear message and a grade, never a traceback" {
	local d=$BATS_TEST_TMPDIR
	mkdir "$d/empty"
	touch "$d/a-file"
	make_sample handout "$d"
	cp -a "$d/handout" "$d/binary"
	mv "$d/handout" "$d/huge"
	head -c 4096 /dev/urandom >"$d/binary/cat.py"
	truncate -s 100M "$d/huge/listener.c"
	# A full-marks submission with a tree deeper than Python's recursion
	# limit, names that are not UTF-8 or that hold a newline, a FIFO and a
	# device node: each noted on a line of its own, and graded.
	make_sample handout "$d"
	mv "$d/handout" "$d/odd"
	local deep=$d/odd i
	for ((i = 0; i < 1100; i++)); do deep+=/d; done
	mkdir -p "$deep"
	mkfifo "$d/odd/"$'x\nTotal: 99' "$d/odd/"$'fifo\xff'
	mknod "$d/odd/null" c 1 3
	touch "$d/odd/"$'name\xfe.txt'
	# A path that is no submission is not graded (exit 2); the rest are.
	run -2 "$ROOT/grade" --jobs 2 --csv "$d/bad.csv" "$d/no-such-dir" "$d/a-file" "$d/empty" "$d/binary" "$d/huge" "$d/odd"
	refute_output --partial Traceback
	refute_line "Total: 99"
	assert_output --partial 'note: x\nTotal: 99: not a regular file, not copied'
	assert_output --partial 'note: fifo\xff: not a regular file, not copied'
	assert_output --partial 'note: null: not a regular file, not copied'
	assert_output --regexp 'note: (d/)+d: over [0-9]+ directories deep, not copied'
	
	assert_output --partial "NOT GRADED: $d/no-such-dir: no such directory"
	assert_output --partial "NOT GRADED: $d/a-file: not a directory"
	assert_output --partial "empty: the directory is empty"
	assert_output --partial "listener.c: 104857600 bytes, over the 1048576-byte limit"
	run -0 cat "$d/bad.csv"
	assert_line "$d/no-such-dir,,,,,not graded"
	assert_line "$d/a-file,,,,,not graded"
	assert_line "$d/empty,0,0,0,0,graded"
	assert_line --regexp "^$d/binary,5,10,[0-2],[0-9]+,graded$"
	assert_line --regexp "^$d/huge,[0-5],0,10,[0-9]+,graded$"
	assert_line "$d/odd,5,10,10,25,graded"
}

# grade_broken_grader FILE TEXT: grade the handout sample with a copy of the
# grader whose FILE (relative to the lab) is replaced by the script TEXT.
# Sets status and output, and writes every output to BATS_TEST_TMPDIR.
grade_broken_grader() {
	local d=$BATS_TEST_TMPDIR lab=$BATS_TEST_TMPDIR/lab
	mkdir "$lab"
	cp -a "$ROOT/grade" "$ROOT/grader" "$ROOT/tests" "$lab/"
	printf '#!/usr/bin/env bash\n%s\n' "$2" >"$lab/$1"
	make_sample handout "$d"
	run "$lab/grade" --csv "$d/grades.csv" --results "$d/results.json" \
		--junit "$d/junit.xml" "$d/handout"
}

# assert_not_graded REASON: the last grade_broken_grader reported "not
# graded" for REASON in every output, exit 2, and no score anywhere.
assert_not_graded() {
	local d=$BATS_TEST_TMPDIR
	((status == 2)) || fail "expected: exit status 2 (not graded); actual: $status"$'\n'"$output"
	assert_output --partial "NOT GRADED: $1"
	assert_line "Total: not graded"
	refute_output --regexp "Total: [0-9]"
	refute_output --partial Traceback
	run -0 cat "$d/grades.csv"
	assert_line "$d/handout,,,,,not graded"
	run -0 python3 - "$d/results.json" "$d/junit.xml" "$1" <<'PY'
import json, sys, xml.etree.ElementTree as ET
r = json.load(open(sys.argv[1]))
assert "score" not in r and r["tests"] == [], r
assert sys.argv[3] in r["output"], r["output"]
suite = ET.parse(sys.argv[2]).getroot().find("testsuite")
assert suite.findall("testcase/failure") == [], "failures reported"
assert len(suite.findall("testcase/error")) == int(suite.get("errors")) > 0, "no errors"
PY
}

@test "a sandbox that cannot be set up means 'not graded', never a score" {
	grade_broken_grader grader/sandbox.sh 'echo "Bail out! sandbox: cannot mount a tmpfs on /tmp"; exit 3'
	assert_not_graded "the sandbox could not be set up: Bail out! sandbox: cannot mount a tmpfs on /tmp"
}

@test "suites that do not start mean 'not graded', never a score" {
	grade_broken_grader grader/sandbox.sh 'echo "bats: command not found"; exit 127'
	assert_not_graded "our test suites did not start (status 127): bats: command not found"
}

@test "missing grading tools mean 'not graded', never a score" {
	grade_broken_grader grader/deps.sh 'echo "deps: missing bats" >&2; exit 2'
	assert_not_graded "the test tools are missing"
}

@test "--parts grades the chosen parts only, and every output follows them" {
	local d=$BATS_TEST_TMPDIR
	make_sample listener-spins "$d"
	run -1 "$ROOT/grade" --parts part1 --csv "$d/g.csv" --results "$d/r.json" --junit "$d/j.xml" "$d/listener-spins"
	assert_line "Part 1: signal listener: 9/10"
	assert_line "Total: 9/10"
	refute_output --partial "Part 2"
	refute_output --partial "Submission directions"
	# Only the part's suites ran: no results came for tests of other parts.
	refute_output --partial "results for unknown tests"
	run -0 cat "$d/g.csv"
	assert_line "submission,part1,total,status"
	assert_line "$d/listener-spins,9,9,graded"
	run -0 python3 - "$d/r.json" "$d/j.xml" <<'PY'
import json, sys, xml.etree.ElementTree as ET
r = json.load(open(sys.argv[1]))
assert {tag for t in r["tests"] for tag in t["tags"]} == {"part1"}, r["tests"]
assert len(r["tests"]) == 5 and r["score"] == 9, r
cases = ET.parse(sys.argv[2]).getroot().findall("testsuite/testcase")
assert len(cases) == 5 and all(c.get("classname").startswith("part1.") for c in cases)
PY
	run -2 "$ROOT/grade" --parts part1,nosuch "$d/listener-spins"
	assert_output --partial "no such part: nosuch"
}

@test "SIGTERM stops grading at once: every sandbox killed, nothing left, the rest not graded" {
	[[ -z ${GRADER_SAMPLES:-} || " $GRADER_SAMPLES " == *" hostile-hanging-make "* ]] ||
		skip "hostile-hanging-make is not among GRADER_SAMPLES"
	local d=$BATS_TEST_TMPDIR pid i rc=0
	make_sample hostile-hanging-make "$d"
	make_sample listener-spins "$d"
	sha256sum /etc/passwd /etc/group >"$d/accounts.sha256"
	grader_processes >"$d/before.ps"
	"$ROOT/grade" --csv "$d/class.csv" "$d/hostile-hanging-make" "$d/listener-spins" \
		>"$d/report" 2>"$d/stderr" &
	pid=$!
	# A sandbox runs (not the probe): its make hangs for 20 s. The sandbox
	# leads a process group of its own.
	local sandbox=
	for ((i = 0; i < 300; i++)); do
		sandbox=$(pgrep -P "$pid" -f 'sandbox\.sh /') && break
		sleep 0.1 # ok-sleep: poll interval of a bounded wait on a real condition
	done
	[[ -n $sandbox ]] || fail "no sandbox started within 30 s: $(cat "$d/stderr")"
	# Its working directory, the word after sandbox.sh (natively, the
	# sandbox runs under unshare, whose command line holds it too).
	local work
	work=$(ps -o args= -p "$sandbox" | sed -n 's/.*sandbox\.sh \([^ ]*\).*/\1/p')
	[[ $work == */ipc-grade.* ]] || fail "cannot tell the sandbox's working directory: $(ps -o args= -p "$sandbox")"
	kill -TERM "$pid"
	for ((i = 0; i < 100; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1 # ok-sleep: poll interval of a bounded wait on a real condition
	done
	kill -0 "$pid" 2>/dev/null && fail "the grader was still running 10 s after SIGTERM"
	wait "$pid" || rc=$?
	# Whatever the grader left is stopped here, whatever the verdict, so
	# that no later test meets it.
	local left=no
	# SIGKILLed processes may take a moment to be gone: a bounded wait.
	for ((i = 0; i < 50; i++)); do
		kill -0 -- "-$sandbox" 2>/dev/null || break
		sleep 0.1 # ok-sleep: poll interval of a bounded wait on a real condition
	done
	if kill -0 -- "-$sandbox" 2>/dev/null; then
		left=yes
		kill -KILL -- "-$sandbox"
	fi
	if [[ -e $work ]]; then
		rm -rf -- "$work"
		fail "the grader left its working directory $work"
	fi
	[[ $left == no ]] || fail "the grader exited and left its sandbox running"
	# In a container, the sandbox's accounts are the container's own: the
	# grader removes them after killing it, and whatever ran under them.
	no_new_grader_processes "$d/before.ps"
	sha256sum --quiet --check "$d/accounts.sha256" ||
		fail "the grader left accounts behind: $(grep -E '^(ipc-|garfield|nermal)' /etc/passwd)"
	[[ $rc == 143 ]] || fail "expected exit status 143 (128 + SIGTERM), got $rc: $(cat "$d/stderr")"
	run -0 grep -c ',not graded$' "$d/class.csv"
	assert_output 2
	run -0 cat "$d/stderr"
	assert_output --partial "stopped by SIGTERM: 0 of 2 submissions were graded"
}

# part_points PART: what PART is worth, from the rubric.
part_points() {
	python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["parts"][sys.argv[2]]["points"])' \
		"$ROOT/grader/rubric.json" "$1"
}

# grade_part_samples PART DIR: the handout sample and the PART-* samples
# (those GRADER_SAMPLES names, when set), graded on the optional PART alone,
# in DIR. When GRADER_SAMPLES names no PART-* sample, the part's class is
# not graded at all (its test skips).
grade_part_samples() {
	local part=$1 d=$2 name
	if [[ -n ${GRADER_SAMPLES:-} && " $GRADER_SAMPLES " != *" $part-"* ]]; then
		return 0
	fi
	mkdir -p "$d/samples"
	for name in handout $(cd "$SAMPLES" && echo "$part"-*); do
		[[ -z ${GRADER_SAMPLES:-} || " $GRADER_SAMPLES " == *" $name "* || $name == handout ]] || continue
		make_sample "$name" "$d/samples"
	done
	"$ROOT/grade" --parts "$part" --jobs 2 --csv "$d/class.csv" --results "$d/results" \
		"$d/samples"/* >"$d/report" 2>&1 || true
}

@test "a grader killed outright leaves its directories to the next run, which removes them" {
	local dirs run work
	# What a grader killed with SIGKILL leaves: its run's directory, whose
	# lock its death dropped, and a submission's work directory.
	dirs=$(python3 -B -c 'import sys; sys.path.insert(0, sys.argv[1]); import grade
run = grade.make_run_dir()
print(run, grade.scratch_dir("grade", run))' "$ROOT/grader") || fail "cannot make a run's directories: $dirs"
	read -r run work <<<"$dirs"
	[[ -d $run && -d $work ]] || fail "expected the directories $dirs"
	# The next run, whatever it grades (here, nothing there), removes them.
	run -2 "$ROOT/grade" "$BATS_TEST_TMPDIR/no-such-submission"
	assert_output --partial "removed $run, left by a grader that was killed"
	assert_output --partial "removed $work, left by a grader that was killed"
	[[ ! -e $work && ! -e $run ]] || fail "the next run left $work or $run in place"
}

@test "the keeper part: the handout's keeper and paw get full marks, hostile ones lose exactly their points" {
	local d=$BATS_FILE_TMPDIR/keeper
	[[ -d $d ]] || skip "GRADER_SAMPLES names no keeper sample"
	expect_scores_in "$d" handout 'keeper-*'
	run -0 grep -A1 -F "== $d/samples/handout" "$d/report"
	assert_line "Keeper: descriptor passing over UNIX sockets (optional): $(part_points keeper)/$(part_points keeper)"
}

@test "the shared-memory part: the handout's programs get full marks, hostile ones lose exactly their points" {
	local d=$BATS_FILE_TMPDIR/shm
	[[ -d $d ]] || skip "GRADER_SAMPLES names no shm sample"
	expect_scores_in "$d" handout 'shm-*'
	run -0 grep -A1 -F "== $d/samples/handout" "$d/report"
	assert_line "Letters in shared memory: signals and semaphores (optional): $(part_points shm)/$(part_points shm)"
	# shm-floods-segments takes every segment id there is in each listener
	# test; the sender's tests after them pass only if the clean-up after
	# each test gave the ids back (the suite's own listener needs one).
}

@test "the FIFO and message-queue part: the handout's programs get full marks, hostile ones lose exactly their points" {
	local d=$BATS_FILE_TMPDIR/fifo
	[[ -d $d ]] || skip "GRADER_SAMPLES names no fifo sample"
	expect_scores_in "$d" handout 'fifo-*'
	run -0 grep -A1 -F "== $d/samples/handout" "$d/report"
	assert_line "Names others can find: FIFOs, message queues and locks (optional): $(part_points fifo)/$(part_points fifo)"
	# fifo-plants-fifos leaves FIFOs in /tmp, /var/tmp, /dev/shm and
	# /run/lock: "grading leaves no process, no file and no account behind"
	# finds none of them once every class is graded.
}

@test "a paw that reaches for the secret by every other way is refused each time" {
	[[ -z ${GRADER_SAMPLES:-} || " $GRADER_SAMPLES " == *" keeper-paw-reaches-for-secret "* ]] ||
		skip "keeper-paw-reaches-for-secret is not among GRADER_SAMPLES"
	local d=$BATS_TEST_TMPDIR
	make_sample keeper-paw-reaches-for-secret "$d"
	run -1 "$ROOT/grade" --parts keeper "$d/keeper-paw-reaches-for-secret"
	# The probe prints what each attempt got; the report quotes it for the
	# failed treasure test. Garfield's own permissions, root, the keeper's
	# descriptors in /proc, and the keeper asked to climb out: all refused.
	assert_line --regexp "probe: asked the keeper for \.\./secret\.txt: ERR 18$"
	assert_line --regexp "probe: asked the keeper for /.*/secret\.txt: ERR 18$"
	assert_line --regexp "probe: open secret\.txt: \[Errno 13\] Permission denied$"
	assert_line --regexp "probe: open litterbox/treasure\.txt: \[Errno 13\] Permission denied$"
	assert_line --regexp "probe: setuid\(0\): \[Errno 1\] Operation not permitted$"
	assert_line --regexp "probe: open /proc/[0-9]+/fd/3: \[Errno 13\] Permission denied$"
	refute_output --partial "GOT"
	refute_output --partial "Secret "
}

@test "two graders at once share no user ID: a fork bomb and a queue filler cost the reference nothing" {
	# Grader A grades a fork bomb and a program that fills its account's
	# message-queue quota (both counted per user ID across the machine);
	# grader B, started once A's student code runs, grades the reference
	# five times. Natively, each grader's test accounts have user IDs no
	# other grader holds (claim_uid_ranges): their processes, seen side by
	# side, never share one. In a container, the test accounts are the
	# container's own: a second grader there waits for the first.
	[[ -z ${GRADER_SAMPLES:-} || " $GRADER_SAMPLES " == *" hostile-mq-filler "* ]] ||
		skip "hostile-mq-filler is not among GRADER_SAMPLES"
	local d=$BATS_TEST_TMPDIR i
	mkdir -p "$d/a/samples" "$d/b"
	make_sample hostile-fork-bomb "$d/a/samples"
	make_sample hostile-mq-filler "$d/a/samples"
	for i in 1 2 3 4 5; do
		make_sample handout "$d/b" && mv "$d/b/handout" "$d/b/reference-$i"
	done
	local summary ua ub
	run -0 python3 "$LAB_TESTS/two_graders.py" "$d" "$GRADE_UID_BASE" "$((GRADE_UID_BASE + GRADE_UID_SPAN))" \
		"'$ROOT/grade' --csv '$d/a/class.csv' --results '$d/a/results' '$d/a/samples/'*" \
		"'$ROOT/grade' --jobs 2 '$d/b/'*"
	summary=$output
	assert_line "a 1"
	assert_line "b 0"
	run -0 grep -c "^Total: 25/25$" "$d/b.out"
	assert_output 5
	cp "$d/a.out" "$d/a/report"
	expect_scores_in "$d/a" hostile-fork-bomb hostile-mq-filler
	run -0 grep -o "probe: [0-9]* message queues made, then: .*" "$d/a.out"
	refute_line --regexp "probe: 0 message queues made"
	if ! namespaces_work; then
		run -0 grep -c "another grader is grading in this container" "$d/b.out"
		return
	fi
	# Side by side, and never the same user ID.
	[[ $summary == *$'\n'"overlap yes"$'\n'* ]] || fail "expected: both graders' student code seen at once; got: $summary"
	ua=$(sed -n 's/^uids-a *//p' <<<"$summary") ub=$(sed -n 's/^uids-b *//p' <<<"$summary")
	[[ -n $ua && -n $ub ]] || fail "expected: processes of both graders' test accounts; got A: '$ua', B: '$ub'"
	run -0 comm -12 <(tr ' ' '\n' <<<"$ua" | sort) <(tr ' ' '\n' <<<"$ub" | sort)
	assert_output ""
}

@test "usage errors exit 2 with a message" {
	run -2 "$ROOT/grade"
	assert_output --partial "usage: grade"
	run -2 "$ROOT/grade" --jobs 0 .
	assert_output --partial "--jobs must be at least 1"
}

@test "without root the grader exits 2 and says how to run it" {
	# A copy of the launcher, alone: a clone in /root (0700) is out of nobody's
	# reach, and the message must come before the grader's code is needed.
	local d
	d=$(mktemp -d "${TMPDIR:-/tmp}/ipc-grade.XXXXXX")
	chmod 0755 "$d"
	cp "$ROOT/grade" "$d/grade"
	run -2 setpriv --reuid=nobody --regid=nogroup --clear-groups "$d/grade" "$d"
	rm -rf -- "$d"
	assert_output --partial "needs root"
	assert_output --partial "sudo ./grade"
}

@test "CI_NODE_INDEX/CI_NODE_TOTAL shards a class: each submission graded exactly once" {
	local d=$BATS_TEST_TMPDIR
	CI_NODE_INDEX=1 CI_NODE_TOTAL=2 run -2 "$ROOT/grade" --csv "$d/1.csv" "$d/a" "$d/b" "$d/c"
	CI_NODE_INDEX=2 CI_NODE_TOTAL=2 run -2 "$ROOT/grade" --csv "$d/2.csv" "$d/a" "$d/b" "$d/c"
	run -0 bash -c "tail -q -n +2 '$d/1.csv' '$d/2.csv' | cut -d, -f1 | sort | tr '\n' ' '"
	assert_output "$d/a $d/b $d/c "
	run -0 wc -l "$d/1.csv" "$d/2.csv"
	assert_line --regexp "^ *3 $d/1.csv"
	assert_line --regexp "^ *2 $d/2.csv"
}

@test "--merge makes one class of a sharded class's records, and names a shard that left none" {
	local d=$BATS_TEST_TMPDIR i
	for i in 1 2 3; do
		CI_NODE_INDEX=$i CI_NODE_TOTAL=3 run -2 "$ROOT/grade" --record "$d/shard-$i.json" \
			"$d/a" "$d/b" "$d/c" "$d/e" "$d/f"
	done
	run -2 "$ROOT/grade" --merge --csv "$d/all.csv" --canvas "$d/canvas.csv" --html "$d/class.html" \
		"$d/shard-3.json" "$d/shard-1.json" "$d/shard-2.json"
	assert_output --partial "merged 3 records: 5 submissions, 0 graded"
	run -0 cut -d, -f1,6 "$d/all.csv"
	assert_output "submission,status
$d/a,not graded
$d/b,not graded
$d/c,not graded
$d/e,not graded
$d/f,not graded"
	run -0 cut -d, -f1 "$d/canvas.csv"
	assert_output "Student
Points Possible
a
b
c
e
f"
	assert [ -s "$d/class.html" ]
	# Shard 2 (b and f) left no record: the rest merge, and b and f say why.
	rm "$d/all.csv"
	run -2 "$ROOT/grade" --merge --csv "$d/all.csv" "$d/shard-1.json" "$d/shard-3.json"
	assert_output --partial "shard 2 left no record"
	run -0 grep -c "" "$d/all.csv"
	assert_output 6
	# Records that contradict each other: nothing is written.
	rm "$d/all.csv"
	run -2 "$ROOT/grade" --merge --csv "$d/all.csv" "$d/shard-1.json" "$d/shard-1.json"
	assert_output --partial "are both shard 1 of 3; nothing was written"
	assert [ ! -e "$d/all.csv" ]
	run -2 "$ROOT/grade" --merge --parts part1 "$d/shard-1.json"
	assert_output --partial "--merge grades nothing: --parts is for a grading run"
}
