/* Writes the seed corpus of the fuzz targets (tests/fuzz/corpus/): real
 * inputs of each kind, made with the code that makes them in ovs-vnet or
 * Open vSwitch, so that fuzzing starts from what is valid.  Run by
 * "tests/fuzz/run.sh --make-seeds". */
#include <config.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "byte-order.h"
#include "flows/flow-table.h"
#include "flows/pipeline.h"
#include "openvswitch/list.h"
#include "openvswitch/ofp-flow.h"
#include "openvswitch/ofp-monitor.h"
#include "openvswitch/ofp-msgs.h"
#include "openvswitch/ofp-protocol.h"
#include "openvswitch/ofpbuf.h"
#include "tools/udptun-wire.h"
#include "util.h"

static const char *dir;

static void
write_seed(const char *target, const char *name, const void *data, size_t n)
{
    char *path = xasprintf("%s/%s/%s", dir, target, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, n, f) != n || fclose(f)) {
        ovs_fatal(errno, "%s", path);
    }
    free(path);
}

/* A seed for fuzz-nb-input: selector 'sel', then the strings given (up to a
 * NULL), separated by NUL bytes. */
static void
nb_seed(const char *name, int sel, ...)
{
    char buf[512];
    size_t n = 0;
    buf[n++] = sel;
    va_list args;
    va_start(args, sel);
    for (const char *a; (a = va_arg(args, const char *)) != NULL; ) {
        size_t len = strlen(a);
        ovs_assert(n + len + 1 <= sizeof buf);
        memcpy(buf + n, a, len + 1);
        n += len + 1;
    }
    va_end(args);
    write_seed("fuzz-nb-input", name, buf, n > 1 ? n - 1 : n);
}

static void
udptun_seeds(void)
{
    struct udptun_key key;
    char *error = udptun_key_init(&key, "fuzzing key of the relay!", 25);
    if (error) {
        ovs_fatal(0, "%s", error);
    }
    /* An ARP request tagged with VLAN 7, sealed (as received) and raw (to be
     * sealed by the target: first byte odd). */
    static const uint8_t frame[] = {
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0a, 0, 0, 0, 0, 0x11,
        0x81, 0x00, 0x00, 0x07, 0x08, 0x06,
        0, 1, 8, 0, 6, 4, 0, 1, 0x0a, 0, 0, 0, 0, 0x11, 10, 5, 0, 11,
        0, 0, 0, 0, 0, 0, 10, 5, 0, 21,
    };
    uint8_t buf[256];
    memcpy(buf + UDPTUN_HDR_LEN, frame, sizeof frame);
    size_t len = udptun_seal(&key, 0x5eed5a17, UINT64_C(1764590000000000000),
                             buf, sizeof frame);
    buf[0] &= ~1;               /* 'V' is even already. */
    write_seed("fuzz-udptun", "sealed-arp", buf, len);
    uint8_t raw[sizeof frame + 1] = { 1 };
    memcpy(raw + 1, frame, sizeof frame);
    write_seed("fuzz-udptun", "to-seal-arp", raw, sizeof raw);
    uint8_t v1[4 + sizeof frame] = { 'V', 'N', 1, 0 };
    memcpy(v1 + 4, frame, sizeof frame);
    write_seed("fuzz-udptun", "version-1", v1, sizeof v1);
    /* Version 2, as relays before version 3 sealed it: HMAC-SHA256. */
    uint8_t v2[12 + sizeof frame + 32] = { 'V', 'N', 2, 0, 0x18, 0x7d };
    memcpy(v2 + 12, frame, sizeof frame);
    unsigned int mac_len = 0;
    HMAC(EVP_sha256(), "fuzzing key of the relay!", 25, v2,
         12 + sizeof frame, v2 + 12 + sizeof frame, &mac_len);
    write_seed("fuzz-udptun", "version-2-arp", v2, 12 + sizeof frame + 16);
    udptun_key_destroy(&key);
}

static void
nb_seeds(void)
{
    nb_seed("name", 0, "sw1", NULL);
    nb_seed("ifname", 1, "vnet1a2b3c4d", NULL);
    nb_seed("remote-tcp", 2, "tcp:127.0.0.1:6640", "", NULL);
    nb_seed("remote-unix", 2, "unix:/var/run/openvswitch/db.sock", "/run/x",
            NULL);
    nb_seed("remote-ssl6", 2, "ssl:[::1]:6640", "", NULL);
    nb_seed("ip", 3, "10.5.0.11", NULL);
    nb_seed("cidr", 4, "10.5.0.0/16", "10.5.0.11", NULL);
    nb_seed("mac", 5, "0a:00:00:00:00:11", NULL);
    nb_seed("nat-dnat", 6, "dnat", "203.0.113.5", "10.5.0.11", "tcp",
            "808000080", NULL);
    nb_seed("nat-snat", 6, "snat", "", "10.5.0.0/16", NULL);
    nb_seed("uplink", 7, "203.0.113.2/24", "203.0.113.1", NULL);
    nb_seed("switch", 8, "sw1", "unix:/tmp/sw1/db.sock", "br-vnet", NULL);
    nb_seed("network-endpoint", 9, "net1", "10.5.0.0/16", "", "ep1", "ns-ep1",
            "10.5.0.11", NULL);
    nb_seed("prefix", 10, "10.5.0.0/16", NULL);
    nb_seed("uplink-iface", 11, "up0", "br-vnet", "ul0", NULL);
}

/* Flows as ovs-vnetd makes them. */
static void
add_flows(struct flow_table *t)
{
    static const char *flows[] = {
        "table=0,priority=100,in_port=3,dl_src=0a:00:00:00:00:11,ip,"
        "nw_src=10.5.0.11,actions=set_field:7->metadata,goto_table:10",
        "table=0,priority=100,in_port=9,tun_id=7,tun_src=192.0.2.2,"
        "actions=set_field:7->metadata,set_field:1->reg5,goto_table:20",
        "table=0,priority=100,in_port=10,dl_vlan=7,actions=pop_vlan,"
        "set_field:7->metadata,goto_table:20",
        "table=20,priority=100,metadata=7,in_port=9,reg5=1,actions="
        "learn(table=30,idle_timeout=300,priority=50,"
        "OXM_OF_METADATA[],NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[],"
        "output:NXM_OF_IN_PORT[]),goto_table:30",
        "table=30,priority=10,metadata=7,actions=output:3,output:4,"
        "push_vlan:0x8100,set_field:4103->vlan_vid,output:10",
        "table=40,priority=100,metadata=9,ip,nw_dst=203.0.113.5,"
        "actions=ct(zone=2,nat,table=41)",
    };
    for (size_t i = 0; i < ARRAY_SIZE(flows); i++) {
        char *error = flow_table_add(t, vnet_cookie(VNET_F_L2, 0x1234), "%s",
                                     flows[i]);
        if (error) {
            ovs_fatal(0, "%s: %s", flows[i], error);
        }
    }
}

static void
write_list(const char *name, struct ovs_list *replies)
{
    struct ofpbuf *b;
    int i = 0;
    LIST_FOR_EACH_POP (b, list_node, replies) {
        char *n = xasprintf("%s-%d", name, i++);
        write_seed("fuzz-flow-dump", n, b->data, b->size);
        free(n);
        ofpbuf_delete(b);
    }
}

static void
flow_seeds(void)
{
    struct flow_table t;
    flow_table_init(&t);
    add_flows(&t);

    static const struct {
        const char *name;
        enum ofputil_protocol protocol;
    } protocols[] = {
        { "of13", OFPUTIL_P_OF13_OXM },
        { "of15", OFPUTIL_P_OF15_OXM },
    };
    for (size_t p = 0; p < ARRAY_SIZE(protocols); p++) {
        struct ofputil_flow_stats_request fsr = {
            .out_port = OFPP_ANY, .out_group = OFPG_ANY, .table_id = 0xff,
        };
        match_init_catchall(&fsr.match);
        struct ofpbuf *rq = ofputil_encode_flow_stats_request(
            &fsr, protocols[p].protocol);
        struct ovs_list replies;
        ofpmp_init(&replies, rq->data);

        struct ovs_list updates;
        ofputil_start_flow_update(&updates, protocols[p].protocol);

        const struct vnet_flow *f;
        FLOW_TABLE_FOR_EACH (f, &t) {
            struct ofputil_flow_stats fs = {
                .cookie = htonll(f->cookie),
                .table_id = f->table_id,
                .priority = f->priority,
                .idle_age = -1,
                .hard_age = -1,
                .packet_count = 1,
                .byte_count = 64,
                .ofpacts = f->ofpacts,
                .ofpacts_len = f->ofpacts_len,
            };
            minimatch_expand(&f->match, &fs.match);
            ofputil_append_flow_stats_reply(&fs, &replies, NULL);

            struct ofputil_flow_update u = {
                .event = OFPFME_MODIFIED,
                .table_id = f->table_id,
                .priority = f->priority,
                .cookie = htonll(f->cookie),
                .ofpacts = f->ofpacts,
                .ofpacts_len = f->ofpacts_len,
            };
            minimatch_expand(&f->match, &u.match);
            ofputil_append_flow_update(&u, &updates, NULL);
        }
        char *name = xasprintf("dump-%s", protocols[p].name);
        write_list(name, &replies);
        free(name);
        name = xasprintf("update-%s", protocols[p].name);
        write_list(name, &updates);
        free(name);
        ofpbuf_delete(rq);
    }
    flow_table_destroy(&t);
}

int
main(int argc, char *argv[])
{
    set_program_name(argv[0]);
    if (argc != 2) {
        ovs_fatal(0, "usage: %s CORPUS-DIR", argv[0]);
    }
    dir = argv[1];
    udptun_seeds();
    nb_seeds();
    flow_seeds();
    return 0;
}
