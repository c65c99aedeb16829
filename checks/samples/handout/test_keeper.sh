#!/bin/bash
set -x # echo on
set -e # fail script on any failed command

id garfield || adduser garfield --disabled-password --gecos ""
adduser garfield users
chown -R root ./litterbox
chmod 0700 ./litterbox
mkdir -p run && chgrp users run && chmod 2755 run
rm -f run/keeper.sock keeper.log

./keeper/keeper run/keeper.sock litterbox garfield > keeper.log &
KEEPER_PID=$!
for _ in $(seq 50); do
	grep -q "Keeper ready" keeper.log && break
	sleep 0.1 # a bounded wait for the ready line, not a guess
done

direct=`su garfield -s /bin/sh -c "cat litterbox/treasure.txt" 2>&1 || true`
actual=`su garfield -s /bin/sh -c "./keeper/paw run/keeper.sock treasure.txt"`
escape=`su garfield -s /bin/sh -c "./keeper/paw run/keeper.sock ../secret.txt" || true`
kill $KEEPER_PID
wait $KEEPER_PID

if [[ $direct == *"Permission denied"* && $actual == "Treasure found!" && $escape == "MEOW [Errno 18]"* ]]; then
	echo -e "\033[92m PASSED! \033[0m"
	exit 0
else
	echo -e "\031[92m FAILED! \033[0m"
	echo "direct: $direct"
	echo "actual: $actual"
	echo "escape: $escape"
	exit 1
fi
