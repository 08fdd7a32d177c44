// Helper for unit tests of flow generators: every generated flow must come
// back from the switch as it was sent.  The installer compares the flows it
// wants with those a dump of the switch gives back (their actions byte for
// byte, apart from what only says how they were encoded, and as formatted
// text where the bytes differ): a flow that came back otherwise would be sent
// again on every audit.  A flow goes out as an OpenFlow 1.5 flow_mod and is
// decoded, twice (the switch decodes what it gets and encodes it again), and
// then comes back in a flow stats reply decoded as an audit decodes it
// (flow_dump_decode()).
#ifndef VNET_TESTS_FLOW_ROUND_TRIP_H
#define VNET_TESTS_FLOW_ROUND_TRIP_H 1

#include <gtest/gtest.h>

#include <string>

#include "byte-order.h"
#include "flows/flow-table.h"
#include "flows/installer.h"
#include "openvswitch/ofp-actions.h"
#include "openvswitch/ofp-errors.h"
#include "openvswitch/match.h"
#include "openvswitch/ofp-flow.h"
#include "openvswitch/ofp-msgs.h"
#include "openvswitch/ofp-protocol.h"
#include "openvswitch/ofpbuf.h"

// Passes 'f' through the wire and back; adds what comes back to 'out'.
inline void
flow_through_wire(const vnet_flow *f, flow_table *out)
{
    ofputil_flow_mod fm{};
    minimatch_clone(&fm.match, &f->match);
    fm.priority = f->priority;
    fm.table_id = f->table_id;
    fm.command = OFPFC_ADD;
    fm.buffer_id = UINT32_MAX;
    fm.out_port = OFPP_ANY;
    fm.out_group = OFPG_ANY;
    fm.new_cookie = htonll(f->cookie);
    ofpbuf acts;
    ofpbuf_init(&acts, 64);
    ofpbuf_put(&acts, f->ofpacts, f->ofpacts_len);
    for (int pass = 0; pass < 2; pass++) {
        fm.ofpacts = static_cast<ofpact *>(acts.data);
        fm.ofpacts_len = acts.size;
        ofpbuf *msg = ofputil_encode_flow_mod(&fm, OFPUTIL_P_OF15_OXM);
        minimatch_destroy(&fm.match);
        ofpbuf decoded;
        ofpbuf_init(&decoded, 64);
        ofputil_flow_mod back{};
        enum ofperr err = ofputil_decode_flow_mod(
            &back, static_cast<const ofp_header *>(msg->data),
            OFPUTIL_P_OF15_OXM, nullptr, nullptr, &decoded, OFPP_MAX, 255);
        ofpbuf_delete(msg);
        ASSERT_EQ(err, 0) << ofperr_to_string(err);
        fm.match = back.match;
        ofpbuf_uninit(&acts);
        acts = decoded;
    }
    // The switch's dump of it.
    ofputil_flow_stats_request fsr{};
    match_init_catchall(&fsr.match);
    fsr.out_port = OFPP_ANY;
    fsr.out_group = OFPG_ANY;
    fsr.table_id = 0xff;
    ofpbuf *request = ofputil_encode_flow_stats_request(&fsr,
                                                        OFPUTIL_P_OF15_OXM);
    ovs_list replies;
    ofpmp_init(&replies, static_cast<const ofp_header *>(request->data));
    ofputil_flow_stats fs{};
    minimatch_expand(&fm.match, &fs.match);
    fs.cookie = htonll(f->cookie);
    fs.table_id = f->table_id;
    fs.priority = f->priority;
    fs.idle_age = fs.hard_age = -1;
    fs.ofpacts = static_cast<const ofpact *>(acts.data);
    fs.ofpacts_len = acts.size;
    ofputil_append_flow_stats_reply(&fs, &replies, nullptr);
    ofpbuf *reply;
    LIST_FOR_EACH_POP (reply, list_node, &replies) {
        ofpmsg_update_length(reply);        // (As the switch's sending does.)
        EXPECT_EQ(flow_dump_decode(static_cast<const ofp_header *>(reply->data),
                                   out), 0);
        ofpbuf_delete(reply);
    }
    ofpbuf_delete(request);
    minimatch_destroy(&fm.match);
    ofpbuf_uninit(&acts);
}

// Expects every flow of 't' to come back from the switch as it was sent.
inline void
expect_flows_come_back_unchanged(const flow_table *t)
{
    flow_table back;
    flow_table_init(&back);
    const vnet_flow *f;
    FLOW_TABLE_FOR_EACH (f, t) {
        flow_through_wire(f, &back);
    }
    FLOW_TABLE_FOR_EACH (f, t) {
        const vnet_flow *b = flow_table_find(&back, f);
        ASSERT_NE(b, nullptr) << "table=" << int(f->table_id) << " priority="
                              << f->priority << " " << vnet_flow_actions(f)
                              << ": its match comes back otherwise";
        EXPECT_TRUE(vnet_flow_same_result(f, b))
            << "table=" << int(f->table_id) << " priority=" << f->priority
            << ": sent " << vnet_flow_actions(f) << ", back "
            << vnet_flow_actions(b);
        // An audit compares the actions' bytes first (checking a decoded
        // flow's against its match where they differ) and their text only
        // where the bytes still differ: the same actions should not need it.
        EXPECT_TRUE(vnet_flow_actions_equal(f, b))
            << "table=" << int(f->table_id) << " priority=" << f->priority
            << ": " << vnet_flow_actions(f)
            << " comes back encoded otherwise";
    }
    flow_table_destroy(&back);
}

#endif  // tests/flow-round-trip.h
