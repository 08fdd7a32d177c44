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

    /* The GMAC key: HMAC-SHA256 of a label, its first 16 bytes. */
    static const char label[] = "ovs-vnet-udptun 3 gmac key";
    uint8_t derived[EVP_MAX_MD_SIZE];
    size_t derived_len = 0;
    EVP_CIPHER_CTX *gcm = EVP_CIPHER_CTX_new();
    bool ok = (gcm
               && EVP_MAC_init(ctx, NULL, 0, NULL)
               && EVP_MAC_update(ctx, (const uint8_t *) label,
                                 sizeof label - 1)
               && EVP_MAC_final(ctx, derived, &derived_len, sizeof derived)
               && derived_len >= 16
               && EVP_EncryptInit_ex(gcm, EVP_aes_128_gcm(), NULL, derived,
                                     NULL));
    OPENSSL_cleanse(derived, sizeof derived);
    if (!ok) {
        EVP_CIPHER_CTX_free(gcm);
        udptun_key_destroy(key);
        return xstrdup("OpenSSL has no AES-128-GCM");
    }
    key->gmac = gcm;
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
        EVP_CIPHER_CTX_free(key->gmac);
        OPENSSL_cleanse(key->bytes, sizeof key->bytes);
        key->mac = NULL;
        key->gmac = NULL;
        key->len = 0;
    }
}

/* Makes sure that 'tag' matches no datagram's: for failures that cannot
 * happen with a context that initialized. */
static void
spoil_tag(const uint8_t *data, uint8_t tag[UDPTUN_TAG_LEN])
{
    memset(tag, 0, UDPTUN_TAG_LEN);
    tag[0] = ~data[0];
}

/* Version 2's tag of the 'len' bytes at 'data' into 'tag': HMAC-SHA256, its
 * first 16 bytes. */
static void
compute_hmac_tag(const struct udptun_key *key, const uint8_t *data,
                 size_t len, uint8_t tag[UDPTUN_TAG_LEN])
{
    EVP_MAC_CTX *ctx = key->mac;
    uint8_t full[EVP_MAX_MD_SIZE];
    size_t full_len = 0;

    /* A keyed context starts over with the same key. */
    if (!EVP_MAC_init(ctx, NULL, 0, NULL)
        || !EVP_MAC_update(ctx, data, len)
        || !EVP_MAC_final(ctx, full, &full_len, sizeof full)
        || full_len < UDPTUN_TAG_LEN) {
        spoil_tag(data, tag);
        return;
    }
    memcpy(tag, full, UDPTUN_TAG_LEN);
}

/* Version 3's tag of the 'len' bytes at 'data' into 'tag': GMAC with the
 * 12-byte 'nonce'. */
static void
compute_gmac_tag(const struct udptun_key *key, const uint8_t nonce[12],
                 const uint8_t *data, size_t len,
                 uint8_t tag[UDPTUN_TAG_LEN])
{
    EVP_CIPHER_CTX *ctx = key->gmac;
    uint8_t none[16];
    int n;

    /* Only additional data: nothing is encrypted. */
    if (!EVP_EncryptInit_ex(ctx, NULL, NULL, NULL, nonce)
        || !EVP_EncryptUpdate(ctx, NULL, &n, data, (int) len)
        || !EVP_EncryptFinal_ex(ctx, none, &n)
        || !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, UDPTUN_TAG_LEN,
                                tag)) {
        spoil_tag(data, tag);
    }
}

static void
put_be32(uint8_t *p, uint32_t x)
{
    for (int i = 3; i >= 0; i--) {
        p[i] = x;
        x >>= 8;
    }
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
udptun_seal(const struct udptun_key *key, uint32_t salt, uint64_t seq,
            uint8_t *buf, size_t frame_len)
{
    buf[0] = UDPTUN_MAGIC0;
    buf[1] = UDPTUN_MAGIC1;
    buf[2] = UDPTUN_VERSION;
    buf[3] = 0;
    put_be32(buf + 4, salt);
    put_be64(buf + 8, seq);
    size_t len = UDPTUN_HDR_LEN + frame_len;
    /* The nonce is bytes 4 to 15: the salt and the sequence number. */
    compute_gmac_tag(key, buf + 4, buf, len, buf + len);
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
            uint64_t *seq, size_t *frame_ofs, size_t *frame_len)
{
    if (len < 3) {
        return UDPTUN_SHORT;
    }
    if (buf[0] != UDPTUN_MAGIC0 || buf[1] != UDPTUN_MAGIC1) {
        return UDPTUN_BAD_MAGIC;
    }
    size_t hdr_len;
    if (buf[2] == UDPTUN_VERSION) {
        hdr_len = UDPTUN_HDR_LEN;
    } else if (buf[2] == UDPTUN_V2_VERSION) {
        hdr_len = UDPTUN_V2_HDR_LEN;
    } else {
        return UDPTUN_BAD_VERSION;
    }
    if (len < hdr_len + UDPTUN_MIN_FRAME + UDPTUN_TAG_LEN) {
        return UDPTUN_SHORT;
    }
    /* buf[3], the flags, is covered by the tag and otherwise ignored. */
    size_t body = len - UDPTUN_TAG_LEN;
    uint8_t tag[UDPTUN_TAG_LEN];
    if (hdr_len == UDPTUN_HDR_LEN) {
        compute_gmac_tag(key, buf + 4, buf, body, tag);
    } else {
        compute_hmac_tag(key, buf, body, tag);
    }
    if (CRYPTO_memcmp(tag, buf + body, UDPTUN_TAG_LEN)) {
        return UDPTUN_BAD_TAG;
    }
    *seq = get_be64(buf + hdr_len - 8);
    *frame_ofs = hdr_len;
    *frame_len = body - hdr_len;
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
