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
./shm/sender $KEY $LISTENER_PID "Hello, world"
wait $LISTENER_PID

head -c 100000 /dev/urandom > stream.in
./shm/reader $((KEY + 1)) > stream.out &
READER_PID=$!
for i in $(seq 50); do
	grep -q "Reader PID" stream.out && break
	sleep 0.1
done
./shm/writer $((KEY + 1)) < stream.in
wait $READER_PID

letter=`tail -n +2 shm.out`
left=`ipcs -m | grep -c "^0x" || true`
if [[ $letter == "Hello, world" ]] && tail -n +2 stream.out | cmp -s - stream.in && [[ $left == 0 ]]; then
	echo -e "\033[92m PASSED! \033[0m"
	exit 0
else
	echo -e "\031[92m FAILED! \033[0m"
	echo "letter: $letter"
	echo "segments left: $left"
	exit 1
fi
