/* The relay's devices: the taps it makes, or a switch's taps it attaches to
 * through packet sockets (--attach).
 *
 * No logging here: what stops the relay comes back as an error message,
 * what does not as warnings (both for the caller to log and free). */
#ifndef UDPTUN_DEV_H
#define UDPTUN_DEV_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct svec;

/* Creates tap 'name' (not persistent: it goes away with its fd; with
 * 'persist', persistent, and one that exists already is taken over), with a
 * struct udptun_vnet_hdr before each frame and large TCP segments if
 * 'offload' (tools/udptun-offload.h), sets its MTU, disables IPv6 on it and
 * brings it up.  'ctl_fd' is any socket, for ioctls.  Returns NULL and the
 * tap's fd (non-blocking) in '*fdp', or an error message. */
char *udptun_tap_open(const char *name, int mtu, bool persist, bool offload,
                      int ctl_fd, int *fdp, struct svec *warnings);

/* --attach: tap 'name' was made by ovs-vswitchd (a port of type "tap"),
 * which holds its queue.  A packet socket bound to it receives what the
 * switch sends through it; what is sent on the socket goes, through the
 * tap's transmit queue, to the switch, which reads it at its own pace.
 * Sets the tap's MTU, disables IPv6 on it and brings it up.  Returns NULL
 * and the socket (non-blocking) in '*fdp', or an error message. */
char *udptun_tap_attach(const char *name, int mtu, int ctl_fd, int *fdp,
                        struct svec *warnings);

/* Reads a frame from an attached tap's packet socket into 'frame' ('size'
 * bytes).  The kernel takes the 802.1Q tag off frames as they arrive and
 * reports it aside; it is put back, since the VID is the segment.  Returns
 * the length, or -1 with errno. */
ssize_t udptun_packet_read(int fd, uint8_t *frame, size_t size);

#endif /* tools/udptun-dev.h */
