/* letters.c - the shared-memory suite's own programs (tests/shm.bats).
 *
 * Each side of the part's contract (shm/HANDOUT.md) has its counterpart
 * here, so that a student's listener is tested against our sender, their
 * sender against our listener, and so on: a defect on one side costs none
 * of the other side's points. And the hostile peers the contract must
 * survive. Run as a test account through lab_exec, never as root.
 *
 *   letters send KEY PID           our sender: stdin's bytes as a letter, then SIGUSR1
 *   letters send-len KEY PID LEN   a letter that claims LEN bytes, whatever LEN is
 *   letters flip KEY PID LEN       a letter of LEN bytes, then the length rewritten,
 *                                  LEN and 2^32-1 in turn, until killed
 *   letters listen KEY             our listener: "Listener PID: N", then the letter's
 *                                  bytes on stdout and "len=N" on stderr
 *   letters plant KEY shm MODE SIZE [UID]
 *                                  make a segment of SIZE bytes on KEY first, with
 *                                  MODE (octal), a canary letter in it, and, with
 *                                  UID, handed to UID
 *   letters plant KEY sem MODE N [UID]
 *                                  a set of N (2 to 8) semaphores on KEY, with MODE, initialised
 *                                  as a reader does (1, 0, ...; sem_otime set), and,
 *                                  with UID, handed to UID
 *   letters peek KEY               what shmget() and shmat() give us on KEY
 *   letters poke KEY               what semop() gives us on KEY's set, trying to take
 *                                  the reader's turn without waiting (changes nothing
 *                                  while the turn is not given)
 *   letters state KEY              the segment's and the set's state on KEY
 *   letters read KEY               our stream reader: makes, initialises, reads
 *   letters write KEY              our stream writer: waits for initialisation, sends stdin
 *   letters write-len KEY LEN...   a block per LEN, each claiming LEN bytes, whatever LEN is
 *   letters hold KEY               make a segment and a set on KEY, uninitialised; say
 *                                  "made"; at a line on stdin, initialise the set, say
 *                                  "initialised", stay attached until stdin ends, and
 *                                  exit (the objects stay)
 *
 * Exit 0 when the step did what it says; 1 when it was refused (the
 * message says how); 3 when a letter or block was out of range; 2 for
 * usage or any other failure. Every wait is bounded (BOUND seconds).
 */
#define _GNU_SOURCE

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <time.h>
#include <unistd.h>

/* The layout, as the handout fixes it (shm/letter.h); the suite keeps its
 * own copy, so that it never compiles a submission's header. */
#define LETTER_SIZE 4096
#define LETTER_MAX (LETTER_SIZE - 4)
struct letter {
	uint32_t len;
	char text[LETTER_MAX];
};

/* A last resort only: the suite's own bounds end us sooner. */
#define BOUND 30

union semun {
	int val;
	struct semid_ds *buf;
	unsigned short *array;
};

static const char *prog = "letters";

static void
die(int status, const char *what)
{
	fprintf(stderr, "%s: %s: [Errno %d] %s\n", prog, what, errno, strerror(errno));
	exit(status);
}

static key_t
key_of(const char *s)
{
	return (key_t)strtol(s, NULL, 0);
}

static struct letter *
attach(int id, int flags)
{
	struct letter *box = shmat(id, NULL, flags);

	if (box == (void *)-1)
		die(2, "shmat");
	return box;
}

static int
existing(key_t key)
{
	int id = shmget(key, 0, 0);

	if (id == -1)
		die(2, "shmget");
	return id;
}

static void
signal_listener(const char *pid)
{
	if (kill((pid_t)atol(pid), SIGUSR1) == -1)
		die(1, "kill");
}

static int
cmd_send(char **argv)
{
	struct letter *box = attach(existing(key_of(argv[0])), 0);

	box->len = (uint32_t)fread(box->text, 1, LETTER_MAX, stdin);
	signal_listener(argv[1]);
	printf("sent %u\n", box->len);
	return 0;
}

static int
cmd_send_len(char **argv)
{
	struct letter *box = attach(existing(key_of(argv[0])), 0);

	memset(box->text, 'L', LETTER_MAX);
	box->len = (uint32_t)strtoul(argv[2], NULL, 0);
	signal_listener(argv[1]);
	printf("sent len=%u\n", box->len);
	return 0;
}

/* flip: the length is valid when the listener is told, and rewritten at
 * once and until the suite kills us, once the listener has ended (it may
 * remove the segment first and read it after: we stay attached): a listener
 * that reads it twice (check, then use) can read 2^32-1 the second time. */
static int
cmd_flip(char **argv)
{
	volatile struct letter *box = (volatile struct letter *)attach(existing(key_of(argv[0])), 0);
	uint32_t len = (uint32_t)strtoul(argv[2], NULL, 0);
	time_t deadline = time(NULL) + BOUND;

	memset((void *)box->text, 'F', LETTER_MAX);
	box->len = len;
	signal_listener(argv[1]);
	printf("flipping\n");
	fflush(stdout);
	while (time(NULL) < deadline)
		for (int i = 0; i < 65536; i++) {
			box->len = UINT32_MAX;
			box->len = len;
		}
	return 0;
}

static int
cmd_listen(char **argv)
{
	struct letter *box;
	sigset_t set;
	struct timespec bound = { .tv_sec = BOUND };
	uint32_t len;
	int id, sig;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	id = shmget(key_of(argv[0]), LETTER_SIZE, IPC_CREAT | IPC_EXCL | 0600);
	if (id == -1)
		die(2, "shmget");
	box = attach(id, SHM_RDONLY);
	printf("Listener PID: %ld\n", (long)getpid());
	fflush(stdout);
	sig = sigtimedwait(&set, NULL, &bound);
	len = *(volatile uint32_t *)&box->len;
	shmctl(id, IPC_RMID, NULL);
	if (sig != SIGUSR1) {
		fprintf(stderr, "%s: no SIGUSR1 within %d s\n", prog, BOUND);
		return 2;
	}
	fprintf(stderr, "len=%lu\n", (unsigned long)len);
	if (len > LETTER_MAX)
		return 3;
	fwrite(box->text, 1, len, stdout);
	return fflush(stdout) == EOF ? 2 : 0;
}

/* hand KEY's object to UID (argv's string, or NULL: keep it). */
static void
hand_over(int id, int sem, const char *uid)
{
	if (uid == NULL)
		return;
	if (sem) {
		struct semid_ds sd;

		if (semctl(id, 0, IPC_STAT, (union semun){ .buf = &sd }) == -1)
			die(2, "semctl(IPC_STAT)");
		sd.sem_perm.uid = (uid_t)atol(uid);
		if (semctl(id, 0, IPC_SET, (union semun){ .buf = &sd }) == -1)
			die(2, "semctl(IPC_SET)");
	} else {
		struct shmid_ds ds;

		if (shmctl(id, IPC_STAT, &ds) == -1)
			die(2, "shmctl(IPC_STAT)");
		ds.shm_perm.uid = (uid_t)atol(uid);
		if (shmctl(id, IPC_SET, &ds) == -1)
			die(2, "shmctl(IPC_SET)");
	}
}

/* A segment of SIZE bytes on KEY with MODE, "canary!" in it (len 7). It is
 * made 0600, for us to write the canary even when MODE (0000, say) would
 * not let us, and given MODE after: after the hand-over, which reads the
 * segment's state first, and which its maker keeps the right to do. */
static int
squat(key_t key, const char *mode, size_t size, const char *uid)
{
	int id = shmget(key, size, IPC_CREAT | IPC_EXCL | 0600);
	struct letter *box;
	struct shmid_ds ds;

	if (id == -1)
		die(2, "shmget");
	box = attach(id, 0);
	box->len = 7;
	memcpy(box->text, "canary!", 7);
	shmdt(box);
	hand_over(id, 0, uid);
	if (shmctl(id, IPC_STAT, &ds) == -1)
		die(2, "shmctl(IPC_STAT)");
	ds.shm_perm.mode = (unsigned short)strtol(mode, NULL, 8);
	if (shmctl(id, IPC_SET, &ds) == -1)
		die(2, "shmctl(IPC_SET)");
	printf("squatted %d\n", id);
	return 0;
}

static void initialise(int sem);

static int
cmd_plant(char **argv)
{
	key_t key = key_of(argv[0]);
	long size = strtol(argv[3], NULL, 10);
	int id;

	if (strcmp(argv[1], "shm") == 0)
		return squat(key, argv[2], (size_t)size, argv[4]);
	if (strcmp(argv[1], "sem") != 0 || size < 2 || size > 8)
		return 2;
	id = semget(key, (int)size, IPC_CREAT | IPC_EXCL | (int)strtol(argv[2], NULL, 8));
	if (id == -1)
		die(2, "semget");
	initialise(id);
	hand_over(id, 1, argv[4]);
	printf("planted %d\n", id);
	return 0;
}

static int
cmd_peek(char **argv)
{
	int id = shmget(key_of(argv[0]), 0, 0);
	struct letter *box;

	if (id == -1) {
		printf("shmget: [Errno %d] %s\n", errno, strerror(errno));
		return 1;
	}
	printf("shmget: ok\n");
	box = shmat(id, NULL, SHM_RDONLY);
	if (box == (void *)-1) {
		printf("shmat: [Errno %d] %s\n", errno, strerror(errno));
		return 1;
	}
	printf("shmat: ok\n");
	return 0;
}

/* poke: try to take the reader's turn (-1 on semaphore 1, IPC_NOWAIT): it
 * needs the right to alter the set. Without it, EACCES; with it, EAGAIN
 * while the turn is not given, and nothing changes. */
static int
cmd_poke(char **argv)
{
	int sem = semget(key_of(argv[0]), 0, 0);
	struct sembuf op = { .sem_num = 1, .sem_op = -1, .sem_flg = IPC_NOWAIT };

	if (sem == -1) {
		printf("semget: [Errno %d] %s\n", errno, strerror(errno));
		return 1;
	}
	if (semop(sem, &op, 1) == -1) {
		printf("semop: [Errno %d] %s\n", errno, strerror(errno));
		return 1;
	}
	printf("semop: ok\n");
	return 0;
}

/* state: one line per fact, for the suite to compare. */
static int
cmd_state(char **argv)
{
	key_t key = key_of(argv[0]);
	int shm = shmget(key, 0, 0), sem = semget(key, 0, 0);
	struct semid_ds sd;

	if (shm != -1) {
		struct letter *box = shmat(shm, NULL, SHM_RDONLY);

		if (box == (void *)-1) {
			/* Someone else's segment: say so, and go on to the set. */
			printf("shmat: [Errno %d] %s\n", errno, strerror(errno));
		} else {
			printf("len=%lu\n", (unsigned long)box->len);
			printf("text=%.7s\n", box->text);
			shmdt(box);
		}
	}
	if (sem != -1) {
		if (semctl(sem, 0, IPC_STAT, (union semun){ .buf = &sd }) == -1)
			die(2, "semctl(IPC_STAT)");
		printf("otime=%ld\n", (long)sd.sem_otime);
		for (int n = 0; n < 2; n++)
			printf("sem%d: value=%d waiting=%d pid=%d\n", n, semctl(sem, n, GETVAL),
			       semctl(sem, n, GETNCNT) + semctl(sem, n, GETZCNT),
			       semctl(sem, n, GETPID));
	}
	return 0;
}

/* turn: semop with a bound; exit 2 when it runs out. */
static void
turn(int sem, unsigned short n, short delta)
{
	struct sembuf op = { .sem_num = n, .sem_op = delta };
	struct timespec bound = { .tv_sec = BOUND };

	while (semtimedop(sem, &op, 1, &bound) == -1)
		if (errno != EINTR)
			die(2, "semtimedop");
}

static void
make_objects(key_t key, int *shm, int *sem)
{
	*shm = shmget(key, LETTER_SIZE, IPC_CREAT | IPC_EXCL | 0600);
	if (*shm == -1)
		die(2, "shmget");
	*sem = semget(key, 2, IPC_CREAT | IPC_EXCL | 0600);
	if (*sem == -1)
		die(2, "semget");
}

/* as a reader does: the writer's turn (semaphore 0) first, the others 0
 * (a set of up to 8), then a semop() that changes nothing, so that
 * sem_otime is set */
static void
initialise(int sem)
{
	unsigned short start[8] = { 1 };
	struct sembuf touch = { .sem_num = 1, .sem_op = 0, .sem_flg = IPC_NOWAIT };

	if (semctl(sem, 0, SETALL, (union semun){ .array = start }) == -1)
		die(2, "semctl(SETALL)");
	if (semop(sem, &touch, 1) == -1)
		die(2, "semop");
}

/* receive: the reader's loop; removes both objects at the end. */
static int
receive(int shm, int sem)
{
	struct letter *box = attach(shm, SHM_RDONLY);
	int status = 0;

	printf("Reader PID: %ld\n", (long)getpid());
	fflush(stdout);
	for (;;) {
		uint32_t len;

		turn(sem, 1, -1);
		len = *(volatile uint32_t *)&box->len;
		if (len > LETTER_MAX) {
			fprintf(stderr, "%s: a block of %lu bytes\n", prog, (unsigned long)len);
			status = 3;
			break;
		}
		if (len == 0)
			break;
		fwrite(box->text, 1, len, stdout);
		turn(sem, 0, +1);
	}
	shmctl(shm, IPC_RMID, NULL);
	semctl(sem, 0, IPC_RMID);
	return fflush(stdout) == EOF ? 2 : status;
}

static int
cmd_read(char **argv)
{
	int shm, sem;

	make_objects(key_of(argv[0]), &shm, &sem);
	initialise(sem);
	return receive(shm, sem);
}

/* hold: a reader between its semget() and its SETALL, for as long as the
 * suite likes: the set exists and holds zeros, and its sem_otime is 0. */
static int
cmd_hold(char **argv)
{
	char line[16];
	int shm, sem;

	make_objects(key_of(argv[0]), &shm, &sem);
	printf("made\n");
	fflush(stdout);
	if (fgets(line, sizeof(line), stdin) == NULL)
		return 2;
	initialise(sem);
	printf("initialised\n");
	fflush(stdout);
	/* Then stay, attached, as a reader would, until stdin ends. */
	(void)attach(shm, 0);
	while (fgets(line, sizeof(line), stdin) != NULL)
		;
	return 0;
}

/* the writer's side: KEY's objects, once the reader has initialised them */
static struct letter *
joined(key_t key, int *sem)
{
	int shm = existing(key);
	struct letter *box = attach(shm, 0);
	struct semid_ds sd;

	*sem = semget(key, 0, 0);
	if (*sem == -1)
		die(2, "semget");
	for (int i = 0;; i++) {
		if (semctl(*sem, 0, IPC_STAT, (union semun){ .buf = &sd }) == -1)
			die(2, "semctl(IPC_STAT)");
		if (sd.sem_otime != 0)
			return box;
		if (i == BOUND * 100) {
			fprintf(stderr, "%s: never initialised\n", prog);
			exit(2);
		}
		nanosleep(&(struct timespec){ .tv_nsec = 10000000 }, NULL);
	}
}

static int
cmd_write(char **argv)
{
	int sem;
	struct letter *box = joined(key_of(argv[0]), &sem);
	size_t n;

	do {
		turn(sem, 0, -1);
		n = fread(box->text, 1, LETTER_MAX, stdin);
		box->len = (uint32_t)n;
		turn(sem, 1, +1);
	} while (n > 0);
	return 0;
}

static int
cmd_write_len(char **argv)
{
	int sem;
	struct letter *box = joined(key_of(argv[0]), &sem);

	for (char **len = argv + 1; *len != NULL; len++) {
		turn(sem, 0, -1);
		memset(box->text, 'W', LETTER_MAX);
		box->len = (uint32_t)strtoul(*len, NULL, 0);
		turn(sem, 1, +1);
		printf("posted len=%u\n", box->len);
	}
	return 0;
}

static const struct {
	const char *name;
	int args;       /* at least */
	int (*run)(char **);
} commands[] = {
	{ "send", 2, cmd_send },     { "send-len", 3, cmd_send_len }, { "flip", 3, cmd_flip },
	{ "listen", 1, cmd_listen }, { "peek", 1, cmd_peek },         { "poke", 1, cmd_poke },
	{ "state", 1, cmd_state },   { "read", 1, cmd_read },         { "write", 1, cmd_write },
	{ "hold", 1, cmd_hold },     { "plant", 4, cmd_plant },       { "write-len", 2, cmd_write_len },
};

int
main(int argc, char *argv[])
{
	/* Undumpable, whatever fs.suid_dumpable says: /proc/PID/exe and mem
	 * stay closed to the account we run as (helpers/fixexec.c). */
	(void)prctl(PR_SET_DUMPABLE, 0);
	if (argc >= 2)
		for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
			if (strcmp(argv[1], commands[i].name) == 0 && argc - 2 >= commands[i].args)
				return commands[i].run(argv + 2);
	fprintf(stderr, "usage: letters COMMAND KEY ... (see tests/helpers/letters.c)\n");
	return 2;
}
