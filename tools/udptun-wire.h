/* The UDP relay's wire format and its authentication.
 *
 * Every datagram between two relays is
 *
 *     'V' 'N' version(3) flags(0)   4 bytes
 *     salt                          4 bytes
 *     sequence number               8 bytes, big endian
 *     Ethernet frame                14 bytes or more
 *     tag                           16 bytes
 *
 * where the tag is the AES-128-GCM tag (GMAC: the datagram is authenticated,
 * not encrypted) of everything before it, with the salt and the sequence
 * number as the 12-byte nonce, under a key derived from the one that every
 * relay of a deployment shares (HMAC-SHA256 of a fixed label).  A datagram
 * whose tag does not match is not a peer's, whatever its source address
 * says.
 *
 * A nonce must never be used twice under the key.  A sender picks its salt
 * at random when it starts and never uses a sequence number twice; senders
 * with the same salt (one chance in 2^32 for two of them) would also have to
 * use the same sequence numbers, which start at the time each starts (below).
 *
 * The sequence number protects against replays: a sender starts it at the
 * time it starts (nanoseconds since the epoch), so that a restarted sender
 * goes on above what it sent before, and adds one per datagram; a receiver
 * keeps, per peer, the highest number seen and which of the 64 below it were
 * seen, and takes each number once.
 *
 * Version 2 (a 12-byte header without the salt, and HMAC-SHA256 truncated
 * to 16 bytes as the tag) is still taken, from relays not upgraded yet; it
 * is never sent.
 *
 * Pure functions: no I/O but udptun_key_read(). */
#ifndef UDPTUN_WIRE_H
#define UDPTUN_WIRE_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define UDPTUN_MAGIC0 0x56      /* 'V' */
#define UDPTUN_MAGIC1 0x4e      /* 'N' */
#define UDPTUN_VERSION 0x03
#define UDPTUN_HDR_LEN 16
#define UDPTUN_V2_VERSION 0x02
#define UDPTUN_V2_HDR_LEN 12
#define UDPTUN_TAG_LEN 16
#define UDPTUN_OVERHEAD (UDPTUN_HDR_LEN + UDPTUN_TAG_LEN)
#define UDPTUN_MIN_FRAME 14     /* An Ethernet header. */

/* A key: 16 to 1024 bytes, any values. */
#define UDPTUN_KEY_MIN 16
#define UDPTUN_KEY_MAX 1024

struct udptun_key {
    uint8_t bytes[UDPTUN_KEY_MAX];
    size_t len;
    char id[9];                 /* First 4 bytes of its SHA-256, in hex: to
                                 * compare keys without showing them. */
    void *mac;                  /* OpenSSL's HMAC, keyed (private). */
    void *gmac;                 /* OpenSSL's AES-128-GCM, keyed with the
                                 * derived key (private). */
};

/* Sets 'key' from 'len' bytes at 'bytes'.  Returns NULL, or an error message
 * (caller frees) and leaves 'key' unusable.  Release with
 * udptun_key_destroy(). */
char *udptun_key_init(struct udptun_key *key, const void *bytes, size_t len);

/* Reads a key from the file 'name': its contents without trailing white
 * space.  Returns NULL or an error message (caller frees). */
char *udptun_key_read(struct udptun_key *key, const char *name);

void udptun_key_destroy(struct udptun_key *key);

/* Computes the id of 'len' bytes at 'bytes' as a key (9 bytes with the
 * null) without keeping the key. */
void udptun_key_id(const void *bytes, size_t len, char id[9]);

/* Seals a datagram in 'buf': the frame must already be at
 * buf + UDPTUN_HDR_LEN, 'frame_len' bytes long, and the buffer must have
 * room for UDPTUN_TAG_LEN bytes behind it.  Writes the header (with the
 * sender's 'salt' and 'seq', which it must never use twice) and the tag.
 * Returns the datagram's length. */
size_t udptun_seal(const struct udptun_key *key, uint32_t salt, uint64_t seq,
                   uint8_t *buf, size_t frame_len);

/* What a received datagram is. */
enum udptun_verdict {
    UDPTUN_OK,
    UDPTUN_SHORT,               /* Shorter than a header, a frame, a tag. */
    UDPTUN_BAD_MAGIC,
    UDPTUN_BAD_VERSION,         /* Another version (1: without a tag). */
    UDPTUN_BAD_TAG,             /* Not sealed with our key. */
};

const char *udptun_verdict_to_string(enum udptun_verdict);

/* Checks the 'len'-byte datagram at 'buf' (version 3, or 2).  On UDPTUN_OK,
 * sets '*seq', and the frame is at buf + '*frame_ofs', '*frame_len' bytes
 * long. */
enum udptun_verdict udptun_open(const struct udptun_key *key,
                                const uint8_t *buf, size_t len,
                                uint64_t *seq, size_t *frame_ofs,
                                size_t *frame_len);

/* Replay protection for the datagrams of one peer. */
#define UDPTUN_REPLAY_WINDOW 64
struct udptun_replay {
    uint64_t top;               /* Highest sequence number taken. */
    uint64_t seen;              /* Bit i: top - i was taken. */
    bool started;
};

/* Returns true if 'seq' is new (and records it), false if it was taken
 * before or is too old for the window. */
bool udptun_replay_accept(struct udptun_replay *, uint64_t seq);

#ifdef __cplusplus
}
#endif

#endif /* tools/udptun-wire.h */
