/* Fuzz target: the relay's datagram parsing and replay window
 * (tools/udptun-wire.h), as ovs-vnet-udptun runs them on every datagram from
 * the underlay.  The input is a datagram; half the time it is first sealed
 * with the key (so that the frame parsing behind a valid tag is reached) and
 * must then open to the same frame. */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tools/udptun-wire.h"

static struct udptun_key key;
static struct udptun_replay replay;
static uint8_t buf[65536 + UDPTUN_OVERHEAD];

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!key.len) {
        char *error = udptun_key_init(&key, "fuzzing key of the relay!", 25);
        if (error) {
            abort();
        }
    }
    if (size < 1 || size > 65536) {
        return 0;
    }
    uint64_t seq;
    size_t frame_ofs, frame_len;
    if (data[0] & 1) {
        /* data[1..] as a frame, sealed with sequence number 'size'. */
        size_t n = size - 1;
        memcpy(buf + UDPTUN_HDR_LEN, data + 1, n);
        size_t len = udptun_seal(&key, size * 3, size, buf, n);
        enum udptun_verdict v = udptun_open(&key, buf, len, &seq, &frame_ofs,
                                            &frame_len);
        if (n >= UDPTUN_MIN_FRAME) {
            if (v != UDPTUN_OK || seq != size || frame_len != n
                || frame_ofs != UDPTUN_HDR_LEN
                || memcmp(buf + UDPTUN_HDR_LEN, data + 1, n)) {
                abort();
            }
        } else if (v != UDPTUN_SHORT) {
            abort();
        }
    } else if (udptun_open(&key, data, size, &seq, &frame_ofs, &frame_len)
               == UDPTUN_OK) {
        if (frame_ofs + frame_len + UDPTUN_TAG_LEN != size) {
            abort();
        }
    } else {
        return 0;
    }
    /* Whatever opened, through the window: a number is never taken twice. */
    if (udptun_replay_accept(&replay, seq)
        && udptun_replay_accept(&replay, seq)) {
        abort();
    }
    return 0;
}
