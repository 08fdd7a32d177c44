/* Large segments between a tap and the relay's datagrams.
 *
 * A tap opened with IFF_VNET_HDR and TUNSETOFFLOAD (TUN_F_CSUM, TUN_F_TSO4)
 * hands the relay, behind a struct virtio_net_hdr, TCP segments of up to 64
 * kB and frames whose checksum is left to it.  Each datagram still carries
 * one frame of at most the tap's MTU (the wire format does not change), so:
 *
 *   - going out, udptun_segment() cuts such a frame into frames of the MTU
 *     (as a NIC's TCP segmentation would) and fills in their checksums;
 *   - coming in, struct udptun_gro joins consecutive TCP segments of one
 *     connection back into one large segment written into the tap in one
 *     go, as the kernel's GRO would, and frames it cannot join are written
 *     one by one.
 *
 * Either way the system behind the tap handles tens of kilobytes per frame
 * instead of one MTU.  IPv4 TCP is segmented and joined; any other frame
 * passes as it is (its checksum filled in when the tap left it).
 *
 * Pure functions: no I/O. */
#ifndef UDPTUN_OFFLOAD_H
#define UDPTUN_OFFLOAD_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* What a tap with IFF_VNET_HDR puts before each frame: the layout of the
 * kernel's struct virtio_net_hdr (linux/virtio_net.h, whose other
 * declarations do not compile as C++), in the host's byte order. */
struct udptun_vnet_hdr {
    uint8_t flags;              /* UDPTUN_VNET_F_*. */
    uint8_t gso_type;           /* UDPTUN_VNET_GSO_*. */
    uint16_t hdr_len;           /* Ethernet, IP and TCP headers. */
    uint16_t gso_size;          /* Payload of each segment. */
    uint16_t csum_start;        /* Checksum from here to the end... */
    uint16_t csum_offset;       /* ...goes here, after csum_start. */
};
#define UDPTUN_VNET_F_NEEDS_CSUM 1
#define UDPTUN_VNET_GSO_NONE 0
#define UDPTUN_VNET_GSO_TCPV4 1
#define UDPTUN_VNET_GSO_ECN 0x80
#define UDPTUN_VNET_HDR_LEN (sizeof(struct udptun_vnet_hdr))

/* At most this many frames from one large segment: 64 kB at an MSS of 256
 * bytes.  The relay asks the tap for large segments only with an MTU of
 * UDPTUN_OFFLOAD_MIN_MTU or more, whose MSS is larger. */
#define UDPTUN_MAX_SEGS 256
#define UDPTUN_OFFLOAD_MIN_MTU 576

/* The length of the longest frame udptun_segment() makes of 'frame' ('len'
 * bytes, as the tap gave it with 'vh'): its headers and one MSS of payload,
 * or 'len' if it is not to be cut.  0: a large segment that cannot be cut
 * (not IPv4 TCP, or malformed). */
size_t udptun_segment_len(const struct udptun_vnet_hdr *vh,
                          const uint8_t *frame, size_t len);

/* Cuts 'frame' into at most 'max' frames, the first at 'out', each next one
 * 'stride' bytes further on ('stride' at least udptun_segment_len()), their
 * lengths into 'lens', with their IPv4 and TCP checksums; a frame that is not
 * to be cut is copied with its checksum completed if the tap left it
 * partial.  Returns the number of frames, 0 if it cannot be done. */
size_t udptun_segment(const struct udptun_vnet_hdr *vh, const uint8_t *frame,
                      size_t len, uint8_t *out, size_t stride, size_t max,
                      size_t lens[]);

/* Joins frames that come in, in order, into large TCP segments. */
struct udptun_gro {
    size_t n;                   /* Frames held (0: none). */
    const uint8_t *first;       /* The first one, whose headers stand. */
    size_t first_len;
    bool lone;                  /* Not TCP payload: written as it is. */
    size_t l3, l4, hdrs_len;    /* Its IPv4 and TCP headers, and its
                                 * payload, lie there. */
    size_t mss;                 /* Its payload's length. */
    size_t payload;             /* Payload bytes joined. */
    uint32_t next_seq;          /* TCP sequence number expected next. */
    bool psh;                   /* A segment had PSH. */
    bool closed;                /* Takes no more (short or PSH segment). */
    struct iovec iov[1 + UDPTUN_MAX_SEGS];
    uint8_t head[UDPTUN_VNET_HDR_LEN + 160];   /* Built by the finish. */
};

void udptun_gro_init(struct udptun_gro *);

/* Adds 'frame' ('len' bytes, which must stay where they are until
 * udptun_gro_finish()).  Returns false if it cannot be joined to the frames
 * held: then the caller finishes those and adds it again, which an empty
 * 'gro' always takes. */
bool udptun_gro_add(struct udptun_gro *, const uint8_t *frame, size_t len);

/* The frames held, as one write into the tap: a struct udptun_vnet_hdr and the
 * frame (a large segment if several were joined), in iovecs at '*iov' (valid
 * until the next call on 'gro'), their number returned; 0 if none is held.
 * Empties 'gro'. */
size_t udptun_gro_finish(struct udptun_gro *, const struct iovec **iov);

#ifdef __cplusplus
}
#endif

#endif /* tools/udptun-offload.h */
