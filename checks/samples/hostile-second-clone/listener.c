/* Hostile: no listener of its own, but the reference of another clone of
 * the lab wherever one may be: world-readable under /srv, /opt, /home or
 * /var/lib, in a directory of / named as the machine pleases, in another
 * class's submissions, or in root's home (an instructor's clone; last,
 * since a directory it cannot search may count as "has it"). Graded with
 * those out of sight, it does not compile. */
#if __has_include("/srv/ipc-lab-second-clone/listener.c")
#include "/srv/ipc-lab-second-clone/listener.c"
#elif __has_include("/opt/ipc-lab-second-clone/listener.c")
#include "/opt/ipc-lab-second-clone/listener.c"
#elif __has_include("/home/ipc-lab-second-clone/listener.c")
#include "/home/ipc-lab-second-clone/listener.c"
#elif __has_include("/var/lib/ipc-lab-second-clone/listener.c")
#include "/var/lib/ipc-lab-second-clone/listener.c"
#elif __has_include("/ipc-lab-second-clone/listener.c")
#include "/ipc-lab-second-clone/listener.c"
#elif __has_include("/ipc-lab-other-class/submissions/sibling/listener.c")
#include "/ipc-lab-other-class/submissions/sibling/listener.c"
#elif __has_include("/root/ipc-lab-second-clone/listener.c")
#include "/root/ipc-lab-second-clone/listener.c"
#else
#error "no other clone of the lab in reach"
#endif
