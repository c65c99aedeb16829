# ipc-lab: build the listener, run the tests, grade a submission.
#
#   make              build ./listener, as the handout's Makefile does
#   make all          also build the optional parts' programs (keeper/, shm/, fifo/)
#   make test         run every suite and self-check (installs what is missing, as root)
#   make grade        grade this repository with our own grader (the main job;
#                     installs what is missing first, as root)
#   make warnings     check that the lab's C code builds warning-free
#   make clean        remove what the build made
#   make image        build the course's grading image (docker if it works, else podman)
#   make docker-test  build it, and grade the reference with it
#   make starter      the student starter, in dist/starter (PARTS=..., STARTER_IMAGE=...)
#   make gradescope   Gradescope's autograder, dist/autograder.zip (PARTS=...)
#
# The flags the lab requires are kept apart from CFLAGS, which stays yours:
#   make CFLAGS='-O0 -g'

CC      ?= cc
CFLAGS  ?= -O2 -g
# The lab's flags live in grader/lab.conf, with the grader's other facts.
LAB_CFLAGS := $(shell . ./grader/lab.conf && echo "$$LAB_CFLAGS")

# The container engine: docker when its daemon answers, podman otherwise.
CONTAINER_ENGINE ?= $(shell docker info >/dev/null 2>&1 && echo docker || echo podman)
IMAGE ?= ipc-lab
# What make starter and make gradescope ship: the parts graded (default: the
# rubric's default parts), and the image the starter's make test pulls.
PARTS ?=
STARTER_IMAGE ?= $(IMAGE)
DIST ?= dist

.PHONY: all test grade warnings clean image docker-test engine starter gradescope

SHM_PROGRAMS := shm/listener shm/sender shm/reader shm/writer
FIFO_PROGRAMS := fifo/receiver fifo/sender fifo/mqreceiver fifo/mqsender

# `make` builds what the handout's `make` builds, and no more: the graded
# "make builds listener" runs it, and the optional parts' suites build their
# own programs, as a student builds them (cc -o PROG PROG.c).
.DEFAULT_GOAL := listener

all: listener keeper/keeper keeper/paw $(SHM_PROGRAMS) $(FIFO_PROGRAMS)

listener: listener.c
	$(CC) $(LAB_CFLAGS) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ listener.c $(LDLIBS)

# The keeper part (keeper/HANDOUT.md): each program is one file, as a student builds it.
keeper/keeper keeper/paw: %: %.c
	$(CC) $(LAB_CFLAGS) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LDLIBS)

# The shared-memory part (shm/HANDOUT.md): one file each, and the headers they share.
$(SHM_PROGRAMS): %: %.c shm/letter.h shm/common.h
	$(CC) $(LAB_CFLAGS) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LDLIBS)

# The FIFO and message queue part (fifo/HANDOUT.md): the same, with no extra
# library (glibc has the mq_*() functions in libc itself).
$(FIFO_PROGRAMS): %: %.c fifo/frame.h fifo/common.h
	$(CC) $(LAB_CFLAGS) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LDLIBS)

test:
	@checks/run

# The grader needs Python and the test tools: install them first (as root;
# otherwise deps.sh prints the command to run).
grade:
	@grader/deps.sh
	./grade .

warnings:
	$(CC) $(LAB_CFLAGS) -Werror -fsyntax-only listener.c
	$(CC) $(LAB_CFLAGS) -Werror -fsyntax-only keeper/keeper.c
	$(CC) $(LAB_CFLAGS) -Werror -fsyntax-only keeper/paw.c
	for f in $(SHM_PROGRAMS:=.c); do $(CC) $(LAB_CFLAGS) -Werror -fsyntax-only $$f || exit; done
	for f in $(FIFO_PROGRAMS:=.c); do $(CC) $(LAB_CFLAGS) -Werror -fsyntax-only $$f || exit; done
	for f in tests/helpers/*.c; do $(CC) $(LAB_CFLAGS) -Werror -fsyntax-only $$f || exit; done

engine:
	@command -v $(CONTAINER_ENGINE) >/dev/null || { \
	  echo "make: no container engine: install docker or podman (apt-get install podman)," \
	       "or name one with CONTAINER_ENGINE=" >&2; exit 2; }

image: engine
	$(CONTAINER_ENGINE) build -t $(IMAGE) .

# The image holds no reference solution: the reference is mounted, as a
# student's work is.
docker-test: image
	$(CONTAINER_ENGINE) run --rm --network none -v "$(CURDIR):/submission:ro" $(IMAGE)

# What students and platforms get, made from this repository by
# platforms/ship, without the reference solution. An earlier one is
# replaced whole.
starter:
	@mkdir -p $(DIST) && rm -rf $(DIST)/starter
	platforms/ship starter $(DIST)/starter $(if $(PARTS),--parts $(PARTS)) --image $(STARTER_IMAGE)

gradescope:
	@mkdir -p $(DIST)
	platforms/ship gradescope $(DIST)/autograder.zip $(if $(PARTS),--parts $(PARTS))

clean:
	rm -f listener output.log keeper/keeper keeper/paw $(SHM_PROGRAMS) $(FIFO_PROGRAMS)
	rm -rf __pycache__ $(DIST)
