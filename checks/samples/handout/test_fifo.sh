#!/bin/bash
set -x # echo on
set -e # fail script on any failed command

WORK=`mktemp -d`        # what we send, what we expect, what we got
DIR=`mktemp -d`         # the shared directory
chmod 1777 $DIR         # like /tmp: anyone may write in it, only owners may remove
QUEUE=/letters-$$
MQFS=`awk '$3 == "mqueue" { print $2; exit }' /proc/mounts` # where queues show, if anywhere

finish() {              # runs however the script ends
	status=$?
	kill -TERM $FIFO_JOB $MQ_JOB 2>/dev/null || true
	rm -rf $WORK $DIR
	if [ $status = 0 ]; then echo -e "\033[92m PASSED! \033[0m"; else echo -e "\033[91m FAILED! \033[0m"; fi
}
trap finish EXIT

exits() {               # exits N COMMAND...: COMMAND exits N within $LIMIT s, 5 unless set
	status=0        # -k 1: SIGKILL if it's there 1 s after the TERM (a blocked TERM waits)
	timeout -k 1 ${LIMIT:-5} "${@:2}" || status=$?
	[ $status = $1 ]
}
queues() {              # print our queues that are left (none where $MQFS isn't mounted)
	[ -z "$MQFS" ] && return
	for q in "$MQFS/${QUEUE#/}" "$MQFS/${QUEUE#/}".reply.*; do
		[ -e "$q" ] && basename "$q"
	done
	true
}
ready() {               # wait up to 5 s for the ready line in $1, then print the PID
	for _ in $(seq 50); do
		grep -q "^Receiver PID: " $1 && break
		sleep 0.1 # a bounded wait for the ready line, not a guess
	done
	sed -n 's/^Receiver PID: //p' $1 | grep .
}
printed() {             # wait up to 5 s until $1, after its ready line, is exactly $2
	for _ in $(seq 50); do
		tail -n +2 $1 | cmp -s - $2 && return 0
		sleep 0.1
	done
	tail -n +2 $1 | cmp - $2 # say where they differ
}

# The lines: a '\0', a tab, an empty one, the longest one, a last one with no '\n'.
printf 'Hello, world\nzero\0byte\ttab\n\n' > $WORK/in
printf '%4092s\n' '' | tr ' ' x >> $WORK/in
printf 'no newline at the end' >> $WORK/in
cp $WORK/in $WORK/expected
printf '\nstill here\n' >> $WORK/expected # every message printed ends with '\n'

# The FIFO.
timeout -k 1 30 ./fifo/receiver $DIR > $WORK/fifo.out &
FIFO_JOB=$!
PID=`ready $WORK/fifo.out`
exits 0 ./fifo/sender $DIR < $WORK/in
printf '%4093s\n' '' | exits 3 ./fifo/sender $DIR # a line too long
exits 4 ./fifo/receiver $DIR 2> $WORK/busy # a second receiver: busy, at once,
grep -qw $PID $WORK/busy # ... and it says who serves the name
echo 'still here' | exits 0 ./fifo/sender $DIR # the first one still does
printed $WORK/fifo.out $WORK/expected # all of it: a stopped receiver reads no more
kill -TERM $PID # the receiver itself: $! is its timeout, which bounds the wait below
wait $FIFO_JOB # the receiver's exit status: 0, or the script stops here
FIFO_JOB=
[ -z "`ls -A $DIR`" ] # no fifo, no fifo.lock: nothing left
mkfifo -m 600 $DIR/fifo # what a killed receiver leaves: a FIFO that no one reads
echo 'anyone?' | exits 2 ./fifo/sender $DIR # no receiver: an error, at once
rm $DIR/fifo

# The message queue.
timeout -k 1 30 ./fifo/mqreceiver $QUEUE > $WORK/mq.out &
MQ_JOB=$!
PID=`ready $WORK/mq.out`
exits 0 ./fifo/mqsender $QUEUE < $WORK/in
[ -z "`queues | grep reply`" ] # it removed its reply queue
printf '%4093s\n' '' | exits 3 ./fifo/mqsender $QUEUE
exits 2 ./fifo/mqreceiver $QUEUE # the queue exists: refused
echo 'still here' | exits 0 ./fifo/mqsender $QUEUE # and the first one still serves it
printed $WORK/mq.out $WORK/expected
kill -TERM $PID
wait $MQ_JOB
MQ_JOB=
# The queue is gone: mq_open() fails (ENOENT), exit 2 at once. Not 124: 10 s is more than the
# 5 s the sender would wait for a reply, had it found a queue.
echo 'anyone?' | LIMIT=10 exits 2 ./fifo/mqsender $QUEUE
[ -z "`queues`" ] # no queue left, neither the receiver's nor a reply queue
