# ipc-lab: the course's grading image: the grader, its suites and what they
# need, and no reference solution of any part (grading never needs one).
#
#   docker build -t ipc-lab .
#   docker run --rm --network none -v "$PWD:/submission:ro" ipc-lab          # grade the current directory
#   docker run --rm --network none -v "$PWD:/submission:ro" -v "$PWD/out:/out" ipc-lab   # + out/results.json, out/junit.xml
#   docker run --rm --network none -v "$PWD:/submission:ro" ipc-lab grader/image-default --parts part1
FROM debian:bookworm-slim AS tools

# Only what the lab and the grader use, from the one package list the lab
# keeps (grader/deps.sh: a C toolchain, Python, bats, and the tools that make
# accounts, drop privileges and apply limits).
COPY grader/deps.sh /tmp/deps.sh
RUN /tmp/deps.sh \
 && apt-get clean && rm -rf /tmp/deps.sh /var/lib/apt/lists/* /var/cache/apt/* /usr/share/man/*

# The whole repository reaches this stage only: platforms/ship picks what
# grading needs, by allow-list, and the image takes that alone.
FROM tools AS source
COPY . /src
RUN /src/platforms/ship grading /grading

FROM tools
COPY --from=source /grading /opt/ipc-lab
WORKDIR /opt/ipc-lab
# The tests and the grader are root only: code under test, run by the grader
# as other users, cannot read them. ./grade itself stays readable, to tell a
# non-root user what to do.
RUN chmod -R go-w /opt/ipc-lab \
 && chmod 0711 /opt/ipc-lab && chmod -R go-rwx /opt/ipc-lab/tests /opt/ipc-lab/grader

CMD ["/opt/ipc-lab/grader/image-default"]
