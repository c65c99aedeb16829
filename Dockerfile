# ipc-lab: the lab, its suites and the grader, in one image.
#
#   docker build -t ipc-lab .
#   docker run --rm --network none ipc-lab                                   # grade the built-in reference: 25/25
#   docker run --rm --network none -v "$PWD:/submission:ro" ipc-lab          # grade the current directory
#   docker run --rm --network none -v "$PWD:/submission:ro" -v "$PWD/out:/out" ipc-lab   # + out/results.json, out/junit.xml
#   docker run --rm --init ipc-lab make test                                 # run the suites themselves
FROM debian:bookworm-slim

# Only what the lab and the grader use, from the one package list the lab
# keeps (grader/deps.sh: a C toolchain, Python, bats, and the tools that make
# accounts, drop privileges and apply limits).
COPY grader/deps.sh /tmp/deps.sh
RUN /tmp/deps.sh \
 && apt-get clean && rm -rf /tmp/deps.sh /var/lib/apt/lists/* /var/cache/apt/* /usr/share/man/*

WORKDIR /opt/ipc-lab
COPY . /opt/ipc-lab
# The tests and the grader are root only: code under test, run by the grader
# as other users, cannot read them. ./grade itself stays readable, to tell a
# non-root user what to do.
RUN make -s clean && chmod -R go-w /opt/ipc-lab \
 && chmod 0711 /opt/ipc-lab && chmod -R go-rwx /opt/ipc-lab/tests /opt/ipc-lab/checks /opt/ipc-lab/grader

CMD ["/opt/ipc-lab/grader/image-default"]
