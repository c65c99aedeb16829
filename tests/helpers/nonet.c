/* nonet.c - run a command that can open no network socket.
 *
 *     nonet [-s] [LIMIT...] [-u USER] [-e] [-n N] [--] COMMAND [ARG...]
 *
 * Every command of code under test runs through this launcher (lab_exec in
 * tests/helpers/lab.bash). It sets no_new_privs, installs a seccomp filter,
 * then execs COMMAND. The filter is inherited across fork() and execve() and
 * can never be removed. These calls fail, in COMMAND and in everything it
 * starts:
 *
 *     socket(), socketpair()  for every domain but AF_UNIX   EACCES
 *     io_uring_setup()        (a ring can make sockets too)  EPERM
 *
 * A system call of another ABI on the same CPU (i386 or x32 on x86-64,
 * 32-bit ARM on arm64) kills the process: the filter would read its call
 * numbers as ours, and i386's socketcall() multiplexes every socket call.
 *
 * Before the filter, in this order, it takes the steps lab_exec would
 * otherwise take with one program each (helpers/launch.h):
 *
 *     -s          a session of its own, as setsid(1)
 *     LIMIT       --nproc=N, --as=N, --fsize=N, --nofile=N or --core=N, as prlimit(1)
 *     -u USER     the drop to USER (a name or a user ID), as setpriv(1)
 *                 --reuid --regid --init-groups --inh-caps=-all
 *     -e          a clean environment (PATH, HOME=/, LANG=C.UTF-8), to which
 *                 COMMAND's leading NAME=VALUE words are added, as env -i
 *     -n N        N added to the nice value, as nice -n N
 *
 * Why a filter: natively the grader gives each submission a fresh network
 * namespace, but inside a default container (docker run, a GitLab job) it
 * cannot make one, and there the container's network, even its loopback
 * alone under --network none, is shared with whatever listens on it. A
 * seccomp filter needs no privilege: no_new_privs is what lets an
 * unprivileged process install one (seccomp(2)). The grader applies it in
 * every mode, namespaces or not.
 *
 * Why EACCES: socket(2) documents it as "permission to create a socket of
 * the specified type and/or protocol is denied", the error a security
 * module gives. A student's program then says "Permission denied": it was
 * refused. EAFNOSUPPORT would claim that the kernel has no IPv4.
 * io_uring_setup() gets EPERM, as when a kernel disables io_uring
 * (kernel.io_uring_disabled=2) or Docker's default profile refuses it.
 *
 * Caveats: AF_UNIX stays, as later parts of the lab use UNIX domain sockets.
 * A UNIX socket is reached by a path (guarded by file permissions) or by a
 * name in the abstract namespace, which is per network namespace: inside a
 * container, a program of the container listening on an abstract name is
 * reachable. A network socket received over a UNIX socket (SCM_RIGHTS)
 * would work, but nothing in the sandbox holds one to send.
 *
 * Exit status: COMMAND's; 125 when a step or the filter fails (nothing runs
 * without them); 126 or 127 when COMMAND cannot be run, as env(1) does.
 */
#define _GNU_SOURCE

#include <err.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include "launch.h"

/* The ABI the call numbers below belong to: the one this file is built for. */
#if defined(__x86_64__)
#define NATIVE_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define NATIVE_ARCH AUDIT_ARCH_AARCH64
#else
#error "nonet.c knows the seccomp ABI of x86-64 and arm64 only"
#endif

/* socket()'s first argument, the domain, is an int: the kernel reads the low
 * 32 bits of the 64-bit argument, and so must the filter. */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define ARG0_LOW offsetof(struct seccomp_data, args[0])
#else
#define ARG0_LOW (offsetof(struct seccomp_data, args[0]) + sizeof(__u32))
#endif

#define LOAD(off)            BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (off))
#define RETURN(action)       BPF_STMT(BPF_RET | BPF_K, (action))
/* IF_EQ(k, t, f): go on t instructions further when the loaded word is k, else f. */
#define IF_EQ(k, t, f)       BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (k), (t), (f))
#define IF_GE(k, t, f)       BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, (k), (t), (f))

static struct sock_filter filter[] = {
	/* Another ABI: its call numbers mean other calls. Kill, never guess. */
	LOAD(offsetof(struct seccomp_data, arch)),
	IF_EQ(NATIVE_ARCH, 1, 0),
	RETURN(SECCOMP_RET_KILL_PROCESS),

	LOAD(offsetof(struct seccomp_data, nr)),
#if defined(__x86_64__)
	/* x32 shares AUDIT_ARCH_X86_64; its calls have this bit set. */
	IF_GE(__X32_SYSCALL_BIT, 0, 1),
	RETURN(SECCOMP_RET_KILL_PROCESS),
#endif
	IF_EQ(__NR_io_uring_setup, 0, 1),
	RETURN(SECCOMP_RET_ERRNO | EPERM),
	IF_EQ(__NR_socket, 1, 0),
	IF_EQ(__NR_socketpair, 0, 3),

	/* socket() or socketpair(): only a UNIX domain socket. */
	LOAD(ARG0_LOW),
	IF_EQ(AF_UNIX, 1, 0),
	RETURN(SECCOMP_RET_ERRNO | EACCES),

	RETURN(SECCOMP_RET_ALLOW),
};

int
main(int argc, char *argv[])
{
	struct sock_fprog prog = {
		.len = sizeof(filter) / sizeof(filter[0]),
		.filter = filter,
	};
	const struct passwd *pw = NULL;
	int i = 1, clean = 0, nice_by = 0;
	char *end;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		} else if (strcmp(argv[i], "-s") == 0) {
			if (getpgrp() != getpid() && setsid() == -1)
				err(EXIT_LAUNCH, "setsid");
		} else if (strcmp(argv[i], "-u") == 0 && i + 1 < argc) {
			if ((pw = launch_account(argv[++i])) == NULL)
				errx(EXIT_LAUNCH, "%s: no such account", argv[i]);
		} else if (strcmp(argv[i], "-e") == 0) {
			clean = 1;
		} else if (strcmp(argv[i], "-n") == 0 && i + 1 < argc) {
			errno = 0;
			nice_by = (int)strtol(argv[++i], &end, 10);
			if (errno != 0 || end == argv[i] || *end != '\0' || nice_by < 0 || nice_by > 39)
				errx(EXIT_LAUNCH, "-n %s: not a nice increment", argv[i]);
		} else if (!launch_limit(argv[i])) {
			break;
		}
	}
	if (i >= argc) {
		fprintf(stderr, "Usage: %s [-s] [LIMIT...] [-u USER] [-e] [-n N] [--] COMMAND [ARG...]\n",
			argv[0]);
		return EXIT_LAUNCH;
	}
	if (pw != NULL)
		launch_drop(pw);

	/* Without no_new_privs only a privileged process may install a filter.
	 * It also keeps COMMAND from gaining privileges through a set-user-ID
	 * program or file capabilities (ping's CAP_NET_RAW, for one). */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		err(EXIT_LAUNCH, "prctl(PR_SET_NO_NEW_PRIVS)");
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) == -1)
		err(EXIT_LAUNCH, "prctl(PR_SET_SECCOMP)");

	if (clean) {
		if (clearenv() != 0 || setenv("PATH", LAUNCH_PATH, 1) == -1 ||
		    setenv("HOME", "/", 1) == -1 || setenv("LANG", "C.UTF-8", 1) == -1)
			err(EXIT_LAUNCH, "environment");
		for (; i < argc && strchr(argv[i], '=') != NULL && argv[i][0] != '='; i++)
			if (putenv(argv[i]) != 0)
				err(EXIT_LAUNCH, "putenv");
		if (i >= argc)
			errx(EXIT_LAUNCH, "no COMMAND after its environment");
	}
	/* Last, as nice(1) runs last: the steps above ran at our priority. */
	errno = 0;
	if (nice_by != 0 && nice(nice_by) == -1 && errno != 0)
		err(EXIT_LAUNCH, "nice");

	execvp(argv[i], &argv[i]);
	err(errno == ENOENT ? EXIT_NOT_FOUND : EXIT_CANNOT_RUN, "%s", argv[i]);
}
