// Helper for unit tests of modules that send packets back into the
// switch's pipeline (packet-outs to OFPP_TABLE).
#ifndef VNET_TESTS_PACKET_OUTS_H
#define VNET_TESTS_PACKET_OUTS_H 1

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "openvswitch/list.h"
#include "openvswitch/match.h"
#include "openvswitch/ofp-actions.h"
#include "openvswitch/ofp-msgs.h"
#include "openvswitch/ofp-packet.h"
#include "openvswitch/ofpbuf.h"

struct PacketOut {
    int in_port;
    std::vector<uint8_t> packet;
};

// Takes the packet-outs in 'msgs' (freed, 'msgs' left empty), each checked
// to send its packet into table 0.
inline std::vector<PacketOut>
take_packet_outs(struct ovs_list *msgs)
{
    std::vector<PacketOut> out;
    struct ofpbuf *msg;
    LIST_FOR_EACH_POP (msg, list_node, msgs) {
        struct ofputil_packet_out po;
        uint64_t stub[64 / 8];
        struct ofpbuf ofpacts = OFPBUF_STUB_INITIALIZER(stub);
        EXPECT_EQ(ofputil_decode_packet_out(
                      &po, static_cast<const ofp_header *>(msg->data),
                      nullptr, &ofpacts),
                  0);
        const struct ofpact *a = static_cast<const ofpact *>(ofpacts.data);
        EXPECT_EQ(a->type, OFPACT_OUTPUT);
        EXPECT_EQ(ofpact_get_OUTPUT(a)->port, OFPP_TABLE);
        const uint8_t *p = static_cast<const uint8_t *>(po.packet);
        out.push_back({static_cast<int>(po.flow_metadata.flow.in_port.ofp_port),
                       std::vector<uint8_t>(p, p + po.packet_len)});
        ofpbuf_uninit(&ofpacts);
        ofpbuf_delete(msg);
    }
    return out;
}

#endif  // tests/packet-outs.h
