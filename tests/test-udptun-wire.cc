// Unit tests: the relay's wire format and authentication (tools/udptun-wire.h).
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include <fcntl.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "tools/udptun-wire.h"

namespace {

struct Key {
    struct udptun_key key;
    explicit Key(const std::string &s)
    {
        char *error = udptun_key_init(&key, s.data(), s.size());
        EXPECT_EQ(error, nullptr) << error;
        free(error);
    }
    ~Key() { udptun_key_destroy(&key); }
};

// A sealed datagram carrying 'frame'.
const uint32_t kSalt = 0x11223344;

std::vector<uint8_t>
seal(const Key &k, uint64_t seq, const std::vector<uint8_t> &frame,
     uint32_t salt = kSalt)
{
    std::vector<uint8_t> buf(UDPTUN_OVERHEAD + frame.size());
    memcpy(&buf[UDPTUN_HDR_LEN], frame.data(), frame.size());
    size_t len = udptun_seal(&k.key, salt, seq, buf.data(), frame.size());
    EXPECT_EQ(len, buf.size());
    return buf;
}

std::vector<uint8_t>
a_frame(size_t len = 60)
{
    std::vector<uint8_t> f(len);
    for (size_t i = 0; i < len; i++) {
        f[i] = i * 7 + 1;
    }
    return f;
}

enum udptun_verdict
open_it(const Key &k, const std::vector<uint8_t> &d, uint64_t *seq = nullptr,
        size_t *frame_len = nullptr, size_t *frame_ofs = nullptr)
{
    uint64_t s = 0;
    size_t n = 0, ofs = 0;
    enum udptun_verdict v = udptun_open(&k.key, d.data(), d.size(), &s, &ofs,
                                        &n);
    if (seq) {
        *seq = s;
    }
    if (frame_len) {
        *frame_len = n;
    }
    if (frame_ofs) {
        *frame_ofs = ofs;
    }
    return v;
}

const std::string kKey = "0123456789abcdef0123456789abcdef";

// 'd' opens with 'k' to sequence number 'seq' and 'frame' at 'ofs'.
void
expect_opens(const Key &k, const std::vector<uint8_t> &d, uint64_t seq,
             size_t ofs, const std::vector<uint8_t> &frame)
{
    uint64_t s;
    size_t n, o;
    ASSERT_EQ(open_it(k, d, &s, &n, &o), UDPTUN_OK);
    EXPECT_EQ(s, seq);
    EXPECT_EQ(o, ofs);
    ASSERT_EQ(n, frame.size());
    EXPECT_EQ(memcmp(&d[ofs], frame.data(), n), 0);
}

// Each byte of 'd' from byte 3 on (the flags, the rest of the header, the
// frame and the tag) is covered by the tag.  (Bytes 0 to 2 fail earlier, as
// magic or version.)
void
expect_every_byte_covered(const Key &k, const std::vector<uint8_t> &d)
{
    for (size_t i = 3; i < d.size(); i++) {
        std::vector<uint8_t> t = d;
        t[i] ^= 0x20;
        EXPECT_EQ(open_it(k, t), UDPTUN_BAD_TAG) << "byte " << i;
    }
}

TEST(UdptunWire, SealedDatagramOpens)
{
    Key k(kKey);
    std::vector<uint8_t> frame = a_frame();
    std::vector<uint8_t> d = seal(k, 0x0102030405060708ULL, frame);
    EXPECT_EQ(d[0], 'V');
    EXPECT_EQ(d[1], 'N');
    EXPECT_EQ(d[2], 3);
    EXPECT_EQ(d[3], 0);
    EXPECT_EQ(d[4], 0x11);
    EXPECT_EQ(d[7], 0x44);
    EXPECT_EQ(d[8], 0x01);
    EXPECT_EQ(d[15], 0x08);
    expect_opens(k, d, 0x0102030405060708ULL, 16, frame);
}

// The tag as the format says, computed here with OpenSSL directly: the GCM
// tag of the datagram as additional data, the nonce bytes 4 to 15, the key
// the first 16 bytes of HMAC-SHA256 of the label with the shared key.
TEST(UdptunWire, TagIsGmacUnderTheDerivedKey)
{
    Key k(kKey);
    std::vector<uint8_t> d = seal(k, 99, a_frame(100));

    static const char label[] = "ovs-vnet-udptun 3 gmac key";
    unsigned char derived[32];
    unsigned int derived_len = 0;
    ASSERT_NE(HMAC(EVP_sha256(), kKey.data(), kKey.size(),
                   (const unsigned char *) label, sizeof label - 1, derived,
                   &derived_len), nullptr);
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int n;
    unsigned char out[16], tag[16];
    ASSERT_TRUE(EVP_EncryptInit_ex(ctx, EVP_aes_128_gcm(), nullptr, derived,
                                   &d[4]));
    ASSERT_TRUE(EVP_EncryptUpdate(ctx, nullptr, &n, d.data(),
                                  d.size() - 16));
    ASSERT_TRUE(EVP_EncryptFinal_ex(ctx, out, &n));
    ASSERT_TRUE(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16, tag));
    EVP_CIPHER_CTX_free(ctx);
    EXPECT_EQ(memcmp(tag, &d[d.size() - 16], 16), 0);
}

// Another salt, another tag: the salt is part of the nonce.
TEST(UdptunWire, SaltChangesTheTag)
{
    Key k(kKey);
    std::vector<uint8_t> a = seal(k, 5, a_frame(), 1);
    std::vector<uint8_t> b = seal(k, 5, a_frame(), 2);
    EXPECT_NE(memcmp(&a[a.size() - 16], &b[b.size() - 16], 16), 0);
    EXPECT_EQ(open_it(k, a), UDPTUN_OK);
    EXPECT_EQ(open_it(k, b), UDPTUN_OK);
}

// A datagram of version 2, as a relay not upgraded yet sends it: a 12-byte
// header and HMAC-SHA256 of everything before the tag, its first 16 bytes.
std::vector<uint8_t>
seal_v2(const std::string &key, uint64_t seq,
        const std::vector<uint8_t> &frame)
{
    std::vector<uint8_t> d = {'V', 'N', 2, 0};
    for (int i = 7; i >= 0; i--) {
        d.push_back(seq >> (8 * i));
    }
    d.insert(d.end(), frame.begin(), frame.end());
    unsigned char mac[32];
    unsigned int mac_len = 0;
    HMAC(EVP_sha256(), key.data(), key.size(), d.data(), d.size(), mac,
         &mac_len);
    d.insert(d.end(), mac, mac + 16);
    return d;
}

TEST(UdptunWire, Version2IsStillTaken)
{
    Key k(kKey);
    std::vector<uint8_t> frame = a_frame(70);
    std::vector<uint8_t> d = seal_v2(kKey, 0x0a0b0c0d0e0f1011ULL, frame);
    expect_opens(k, d, 0x0a0b0c0d0e0f1011ULL, 12, frame);
    expect_every_byte_covered(k, d);
    Key other("another key of the deployment!!");
    EXPECT_EQ(open_it(other, d), UDPTUN_BAD_TAG);

    // The shortest: a header, an Ethernet header, a tag.
    std::vector<uint8_t> shortest = seal_v2(kKey, 1, a_frame(UDPTUN_MIN_FRAME));
    EXPECT_EQ(shortest.size(), 42u);
    EXPECT_EQ(open_it(k, shortest), UDPTUN_OK);
    shortest.pop_back();
    EXPECT_EQ(open_it(k, shortest), UDPTUN_SHORT);
}

TEST(UdptunWire, AnotherKeyFails)
{
    Key k(kKey), other("another key of the deployment!!");
    std::vector<uint8_t> d = seal(k, 1, a_frame());
    EXPECT_EQ(open_it(other, d), UDPTUN_BAD_TAG);
}

TEST(UdptunWire, EveryChangedByteFails)
{
    Key k(kKey);
    // The salt and the sequence number included.
    expect_every_byte_covered(k, seal(k, 42, a_frame(20)));
}

TEST(UdptunWire, MalformedDatagrams)
{
    Key k(kKey);
    std::vector<uint8_t> d = seal(k, 7, a_frame(UDPTUN_MIN_FRAME));
    EXPECT_EQ(d.size(), 46u);
    EXPECT_EQ(open_it(k, d), UDPTUN_OK);

    std::vector<uint8_t> t(d.begin(), d.end() - 1);
    EXPECT_EQ(open_it(k, t), UDPTUN_SHORT);
    EXPECT_EQ(open_it(k, std::vector<uint8_t>()), UDPTUN_SHORT);
    EXPECT_EQ(open_it(k, std::vector<uint8_t>{'V', 'N'}), UDPTUN_SHORT);

    t = d;
    t[0] = 'X';
    EXPECT_EQ(open_it(k, t), UDPTUN_BAD_MAGIC);

    // Version 1: a frame behind a 4-byte header, no tag.
    std::vector<uint8_t> v1 = {'V', 'N', 1, 0};
    std::vector<uint8_t> frame = a_frame();
    v1.insert(v1.end(), frame.begin(), frame.end());
    EXPECT_EQ(open_it(k, v1), UDPTUN_BAD_VERSION);
}

TEST(UdptunWire, KeyLengths)
{
    struct udptun_key key;
    char *error = udptun_key_init(&key, "short", 5);
    ASSERT_NE(error, nullptr);
    EXPECT_EQ(std::string(error), "a key has 16 to 1024 bytes, not 5");
    free(error);

    std::string big(UDPTUN_KEY_MAX + 1, 'k');
    error = udptun_key_init(&key, big.data(), big.size());
    EXPECT_NE(error, nullptr);
    free(error);

    error = udptun_key_init(&key, big.data(), UDPTUN_KEY_MAX);
    EXPECT_EQ(error, nullptr);
    free(error);
    udptun_key_destroy(&key);
}

TEST(UdptunWire, KeyIdIsStableAndDiffers)
{
    char a[9], b[9];
    udptun_key_id(kKey.data(), kKey.size(), a);
    Key k(kKey);
    EXPECT_STREQ(a, k.key.id);
    EXPECT_EQ(strlen(a), 8u);
    udptun_key_id("0123456789abcdef0123456789abcdeF", 32, b);
    EXPECT_STRNE(a, b);
}

TEST(UdptunWire, KeyFileLosesTrailingWhiteSpace)
{
    char name[] = "/tmp/udptun-key-XXXXXX";
    int fd = mkstemp(name);
    ASSERT_GE(fd, 0);
    std::string text = kKey + "\n";
    ASSERT_EQ(write(fd, text.data(), text.size()), (ssize_t) text.size());
    close(fd);

    struct udptun_key key;
    char *error = udptun_key_read(&key, name);
    ASSERT_EQ(error, nullptr) << error;
    Key k(kKey);
    EXPECT_STREQ(key.id, k.key.id);
    udptun_key_destroy(&key);

    fd = open(name, O_WRONLY | O_TRUNC);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(write(fd, "tiny\n", 5), 5);
    close(fd);
    error = udptun_key_read(&key, name);
    ASSERT_NE(error, nullptr);
    EXPECT_EQ(std::string(error),
              std::string(name) + ": a key has 16 to 1024 bytes, not 4");
    free(error);
    unlink(name);

    error = udptun_key_read(&key, name);
    ASSERT_NE(error, nullptr);
    EXPECT_EQ(std::string(error),
              std::string(name) + ": No such file or directory");
    free(error);
}

TEST(UdptunReplay, EachNumberOnce)
{
    struct udptun_replay r = {};
    EXPECT_TRUE(udptun_replay_accept(&r, 1000));
    EXPECT_FALSE(udptun_replay_accept(&r, 1000));
    EXPECT_TRUE(udptun_replay_accept(&r, 1001));
    // Out of order inside the window: once.
    EXPECT_TRUE(udptun_replay_accept(&r, 990));
    EXPECT_FALSE(udptun_replay_accept(&r, 990));
    EXPECT_TRUE(udptun_replay_accept(&r, 999));
    // The window's oldest number, and one older.
    EXPECT_TRUE(udptun_replay_accept(&r, 1001 - (UDPTUN_REPLAY_WINDOW - 1)));
    EXPECT_FALSE(udptun_replay_accept(&r, 1001 - UDPTUN_REPLAY_WINDOW));
}

TEST(UdptunReplay, JumpsForget)
{
    struct udptun_replay r = {};
    EXPECT_TRUE(udptun_replay_accept(&r, 5));
    EXPECT_TRUE(udptun_replay_accept(&r, 5 + 63));
    EXPECT_FALSE(udptun_replay_accept(&r, 5));
    EXPECT_TRUE(udptun_replay_accept(&r, 6));
    // A sender that restarted goes on far above: all of it is new.
    EXPECT_TRUE(udptun_replay_accept(&r, 1ULL << 62));
    EXPECT_FALSE(udptun_replay_accept(&r, 1ULL << 62));
    EXPECT_FALSE(udptun_replay_accept(&r, 6 + 64));
    EXPECT_TRUE(udptun_replay_accept(&r, (1ULL << 62) - 1));
    EXPECT_TRUE(udptun_replay_accept(&r, UINT64_MAX));
    EXPECT_FALSE(udptun_replay_accept(&r, UINT64_MAX));
}

}  // namespace
