#include <config.h>
#include "tools/udptun-wire.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include "util.h"

void
udptun_key_id(const void *bytes, size_t len, char id[9])
{
    uint8_t digest[SHA256_DIGEST_LENGTH];
    SHA256(bytes, len, digest);
    snprintf(id, 9, "%02x%02x%02x%02x", digest[0], digest[1], digest[2],
             digest[3]);
}

char *
udptun_key_init(struct udptun_key *key, const void *bytes, size_t len)
{
    memset(key, 0, sizeof *key);
    if (len < UDPTUN_KEY_MIN || len > UDPTUN_KEY_MAX) {
        return xasprintf("a key has %d to %d bytes, not %zu", UDPTUN_KEY_MIN,
                         UDPTUN_KEY_MAX, len);
    }
    memcpy(key->bytes, bytes, len);
    key->len = len;
    udptun_key_id(bytes, len, key->id);

    EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    EVP_MAC_CTX *ctx = mac ? EVP_MAC_CTX_new(mac) : NULL;
    EVP_MAC_free(mac);          /* 'ctx' holds its own reference. */
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, "SHA256", 0),
        OSSL_PARAM_construct_end(),
    };
    if (!ctx || !EVP_MAC_init(ctx, key->bytes, key->len, params)) {
        EVP_MAC_CTX_free(ctx);
        udptun_key_destroy(key);
        return xstrdup("OpenSSL has no HMAC-SHA256");
    }
    key->mac = ctx;
    return NULL;
}

char *
udptun_key_read(struct udptun_key *key, const char *name)
{
    memset(key, 0, sizeof *key);
    FILE *f = fopen(name, "rb");
    if (!f) {
        return xasprintf("%s: %s", name, ovs_strerror(errno));
    }
    uint8_t buf[UDPTUN_KEY_MAX + 2];
    size_t n = fread(buf, 1, sizeof buf, f);
    bool failed = ferror(f);
    fclose(f);
    if (failed) {
        return xasprintf("%s: read error", name);
    }
    if (n > UDPTUN_KEY_MAX + 1) {
        return xasprintf("%s: longer than %d bytes", name, UDPTUN_KEY_MAX);
    }
    while (n > 0 && isspace(buf[n - 1])) {
        n--;
    }
    char *error = udptun_key_init(key, buf, n);
    OPENSSL_cleanse(buf, sizeof buf);
    if (error) {
        char *e = xasprintf("%s: %s", name, error);
        free(error);
        return e;
    }
    return NULL;
}

void
udptun_key_destroy(struct udptun_key *key)
{
    if (key) {
        EVP_MAC_CTX_free(key->mac);
        OPENSSL_cleanse(key->bytes, sizeof key->bytes);
        key->mac = NULL;
        key->len = 0;
    }
}

/* Computes the tag of the 'len' bytes at 'data' into 'tag'. */
static void
compute_tag(const struct udptun_key *key, const uint8_t *data, size_t len,
            uint8_t tag[UDPTUN_TAG_LEN])
{
    EVP_MAC_CTX *ctx = key->mac;
    uint8_t full[EVP_MAX_MD_SIZE];
    size_t full_len = 0;

    /* A keyed context starts over with the same key. */
    if (!EVP_MAC_init(ctx, NULL, 0, NULL)
        || !EVP_MAC_update(ctx, data, len)
        || !EVP_MAC_final(ctx, full, &full_len, sizeof full)
        || full_len < UDPTUN_TAG_LEN) {
        /* Cannot happen with a context that initialized: make sure nothing
         * matches anyway. */
        memset(full, 0, sizeof full);
        full[0] = ~data[0];
    }
    memcpy(tag, full, UDPTUN_TAG_LEN);
}

static void
put_be64(uint8_t *p, uint64_t x)
{
    for (int i = 7; i >= 0; i--) {
        p[i] = x;
        x >>= 8;
    }
}

static uint64_t
get_be64(const uint8_t *p)
{
    uint64_t x = 0;
    for (int i = 0; i < 8; i++) {
        x = (x << 8) | p[i];
    }
    return x;
}

size_t
udptun_seal(const struct udptun_key *key, uint64_t seq, uint8_t *buf,
            size_t frame_len)
{
    buf[0] = UDPTUN_MAGIC0;
    buf[1] = UDPTUN_MAGIC1;
    buf[2] = UDPTUN_VERSION;
    buf[3] = 0;
    put_be64(buf + 4, seq);
    size_t len = UDPTUN_HDR_LEN + frame_len;
    compute_tag(key, buf, len, buf + len);
    return len + UDPTUN_TAG_LEN;
}

const char *
udptun_verdict_to_string(enum udptun_verdict v)
{
    switch (v) {
    case UDPTUN_OK: return "ok";
    case UDPTUN_SHORT: return "too short";
    case UDPTUN_BAD_MAGIC: return "bad magic";
    case UDPTUN_BAD_VERSION: return "unsupported version";
    case UDPTUN_BAD_TAG: return "authentication failed";
    }
    return "unknown";
}

enum udptun_verdict
udptun_open(const struct udptun_key *key, const uint8_t *buf, size_t len,
            uint64_t *seq, size_t *frame_len)
{
    if (len < 3) {
        return UDPTUN_SHORT;
    }
    if (buf[0] != UDPTUN_MAGIC0 || buf[1] != UDPTUN_MAGIC1) {
        return UDPTUN_BAD_MAGIC;
    }
    if (buf[2] != UDPTUN_VERSION) {
        return UDPTUN_BAD_VERSION;
    }
    if (len < UDPTUN_OVERHEAD + UDPTUN_MIN_FRAME) {
        return UDPTUN_SHORT;
    }
    /* buf[3], the flags, is covered by the tag and otherwise ignored. */
    size_t body = len - UDPTUN_TAG_LEN;
    uint8_t tag[UDPTUN_TAG_LEN];
    compute_tag(key, buf, body, tag);
    if (CRYPTO_memcmp(tag, buf + body, UDPTUN_TAG_LEN)) {
        return UDPTUN_BAD_TAG;
    }
    *seq = get_be64(buf + 4);
    *frame_len = body - UDPTUN_HDR_LEN;
    return UDPTUN_OK;
}

bool
udptun_replay_accept(struct udptun_replay *r, uint64_t seq)
{
    if (!r->started) {
        r->started = true;
        r->top = seq;
        r->seen = 1;
        return true;
    }
    if (seq > r->top) {
        uint64_t shift = seq - r->top;
        r->seen = shift >= UDPTUN_REPLAY_WINDOW ? 0 : r->seen << shift;
        r->seen |= 1;
        r->top = seq;
        return true;
    }
    uint64_t age = r->top - seq;
    if (age >= UDPTUN_REPLAY_WINDOW) {
        return false;
    }
    uint64_t bit = UINT64_C(1) << age;
    if (r->seen & bit) {
        return false;
    }
    r->seen |= bit;
    return true;
}
