// Helper for unit tests of flow generators: every generated flow must come
// back from the switch as it was sent.  The installer compares the flows it
// wants with those a dump of the switch gives back (their actions as
// formatted text): a flow spelt otherwise than the switch spells it back
// would be sent again on every new connection.  A flow goes out as an
// OpenFlow 1.5 flow_mod and is decoded, twice (the switch decodes what it
// gets and encodes it again for the dump).
#ifndef VNET_TESTS_FLOW_ROUND_TRIP_H
#define VNET_TESTS_FLOW_ROUND_TRIP_H 1

#include <gtest/gtest.h>

#include <string>

#include "byte-order.h"
#include "flows/flow-table.h"
#include "openvswitch/ofp-actions.h"
#include "openvswitch/ofp-errors.h"
#include "openvswitch/match.h"
#include "openvswitch/ofp-flow.h"
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
    match m;
    minimatch_expand(&fm.match, &m);
    flow_table_add_parts(out, f->table_id, f->priority, &m, f->cookie,
                         static_cast<const ofpact *>(acts.data), acts.size);
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
        // An audit compares the actions' bytes first and their text only
        // where the bytes differ: the same actions should not need it.
        EXPECT_TRUE(ofpacts_equal_but_raw(f->ofpacts, f->ofpacts_len,
                                          b->ofpacts, b->ofpacts_len))
            << "table=" << int(f->table_id) << " priority=" << f->priority
            << ": " << vnet_flow_actions(f)
            << " comes back encoded otherwise";
    }
    flow_table_destroy(&back);
}

#endif  // tests/flow-round-trip.h
