#!/bin/bash
set -x # echo on
set -e # fail script on any failed command

KEY=$((RANDOM * 32768 + RANDOM + 1))
rm -f shm.out stream.out stream.in

./shm/listener $KEY > shm.out &
LISTENER_PID=$!
for i in $(seq 50); do
	grep -q "Listener PID" shm.out && break
	sleep 0.1 # a bounded wait for the ready line, not a guess
done
grep -q "Listener PID" shm.out # no ready line within 5 s: the script stops here
./shm/sender $KEY $LISTENER_PID "Hello, world"
wait $LISTENER_PID

head -c 100000 /dev/urandom > stream.in
./shm/reader $((KEY + 1)) > stream.out &
READER_PID=$!
for i in $(seq 50); do
	grep -q "Reader PID" stream.out && break
	sleep 0.1
done
grep -q "Reader PID" stream.out
./shm/writer $((KEY + 1)) < stream.in
wait $READER_PID

# What is left on our two keys (ipcs shows keys in hexadecimal): nothing, we hope.
left=`ipcs -m -s | grep -ci -e "$(printf '0x%08x' $KEY)" -e "$(printf '0x%08x' $((KEY + 1)))" || true`
if tail -n +2 shm.out | cmp -s - <(printf 'Hello, world') && tail -n +2 stream.out | cmp -s - stream.in && [[ $left == 0 ]]; then
	echo -e "\033[92m PASSED! \033[0m"
	exit 0
else
	echo -e "\033[91m FAILED! \033[0m"
	echo "letter: `tail -n +2 shm.out | head -c 100`"
	echo "objects left on our keys: $left"
	exit 1
fi
