#!/usr/bin/env bats
# listener.bats - Part 1: the signal listener, listener.c.
#
# The handout's test_listener.sh sleeps one second and hopes the listener is
# ready; under load it is not, and the test fails about one run in four. Here
# the listener is signalled only once it is ready, by what the kernel shows,
# and every wait has a bound (tests/helpers/listener.bash).

load helpers/lab
load helpers/listener

setup_file() {
	listener_build
}

teardown_file() {
	listener_clean
}

@test "listener.c compiles" {
	require_listener
}

@test "the listener prints its real PID" {
	start_listener --line-buffered
	read_pid_line
	assert_line --regexp "^Listener PID: ${PID}([^0-9]|\$)"
}

@test "SIGUSR1 makes the listener print 'SIGUSR1 received!' and exit 0" {
	start_listener
	signal_listener USR1
	assert_output --partial "SIGUSR1 received!"
	[[ $STATUS -eq 0 ]] || fail "expected: exit status 0 after SIGUSR1; actual: $STATUS"
}

@test "SIGINT makes the listener print 'SIGINT received!' and exit 1" {
	start_listener
	signal_listener INT
	assert_output --partial "SIGINT received!"
	[[ $STATUS -eq 1 ]] || fail "expected: exit status 1 after SIGINT; actual: $STATUS"
}

@test "the listener sleeps while it waits, using no CPU" {
	start_listener
	require_sleeping "the listener" "$PID" "a loop such as while (1); spins, and usleep() in a loop polls; pause() (or sigsuspend()) sleeps until a signal arrives"
}
