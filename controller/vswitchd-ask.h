/* Questions to ovs-vswitchd through its unixctl socket, never waited for.
 *
 * ovs-vnetd drives many switches from one loop.  A question asked and
 * waited for (unixctl_client_transact()) would stop that loop for as long as
 * ovs-vswitchd does not answer: forever if it is stopped with its socket
 * still there.  Here the questions of a batch are sent together, and their
 * answers collected on later passes of the loop as they come; a batch not
 * answered by its deadline fails with ETIMEDOUT.  Only what asked waits. */
#ifndef VNET_VSWITCHD_ASK_H
#define VNET_VSWITCHD_ASK_H 1

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

struct vswitchd_ask;

/* A batch of questions for the unixctl server at 'ctl_path', to be answered
 * by 'deadline' (time_msec()).  Connects at once, without waiting. */
struct vswitchd_ask *vswitchd_ask_create(const char *ctl_path,
                                         long long int deadline);
void vswitchd_ask_destroy(struct vswitchd_ask *);

/* Adds command 'cmd' with 'argc' arguments 'argv' to the batch (before the
 * first vswitchd_ask_run()). */
void vswitchd_ask_add(struct vswitchd_ask *, const char *cmd, int argc,
                      char *argv[]);

/* Sends, and takes in the answers that came.  Returns 0 once every question
 * is answered, EAGAIN while some are not, or an errno for good: the socket
 * could not be reached or broke (then every later call returns the same),
 * or ETIMEDOUT at the deadline. */
int vswitchd_ask_run(struct vswitchd_ask *);
void vswitchd_ask_wait(const struct vswitchd_ask *);

/* The answer to question 'i' (in the order added), once vswitchd_ask_run()
 * returned 0: its output (maybe ""), with '*error' NULL; or NULL with the
 * server's error text in '*error' (a command it does not have, say). */
const char *vswitchd_ask_answer(const struct vswitchd_ask *, size_t i,
                                const char **error);

#ifdef __cplusplus
}
#endif

#endif /* controller/vswitchd-ask.h */
