/* ovs-vnet-udptun: carries Ethernet frames between tap devices and UDP peers.
 *
 * For hosts where VXLAN or Geneve cannot be used.  There is one tap device per
 * peer; ovs-vswitchd has each tap as a port on its bridge, so OpenFlow picks
 * the peer by picking the output port.  A frame that the switch writes into
 * tap T is sent in one UDP datagram to T's peer; a datagram from peer P is
 * written, as a frame, into P's tap, where OpenFlow sees it arrive as if on a
 * tunnel port.  Frames are not looked into to choose (only, standing alone,
 * to cut and join TCP segments: tools/udptun-offload.h).  With --attach, the
 * taps are ovs-vswitchd's own (ports of type "tap"), used through packet
 * sockets: on the userspace datapath, where ovs-vswitchd reads the taps
 * itself.  With --persist, the relay makes the taps (or takes over those an
 * earlier relay left) and they outlive it, so that the switch keeps its
 * ports while a relay restarts: on the kernel datapath, which receives what
 * the relay writes into a tap and sends the relay what it transmits through
 * one.
 *
 * Wire format: tools/udptun-wire.h.  Every datagram carries a tag computed
 * with the deployment's key (--key-file) and a sequence number: one that does
 * not come from a relay holding the key, or that was taken before, is
 * dropped, whatever its source address.
 *
 * One thread, one libevent loop, one UDP socket for all peers. */
#include <config.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "command-line.h"
#include "daemon.h"
#include "fatal-signal.h"
#include "hash.h"
#include "openvswitch/hmap.h"
#include "openvswitch/vlog.h"
#include "svec.h"
#include "tools/udptun-cmdline.h"
#include "tools/udptun-dev.h"
#include "tools/udptun-offload.h"
#include "tools/udptun-wire.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(udptun);

#ifndef VNET_VERSION
#define VNET_VERSION "0.1.0"
#endif

/* Room for a frame read from a tap.  A tap accepts MTUs up to 65521, so a
 * frame, with an 802.1Q tag, can exceed 64 kB; it must never be truncated
 * silently, so the buffer is larger than anything a tap can return and larger
 * than any datagram. */
#define FRAME_BUF_SIZE (65536 + 64)
#define SLOT_SIZE (UDPTUN_HDR_LEN + FRAME_BUF_SIZE + UDPTUN_TAG_LEN)

/* Frames or datagrams handled per readiness event, for fairness. */
#define BATCH 64

/* Requested socket buffer sizes. */
#define SOCK_BUF_SIZE (4 * 1024 * 1024)

struct peer {
    struct hmap_node hmap_node; /* In 'peers_by_addr', by address and port. */
    char tap_name[IFNAMSIZ];
    struct sockaddr_in addr;    /* The peer relay's UDP address. */
    int tap_fd;
    struct event *tap_event;
    bool tap_failed;            /* Tap unusable (device gone): ignored. */

    /* Tap to peer. */
    uint64_t tx_frames;
    uint64_t tx_bytes;          /* Frame bytes, without the header. */
    uint64_t tx_dropped;        /* Socket buffer full, frame too large. */
    uint64_t tx_errors;         /* Other send errors (unreachable...). */

    /* Peer to tap. */
    uint64_t rx_frames;
    uint64_t rx_bytes;
    uint64_t rx_dropped;        /* Tap write failed. */
    uint64_t rx_bad_tag;        /* Not sealed with our key. */
    uint64_t rx_replayed;       /* Sequence number taken before. */
    struct udptun_replay replay;
};

static struct udptun_config cfg;        /* The command line. */
static bool udp_gso = true;     /* The kernel takes UDP_SEGMENT. */
static size_t udp_gso_max = SIZE_MAX;   /* Datagrams this long or longer
                                         * are sent one by one: the path's
                                         * MTU is smaller (IP fragments
                                         * them, UDP segmentation cannot). */
static uint32_t salt;           /* Of this sender's nonces: random. */
static uint64_t next_seq;       /* Sequence number of the next datagram. */

static struct peer *peers;
static size_t n_peers;

/* State of the relay. */
static struct hmap peers_by_addr = HMAP_INITIALIZER(&peers_by_addr);
static struct event_base *base;
static int udp_fd = -1;
static struct event *udp_event;

/* Signals handled through libevent. */
static const int relay_signals[] = { SIGTERM, SIGINT, SIGHUP, SIGUSR1 };
static struct event *signal_events[ARRAY_SIZE(relay_signals)];

/* Batches.  A send slot starts with the header, written once at startup, and
 * a tap frame is read in right behind it; a receive slot takes a datagram. */
static uint8_t *tx_slots;
static struct iovec tx_iovs[BATCH];
static struct mmsghdr tx_msgs[BATCH];
static uint8_t *rx_slots;
static struct iovec rx_iovs[BATCH];
static struct mmsghdr rx_msgs[BATCH];
static struct sockaddr_in rx_addrs[BATCH];
/* With 'offload': each datagram received may be several joined (UDP_GRO),
 * its size in a control message; a large segment read from a tap is cut
 * into datagrams in 'seg_area', one every 'stride' bytes. */
static union {
    struct cmsghdr cmsg;
    char buf[CMSG_SPACE(sizeof(int))];
} rx_ctrl[BATCH];
static uint8_t *seg_area;
#define SEG_AREA_SIZE (UDPTUN_MAX_SEGS * (size_t) (UDPTUN_OVERHEAD + 1600) \
                       + FRAME_BUF_SIZE)
static struct udptun_gro gro;
static struct peer *gro_peer;

/* Datagrams dropped before they could be tied to a tap. */
static uint64_t rx_short;
static uint64_t rx_bad_magic;
static uint64_t rx_bad_version;
static uint64_t rx_bad_tag;
static uint64_t rx_truncated;
static uint64_t rx_unknown_source;
static uint64_t rx_errors;


static uint32_t
hash_addr(const struct sockaddr_in *sin)
{
    return hash_2words(sin->sin_addr.s_addr, sin->sin_port);
}

static struct peer *
peer_by_addr(const struct sockaddr_in *sin)
{
    struct peer *p;

    HMAP_FOR_EACH_WITH_HASH (p, hmap_node, hash_addr(sin), &peers_by_addr) {
        if (p->addr.sin_addr.s_addr == sin->sin_addr.s_addr
            && p->addr.sin_port == sin->sin_port) {
            return p;
        }
    }
    return NULL;
}

static void
log_counters(const char *why)
{
    VLOG_INFO("counters (%s): datagrams dropped: %"PRIu64" too short, "
              "%"PRIu64" bad magic, %"PRIu64" bad version, %"PRIu64
              " failed authentication, %"PRIu64" truncated, %"PRIu64
              " from unknown sources; %"PRIu64" receive errors", why,
              rx_short, rx_bad_magic, rx_bad_version, rx_bad_tag,
              rx_truncated, rx_unknown_source, rx_errors);
    for (size_t i = 0; i < n_peers; i++) {
        const struct peer *p = &peers[i];
        char buf[UDPTUN_ADDR_BUFSIZE];

        VLOG_INFO("counters (%s): %s <-> %s: to peer %"PRIu64" frames %"PRIu64
                  " bytes, %"PRIu64" dropped, %"PRIu64" send errors; "
                  "from peer %"PRIu64" frames %"PRIu64" bytes, %"PRIu64
                  " dropped, %"PRIu64" failed authentication, %"PRIu64
                  " replayed%s", why, p->tap_name,
                  udptun_addr_to_string(&p->addr, buf),
                  p->tx_frames, p->tx_bytes, p->tx_dropped, p->tx_errors,
                  p->rx_frames, p->rx_bytes, p->rx_dropped, p->rx_bad_tag,
                  p->rx_replayed,
                  p->tap_failed ? " (tap failed)" : "");
    }
}

/* Tap to peer. */

/* Counts and logs 'n' frames of 'len' bytes each (at most) that could not
 * be sent to 'p' for 'error'. */
static void
send_failed(struct peer *p, int error, size_t n, size_t len)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 20);
    char buf[UDPTUN_ADDR_BUFSIZE];

    if (error == EAGAIN || error == EWOULDBLOCK || error == ENOBUFS
        || error == ENOMEM) {
        p->tx_dropped += n;
        VLOG_WARN_RL(&rl, "%s: sending to %s: %s (frame dropped)",
                     p->tap_name, udptun_addr_to_string(&p->addr, buf),
                     ovs_strerror(error));
    } else if (error == EMSGSIZE) {
        p->tx_dropped += n;
        VLOG_WARN_RL(&rl, "%s: %zu-byte frame too large for a datagram "
                     "to %s (dropped)", p->tap_name, len,
                     udptun_addr_to_string(&p->addr, buf));
    } else {
        /* ECONNREFUSED, EHOSTUNREACH, ENETUNREACH, EPERM...: the peer or
         * the path to it is down, maybe for a moment. */
        p->tx_errors += n;
        VLOG_WARN_RL(&rl, "%s: sending to %s: %s", p->tap_name,
                     udptun_addr_to_string(&p->addr, buf),
                     ovs_strerror(error));
    }
}

/* Sends the first 'n' entries of 'tx_msgs' to 'p'. */
static void
send_batch(struct peer *p, unsigned int n)
{
    unsigned int i = 0;

    while (i < n) {
        int retval = sendmmsg(udp_fd, &tx_msgs[i], n - i, MSG_DONTWAIT);
        if (retval > 0) {
            for (unsigned int j = i; j < i + retval; j++) {
                p->tx_frames++;
                p->tx_bytes += tx_msgs[j].msg_len - UDPTUN_OVERHEAD;
            }
            i += retval;
            continue;
        }

        /* The message at 'i' failed: drop it and go on with the rest. */
        int error = retval < 0 ? errno : EAGAIN;
        if (error != EINTR) {
            send_failed(p, error, 1, tx_iovs[i].iov_len - UDPTUN_OVERHEAD);
            i++;
        }
    }
}

/* Sends the 'n' datagrams at 'area', one every 'stride' bytes, all
 * 'stride' bytes long but the last ('last_len'), to 'p': as few sends as
 * UDP segmentation allows (UDP_SEGMENT), or one by one where the kernel
 * does not take it. */
static void
send_segments(struct peer *p, uint8_t *area, size_t stride, size_t n,
              size_t last_len)
{
    /* At most 64 datagrams and 64 kB in one send. */
    size_t per_send = MIN(64, UDPTUN_MAX_UDP_PAYLOAD / stride);
    size_t i = 0;

    while (i < n) {
        size_t k = udp_gso && stride < udp_gso_max ? MIN(per_send, n - i) : 1;
        size_t len = (k - 1) * stride + (i + k == n ? last_len : stride);
        struct iovec iov = { .iov_base = area + i * stride, .iov_len = len };
        union {
            struct cmsghdr cmsg;
            char buf[CMSG_SPACE(sizeof(uint16_t))];
        } ctrl;
        struct msghdr msg = {
            .msg_name = &p->addr,
            .msg_namelen = sizeof p->addr,
            .msg_iov = &iov,
            .msg_iovlen = 1,
        };
        if (k > 1) {
            memset(&ctrl, 0, sizeof ctrl);
            msg.msg_control = &ctrl;
            msg.msg_controllen = sizeof ctrl;
            struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
            c->cmsg_level = SOL_UDP;
            c->cmsg_type = UDP_SEGMENT;
            c->cmsg_len = CMSG_LEN(sizeof(uint16_t));
            uint16_t size = stride;
            memcpy(CMSG_DATA(c), &size, sizeof size);
        }
        ssize_t retval = sendmsg(udp_fd, &msg, MSG_DONTWAIT);
        if (retval >= 0) {
            p->tx_frames += k;
            p->tx_bytes += len - k * UDPTUN_OVERHEAD;
            i += k;
            continue;
        }
        int error = errno;
        if (error == EINTR) {
            continue;
        } else if (k > 1 && (error == EINVAL || error == EIO
                             || error == EOPNOTSUPP)) {
            VLOG_INFO("the kernel does not segment UDP (%s): sending "
                      "datagrams one by one", ovs_strerror(error));
            udp_gso = false;
            continue;
        } else if (k > 1 && error == EMSGSIZE) {
            VLOG_INFO("%zu-byte datagrams exceed the path's MTU: sending "
                      "them one by one", stride);
            udp_gso_max = stride;
            continue;
        }
        send_failed(p, error, k, stride - UDPTUN_OVERHEAD);
        i += k;
    }
}

/* With 'offload': a frame in 'slot' (at UDPTUN_HDR_LEN) as the tap gave it,
 * 'len' bytes with 'vh' before it.  A large segment is cut and sent at once
 * (after the 'n' datagrams already in 'tx_msgs', which go first); any other
 * frame gets its checksum and stays in the slot to go with the batch.
 * Returns the frame's length if it stays, 0 if it was sent or dropped. */
static size_t
offload_frame(struct peer *p, const struct udptun_vnet_hdr *vh,
              uint8_t *frame, size_t len, unsigned int *n)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 20);
    size_t lens[UDPTUN_MAX_SEGS];

    if (vh->gso_type == UDPTUN_VNET_GSO_NONE) {
        if (!udptun_segment(vh, frame, len, frame, len, 1, lens)) {
            p->tx_dropped++;
            VLOG_WARN_RL(&rl, "%s: frame with a bad checksum offset "
                         "(dropped)", p->tap_name);
            return 0;
        }
        return len;
    }

    size_t seg_len = udptun_segment_len(vh, frame, len);
    size_t stride = UDPTUN_OVERHEAD + seg_len;
    size_t nsegs = seg_len
                   ? udptun_segment(vh, frame, len,
                                    seg_area + UDPTUN_HDR_LEN, stride,
                                    MIN(UDPTUN_MAX_SEGS,
                                        SEG_AREA_SIZE / stride), lens)
                   : 0;
    if (!nsegs) {
        p->tx_dropped++;
        VLOG_WARN_RL(&rl, "%s: %zu-byte segment (GSO type %d, size %d) "
                     "that cannot be cut (dropped)", p->tap_name, len,
                     vh->gso_type, vh->gso_size);
        return 0;
    }
    if (*n) {
        send_batch(p, *n);
        *n = 0;
    }
    size_t last = 0;
    for (size_t i = 0; i < nsegs; i++) {
        last = udptun_seal(&cfg.key, salt, next_seq++,
                           seg_area + i * stride, lens[i]);
    }
    send_segments(p, seg_area, stride, nsegs, last);
    return 0;
}

static void
tap_readable(evutil_socket_t fd, short what OVS_UNUSED, void *p_)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 20);
    struct peer *p = p_;
    unsigned int n = 0;

    for (int i = 0; i < BATCH; i++) {
        uint8_t *frame = tx_slots + (size_t) n * SLOT_SIZE + UDPTUN_HDR_LEN;
        struct udptun_vnet_hdr vh;
        ssize_t len;
        if (cfg.attach_taps) {
            len = udptun_packet_read(fd, frame, FRAME_BUF_SIZE);
        } else if (cfg.offload) {
            struct iovec iov[2] = {
                { .iov_base = &vh, .iov_len = sizeof vh },
                { .iov_base = frame, .iov_len = FRAME_BUF_SIZE },
            };
            len = readv(fd, iov, 2);
            if (len >= 0 && (size_t) len < sizeof vh) {
                continue;
            } else if (len > 0) {
                len -= sizeof vh;
            }
        } else {
            len = read(fd, frame, FRAME_BUF_SIZE);
        }
        if (len < 0) {
            if (errno == EINTR) {
                continue;
            } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
                break;
            } else if (errno == ENETDOWN && cfg.attach_taps) {
                /* The switch took its tap down for a moment (a packet
                 * socket says so once); frames come again when it is up. */
                VLOG_DBG("%s: went down", p->tap_name);
                break;
            } else if (errno == EBADFD || errno == EBADF) {
                /* The device is gone.  Without this, the fd would stay
                 * readable and the loop would spin.  With --persist, whoever
                 * restarts the relay gets the tap made again. */
                if (cfg.persist_taps) {
                    VLOG_FATAL("%s: tap device is gone (%s)", p->tap_name,
                               ovs_strerror(errno));
                }
                VLOG_ERR("%s: tap device is gone (%s), no longer relaying "
                         "it", p->tap_name, ovs_strerror(errno));
                event_del(p->tap_event);
                p->tap_failed = true;
                break;
            }
            VLOG_WARN_RL(&rl, "%s: read failed (%s)", p->tap_name,
                         ovs_strerror(errno));
            break;
        } else if (!len) {
            break;
        } else if (cfg.offload) {
            len = offload_frame(p, &vh, frame, len, &n);
            if (!len) {
                continue;
            }
        }
        if (len > UDPTUN_MAX_FRAME) {
            p->tx_dropped++;
            VLOG_WARN_RL(&rl, "%s: %zd-byte frame exceeds the %d bytes that "
                         "fit in a datagram (dropped)", p->tap_name, len,
                         UDPTUN_MAX_FRAME);
            continue;
        }

        tx_iovs[n].iov_len = udptun_seal(&cfg.key, salt, next_seq++,
                                         frame - UDPTUN_HDR_LEN, len);
        tx_msgs[n].msg_hdr.msg_name = &p->addr;
        tx_msgs[n].msg_hdr.msg_namelen = sizeof p->addr;
        n++;
    }

    if (n) {
        send_batch(p, n);
    }
}

/* Peer to tap. */

/* Writes 'n' iovecs into the tap of 'p': 'frames' frames, 'bytes' bytes of
 * them as received. */
static void
write_tap(struct peer *p, const struct iovec *iov, size_t n, size_t frames,
          size_t bytes)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 20);
    ssize_t retval;

    do {
        retval = writev(p->tap_fd, iov, n);
    } while (retval < 0 && errno == EINTR);
    if (retval < 0) {
        /* EIO: the tap is down.  EAGAIN, ENOBUFS, ENOMEM: no room. */
        char buf[UDPTUN_ADDR_BUFSIZE];
        p->rx_dropped += frames;
        VLOG_WARN_RL(&rl, "%s: writing %zu frame%s (%zu bytes) from %s "
                     "failed (%s)", p->tap_name, frames,
                     frames == 1 ? "" : "s", bytes,
                     udptun_addr_to_string(&p->addr, buf),
                     ovs_strerror(errno));
        return;
    }
    p->rx_frames += frames;
    p->rx_bytes += bytes;
}

/* Writes the frames 'gro' holds into their peer's tap. */
static void
gro_flush(void)
{
    struct peer *p = gro_peer;
    size_t frames = gro.n;
    const struct iovec *iov;
    size_t n = udptun_gro_finish(&gro, &iov);
    if (!n) {
        return;
    }
    /* What the frames were as received: each had the headers. */
    size_t hdrs = iov[0].iov_len - UDPTUN_VNET_HDR_LEN;
    size_t bytes = (frames - 1) * hdrs;
    for (size_t i = 1; i < n; i++) {
        bytes += iov[i].iov_len;
    }
    write_tap(p, iov, n, frames, bytes);
}

/* Writes 'frame' from 'p' into its tap, or keeps it to join it to the next
 * ones (with 'offload'). */
static void
deliver(struct peer *p, const uint8_t *frame, size_t frame_len)
{
    if (cfg.offload) {
        if (gro_peer != p) {
            gro_flush();
            gro_peer = p;
        }
        if (!udptun_gro_add(&gro, frame, frame_len)) {
            gro_flush();
            udptun_gro_add(&gro, frame, frame_len);
        }
        return;
    }

    struct iovec iov = { .iov_base = (void *) frame, .iov_len = frame_len };
    write_tap(p, &iov, 1, 1, frame_len);
}

static void
handle_datagram(const struct sockaddr_in *src, socklen_t src_len,
                const uint8_t *data, size_t len, int flags)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 20);
    char buf[UDPTUN_ADDR_BUFSIZE];

    if (src_len < sizeof *src || src->sin_family != AF_INET) {
        rx_unknown_source++;
        VLOG_WARN_RL(&rl, "datagram from a non-IPv4 source (dropped)");
        return;
    }

    struct peer *p = peer_by_addr(src);
    if (!p) {
        rx_unknown_source++;
        VLOG_WARN_RL(&rl, "%zu-byte datagram from %s, which is not a "
                     "configured peer (dropped)", len,
                     udptun_addr_to_string(src, buf));
        return;
    }
    if (flags & MSG_TRUNC) {
        rx_truncated++;
        VLOG_WARN_RL(&rl, "truncated datagram from %s (dropped)",
                     udptun_addr_to_string(src, buf));
        return;
    }
    uint64_t seq;
    size_t frame_ofs, frame_len;
    enum udptun_verdict v = udptun_open(&cfg.key, data, len, &seq,
                                        &frame_ofs, &frame_len);
    if (v != UDPTUN_OK) {
        switch (v) {
        case UDPTUN_SHORT:
            rx_short++;
            break;
        case UDPTUN_BAD_MAGIC:
            rx_bad_magic++;
            break;
        case UDPTUN_BAD_VERSION:
            rx_bad_version++;
            break;
        case UDPTUN_BAD_TAG:
        case UDPTUN_OK:
        default:
            rx_bad_tag++;
            p->rx_bad_tag++;
            break;
        }
        VLOG_WARN_RL(&rl, "%zu-byte datagram from %s: %s (dropped)", len,
                     udptun_addr_to_string(src, buf),
                     udptun_verdict_to_string(v));
        return;
    }
    if (!udptun_replay_accept(&p->replay, seq)) {
        p->rx_replayed++;
        VLOG_WARN_RL(&rl, "datagram from %s with sequence number %"PRIu64
                     " was received before (dropped)",
                     udptun_addr_to_string(src, buf), seq);
        return;
    }

    if (p->tap_failed) {
        p->rx_dropped++;
        return;
    }
    deliver(p, data + frame_ofs, frame_len);
}

static void
udp_readable(evutil_socket_t fd, short what OVS_UNUSED, void *aux OVS_UNUSED)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 20);
    int n;

    for (int i = 0; i < BATCH; i++) {
        rx_msgs[i].msg_hdr.msg_namelen = sizeof rx_addrs[i];
        rx_msgs[i].msg_hdr.msg_flags = 0;
        if (cfg.offload) {
            rx_msgs[i].msg_hdr.msg_control = &rx_ctrl[i];
            rx_msgs[i].msg_hdr.msg_controllen = sizeof rx_ctrl[i];
        }
    }
    do {
        n = recvmmsg(fd, rx_msgs, BATCH, MSG_DONTWAIT, NULL);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
        if (errno != EAGAIN && errno != EWOULDBLOCK) {
            /* A pending error on the socket (e.g. from ICMP), reported once
             * and then cleared: not a reason to stop. */
            rx_errors++;
            VLOG_WARN_RL(&rl, "receive failed (%s)", ovs_strerror(errno));
        }
        return;
    }

    for (int i = 0; i < n; i++) {
        const uint8_t *data = rx_slots + (size_t) i * SLOT_SIZE;
        size_t len = rx_msgs[i].msg_len;
        /* Several datagrams of one size joined by the kernel (UDP_GRO). */
        size_t size = len;
        struct msghdr *mh = &rx_msgs[i].msg_hdr;
        for (struct cmsghdr *c = cfg.offload ? CMSG_FIRSTHDR(mh) : NULL; c;
             c = CMSG_NXTHDR(mh, c)) {
            int gso_size;
            if (c->cmsg_level == SOL_UDP && c->cmsg_type == UDP_GRO
                && c->cmsg_len >= CMSG_LEN(sizeof gso_size)) {
                memcpy(&gso_size, CMSG_DATA(c), sizeof gso_size);
                if (gso_size > 0) {
                    size = gso_size;
                }
            }
        }
        for (size_t off = 0; off < len; off += size) {
            handle_datagram(&rx_addrs[i], mh->msg_namelen, data + off,
                            MIN(size, len - off), mh->msg_flags);
        }
    }
    gro_flush();
}

/* Signals. */

static void
signal_received(evutil_socket_t sig, short what OVS_UNUSED,
                void *aux OVS_UNUSED)
{
    switch (sig) {
    case SIGUSR1:
        log_counters("SIGUSR1");
        break;

    case SIGHUP:
        vlog_reopen_log_file();
        break;

    default:
        VLOG_INFO("received signal %d (%s), exiting", (int) sig,
                  sig == SIGTERM ? "SIGTERM" : "SIGINT");
        event_base_loopbreak(base);
        break;
    }
}

/* Setup. */

static void
enter_netns(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        ovs_fatal(errno, "--netns: %s: open failed", path);
    }
    if (setns(fd, CLONE_NEWNET) < 0) {
        ovs_fatal(errno, "--netns: %s: could not enter network namespace",
                  path);
    }
    close(fd);
}

static void
open_udp_socket(void)
{
    char buf[UDPTUN_ADDR_BUFSIZE];
    int fd;

    fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        VLOG_FATAL("UDP socket: %s", ovs_strerror(errno));
    }

    /* Never set DF: a datagram larger than the path MTU is fragmented by IP
     * rather than dropped. */
    int pmtudisc = IP_PMTUDISC_DONT;
    if (setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &pmtudisc,
                   sizeof pmtudisc) < 0) {
        VLOG_FATAL("setsockopt(IP_MTU_DISCOVER): %s", ovs_strerror(errno));
    }

    /* Large buffers absorb bursts from many peers.  The FORCE variants go
     * beyond net.core.[rw]mem_max but need CAP_NET_ADMIN. */
    int size = SOCK_BUF_SIZE;
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size) < 0) {
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
    }
    if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof size) < 0) {
        setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
    }

    /* Datagrams that arrive together come in one receive. */
    int one = 1;
    if (cfg.offload
        && setsockopt(fd, SOL_UDP, UDP_GRO, &one, sizeof one) < 0) {
        VLOG_INFO("datagrams received one by one (UDP_GRO: %s)",
                  ovs_strerror(errno));
    }

    if (bind(fd, (struct sockaddr *) &cfg.local, sizeof cfg.local) < 0) {
        VLOG_FATAL("--local=%s: bind failed (%s)",
                   udptun_addr_to_string(&cfg.local, buf),
                   ovs_strerror(errno));
    }
    udp_fd = fd;
}

static void
init_batches(void)
{
    tx_slots = xmalloc((size_t) BATCH * SLOT_SIZE);
    rx_slots = xmalloc((size_t) BATCH * SLOT_SIZE);
    if (cfg.offload) {
        seg_area = xmalloc(SEG_AREA_SIZE);
        udptun_gro_init(&gro);
    }
    memset(tx_msgs, 0, sizeof tx_msgs);
    memset(rx_msgs, 0, sizeof rx_msgs);
    for (size_t i = 0; i < BATCH; i++) {
        tx_iovs[i].iov_base = tx_slots + i * SLOT_SIZE;
        tx_msgs[i].msg_hdr.msg_iov = &tx_iovs[i];
        tx_msgs[i].msg_hdr.msg_iovlen = 1;

        rx_iovs[i].iov_base = rx_slots + i * SLOT_SIZE;
        rx_iovs[i].iov_len = SLOT_SIZE;
        rx_msgs[i].msg_hdr.msg_iov = &rx_iovs[i];
        rx_msgs[i].msg_hdr.msg_iovlen = 1;
        rx_msgs[i].msg_hdr.msg_name = &rx_addrs[i];
    }
}

static struct event *
xevent_new(evutil_socket_t fd, short what, event_callback_fn cb, void *aux)
{
    struct event *ev = event_new(base, fd, what, cb, aux);
    if (!ev || event_add(ev, NULL)) {
        VLOG_FATAL("could not register event with libevent");
    }
    return ev;
}

static void
relay_destroy(void)
{
    for (size_t i = 0; i < n_peers; i++) {
        struct peer *p = &peers[i];
        if (p->tap_event) {
            event_free(p->tap_event);
        }
        if (p->tap_fd >= 0) {
            close(p->tap_fd);
        }
    }
    if (udp_event) {
        event_free(udp_event);
    }
    if (udp_fd >= 0) {
        close(udp_fd);
    }
    for (size_t i = 0; i < ARRAY_SIZE(signal_events); i++) {
        if (signal_events[i]) {
            event_free(signal_events[i]);
        }
    }
    event_base_free(base);
    libevent_global_shutdown();

    hmap_destroy(&peers_by_addr);
    free(peers);
    free(tx_slots);
    free(rx_slots);
    free(seg_area);
    free(cfg.netns_path);
    free(cfg.peers);
    udptun_key_destroy(&cfg.key);
}

int
main(int argc, char *argv[])
{
    char buf[UDPTUN_ADDR_BUFSIZE];
    sigset_t sigs, old_sigs;

    ovs_cmdl_proctitle_init(argc, argv);
    set_program_name(argv[0]);
    fatal_ignore_sigpipe();
    udptun_parse_command_line(argc, argv, &cfg);
    peers = xcalloc(cfg.n_peers, sizeof *peers);
    for (size_t i = 0; i < cfg.n_peers; i++) {
        struct peer *p = &peers[n_peers++];
        ovs_strlcpy(p->tap_name, cfg.peers[i].tap_name, sizeof p->tap_name);
        p->addr = cfg.peers[i].addr;
        p->tap_fd = -1;
        hmap_insert(&peers_by_addr, &p->hmap_node, hash_addr(&p->addr));
    }

    /* First of all, so that the socket and the taps are created there. */
    if (cfg.netns_path) {
        enter_netns(cfg.netns_path);
    }

    /* The socket and the taps before daemonize_start(), which writes the
     * pidfile: a relay whose pidfile is there carries traffic (ovs-vnetd
     * waits for it before it reports a switch in sync). */
    init_batches();
    open_udp_socket();

    int ctl_fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (ctl_fd < 0) {
        VLOG_FATAL("socket: %s", ovs_strerror(errno));
    }
    for (size_t i = 0; i < n_peers; i++) {
        struct peer *p = &peers[i];
        struct svec warnings = SVEC_EMPTY_INITIALIZER;
        char *error = (cfg.attach_taps
                       ? udptun_tap_attach(p->tap_name, cfg.mtu, ctl_fd,
                                           &p->tap_fd, &warnings)
                       : udptun_tap_open(p->tap_name, cfg.mtu,
                                         cfg.persist_taps, cfg.offload,
                                         ctl_fd, &p->tap_fd,
                                         &warnings));
        const char *w;
        size_t j;
        SVEC_FOR_EACH (j, w, &warnings) {
            VLOG_WARN("%s", w);
        }
        svec_destroy(&warnings);
        if (error) {
            VLOG_FATAL("%s", error);
        }
    }
    close(ctl_fd);

    /* With --user, keep CAP_NET_ADMIN: taps deleted behind our back are
     * made again. */
    daemonize_start(true);

    /* Hold the signals until libevent handles them. */
    sigemptyset(&sigs);
    for (size_t i = 0; i < ARRAY_SIZE(relay_signals); i++) {
        sigaddset(&sigs, relay_signals[i]);
    }
    sigprocmask(SIG_BLOCK, &sigs, &old_sigs);

    /* After the fork in daemonize_start(). */
    base = event_base_new();
    if (!base) {
        VLOG_FATAL("could not create libevent base");
    }

    /* Above every number an earlier relay of this host sent. */
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    next_seq = (uint64_t) now.tv_sec * 1000000000 + now.tv_nsec;
    if (getrandom(&salt, sizeof salt, 0) != sizeof salt) {
        VLOG_FATAL("no random numbers for the datagrams' nonces (%s)",
                   ovs_strerror(errno));
    }

    udp_event = xevent_new(udp_fd, EV_READ | EV_PERSIST, udp_readable, NULL);
    for (size_t i = 0; i < n_peers; i++) {
        struct peer *p = &peers[i];
        p->tap_event = xevent_new(p->tap_fd, EV_READ | EV_PERSIST,
                                  tap_readable, p);
    }
    for (size_t i = 0; i < ARRAY_SIZE(relay_signals); i++) {
        signal_events[i] = xevent_new(relay_signals[i],
                                      EV_SIGNAL | EV_PERSIST,
                                      signal_received, NULL);
    }
    sigprocmask(SIG_SETMASK, &old_sigs, NULL);
    /* A fatal signal caught by the handlers that daemonize_start() set up
     * before libevent took over. */
    fatal_signal_run();

    daemonize_complete();
    VLOG_INFO("%s (ovs-vnet) %s: UDP %s, %zu peer%s, tap MTU %d, key id %s"
              "%s%s", program_name, VNET_VERSION,
              udptun_addr_to_string(&cfg.local, buf), n_peers,
              n_peers == 1 ? "" : "s", cfg.mtu, cfg.key.id,
              cfg.netns_path ? ", network namespace " : "",
              cfg.netns_path ? cfg.netns_path : "");
    for (size_t i = 0; i < n_peers; i++) {
        VLOG_INFO("tap %s <-> %s", peers[i].tap_name,
                  udptun_addr_to_string(&peers[i].addr, buf));
    }

    int retval = event_base_dispatch(base);
    if (retval < 0) {
        VLOG_ERR("event loop failed");
    }

    log_counters("exiting");
    relay_destroy();
    return retval < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
