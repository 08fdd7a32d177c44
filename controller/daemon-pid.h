#ifndef CONTROLLER_DAEMON_PID_H
#define CONTROLLER_DAEMON_PID_H 1

#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The pid of the running 'program' (as the kernel names its process, at most
 * 15 characters) whose pidfile is 'pidfile', or 0 if there is none.  A
 * pidfile counts only while the process it names holds its lock (as OVS's
 * daemons do) and that process runs 'program': a file that anyone planted
 * there cannot make ovs-vnetd enter the namespace of, or signal, another
 * process. */
pid_t vnet_daemon_pid(const char *pidfile, const char *program);

#ifdef __cplusplus
}
#endif

#endif /* controller/daemon-pid.h */
